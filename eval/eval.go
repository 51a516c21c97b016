package eval

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/ingest"
)

// Question kinds.
const (
	KindCurrent    = "current"
	KindIntroduced = "introduced"
	KindAsOf       = "as_of"
	KindEvolution  = "evolution"
	KindChanges    = "changes"
	KindAbsent     = "absent"
)

// Kinds lists the question kinds in report order.
var Kinds = []string{KindCurrent, KindIntroduced, KindAsOf, KindEvolution, KindChanges, KindAbsent, KindStatusList, KindStatusOf}

// EvolutionPass is the share of gold commits an evolution answer needs to
// pass.
const EvolutionPass = 0.95

// TopN is how many leading citations current and as_of questions look at.
const TopN = 5

// dayLayout is the layout of gold dates.
const dayLayout = "2006-01-02"

// Question is one question of a set with its gold answer. Which fields are
// set depends on Kind.
type Question struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Question string `json:"question"`
	Note     string `json:"note,omitempty"`
	// Variant is how the question is phrased (plain, typo, symbol,
	// paraphrase, by_id, by_title, by_file); for reporting only.
	Variant string `json:"variant,omitempty"`

	// current
	GoldPaths   []string `json:"gold_paths,omitempty"`
	GoldHeading string   `json:"gold_heading,omitempty"`

	// introduced (GoldCommit, GoldDate, GoldPath), as_of (AsOf, GoldPath,
	// GoldCommit), evolution (GoldPath, GoldCommits, Window)
	Phrase       string     `json:"phrase,omitempty"`
	GoldCommit   string     `json:"gold_commit,omitempty"`
	GoldDate     string     `json:"gold_date,omitempty"`
	GoldPath     string     `json:"gold_path,omitempty"`
	AsOf         string     `json:"as_of,omitempty"`
	ExpectedFact string     `json:"expected_fact,omitempty"`
	HeadFact     string     `json:"head_fact,omitempty"`
	GoldCommits  []string   `json:"gold_commits,omitempty"`
	Window       *DayWindow `json:"window,omitempty"`

	// changes: inclusive days
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`

	// status_list (GoldPaths, Field, Value, Window or AsOf) and status_of
	// (GoldPath, Field, GoldValue, GoldDate, AsOf); GoldAliases lists the
	// other paths of a gold document over its renames.
	Field       string              `json:"field,omitempty"`
	Value       string              `json:"value,omitempty"`
	GoldValue   string              `json:"gold_value,omitempty"`
	GoldAliases map[string][]string `json:"gold_aliases,omitempty"`
}

// DayWindow is a period of whole days, both inclusive, as YYYY-MM-DD.
type DayWindow struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Load reads a question set in JSON Lines. Blank lines are skipped. A line
// that is not a valid question is an EINVALID error naming the line; no
// partial set is returned.
func Load(r io.Reader) ([]Question, error) {
	var qs []Question
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	ids := map[string]int{}
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var q Question
		dec := json.NewDecoder(bytes.NewReader(line))
		if err := dec.Decode(&q); err != nil {
			return nil, livespec.WrapError(livespec.EINVALID, err, "eval: line %d: not a JSON question", n)
		}
		if err := q.validate(); err != nil {
			return nil, livespec.WrapError(livespec.EINVALID, err, "eval: line %d (%s)", n, q.ID)
		}
		if prev, ok := ids[q.ID]; ok {
			return nil, livespec.Errorf(livespec.EINVALID, "eval: line %d: id %q already used on line %d", n, q.ID, prev)
		}
		ids[q.ID] = n
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		return nil, livespec.WrapError(livespec.EINVALID, err, "eval: read question set")
	}
	return qs, nil
}

func (q *Question) validate() error {
	if q.ID == "" {
		return fmt.Errorf("no id")
	}
	if strings.TrimSpace(q.Question) == "" {
		return fmt.Errorf("no question")
	}
	day := func(name, s string) error {
		if _, err := time.Parse(dayLayout, s); err != nil {
			return fmt.Errorf("%s %q is not a YYYY-MM-DD date", name, s)
		}
		return nil
	}
	switch q.Kind {
	case KindCurrent:
		if len(q.GoldPaths) == 0 {
			return fmt.Errorf("a current question needs gold_paths")
		}
	case KindIntroduced:
		if q.GoldDate == "" && q.GoldCommit == "" {
			return fmt.Errorf("an introduced question needs gold_date or gold_commit")
		}
		if q.GoldDate != "" {
			return day("gold_date", q.GoldDate)
		}
	case KindAsOf:
		if q.GoldPath == "" {
			return fmt.Errorf("an as_of question needs gold_path")
		}
		return day("as_of", q.AsOf)
	case KindEvolution:
		if len(q.GoldCommits) == 0 {
			return fmt.Errorf("an evolution question needs gold_commits")
		}
	case KindChanges:
		if err := day("from", q.From); err != nil {
			return err
		}
		if err := day("to", q.To); err != nil {
			return err
		}
		if q.To < q.From {
			return fmt.Errorf("to %s is before from %s", q.To, q.From)
		}
	case KindStatusList, KindStatusOf:
		return q.validateStatus()
	case KindAbsent:
	default:
		return fmt.Errorf("unknown kind %q (want one of %s)", q.Kind, strings.Join(Kinds, ", "))
	}
	return nil
}

// Result is the score of one question.
type Result struct {
	ID       string        `json:"id"`
	Kind     string        `json:"kind"`
	Variant  string        `json:"variant,omitempty"`
	Question string        `json:"question"`
	Score    float64       `json:"score"` // in [0, 1]
	OK       bool          `json:"ok"`    // passed
	Expected string        `json:"expected"`
	Got      string        `json:"got"`
	Error    string        `json:"error,omitempty"`
	Elapsed  time.Duration `json:"elapsed_ns"`
}

// KindScore is the mean score of one kind.
type KindScore struct {
	Kind  string  `json:"kind"`
	N     int     `json:"n"`
	OK    int     `json:"ok"`
	Score float64 `json:"score"`
}

// VariantScore is the mean score of the questions of one phrasing.
type VariantScore struct {
	Variant string  `json:"variant"`
	N       int     `json:"n"`
	OK      int     `json:"ok"`
	Score   float64 `json:"score"`
}

// Report is the outcome of a run.
type Report struct {
	Now      time.Time      `json:"now"`
	Kinds    []KindScore    `json:"kinds"`
	Variants []VariantScore `json:"variants,omitempty"`
	Results  []Result       `json:"results"`
}

// Score returns the mean score of kind, and false when the set has none.
func (r *Report) Score(kind string) (float64, bool) {
	for _, k := range r.Kinds {
		if k.Kind == kind {
			return k.Score, true
		}
	}
	return 0, false
}

// JSON returns the report as indented JSON.
func (r *Report) JSON() ([]byte, error) {
	return json.MarshalIndent(r, "", "  ")
}

// Text returns the report as text: one line per question (✓ for full
// marks, the score otherwise, with what was expected and what came back),
// then the score of each kind.
func (r *Report) Text() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, res := range r.Results {
		mark := "ok"
		if !res.OK {
			mark = strconv.FormatFloat(res.Score, 'f', 2, 64)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", res.ID, res.Kind, mark, oneLine(res.Question, 70))
		if !res.OK {
			fmt.Fprintf(tw, "\t\texpected:\t%s\n", oneLine(res.Expected, 200))
			fmt.Fprintf(tw, "\t\tgot:\t%s\n", oneLine(res.Got, 200))
			if res.Error != "" {
				fmt.Fprintf(tw, "\t\terror:\t%s\n", oneLine(res.Error, 200))
			}
		}
	}
	tw.Flush()
	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "kind\tquestions\tfull marks\tscore\n")
	for _, k := range r.Kinds {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.3f\n", k.Kind, k.N, k.OK, k.Score)
	}
	tw.Flush()
	if len(r.Variants) > 0 {
		b.WriteString("\n")
		tw = tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "variant\tquestions\tpassed\tscore\n")
		for _, v := range r.Variants {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%.3f\n", v.Variant, v.N, v.OK, v.Score)
		}
		tw.Flush()
	}
	return b.String()
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// Run asks every question of qs with the clock at now and scores the
// answers. repoDir is the git repository the index was built from; it is
// read (with the git command line) for the changes questions. A failing
// question scores 0 and the run goes on; a cancelled ctx stops it.
func Run(ctx context.Context, asker livespec.Asker, repoDir string, qs []Question, now time.Time) (*Report, error) {
	return RunReading(ctx, asker, repoDir, nil, qs, now)
}

// RunReading is Run for an index that reads the files reads selects
// (ingest.Reads of its options), so that a changes question's git file
// set holds the sidecars and other files the index holds; nil reads the
// Markdown files outside ingest's default exclusions.
func RunReading(ctx context.Context, asker livespec.Asker, repoDir string, reads func(path string) bool, qs []Question, now time.Time) (*Report, error) {
	if reads == nil {
		reads = isSpec
	}
	rep := &Report{Now: now, Results: []Result{}}
	var hist *gitHistory
	for _, q := range qs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res := Result{ID: q.ID, Kind: q.Kind, Variant: q.Variant, Question: q.Question}
		start := time.Now()
		ans, err := asker.Ask(ctx, livespec.AskRequest{Question: q.Question, Now: now}, nil)
		res.Elapsed = time.Since(start)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			res.Error = err.Error()
			res.Expected = expected(q)
			rep.Results = append(rep.Results, res)
			continue
		}
		if q.Kind == KindChanges && hist == nil {
			hist, err = readHistory(ctx, repoDir, reads)
			if err != nil {
				return nil, err
			}
		}
		score(&res, q, ans, hist)
		res.OK = passed(q.Kind, res.Score)
		rep.Results = append(rep.Results, res)
	}
	rep.Variants = variantScores(rep.Results)
	for _, k := range Kinds {
		ks := KindScore{Kind: k}
		sum := 0.0
		for _, r := range rep.Results {
			if r.Kind == k {
				ks.N++
				sum += r.Score
				if r.OK {
					ks.OK++
				}
			}
		}
		if ks.N > 0 {
			ks.Score = sum / float64(ks.N)
			rep.Kinds = append(rep.Kinds, ks)
		}
	}
	return rep, nil
}

func expected(q Question) string {
	switch q.Kind {
	case KindCurrent:
		return "a citation of " + strings.Join(q.GoldPaths, " or ") + " in the top " + strconv.Itoa(TopN)
	case KindIntroduced:
		return fmt.Sprintf("first event on %s (%s in %s)", q.GoldDate, livespec.ShortCommit(q.GoldCommit), q.GoldPath)
	case KindAsOf:
		return fmt.Sprintf("a top-%d citation of %s valid on %s (%s)", TopN, q.GoldPath, q.AsOf, livespec.ShortCommit(q.GoldCommit))
	case KindEvolution:
		cs := make([]string, len(q.GoldCommits))
		for i, c := range q.GoldCommits {
			cs[i] = livespec.ShortCommit(c)
		}
		return fmt.Sprintf("events of commits %s", strings.Join(cs, " "))
	case KindChanges:
		return fmt.Sprintf("window %s..%s and git's file set", q.From, q.To)
	case KindAbsent:
		return "found: false"
	}
	return ""
}

func top(cs []livespec.Citation) []livespec.Citation {
	if len(cs) > TopN {
		return cs[:TopN]
	}
	return cs
}

func citeList(cs []livespec.Citation) string {
	var parts []string
	for _, c := range top(cs) {
		parts = append(parts, fmt.Sprintf("%s#%s@%s", c.Path, c.Heading, livespec.ShortCommit(c.Commit)))
	}
	if len(parts) == 0 {
		return "no citations"
	}
	return strings.Join(parts, "; ")
}

// passed reports whether a question of kind with score passes: full
// marks, or for evolution EvolutionPass.
func passed(kind string, score float64) bool {
	if kind == KindEvolution {
		return score >= EvolutionPass
	}
	return score >= 1
}

// variantScores returns the mean score per variant, in order of first
// appearance; questions without a variant count as "plain". None when no
// question has a variant.
func variantScores(results []Result) []VariantScore {
	var out []VariantScore
	idx := map[string]int{}
	any := false
	for _, r := range results {
		v := r.Variant
		if v != "" {
			any = true
		} else {
			v = "plain"
		}
		i, ok := idx[v]
		if !ok {
			i = len(out)
			idx[v] = i
			out = append(out, VariantScore{Variant: v})
		}
		out[i].N++
		out[i].Score += r.Score
		if r.OK {
			out[i].OK++
		}
	}
	if !any {
		return nil
	}
	for i := range out {
		out[i].Score /= float64(out[i].N)
	}
	return out
}

// score fills res.Score, res.Expected and res.Got. A question of any kind
// but absent fails when the answer says nothing was found.
func score(res *Result, q Question, ans *livespec.Answer, hist *gitHistory) {
	res.Expected = expected(q)
	if q.Kind == KindAbsent {
		scoreAbsent(res, ans)
		return
	}
	if !ans.Found {
		res.Got = fmt.Sprintf("intent %s, found: false: %s", ans.Intent, oneLine(ans.Answer, 120))
		return
	}
	switch q.Kind {
	case KindStatusList, KindStatusOf:
		scoreStatus(res, q, ans)
	case KindCurrent:
		res.Got = citeList(ans.Citations)
		for _, c := range top(ans.Citations) {
			if slices.Contains(q.GoldPaths, c.Path) {
				res.Score = 1
				return
			}
		}
	case KindIntroduced:
		scoreIntroduced(res, q, ans)
	case KindAsOf:
		day, _ := time.Parse(dayLayout, q.AsOf)
		at := livespec.EndOfDay(day)
		res.Got = fmt.Sprintf("intent %s, as of %s: %s", ans.Intent, ans.AsOf.UTC().Format(time.RFC3339), citeList(ans.Citations))
		for _, c := range top(ans.Citations) {
			if c.Path != q.GoldPath || c.ValidFrom.After(at) || (!c.ValidTo.IsZero() && !at.Before(c.ValidTo.Time)) {
				continue
			}
			res.Score = 1
			return
		}
	case KindEvolution:
		var missing []string
		n := 0
		for _, c := range q.GoldCommits {
			if slices.ContainsFunc(ans.Changes, func(a livespec.AnswerChange) bool { return sameCommit(a.Commit, c) }) {
				n++
			} else {
				missing = append(missing, livespec.ShortCommit(c))
			}
		}
		res.Score = float64(n) / float64(len(q.GoldCommits))
		res.Got = fmt.Sprintf("intent %s, %d events, %d/%d gold commits", ans.Intent, len(ans.Changes), n, len(q.GoldCommits))
		if len(missing) > 0 {
			res.Got += ", missing " + strings.Join(missing, " ")
		}
	case KindChanges:
		from, _ := time.Parse(dayLayout, q.From)
		to, _ := time.Parse(dayLayout, q.To)
		want := livespec.Window{From: from, To: to.AddDate(0, 0, 1)}
		gotFiles := map[string]bool{}
		for _, c := range ans.Changes {
			if c.Heading == "" {
				for _, p := range []string{c.Path, c.OldPath} {
					if p != "" {
						gotFiles[p] = true
					}
				}
			}
		}
		wantFiles := hist.files(want)
		extra, missing := diff(gotFiles, wantFiles), diff(wantFiles, gotFiles)
		var w string
		windowOK := ans.Window != nil && ans.Window.From.Equal(want.From) && ans.Window.To.Equal(want.To)
		if ans.Window != nil {
			w = ans.Window.From.UTC().Format(time.RFC3339) + ".." + ans.Window.To.UTC().Format(time.RFC3339)
		} else {
			w = "no window"
		}
		res.Got = fmt.Sprintf("intent %s, window %s, %d files (git: %d)", ans.Intent, w, len(gotFiles), len(wantFiles))
		if len(extra) > 0 {
			res.Got += ", extra " + strings.Join(extra, " ")
		}
		if len(missing) > 0 {
			res.Got += ", missing " + strings.Join(missing, " ")
		}
		res.Expected = fmt.Sprintf("window %s..%s, %d files", want.From.Format(time.RFC3339), want.To.Format(time.RFC3339), len(wantFiles))
		if windowOK && len(extra) == 0 && len(missing) == 0 {
			res.Score = 1
		}
	}
}

func diff(a, b map[string]bool) []string {
	var out []string
	for k := range a {
		if !b[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// gitHistory is the first-parent history of a repository as git reports
// it: for each commit, its committer time and the spec files it touched.
type gitHistory struct {
	commits []gitCommit
}

type gitCommit struct {
	hash  string
	time  time.Time
	files []string
}

// isSpec reports whether a path is a Markdown spec file under the default
// include globs (**/*.md, **/*.markdown; case-sensitive) and not under the
// default excludes (test fixtures, vendored trees).
func isSpec(p string) bool {
	if !strings.HasSuffix(p, ".md") && !strings.HasSuffix(p, ".markdown") {
		return false
	}
	for _, g := range ingest.DefaultExclude {
		if ok, _ := doublestar.Match(g, p); ok {
			return false
		}
	}
	return true
}

// readHistory runs git log over the first-parent chain, each commit diffed
// against its first parent with rename detection. Both sides of a rename
// count as touched, so the set does not depend on how renames are detected.
func readHistory(ctx context.Context, dir string, reads func(string) bool) (*gitHistory, error) {
	cmd := exec.CommandContext(ctx, "git", "-C", dir, "-c", "core.quotePath=false", "log", "--first-parent",
		"--diff-merges=first-parent", "--name-status", "-M", "--format=@%H %ct")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, livespec.WrapError(livespec.EINVALID, fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String())), "eval: read git history of %s", dir)
	}
	return parseHistory(out, reads)
}

func parseHistory(out []byte, reads func(string) bool) (*gitHistory, error) {
	h := &gitHistory{}
	var cur *gitCommit
	for _, line := range strings.Split(string(out), "\n") {
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "@") {
			f := strings.Fields(line[1:])
			if len(f) != 2 {
				return nil, fmt.Errorf("eval: unexpected git log line %q", line)
			}
			sec, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("eval: unexpected git log line %q", line)
			}
			h.commits = append(h.commits, gitCommit{hash: f[0], time: time.Unix(sec, 0).UTC()})
			cur = &h.commits[len(h.commits)-1]
			continue
		}
		if cur == nil {
			continue
		}
		parts := strings.Split(line, "\t")
		for _, p := range parts[1:] {
			if strings.HasPrefix(p, `"`) {
				if u, err := strconv.Unquote(p); err == nil {
					p = u
				}
			}
			if reads(p) {
				cur.files = append(cur.files, p)
			}
		}
	}
	return h, nil
}

