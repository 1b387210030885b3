package page

import (
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"fieldops/internal/apperr"
	"fieldops/internal/notify"
)

// PathID reads a numeric id from the path; anything else is the 404 page, and ok is false.
func (k *Kit) PathID(w http.ResponseWriter, r *http.Request, name string) (id int64, ok bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		k.Fail(w, r, apperr.ErrNotFound)
		return 0, false
	}
	return id, true
}

// Validation is err's ValidationError, for a form to show; nil when err is another kind.
func Validation(err error) *apperr.ValidationError { return apperr.AsValidation(err) }

// RefusedInWords is a refusal a page shows next to its form's fields; a conflict with its reason (apperr.Conflict,
// a 409) has its own page, as no form offers what it refuses.
func RefusedInWords(err error) bool {
	return apperr.AsValidation(err) != nil && !errors.Is(err, apperr.ErrConflict)
}

// TickedIDs are the ids a form's checkboxes named name send (a bulk action's rows: "ids"), at most 1000; anything
// not a number is dropped.
func TickedIDs(r *http.Request, name string) []int64 {
	r.ParseForm()
	var ids []int64
	for _, raw := range r.PostForm[name] {
		if id, err := strconv.ParseInt(raw, 10, 64); err == nil && len(ids) < 1000 {
			ids = append(ids, id)
		}
	}
	return ids
}

// BackTo is the page an action came from (its form's "back" field) when that is a path on this site, else fallback.
func BackTo(r *http.Request, fallback string) string {
	if back := r.PostFormValue("back"); back != "" && LocalPath(back) == back {
		return back
	}
	return fallback
}

// LocalPath returns next when it is a path on this site, else "/": a login link must not send people elsewhere.
// A path is one leading "/" followed by neither "/" nor "\\" ("//x" and "/\\x" are other hosts to a browser),
// holding no control character at all (browsers drop tabs and newlines, so "/\t/x" would become "//x"), no "\\"
// anywhere (browsers read it as "/") and no "." or ".." segment (http.Redirect cleans the path, and "/./\\x"
// would become "/\\x").
func LocalPath(next string) string {
	if !IsLocalPath(next) {
		return "/"
	}
	return next
}

// IsLocalPath reports whether p may be a redirect's target: see LocalPath.
func IsLocalPath(p string) bool {
	if strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f || r == utf8.RuneError }) ||
		!utf8.ValidString(p) {
		return false
	}
	if len(p) == 0 || p[0] != '/' || (len(p) > 1 && p[1] == '/') || strings.ContainsRune(p, '\\') {
		return false
	}
	pathPart, _, _ := strings.Cut(p, "?")
	pathPart, _, _ = strings.Cut(pathPart, "#")
	for seg := range strings.SplitSeq(pathPart, "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// SameOriginNavigation says the request is a person following a link or form within this site: the browser says
// so (Sec-Fetch-Site same-origin, Sec-Fetch-Mode navigate), or, from a browser too old to say, the Referer is a
// page of this host. A link from another site or an email, a prefetch, or a script's request is none.
func SameOriginNavigation(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin" && r.Header.Get("Sec-Fetch-Mode") == "navigate" && r.Header.Get("Sec-Purpose") == ""
	}
	ref, err := url.Parse(r.Referer())
	return err == nil && ref.Host != "" && ref.Host == r.Host
}

// ClientIP is the address of the client: the peer, or, when the peer is a trusted proxy, the nearest untrusted
// address in X-Forwarded-For.
func (k *Kit) ClientIP(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	addr = addr.Unmap()
	if !k.trusted(addr) {
		return addr
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return addr
		}
		addr = hop.Unmap()
		if !k.trusted(addr) {
			return addr
		}
	}
	return addr
}

func (k *Kit) trusted(a netip.Addr) bool {
	for _, p := range k.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// AreasTicked are the notification areas whose checkbox prefix+area the form ticked (layout.AreaSwitches).
func AreasTicked(r *http.Request, prefix string) map[notify.Area]bool {
	on := map[notify.Area]bool{}
	for _, a := range notify.Areas {
		on[a] = r.PostFormValue(prefix+string(a)) != ""
	}
	return on
}
