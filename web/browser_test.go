package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/api"
	"github.com/livespec/livespec/retrieval"
)

// stepTimeout bounds each browser step; browserStart bounds starting
// Chromium.
const (
	stepTimeout  = 30 * time.Second
	browserStart = 60 * time.Second
)

// chromiumPath finds Debian's chromium. Under CI (CI=true) a missing
// browser fails the test; elsewhere it skips.
func chromiumPath(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed; the browser tests need it (apt-get install chromium)")
	}
	t.Skip("chromium is not installed (apt-get install chromium); browser tests skipped")
	return ""
}

// browser is one headless Chromium for a test, and the site it visits.
type browser struct {
	ctx   context.Context // the first tab
	base  string
	shots string // screenshots go here
}

func newBrowser(t testing.TB, site http.Handler) *browser {
	t.Helper()
	path := chromiumPath(t)
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1100, 1300), chromedp.Flag("disable-gpu", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }() // the first run starts the browser; it must have no deadline
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("starting chromium: %v", err)
		}
	case <-time.After(browserStart):
		cancel()
		t.Fatalf("chromium did not start within %s", browserStart)
	}
	// Screenshots go under the test's temp dir, or to LIVESPEC_SCREENSHOTS
	// when set (to look at them after the test).
	dir := filepath.Join(t.TempDir(), "screenshots")
	if d := os.Getenv("LIVESPEC_SCREENSHOTS"); d != "" {
		dir = d
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &browser{ctx: ctx, base: srv.URL, shots: dir}
}