// files returns the spec files touched by the commits that landed in w.
func (h *gitHistory) files(w livespec.Window) map[string]bool {
	out := map[string]bool{}
	if h == nil {
		return out
	}
	for _, c := range h.commits {
		if w.Contains(c.time) {
			for _, f := range c.files {
				out[f] = true
			}
		}
	}
	return out
}

// scoreAbsent scores an absent question: it passes when the answer says
// the specs never covered the subject (found is false).
func scoreAbsent(res *Result, ans *livespec.Answer) {
	res.Got = fmt.Sprintf("intent %s, found: %t: %s", ans.Intent, ans.Found, oneLine(ans.Answer, 120))
	if !ans.Found {
		res.Score = 1
	}
}

// scoreIntroduced scores an introduced question: the answer's first
// appearance (first_seen, else its earliest change) must be within one UTC
// day of the gold date, or be the gold commit.
func scoreIntroduced(res *Result, q Question, ans *livespec.Answer) {
	var commit, path, heading, how string
	var date time.Time
	switch {
	case ans.FirstSeen != nil:
		commit, date, path, heading, how = ans.FirstSeen.Commit, ans.FirstSeen.Date.Time, ans.FirstSeen.Path, ans.FirstSeen.Heading, "first seen"
	case len(ans.Changes) > 0:
		first := ans.Changes[0]
		for _, c := range ans.Changes[1:] {
			if c.Date.Before(first.Date.Time) {
				first = c
			}
		}
		commit, date, path, heading, how = first.Commit, first.Date.Time, first.Path, first.Heading, "first event"
	default:
		res.Got = fmt.Sprintf("intent %s, no first appearance and no events", ans.Intent)
		return
	}
	res.Got = fmt.Sprintf("intent %s, %s %s %s %s#%s", ans.Intent, how, date.UTC().Format(dayLayout), livespec.ShortCommit(commit), path, heading)
	if q.GoldCommit != "" && sameCommit(commit, q.GoldCommit) {
		res.Score = 1
		return
	}
	if gold, err := time.Parse(dayLayout, q.GoldDate); err == nil && !date.IsZero() {
		d := date.UTC().Sub(gold)
		if d >= -24*time.Hour && d < 48*time.Hour { // the gold day, the day before or after
			res.Score = 1
		}
	}
}

// sameCommit reports whether two commit ids are equal or share a prefix
// of at least 7 hex digits.
func sameCommit(a, b string) bool {
	n := min(len(a), len(b))
	return a == b || (n >= 7 && strings.EqualFold(a[:n], b[:n]))
}
