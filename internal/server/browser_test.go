package server

import (
	"context"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// newBrowser starts a headless Chromium (Debian's, installed by `make test`) for one test and returns its context.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	return newBrowserFor(t, 60*time.Second)
}

// newBrowserFor is newBrowser for a story that takes longer than a minute.
func newBrowserFor(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	execPath := os.Getenv("CHROMIUM")
	if execPath == "" {
		execPath = "/usr/bin/chromium"
	}
	// Not t.TempDir: Chromium may still be writing its profile when the test ends, and that is not a failure.
	profile, err := os.MkdirTemp("", "fieldops-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.NoSandbox, // tests may run as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, limit)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
		os.RemoveAll(profile)
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium at %s: %v", execPath, err)
	}
	return ctx
}

func TestBrowser_HomeRendersWithNav(t *testing.T) {
	s, _, _ := newTestServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx := newBrowser(t)

	var h1, topbar, background string
	var htmxLoaded bool
	err := chromedp.Run(ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(`header.topbar`),
		chromedp.Text(`h1`, &h1),
		chromedp.Text(`header.topbar`, &topbar),
		// The stylesheet and htmx load under the strict CSP: the top bar is styled and htmx is defined.
		chromedp.Evaluate(`getComputedStyle(document.querySelector('header.topbar')).backgroundColor`, &background),
		chromedp.Poll(`typeof window.htmx === 'object'`, &htmxLoaded, chromedp.WithPollingTimeout(10*time.Second)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h1, "field-service") {
		t.Errorf("h1 = %q", h1)
	}
	for _, want := range []string{"fieldops", "Log in", "Sign up"} {
		if !strings.Contains(topbar, want) {
			t.Errorf("top bar %q lacks %q", topbar, want)
		}
	}
	if background == "" || background == "rgba(0, 0, 0, 0)" {
		t.Errorf("top bar background %q: app.css did not apply", background)
	}

	// The same page on a phone: the nav stays inside the screen.
	var scrollWidth, innerWidth int
	err = chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(`header.topbar`),
		chromedp.Evaluate(`document.documentElement.scrollWidth`, &scrollWidth),
		chromedp.Evaluate(`window.innerWidth`, &innerWidth),
	)
	if err != nil {
		t.Fatal(err)
	}
	if scrollWidth > innerWidth {
		t.Errorf("on a 390px phone the page is %dpx wide: it scrolls sideways", scrollWidth)
	}
}

// axeSerious runs axe-core (fetched by `make test` into AXE_JS) in the page and returns its serious and critical
// findings, one line each: the rule, what it asks, and where.
func axeSerious(t *testing.T, ctx context.Context) []string {
	t.Helper()
	src, err := os.ReadFile(os.Getenv("AXE_JS"))
	if err != nil {
		t.Fatalf("axe-core: %v (run the tests with make test)", err)
	}
	var res struct {
		Passes int
		Found  []struct {
			ID, Impact, Help string
			Nodes            []string
		}
	}
	err = chromedp.Run(ctx,
		chromedp.Evaluate(string(src), nil),
		chromedp.Evaluate(`axe.run(document).then(r => ({passes: r.passes.length, found: r.violations.map(v =>
			({id: v.id, impact: v.impact || '', help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))}))`, &res, awaited),
	)
	if err != nil || res.Passes == 0 {
		t.Fatalf("axe-core did not run: %v (%d rules passed)", err, res.Passes)
	}
	found := res.Found
	var serious []string
	for _, f := range found {
		if f.Impact == "serious" || f.Impact == "critical" {
			serious = append(serious, f.Impact+" "+f.ID+": "+f.Help+" at "+strings.Join(f.Nodes, ", "))
		}
	}
	return serious
}
