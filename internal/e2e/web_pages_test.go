package e2e_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/retrieval"
	"github.com/livespec/livespec/web"
)

func TestDocumentAtDate(t *testing.T) {
	f := newWebFixture(t)
	h := web.Document(f.store, errs)
	for _, tt := range []struct {
		name, at, want, notWant string
	}{
		{"before the coupon change", "2025-01-10", coupons1, coupons2},
		{"after it", "2025-01-20", coupons2, coupons1},
		{"now", "", coupons2, coupons1},
		{"at the first commit's landing", day1.Format(time.RFC3339), coupons1, coupons2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, body := get(t, h, "/doc/spec/checkout.md?at="+tt.at)
			if code != 200 || !strings.Contains(body, tt.want) || strings.Contains(body, tt.notWant) {
				t.Fatalf("status %d; want %q and not %q in\n%s", code, tt.want, tt.notWant, body)
			}
		})
	}
	// The link to auth.md stays in the app, at the page's date.
	_, body := get(t, h, "/doc/spec/checkout.md?at=2025-01-10")
	if want := `href="/doc/spec/auth.md?at=2025-01-10&amp;repo=shop#tokens"`; !strings.Contains(body, want) {
		t.Errorf("no in-app link %s in\n%s", want, body)
	}
	// The section has the anchor citations link to.
	if !strings.Contains(body, `id="s-checkout-coupons"`) {
		t.Errorf("no section anchor s-checkout-coupons")
	}
}

func TestDocumentErrors(t *testing.T) {
	f := newWebFixture(t)
	h := web.Document(f.store, errs)
	pageCases(t, h, []pageCase{
		{"unknown file", "/doc/spec/nope.md", 404, "no spec file"},
		{"bad date", "/doc/spec/checkout.md?at=yesterday", 400, "not a date"},
		{"before the file existed", "/doc/docs/guide.md?at=2025-01-10", 200, "did not exist on 2025-01-10"},
		{"diff backwards", "/doc/spec/checkout.md?from=2025-02-01&to=2025-01-01", 400, "must be after from"},
		{"diff before the file existed", "/doc/docs/guide.md?from=2025-01-01&to=2025-01-10", 200, "did not exist on either date"},
	})
}

func TestDocumentHistory(t *testing.T) {
	f := newWebFixture(t)
	h := web.Document(f.store, errs)
	_, body := get(t, h, "/doc/spec/auth.md")
	commits := regexp.MustCompile(`<li class="commit( editorial)?">`).FindAllStringSubmatch(body, -1)
	if len(commits) != 2 {
		t.Fatalf("history lists %d commits, want 2:\n%s", len(commits), body)
	}
	// Newest first: the typo fix is editorial, the first version is not.
	if commits[0][1] != " editorial" || commits[1][1] != "" || !strings.Contains(body, "editorial: typo") {
		t.Errorf("editorial marks = %q, want [editorial (typo), substantive]", commits)
	}
	_, body = get(t, h, "/doc/spec/checkout.md")
	if strings.Contains(body, `class="commit editorial"`) {
		t.Errorf("the coupon rule change is marked editorial")
	}
}

func TestDocumentDiff(t *testing.T) {
	f := newWebFixture(t)
	h := web.Document(f.store, errs)
	code, body := get(t, h, "/doc/spec/checkout.md?from=2025-01-10&to=2025-01-20")
	if code != 200 {
		t.Fatalf("status %d:\n%s", code, body)
	}
	diff := body[strings.Index(body, `id="diff"`):]
	ins := regexp.MustCompile(`<ins>([^<]*)</ins>`).FindAllStringSubmatch(diff, -1)
	del := regexp.MustCompile(`<del>([^<]*)</del>`).FindAllStringSubmatch(diff, -1)
	var added, removed []string
	for _, m := range ins {
		added = append(added, html.UnescapeString(m[1]))
	}
	for _, m := range del {
		removed = append(removed, html.UnescapeString(m[1]))
	}
	all := strings.Join(added, "|")
	if !strings.Contains(all, "One coupon per order") || !strings.Contains(all, "at checkout") {
		t.Errorf("added spans %q miss the new wording", added)
	}
	if !strings.Contains(strings.Join(removed, "|"), "No coupons") {
		t.Errorf("removed spans %q miss the old wording", removed)
	}
	if !strings.Contains(diff, "1 sections unchanged") {
		t.Errorf("the unchanged Checkout section is not counted:\n%s", diff)
	}
}

