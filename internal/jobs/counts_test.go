package jobs

import (
	"testing"
	"time"
)

func TestCountsCache(t *testing.T) {
	day := Today(time.Now(), time.UTC)
	c := NewCountsCache(time.Minute)
	coworker := Scope{Member: 7, Clients: true}
	c.Put(1, coworker, day, 5, map[View]int64{ViewAll: 42})
	got := map[View]int64{}
	if !c.Get(1, coworker, day, 5, got) || got[ViewAll] != 42 {
		t.Errorf("a fresh entry: %v", got)
	}
	for name, miss := range map[string]func() bool{
		"after a write here": func() bool { return c.Get(1, coworker, day, 6, map[View]int64{}) },
		"another scope":      func() bool { return c.Get(1, Everything, day, 5, map[View]int64{}) },
		"another company":    func() bool { return c.Get(2, coworker, day, 5, map[View]int64{}) },
		"the next day": func() bool {
			return c.Get(1, coworker, Today(time.Now().Add(24*time.Hour), time.UTC), 5, map[View]int64{})
		},
		"a cache that is off": func() bool {
			off := NewCountsCache(0)
			off.Put(1, coworker, day, 5, got)
			return off.Get(1, coworker, day, 5, got)
		},
		"an entry past its ttl": func() bool {
			short := NewCountsCache(time.Nanosecond)
			short.Put(1, coworker, day, 5, got)
			time.Sleep(time.Millisecond)
			return short.Get(1, coworker, day, 5, map[View]int64{})
		},
	} {
		if miss() {
			t.Errorf("%s: the cached counts were used", name)
		}
	}
	got[ViewAll] = 0 // the map Get filled, not the cache's own
	if fresh := map[View]int64{}; !c.Get(1, coworker, day, 5, fresh) || fresh[ViewAll] != 42 {
		t.Error("changing the map given to Put changed the cache")
	}
}