// step runs actions on tab with a deadline.
func (b *browser) step(t testing.TB, tab context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression on tab with a deadline.
func eval[T any](t testing.TB, tab context.Context, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// poll waits until a JavaScript expression is truthy and returns it.
func poll[T any](t testing.TB, tab context.Context, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Poll[T](expr, chromedp.WithPollingTimeout(stepTimeout)))
	if err != nil {
		t.Fatalf("waiting for %s: %v", expr, err)
	}
	return v
}

// waitFor waits, across navigations, until a JavaScript expression is
// true.
func waitFor(t testing.TB, tab context.Context, expr string) {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		ctx, cancel := context.WithTimeout(tab, stepTimeout)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %v", expr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// shot saves a screenshot of the whole page as name.png.
func (b *browser) shot(t testing.TB, tab context.Context, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join(b.shots, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// pacedGenerator is the extractive generator, streamed in pieces: the
// first piece, then nothing until release is closed, so a test can see the
// answer arriving before it is complete.
type pacedGenerator struct{ release chan struct{} }

func (pacedGenerator) Name() string { return "extractive" }

func (g pacedGenerator) Generate(ctx context.Context, ev *livespec.Evidence, onToken func(string) error) (string, error) {
	text, err := retrieval.Extractive{}.Generate(ctx, ev, nil)
	if err != nil || onToken == nil {
		return text, err
	}
	pieces := strings.SplitAfter(text, " ")
	for i, p := range pieces {
		if err := onToken(p); err != nil {
			return "", err
		}
		if i == 0 {
			select {
			case <-g.release:
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
	}
	return text, nil
}

// site serves the API and the web page over the fixture's index.
func site(t testing.TB, f *fixture, gen livespec.Generator) http.Handler {
	t.Helper()
	clock := func() time.Time { return now }
	asst := &retrieval.Assistant{Store: f.store, Generator: gen, Now: clock}
	srv, err := api.New(api.Config{Asker: asst, Store: f.store, ParsePeriod: retrieval.ParsePeriod, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return srv.Handler()
}

// TestBrowser drives the pages in headless Chromium: a streamed answer
// with a citation link, the changes chart and report, a document at a past
// date, a diff, and the pages at phone width with JavaScript off.
func TestBrowser(t *testing.T) {
	f := newFixture(t)
	gen := pacedGenerator{release: make(chan struct{})}
	b := newBrowser(t, site(t, f, gen))
	tab := b.ctx

	t.Run("ask streams an answer with citations", func(t *testing.T) {
		b.step(t, tab, chromedp.Navigate(b.base+"/"), chromedp.WaitVisible("#q"),
			chromedp.SendKeys("#q", "How many coupons per order?"), chromedp.Click("#ask button[type=submit]"))
		first := poll[string](t, tab, `(document.getElementById("streaming") || {}).textContent`)
		if strings.TrimSpace(first) == "" {
			t.Fatalf("no streamed text")
		}
		b.shot(t, tab, "ask-streaming")
		close(gen.release)
		href := poll[string](t, tab, `(document.querySelector("#result a.citation") || {}).href`)
		if !strings.Contains(href, "/doc/spec/checkout.md?") || !strings.HasSuffix(href, "#s-checkout-coupons") {
			t.Fatalf("citation links to %q, want the Coupons section of spec/checkout.md", href)
		}
		if text := eval[string](t, tab, `document.querySelector("#result .answer-text").textContent`); !strings.Contains(text, "coupon") {
			t.Errorf("answer text %q says nothing of coupons", text)
		}
		if badge := eval[string](t, tab, `document.querySelector("#result .citations .badge").textContent`); badge != "current" {
			t.Errorf("citation badge %q, want current", badge)
		}
		b.shot(t, tab, "ask")
		// The citation opens the cited section at its commit.
		b.step(t, tab, chromedp.Click("#result a.citation"), chromedp.WaitVisible("#s-checkout-coupons"))
		if text := eval[string](t, tab, `document.getElementById("s-checkout-coupons").textContent`); !strings.Contains(text, coupons2) {
			t.Errorf("cited section reads %q, want %q", text, coupons2)
		}
	})

	t.Run("changes chart and report", func(t *testing.T) {
		b.step(t, tab, chromedp.Navigate(b.base+"/changes?since=2025-01-01&until=2025-02-28"), chromedp.WaitVisible("#totals"))
		api := apiChanges(t, b.base+"/v1/changes?since=2025-01-01&until=2025-02-28&limit=2000")
		weeks := map[string]bool{}
		for _, c := range api {
			d := c.Date.UTC()
			weeks[d.AddDate(0, 0, -((int(d.Weekday())+6)%7)).Format(time.DateOnly)] = true
		}
		if n := eval[int](t, tab, `document.querySelectorAll("svg g.bar").length`); n != len(weeks) || n != 3 {
			t.Errorf("%d bars, want one per week with changes (%d)", n, len(weeks))
		}
		if got := eval[int](t, tab, `+document.getElementById("totals").dataset.changes`); got != len(api) {
			t.Errorf("report total %d, /v1/changes lists %d", got, len(api))
		}
		b.shot(t, tab, "changes")
		// A bar narrows the report to its week and area; it is reached
		// and followed with the keyboard.
		bar := `svg g.bar[data-start="2025-01-13"] a[data-area="spec"]`
		b.step(t, tab, chromedp.Focus(bar))
		if !eval[bool](t, tab, `document.activeElement === document.querySelector('`+bar+`')`) {
			t.Fatalf("the bar segment cannot take the keyboard focus")
		}
		b.step(t, tab, chromedp.KeyEvent("\r"))
		waitFor(t, tab, `location.search.includes("week=2025-01-13") && document.readyState === "complete"`)
		week := apiChanges(t, b.base+"/v1/changes?since=2025-01-13&until=2025-01-19&limit=2000")
		if got := eval[int](t, tab, `+document.getElementById("totals").dataset.changes`); got != len(week) {
			t.Errorf("narrowed report total %d, /v1/changes lists %d for that week", got, len(week))
		}
	})

	t.Run("document at a past date", func(t *testing.T) {
		b.step(t, tab, chromedp.Navigate(b.base+"/doc/spec/checkout.md"), chromedp.WaitVisible("#at"),
			chromedp.SetValue("#at", "2025-01-10"), chromedp.Click(`#at ~ button`), chromedp.WaitVisible("#text"))
		waitFor(t, tab, `location.search.includes("at=2025-01-10") && document.readyState === "complete"`)
		text := eval[string](t, tab, `document.getElementById("text").textContent`)
		if !strings.Contains(text, coupons1) || strings.Contains(text, coupons2) {
			t.Errorf("checkout.md on 2025-01-10 reads %q, want %q only", text, coupons1)
		}
		b.shot(t, tab, "document")
	})

	t.Run("diff marks the added line", func(t *testing.T) {
		b.step(t, tab, chromedp.Navigate(b.base+"/doc/spec/checkout.md?from=2025-01-10&to=2025-01-20"), chromedp.WaitVisible("#diff"))
		ins := eval[[]string](t, tab, `[...document.querySelectorAll("#diff ins")].map(e => e.textContent)`)
		if !strings.Contains(strings.Join(ins, " "), "One coupon per order") {
			t.Errorf("inserted text %q lacks the new rule", ins)
		}
		b.shot(t, tab, "diff")
	})

	t.Run("phone width without JavaScript", func(t *testing.T) {
		ptab, cancel := chromedp.NewContext(b.ctx)
		defer cancel()
		if err := chromedp.Do(ptab); err != nil { // opens the tab; no deadline, as for the browser
			t.Fatal(err)
		}
		b.step(t, ptab, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
			chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
				return err
			}))
		b.step(t, ptab, chromedp.Navigate(b.base+"/"), chromedp.WaitVisible("#q"),
			chromedp.SendKeys("#q", "How many coupons per order?"), chromedp.Submit("#q"))
		waitFor(t, ptab, `!!document.querySelector("#result a.citation") && document.readyState === "complete"`)
		href := eval[string](t, ptab, `document.querySelector("#result a.citation").href`)
		if !strings.Contains(href, "/doc/spec/checkout.md?") {
			t.Errorf("answer without JavaScript cites %q", href)
		}
		if eval[bool](t, ptab, `document.getElementById("streaming") !== null || !location.search.includes("q=")`) {
			t.Errorf("the answer did not come from the server-rendered form")
		}
		for _, p := range []string{"/", "/changes?since=2025-01-01&until=2025-02-28", "/doc/spec/checkout.md?from=2025-01-10&to=2025-01-20", "/browse?q=coupon"} {
			b.step(t, ptab, chromedp.Navigate(b.base+p), chromedp.WaitVisible("main"))
			if w := eval[int](t, ptab, `document.documentElement.scrollWidth`); w > 390 {
				t.Errorf("%s is %d px wide at a 390 px screen", p, w)
			}
		}
		b.shot(t, ptab, "phone-browse")
	})
}

// apiChanges reads every page of a /v1/changes URL.
func apiChanges(t testing.TB, u string) []livespec.AnswerChange {
	t.Helper()
	var all []livespec.AnswerChange
	for next := u; next != ""; {
		res, err := http.Get(next)
		if err != nil {
			t.Fatal(err)
		}
		var page api.ChangesPage
		err = json.NewDecoder(res.Body).Decode(&page)
		res.Body.Close()
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("%s: %d %v", next, res.StatusCode, err)
		}
		all = append(all, page.Changes...)
		next = ""
		if page.NextCursor != "" {
			next = u + "&cursor=" + page.NextCursor
		}
	}
	return all
}
