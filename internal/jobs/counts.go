package jobs

import (
	"maps"
	"sync"
	"time"
)

// CountsCache keeps each viewer's view counts for a short while: an admin's come from counters but still cost a
// query beside the page, and a co-worker's count thousands of jobs. An entry is used only while the company has
// had no write through this instance since it was counted (writes: db.DB.Writes) and for at most ttl, so a person
// sees their own change at once and another instance's within ttl. It is safe for concurrent use.
type CountsCache struct {
	ttl time.Duration

	mu      sync.Mutex
	entries map[countsKey]countsEntry
}

type countsKey struct {
	companyID int64
	scope     Scope
	day       int64 // the day's start, in Unix seconds
}

type countsEntry struct {
	counts map[View]int64
	writes uint64
	until  time.Time
}

// maxCountsEntries bounds the memory the cache takes; past it the cache starts afresh.
const maxCountsEntries = 10_000

// NewCountsCache returns an empty cache whose entries last at most ttl (0 keeps nothing).
func NewCountsCache(ttl time.Duration) *CountsCache {
	return &CountsCache{ttl: ttl, entries: map[countsKey]countsEntry{}}
}

// Get copies into counts the cached counts of scope in the company on day, counted when the company's writes
// stood at writes; ok is false when there are none fresh.
func (c *CountsCache) Get(companyID int64, scope Scope, day Day, writes uint64, counts map[View]int64) (ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, found := c.entries[countsKey{companyID, scope, day.Start.Unix()}]
	if !found || e.writes != writes || time.Now().After(e.until) {
		return false
	}
	maps.Copy(counts, e.counts)
	return true
}

// Put keeps counts of scope in the company on day, counted when its writes stood at writes.
func (c *CountsCache) Put(companyID int64, scope Scope, day Day, writes uint64, counts map[View]int64) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCountsEntries {
		c.entries = map[countsKey]countsEntry{}
	}
	c.entries[countsKey{companyID, scope, day.Start.Unix()}] = countsEntry{counts: maps.Clone(counts), writes: writes, until: time.Now().Add(c.ttl)}
}
