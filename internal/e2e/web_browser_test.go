package e2e_test

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
	base := serve(t, site)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1100, 1300), chromedp.Flag("disable-gpu", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx := openTab(t, actx) // the first tab starts the browser
	// Screenshots go under the test's temp dir, or to LIVESPEC_SCREENSHOTS
	// when set (to look at them after the test).
	dir := filepath.Join(t.TempDir(), "screenshots")
	if d := os.Getenv("LIVESPEC_SCREENSHOTS"); d != "" {
		dir = d
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &browser{ctx: ctx, base: base, shots: dir}
}

// serve starts an HTTP server for h until the test ends and returns its URL.
func serve(t testing.TB, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// openTab opens a tab of the browser parent belongs to (the first one
// starts Chromium), closed when the test ends. Its first run must have
// no deadline, as that would bind the tab's life, so it is waited for
// here with browserStart as the bound.
func openTab(t testing.TB, parent context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(parent)
	t.Cleanup(cancel)
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("opening a chromium tab: %v", err)
		}
	case <-time.After(browserStart):
		cancel()
		t.Fatalf("chromium did not open a tab within %s", browserStart)
	}
	return ctx
}

// webStep runs actions on tab with a deadline.
func (b *browser) webStep(t testing.TB, tab context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// evalJS evaluates a JavaScript expression on tab with a deadline.
func evalJS[T any](t testing.TB, tab context.Context, expr string) T {
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

// site serves the API and the web page over the webFixture's index, asking
// for one of tokens when any are given.
func site(t testing.TB, f *webFixture, gen livespec.Generator, tokens ...string) http.Handler {
	t.Helper()
	clock := func() time.Time { return now }
	asst := &retrieval.Assistant{Store: f.store, Generator: gen, Now: clock}
	srv, err := api.New(api.Config{Asker: asst, Store: f.store, ParsePeriod: retrieval.ParsePeriod, Now: clock, Tokens: tokens})
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
	f := newWebFixture(t)
	gen := pacedGenerator{release: make(chan struct{})}
	b := newBrowser(t, site(t, f, gen))
	tab := b.ctx

	t.Run("ask streams an answer with citations", func(t *testing.T) {
		b.webStep(t, tab, chromedp.Navigate(b.base+"/"), chromedp.WaitVisible("#q"),
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
		if text := evalJS[string](t, tab, `document.querySelector("#result .answer-text").textContent`); !strings.Contains(text, "coupon") {
			t.Errorf("answer text %q says nothing of coupons", text)
		}
		if badge := evalJS[string](t, tab, `document.querySelector("#result .citations .badge").textContent`); badge != "current" {
			t.Errorf("citation badge %q, want current", badge)
		}
		b.shot(t, tab, "ask")
		// The citation opens the cited section at its commit.
		b.webStep(t, tab, chromedp.Click("#result a.citation"), chromedp.WaitVisible("#s-checkout-coupons"))
		if text := evalJS[string](t, tab, `document.getElementById("s-checkout-coupons").textContent`); !strings.Contains(text, coupons2) {
			t.Errorf("cited section reads %q, want %q", text, coupons2)
		}
	})

	t.Run("changes chart and report", func(t *testing.T) {
		b.webStep(t, tab, chromedp.Navigate(b.base+"/changes?since=2025-01-01&until=2025-02-28"), chromedp.WaitVisible("#totals"))
		api := apiChanges(t, b.base+"/v1/changes?since=2025-01-01&until=2025-02-28&limit=2000")
		weeks := map[string]bool{}
		for _, c := range api {
			d := c.Date.UTC()
			weeks[d.AddDate(0, 0, -((int(d.Weekday())+6)%7)).Format(time.DateOnly)] = true
		}
		if n := evalJS[int](t, tab, `document.querySelectorAll("svg g.bar").length`); n != len(weeks) || n != 3 {
			t.Errorf("%d bars, want one per week with changes (%d)", n, len(weeks))
		}
		if got := evalJS[int](t, tab, `+document.getElementById("totals").dataset.changes`); got != len(api) {
			t.Errorf("report total %d, /v1/changes lists %d", got, len(api))
		}
		b.shot(t, tab, "changes")
		// A bar narrows the report to its week and area; it is reached
		// and followed with the keyboard.
		bar := `svg g.bar[data-start="2025-01-13"] a[data-area="spec"]`
		b.webStep(t, tab, chromedp.Focus(bar))
		if !evalJS[bool](t, tab, `document.activeElement === document.querySelector('`+bar+`')`) {
			t.Fatalf("the bar segment cannot take the keyboard focus")
		}
		b.webStep(t, tab, chromedp.KeyEvent("\r"))
		waitFor(t, tab, `location.search.includes("week=2025-01-13") && document.readyState === "complete"`)
		week := apiChanges(t, b.base+"/v1/changes?since=2025-01-13&until=2025-01-19&limit=2000")
		if got := evalJS[int](t, tab, `+document.getElementById("totals").dataset.changes`); got != len(week) {
			t.Errorf("narrowed report total %d, /v1/changes lists %d for that week", got, len(week))
		}
	})

	t.Run("document at a past date", func(t *testing.T) {
		b.webStep(t, tab, chromedp.Navigate(b.base+"/doc/spec/checkout.md"), chromedp.WaitVisible("#at"),
			chromedp.SetValue("#at", "2025-01-10"), chromedp.Click(`#at ~ button`), chromedp.WaitVisible("#text"))
		waitFor(t, tab, `location.search.includes("at=2025-01-10") && document.readyState === "complete"`)
		text := evalJS[string](t, tab, `document.getElementById("text").textContent`)
		if !strings.Contains(text, coupons1) || strings.Contains(text, coupons2) {
			t.Errorf("checkout.md on 2025-01-10 reads %q, want %q only", text, coupons1)
		}
		b.shot(t, tab, "document")
		// The link to auth.md stays in the app, at the same date: it
		// shows auth.md as it was then, typo and all.
		b.webStep(t, tab, chromedp.Click(`#text a[href*="auth.md"]`))
		waitFor(t, tab, `location.pathname === "/doc/spec/auth.md" && document.readyState === "complete"`)
		if q := evalJS[string](t, tab, `location.search`); !strings.Contains(q, "at=2025-01-10") {
			t.Errorf("the link to auth.md leaves the date: %q", q)
		}
		if text := evalJS[string](t, tab, `document.getElementById("text").textContent`); !strings.Contains(text, "expire afer one hour") {
			t.Errorf("auth.md via the link reads %q, want its text of 2025-01-10", text)
		}
		if !evalJS[bool](t, tab, `location.hash === "#tokens" && document.getElementById("tokens") !== null`) {
			t.Errorf("the link's fragment #tokens does not land on the Tokens heading")
		}
	})

	t.Run("diff marks the added line", func(t *testing.T) {
		b.webStep(t, tab, chromedp.Navigate(b.base+"/doc/spec/checkout.md?from=2025-01-10&to=2025-01-20"), chromedp.WaitVisible("#diff"))
		ins := evalJS[[]string](t, tab, `[...document.querySelectorAll("#diff ins")].map(e => e.textContent)`)
		if !strings.Contains(strings.Join(ins, " "), "One coupon per order") {
			t.Errorf("inserted text %q lacks the new rule", ins)
		}
		if !evalJS[bool](t, tab, `getComputedStyle(document.querySelector("#diff .dtext")).color === getComputedStyle(document.body).color`) {
			t.Errorf("the diff's text is not in the page's text colour")
		}
		b.shot(t, tab, "diff")
	})

	t.Run("browse a date and search it", func(t *testing.T) {
		b.webStep(t, tab, chromedp.Navigate(b.base+"/browse"), chromedp.WaitVisible("#bat"),
			chromedp.SetValue("#bat", "2025-01-10"), chromedp.SendKeys("#bq", "coupon"), chromedp.Submit("#bq"))
		waitFor(t, tab, `location.search.includes("at=2025-01-10") && document.readyState === "complete"`)
		files := evalJS[[]string](t, tab, `[...document.querySelectorAll(".tree li")].map(e => e.textContent.trim())`)
		if strings.Join(files, "|") != "auth.md — Auth|checkout.md — Checkout" {
			t.Errorf("files standing on 2025-01-10: %q, want auth.md and checkout.md with their titles", files)
		}
		b.shot(t, tab, "browse")
		b.webStep(t, tab, chromedp.Click(`.hits a`))
		waitFor(t, tab, `location.pathname === "/doc/spec/checkout.md" && document.readyState === "complete"`)
		if hash := evalJS[string](t, tab, `location.hash`); hash != "#s-checkout-coupons" {
			t.Errorf("the search hit opens %q, want the Coupons section", hash)
		}
		if text := evalJS[string](t, tab, `document.getElementById("s-checkout-coupons").textContent`); !strings.Contains(text, coupons1) {
			t.Errorf("the hit shows %q, want the text of 2025-01-10", text)
		}
	})

	t.Run("labels, contrast, keyboard and nothing from elsewhere", func(t *testing.T) {
		for _, p := range []string{"/?q=How+many+coupons+per+order%3F", "/changes?since=2025-01-01&until=2025-02-28",
			"/doc/spec/auth.md?from=2025-01-10&to=2025-01-20", "/browse?q=coupon", "/login"} {
			b.webStep(t, tab, chromedp.Navigate(b.base+p), chromedp.WaitVisible("main"))
			if bad := evalJS[[]string](t, tab, accessAudit); len(bad) > 0 {
				t.Errorf("%s: %s", p, strings.Join(bad, "; "))
			}
			if other := evalJS[[]string](t, tab, `[...document.querySelectorAll("script[src], link[href], img[src], iframe, object, embed")].map(e => e.src || e.href || e.data || "?").filter(u => !u.startsWith(location.origin + "/"))`); len(other) > 0 {
				t.Errorf("%s loads from elsewhere: %q", p, other)
			}
		}
		// From the top of the Changes page, Tab reaches the skip link
		// first and then, in order, a bar of the chart.
		b.webStep(t, tab, chromedp.Navigate(b.base+"/changes?since=2025-01-01&until=2025-02-28"), chromedp.WaitVisible("#totals"))
		b.webStep(t, tab, chromedp.KeyEvent("\t"))
		if cls := evalJS[string](t, tab, `document.activeElement.className`); cls != "skip" {
			t.Errorf("the first Tab focuses %q, want the skip link", cls)
		}
		for i := 0; ; i++ {
			if evalJS[bool](t, tab, `document.activeElement.matches("a.seg")`) {
				break
			}
			if i == 40 {
				t.Fatalf("40 presses of Tab do not reach a bar of the chart")
			}
			b.webStep(t, tab, chromedp.KeyEvent("\t"))
		}
	})

	t.Run("phone width without JavaScript", func(t *testing.T) {
		ptab := openTab(t, b.ctx)
		b.webStep(t, ptab, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
			chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
				return err
			}))
		b.webStep(t, ptab, chromedp.Navigate(b.base+"/"), chromedp.WaitVisible("#q"),
			chromedp.SendKeys("#q", "How many coupons per order?"), chromedp.Submit("#q"))
		waitFor(t, ptab, `!!document.querySelector("#result a.citation") && document.readyState === "complete"`)
		href := evalJS[string](t, ptab, `document.querySelector("#result a.citation").href`)
		if !strings.Contains(href, "/doc/spec/checkout.md?") {
			t.Errorf("answer without JavaScript cites %q", href)
		}
		if evalJS[bool](t, ptab, `document.getElementById("streaming") !== null || !location.search.includes("q=")`) {
			t.Errorf("the answer did not come from the server-rendered form")
		}
		for _, p := range []string{"/", "/changes?since=2025-01-01&until=2025-02-28", "/doc/spec/checkout.md?from=2025-01-10&to=2025-01-20", "/browse?q=coupon"} {
			b.webStep(t, ptab, chromedp.Navigate(b.base+p), chromedp.WaitVisible("main"))
			if w := evalJS[int](t, ptab, `document.documentElement.scrollWidth`); w > 390 {
				t.Errorf("%s is %d px wide at a 390 px screen", p, w)
			}
		}
		// The chart's axis labels can be read: 9 px high at least, and
		// apart from each other.
		b.webStep(t, ptab, chromedp.Navigate(b.base+"/changes?since=2025-01-01&until=2025-02-28"), chromedp.WaitVisible("#totals"))
		if bad := evalJS[[]string](t, ptab, axisLabels); len(bad) > 0 {
			t.Errorf("axis labels at phone width: %s", strings.Join(bad, "; "))
		}
		b.shot(t, ptab, "phone-browse")
	})

	t.Run("a token given once is kept", func(t *testing.T) {
		const token = "web-test-token"
		base := serve(t, site(t, f, retrieval.Extractive{}, token))
		b.webStep(t, tab, chromedp.Navigate(base+"/changes?since=2025-01-01&until=2025-02-28"), chromedp.WaitVisible("#token"),
			chromedp.SendKeys("#token", token), chromedp.Submit("#token"))
		waitFor(t, tab, `location.pathname === "/changes" && !!document.getElementById("totals")`)
		// The cookie opens the other pages and the answer stream.
		b.webStep(t, tab, chromedp.Navigate(base+"/"), chromedp.WaitVisible("#q"),
			chromedp.SendKeys("#q", "How many coupons per order?"), chromedp.Click("#ask button[type=submit]"))
		if href := poll[string](t, tab, `(document.querySelector("#result a.citation") || {}).href`); !strings.Contains(href, "/doc/spec/checkout.md?") {
			t.Errorf("signed-in answer cites %q", href)
		}
	})
}

// accessAudit lists what a page lacks for a screen reader or a weak eye:
// form controls without a label, links and buttons without a name, and
// text whose contrast with its background is under 4.5:1 (WCAG AA).
const accessAudit = `(() => {
  const bad = [];
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (!(el.labels && el.labels.length) && !el.getAttribute("aria-label")) bad.push("no label for " + (el.id || el.name));
  }
  for (const el of document.querySelectorAll("a[href], button")) {
    if (!el.textContent.trim() && !el.getAttribute("aria-label")) bad.push("no name for " + el.outerHTML.slice(0, 80));
  }
  const rgb = c => (c.match(/[\d.]+/g) || []).map(Number);
  const lum = c => {
    const [r, g, b] = rgb(c).slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor, v = rgb(c);
      if (v.length === 3 || v[3] > 0) return c;
    }
    return "rgb(255, 255, 255)";
  };
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = walk.nextNode());) {
    const el = n.parentElement;
    if (!n.textContent.trim() || el.closest("svg, title, .skip")) continue;
    const s = getComputedStyle(el);
    if (s.display === "none" || s.visibility === "hidden") continue;
    const a = lum(s.color), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) bad.push("contrast " + ratio.toFixed(2) + " for " + JSON.stringify(n.textContent.trim().slice(0, 40)));
  }
  return bad;
})()`

// axisLabels lists the chart's visible axis labels that are under 9 px
// high or overlap the next one.
const axisLabels = `(() => {
  const bad = [];
  const boxes = [...document.querySelectorAll("svg .xlabel")]
    .filter(e => getComputedStyle(e).display !== "none").map(e => [e.textContent, e.getBoundingClientRect()]);
  boxes.forEach(([text, r], i) => {
    if (r.height < 9) bad.push(text + " is " + r.height.toFixed(1) + " px high");
    if (i > 0 && boxes[i - 1][1].right > r.left) bad.push(boxes[i - 1][0] + " overlaps " + text);
  });
  if (boxes.length < 2) bad.push(boxes.length + " labels shown");
  return bad;
})()`

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
