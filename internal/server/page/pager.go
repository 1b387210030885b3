package page

import (
	"net/url"
	"strconv"

	"fieldops/templates/layout"
)

// Keyset describes a page of a list paged both ways by row id (after=, before=).
type Keyset struct {
	// Path and Filters rebuild the list as shown (empty filters are left out).
	Path    string
	Filters url.Values
	// First and Last are the page's first and last row ids; Rows says how many rows it shows.
	First, Last int64
	Rows        int
	// More says the query found rows beyond the page in the direction it was asked for.
	More bool
	// After and Before are the cursors the page was asked with (0 when absent).
	After, Before int64
}

// Pager links the pages before and after k's.
func (k Keyset) Pager() layout.Pager {
	var p layout.Pager
	if k.Rows == 0 {
		return p
	}
	link := func(dir string, id int64) string {
		q := url.Values{}
		for name, vs := range k.Filters {
			if len(vs) > 0 && vs[0] != "" {
				q.Set(name, vs[0])
			}
		}
		q.Set(dir, strconv.FormatInt(id, 10))
		return k.Path + "?" + q.Encode()
	}
	cameAfter, cameBefore := k.After != 0, k.Before != 0
	if k.More || cameBefore {
		p.OlderURL = link("after", k.Last)
	}
	if (cameBefore && k.More) || cameAfter {
		p.NewerURL = link("before", k.First)
	}
	return p
}