func TestChangesTotalsAndBars(t *testing.T) {
	f := newWebFixture(t)
	h := web.Changes(f.store, retrieval.ParsePeriod, func() time.Time { return now }, errs)
	code, body := get(t, h, "/changes?since=2025-01-01&until=2025-02-28")
	if code != 200 {
		t.Fatalf("status %d:\n%s", code, body)
	}
	chs, err := f.store.Changes(t.Context(), livespec.ChangeQuery{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), Sections: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := totalChanges(t, body); got != len(chs) || got == 0 {
		t.Errorf("report total %d, store has %d", got, len(chs))
	}
	// One bar per week with changes: weeks of 6 Jan, 13 Jan (two commits) and 3 Feb.
	bars := regexp.MustCompile(`<g class="bar" data-start="([0-9-]+)" data-count="(\d+)"`).FindAllStringSubmatch(body, -1)
	var starts []string
	sum := 0
	for _, b := range bars {
		starts = append(starts, b[1])
		n, _ := strconv.Atoi(b[2])
		sum += n
	}
	if strings.Join(starts, ",") != "2025-01-06,2025-01-13,2025-02-03" || sum != len(chs) {
		t.Fatalf("bars %q summing to %d, want the weeks 2025-01-06,2025-01-13,2025-02-03 summing to %d", starts, sum, len(chs))
	}
	// A segment narrows the report to its week and area.
	link := regexp.MustCompile(`<a href="([^"]*week=2025-01-13[^"]*)"[^>]*data-area="spec"`).FindStringSubmatch(body)
	if link == nil {
		t.Fatalf("no link for the week of 13 Jan in spec/")
	}
	target, _, _ := strings.Cut(html.UnescapeString(link[1]), "#") // a browser keeps the fragment
	_, narrowed := get(t, h, target)
	want := 0
	for _, c := range chs {
		if !c.Date.Before(time.Date(2025, 1, 13, 0, 0, 0, 0, time.UTC)) && c.Date.Before(time.Date(2025, 1, 20, 0, 0, 0, 0, time.UTC)) {
			want++
		}
	}
	if got := totalChanges(t, narrowed); got != want {
		t.Errorf("narrowed report total %d, want %d", got, want)
	}
	if strings.Contains(narrowed, "guide.md") || !strings.Contains(narrowed, "spec/auth.md") {
		t.Errorf("narrowed report lists the wrong documents")
	}
	if !strings.Contains(narrowed, "Report: week of 13 Jan 2025, spec</h2>") {
		t.Errorf("the narrowed report does not say which bar it shows")
	}
	selected := regexp.MustCompile(`<g class="bar" data-start="([0-9-]+)"[^>]*>\s*(?:<a [^>]*>.*?</a>)*?<a [^>]*class="seg selected" aria-current="true" data-area="([^"]+)"`).FindAllStringSubmatch(narrowed, -1)
	if len(selected) != 1 || selected[0][1] != "2025-01-13" || selected[0][2] != "spec" || strings.Count(narrowed, `class="seg selected"`) != 1 {
		t.Errorf("selected segments %q, want the one of 2025-01-13 in spec", selected)
	}
}

func TestChangesPeriod(t *testing.T) {
	f := newWebFixture(t)
	h := web.Changes(f.store, retrieval.ParsePeriod, func() time.Time { return now }, errs)
	pageCases(t, h, []pageCase{
		{"a phrase", "/changes?period=last+month", 200, `data-changes="2"`}, // February: guide.md, file and section
		{"the default", "/changes", 200, `value="last 90 days"`},
		{"nonsense", "/changes?period=banana", 400, "cannot understand"},
		{"bad day", "/changes?since=2025-13-01", 400, "not a date"},
		{"empty period", "/changes?since=2024-01-01&until=2024-01-31", 200, "No changes in this period"},
	})
}

func totalChanges(t testing.TB, body string) int {
	t.Helper()
	m := regexp.MustCompile(`id="totals" data-changes="(\d+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no totals in\n%s", body)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func TestBrowse(t *testing.T) {
	f := newWebFixture(t)
	h := web.Browse(f.store, errs)
	_, body := get(t, h, "/browse?at=2025-01-10")
	if !strings.Contains(body, `>checkout.md</a> — Checkout`) || strings.Contains(body, "guide.md") {
		t.Errorf("tree on 2025-01-10 is wrong:\n%s", body)
	}
	_, body = get(t, h, "/browse")
	if !strings.Contains(body, "guide.md") || !strings.Contains(body, "3 files") {
		t.Errorf("current tree is wrong:\n%s", body)
	}
	_, body = get(t, h, "/browse?q=coupon&at=2025-01-10")
	if !strings.Contains(body, `href="/doc/spec/checkout.md?at=2025-01-10&amp;repo=shop#s-checkout-coupons"`) {
		t.Errorf("search hit does not link to the section at the date:\n%s", body)
	}
}

func TestAskWithoutScript(t *testing.T) {
	ans := &livespec.Answer{Question: "coupons?", Intent: livespec.IntentCurrent,
		Answer: "**One coupon** per order [1]; before, none [2]. Quoted: see [auth](auth.md#tokens) and [the site](https://shop.example/help).",
		Citations: []livespec.Citation{
			{N: 1, Repo: "shop", Path: "spec/checkout.md", Heading: "Checkout > Coupons", Commit: "abcdef0123456789", Date: livespec.Time{Time: day2}, ValidFrom: livespec.Time{Time: day2}, Current: true,
				Excerpt: "… one `coupon` per [order](#orders) <b>only</b> …"},
			{N: 2, Repo: "shop", Path: "spec/checkout.md", Heading: "Checkout > Coupons", Commit: "0123456789abcdef", Date: livespec.Time{Time: day1}, ValidFrom: livespec.Time{Time: day1}, ValidTo: livespec.Time{Time: day2}},
		},
		Model: livespec.ModelInfo{Generator: "extractive"}}
	var asked livespec.AskRequest
	h := web.Ask(func(_ *http.Request, req livespec.AskRequest) (*livespec.Answer, error) {
		asked = req
		return ans, nil
	}, func() time.Time { return now }, errs)
	code, body := get(t, h, "/?q=coupons%3F")
	if code != 200 || asked.Question != "coupons?" || !asked.Now.Equal(now) {
		t.Fatalf("status %d, asked %+v", code, asked)
	}
	for _, want := range []string{
		"<strong>One coupon</strong>",
		`<a class="cite" href="#cite-1">[1]</a>`,
		`href="/doc/spec/checkout.md?at=2025-01-15T10%3A00%3A00Z&amp;repo=shop#s-checkout-coupons"`,
		`<span class="badge current">current</span>`,
		`<span class="badge superseded">superseded 2025-01-15</span>`,
		`see auth and <a href="https://shop.example/help">the site</a>`, // a relative link has no file to be relative to
		"<blockquote><p>… one <code>coupon</code> per order <!-- raw HTML omitted -->only<!-- raw HTML omitted --> …</p>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("answer page lacks %s", want)
		}
	}
	// The form alone, and an Asker failure.
	if code, body := get(t, h, "/"); code != 200 || !strings.Contains(body, `<label for="q">Question</label>`) {
		t.Errorf("empty ask page: %d", code)
	}
	failing := web.Ask(func(*http.Request, livespec.AskRequest) (*livespec.Answer, error) { return nil, errBoom },
		func() time.Time { return now }, errs)
	if code, body := get(t, failing, "/?q=x"); code != 500 || strings.Contains(body, "boom") {
		t.Errorf("failed answer: %d, body shows the raw error: %v", code, strings.Contains(body, "boom"))
	}
}

func TestAnswerFragment(t *testing.T) {
	h := web.Answer(errs)
	res := post(t, h, "/ui/answer", "application/json",
		`{"question":"q","answer":"Cards only [1].","citations":[{"n":1,"repo":"shop","path":"spec/checkout.md","heading":"Checkout","commit":"abc","date":"2025-01-06T10:00:00Z","valid_from":"2025-01-06T10:00:00Z","valid_to":null,"current":true}]}`)
	body := readAll(t, res.Body)
	if res.StatusCode != 200 || !strings.Contains(body, `class="citation" href="/doc/spec/checkout.md?at=2025-01-06T10%3A00%3A00Z&amp;repo=shop#s-checkout"`) {
		t.Fatalf("status %d:\n%s", res.StatusCode, body)
	}
	if res := post(t, h, "/ui/answer", "application/json", `{"answer":`); res.StatusCode != 400 {
		t.Errorf("broken JSON: %d, want 400", res.StatusCode)
	}
}

func TestStatic(t *testing.T) {
	for _, p := range []string{"/static/app.js", "/static/style.css"} {
		code, body := get(t, web.Static(), p)
		if code != 200 || len(body) < 100 {
			t.Errorf("%s: %d, %d bytes", p, code, len(body))
		}
	}
}

// TestChangesAreasByRepository: with several repositories indexed, the
// chart's areas are the repositories, and a bar narrows to one of them.
func TestChangesAreasByRepository(t *testing.T) {
	f := newWebFixture(t)
	if _, err := ingest.Run(t.Context(), f.store, ingest.Options{Repo: "mirror", Dir: f.repo.Dir}); err != nil {
		t.Fatal(err)
	}
	h := web.Changes(f.store, retrieval.ParsePeriod, func() time.Time { return now }, errs)
	_, body := get(t, h, "/changes?since=2025-01-01&until=2025-02-28")
	areas := regexp.MustCompile(`data-area="([^"]+)"`).FindAllStringSubmatch(body, -1)
	seen := map[string]bool{}
	for _, a := range areas {
		seen[a[1]] = true
	}
	if len(seen) != 2 || !seen["shop"] || !seen["mirror"] {
		t.Fatalf("areas %v, want the two repositories", seen)
	}
	whole := totalChanges(t, body)
	_, narrowed := get(t, h, "/changes?since=2025-01-01&until=2025-02-28&area=mirror")
	if got := totalChanges(t, narrowed); got*2 != whole {
		t.Errorf("mirror's share %d of %d, want half", got, whole)
	}
}

func TestDocumentRemovedFile(t *testing.T) {
	f := newWebFixture(t)
	f.repo.When = time.Date(2025, 2, 10, 10, 0, 0, 0, time.UTC)
	f.repo.Remove("docs/guide.md")
	f.repo.Commit("drop the guide")
	if _, err := ingest.Run(t.Context(), f.store, ingest.Options{Repo: "shop", Dir: f.repo.Dir}); err != nil {
		t.Fatal(err)
	}
	h := web.Document(f.store, errs)
	code, body := get(t, h, "/doc/docs/guide.md")
	if code != 200 || !strings.Contains(body, "has been removed") || !strings.Contains(body, "drop the guide") {
		t.Fatalf("removed file: %d\n%s", code, body)
	}
	if _, body := get(t, h, "/doc/docs/guide.md?at=2025-02-05"); !strings.Contains(body, "How to pay with a coupon.") {
		t.Errorf("the guide before its removal is not shown")
	}
}

// TestDocumentLongSection: a section long enough to be stored in parts
// shows as one section with its heading once, and the diff pairs it
// whole: a rule inserted near its start is the only change marked.
func TestDocumentLongSection(t *testing.T) {
	var rules []string
	for i := range 80 {
		rules = append(rules, fmt.Sprintf("Rule %d: the payment provider answers within %d seconds or the order is held for review.", i, i+1))
	}
	text := func(rs []string) string { return "# Payments\n\n## Rules\n\n" + strings.Join(rs, "\n\n") + "\n" }
	r := gittest.New(t, day1)
	r.Write("spec/pay.md", text(rules))
	r.Commit("payment rules")
	r.When = day2
	r.Write("spec/pay.md", text(slices.Insert(slices.Clone(rules), 1, "Refunds go back to the card they came from.")))
	r.Commit("refund rule")
	st := index(t, r)
	files, err := st.Files(t.Context(), livespec.FileQuery{Validity: livespec.Current()})
	if err != nil || len(files) != 1 || files[0].Outline[len(files[0].Outline)-1].Part == 0 {
		t.Fatalf("the Rules section is not stored in parts (%v): %+v", err, files)
	}
	h := web.Document(st, errs)

	_, body := get(t, h, "/doc/spec/pay.md")
	if n := strings.Count(body, ">Rules</h2>"); n != 1 {
		t.Errorf("the Rules heading shows %d times, want once", n)
	}
	if n := strings.Count(body, `id="s-payments-rules"`); n != 1 {
		t.Errorf("the Rules anchor is on %d elements, want one", n)
	}
	last := -1
	for i, rule := range rules {
		at := strings.Index(body, html.EscapeString(rule))
		if at < last {
			t.Fatalf("rule %d is missing or out of order", i)
		}
		last = at
	}

	_, body = get(t, h, "/doc/spec/pay.md?from=2025-01-10&to=2025-01-20")
	_, diff, _ := strings.Cut(body, "are marked.</p>") // after the diff's legend
	diff, _, _ = strings.Cut(diff, `id="text"`)
	if n := strings.Count(diff, `class="sdiff`); n != 1 {
		t.Errorf("the diff shows %d changed sections, want the one Rules section", n)
	}
	ins := regexp.MustCompile(`<ins>([^<]*)</ins>`).FindAllStringSubmatch(diff, -1)
	if len(ins) != 1 || !strings.Contains(ins[0][1], "Refunds go back to the card") || strings.Contains(diff, "<del>") {
		t.Errorf("the diff marks %q, want only the refund rule added", ins)
	}
}

// TestDocumentFragments: links to a heading (GitHub's ids) or to an anchor
// the spec's HTML names land on the document page, in the same file or in
// another one, and no id is given twice.
func TestDocumentFragments(t *testing.T) {
	r := gittest.New(t, day1)
	r.Write("spec/api.md", "# API\n\nSee [fixed fields](#fixed-fields), [the version](#oasVersion), "+
		"[the second example](#examples-1) and [tokens](auth.md#token-expiry).\n\n"+
		"## Fixed fields\n\nField | Type\n---|---\n<a name=\"oasVersion\"></a>version | string\n\n### Examples\n\nOne.\n\n"+
		"## <a name=\"patterned\"></a>Patterned fields\n\n### Examples\n\nTwo.\n")
	r.Write("spec/auth.md", "# Auth\n\n## Token expiry\n\nOne hour.\n")
	r.Commit("api and auth")
	h := web.Document(index(t, r), errs)

	_, api := get(t, h, "/doc/spec/api.md")
	_, auth := get(t, h, "/doc/spec/auth.md")
	ids := func(body string) map[string]int {
		out := map[string]int{}
		for _, m := range regexp.MustCompile(` id="([^"]+)"`).FindAllStringSubmatch(body, -1) {
			out[m[1]]++
		}
		return out
	}
	apiIDs, authIDs := ids(api), ids(auth)
	for id, n := range apiIDs {
		if n > 1 {
			t.Errorf("id %q is given %d times", id, n)
		}
	}
	for _, want := range []string{"fixed-fields", "oasVersion", "examples-1", "patterned"} {
		if apiIDs[want] != 1 {
			t.Errorf("api.md has no element with id %q (ids %v)", want, apiIDs)
		}
	}
	if !strings.Contains(api, `href="/doc/spec/auth.md?repo=shop#token-expiry"`) || authIDs["token-expiry"] != 1 {
		t.Errorf("the link to auth.md#token-expiry does not land: ids of auth.md %v", authIDs)
	}
}

// TestDocumentRenamedFile: the history of a renamed file links its rename
// to the old path's page, which shows the text before the rename.
func TestDocumentRenamedFile(t *testing.T) {
	f := newWebFixture(t)
	f.repo.When = time.Date(2025, 2, 10, 10, 0, 0, 0, time.UTC)
	f.repo.Move("spec/auth.md", "spec/login.md")
	f.repo.Commit("auth becomes login")
	if _, err := ingest.Run(t.Context(), f.store, ingest.Options{Repo: "shop", Dir: f.repo.Dir}); err != nil {
		t.Fatal(err)
	}
	h := web.Document(f.store, errs)
	_, body := get(t, h, "/doc/spec/login.md")
	m := regexp.MustCompile(`from <a href="([^"]+)">spec/auth.md</a>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the rename does not link to spec/auth.md:\n%s", body)
	}
	code, old := get(t, h, html.UnescapeString(m[1]))
	if code != 200 || !strings.Contains(old, "Tokens expire after one hour.") || strings.Contains(old, "has been removed") {
		t.Errorf("the old path's page (%s): %d\n%s", m[1], code, old)
	}
}
