package server

import (
	"net/http"
	"net/url"
	"strconv"

	"fieldops/templates/layout"
)

// keysetPager links a page of a list paged both ways by row id (after=, before=). path and filters rebuild the
// list as shown (empty filters are left out); first and last are the page's first and last ids; more says the
// query found rows beyond the page in the direction it was asked for; cameAfter and cameBefore say how it was.
func keysetPager(path string, filters url.Values, n int, first, last int64, more, cameAfter, cameBefore bool) layout.Pager {
	var p layout.Pager
	if n == 0 {
		return p
	}
	link := func(dir string, id int64) string {
		q := url.Values{}
		for k, vs := range filters {
			if len(vs) > 0 && vs[0] != "" {
				q.Set(k, vs[0])
			}
		}
		q.Set(dir, strconv.FormatInt(id, 10))
		return path + "?" + q.Encode()
	}
	if more || cameBefore {
		p.OlderURL = link("after", last)
	}
	if (cameBefore && more) || cameAfter {
		p.NewerURL = link("before", first)
	}
	return p
}

// tickedIDs are the row ids a bulk-action form sends (name "ids"), at most 1000; anything not a number is dropped.
func tickedIDs(r *http.Request) []int64 {
	r.ParseForm()
	var ids []int64
	for _, raw := range r.PostForm["ids"] {
		if id, err := strconv.ParseInt(raw, 10, 64); err == nil && len(ids) < 1000 {
			ids = append(ids, id)
		}
	}
	return ids
}

// backTo is the page an action came from (its form's "back" field) when that is a path on this site, else fallback.
func backTo(r *http.Request, fallback string) string {
	if back := r.PostFormValue("back"); back != "" && localPath(back) == back {
		return back
	}
	return fallback
}
