package retrieval

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/lex"
)

// Extractive is the generator that needs no model: it renders the evidence
// as concise, deterministic Markdown, quoting the sources and counting the
// changes, with [n] markers that refer to Evidence.Sources. It never says
// anything the evidence does not hold. The zero value is ready to use.
type Extractive struct{}

var _ livespec.Generator = Extractive{}

// Name returns "extractive".
func (Extractive) Name() string { return "extractive" }

// Limits that keep an extractive answer readable in a minute.
const (
	exListed       = 5   // excerpts listed under a direct statement
	exFiles        = 8   // files listed in a changes report
	exCommits      = 4   // commits listed per file
	exSections     = 4   // sections named per kind in one commit line
	exEvents       = 24  // timeline events listed
	exExcerptRunes = 220 // runes of an excerpt in a source list
	exStatement    = 360 // runes of the direct statement
	exMessageRunes = 72  // runes of a commit message
)

// Generate renders ev by intent: a direct statement and the cited excerpts
// for current and as_of questions, a counted report grouped by file for
// changes, and a dated history for timelines. ev.Notes come first. When
// onToken is non-nil it receives the text line by line; its error stops
// generation and is returned. The text is the same for the same evidence.
func (Extractive) Generate(ctx context.Context, ev *livespec.Evidence, onToken func(string) error) (string, error) {
	if ev == nil {
		return "", livespec.Errorf(livespec.EINVALID, "extractive: no evidence")
	}
	if slices.ContainsFunc(ev.Sources, func(c livespec.Citation) bool { return c.N == 0 }) {
		// Unnumbered sources are numbered in order, as the contract says.
		cp := *ev
		cp.Sources = slices.Clone(ev.Sources)
		for i := range cp.Sources {
			cp.Sources[i].N = i + 1
		}
		ev = &cp
	}
	r := &exRenderer{ev: ev, multiRepo: multiRepo(ev)}
	for _, n := range ev.Notes {
		if n = strings.TrimSpace(n); n != "" {
			r.line(upperFirst(sentence(n)))
		}
	}
	if len(r.lines) > 0 {
		r.line("")
	}
	switch ev.Intent {
	case livespec.IntentChanges:
		r.changes()
	case livespec.IntentTimeline:
		r.timeline()
	case livespec.IntentStatus:
		r.status()
	default:
		r.statement()
	}
	var b strings.Builder
	for i, l := range r.lines {
		if err := ctx.Err(); err != nil {
			return b.String(), err
		}
		chunk := l
		if i > 0 {
			chunk = "\n" + l
		}
		b.WriteString(chunk)
		if onToken != nil {
			if err := onToken(chunk); err != nil {
				return b.String(), err
			}
		}
	}
	return b.String(), nil
}

type exRenderer struct {
	ev        *livespec.Evidence
	lines     []string
	multiRepo bool
}

func (r *exRenderer) line(format string, args ...any) {
	if len(args) > 0 {
		format = fmt.Sprintf(format, args...)
	}
	r.lines = append(r.lines, format)
}

// statement answers current and as_of questions.
func (r *exRenderer) statement() {
	ev := r.ev
	asOf := ""
	if ev.Intent == livespec.IntentAsOf && ev.AsOf != nil && !ev.AsOf.IsZero() {
		asOf = day(ev.AsOf.Time).Format(time.DateOnly)
	}
	if len(ev.Sources) == 0 {
		if asOf != "" {
			r.line("Nothing relevant was found in the spec as of %s.", asOf)
		} else {
			r.line("Nothing relevant was found in the spec.")
		}
		return
	}
	s := ev.Sources[0]
	quote := quoteSentences(s, queryOf(ev))
	switch {
	case quote == "":
		r.line("The most relevant section is **%s** [%d].", r.ref(s.Repo, s.Path, s.Heading), s.N)
	case asOf != "" && !citedAt(s, ev.AsOf.Time):
		// Never state as of a date what the spec only said before or after.
		r.line("No cited text was in force on %s; the closest match, **%s** (text from %s), says: “%s” [%d]",
			asOf, r.ref(s.Repo, s.Path, s.Heading), dateOf(s.ValidFrom.Time), quote, s.N)
	case asOf != "":
		r.line("As of %s, **%s** said: “%s” [%d]", asOf, r.ref(s.Repo, s.Path, s.Heading), quote, s.N)
	case !s.Current && !s.ValidTo.IsZero():
		r.line("According to **%s** (superseded on %s): “%s” [%d]", r.ref(s.Repo, s.Path, s.Heading), dateOf(s.ValidTo.Time), quote, s.N)
	default:
		r.line("According to **%s**: “%s” [%d]", r.ref(s.Repo, s.Path, s.Heading), quote, s.N)
	}
	r.line("")
	r.line("Cited excerpts:")
	for i, c := range ev.Sources {
		if i == exListed {
			r.line("- and %s", more(len(ev.Sources)-i, "source"))
			break
		}
		l := fmt.Sprintf("- **%s** [%d] — %s", r.ref(c.Repo, c.Path, c.Heading), c.N, shortExcerpt(c))
		if !c.Current && !c.ValidTo.IsZero() {
			l += fmt.Sprintf(" (superseded on %s)", dateOf(c.ValidTo.Time))
		}
		r.line(l)
	}
}

// citedAt reports whether the cited text was in force at t. A citation
// without a ValidFrom is taken as valid.
func citedAt(c livespec.Citation, t time.Time) bool {
	if !c.ValidFrom.IsZero() && t.Before(c.ValidFrom.Time) {
		return false
	}
	return c.ValidTo.IsZero() || t.Before(c.ValidTo.Time)
}

// fileGroup is the changes of one file in a changes report.
type fileGroup struct {
	repo, path string
	fileEvents []livespec.AnswerChange // file-level events (Heading "")
	sections   []livespec.AnswerChange
}

// counted are the events a report counts: the section changes, or the
// file-level events of a file with no section changes (a binary file, a
// pure rename), so one edit is not counted twice.
func (g *fileGroup) counted() []livespec.AnswerChange {
	if len(g.sections) > 0 {
		return g.sections
	}
	return g.fileEvents
}

// changes renders the report of a changes question.
func (r *exRenderer) changes() {
	ev := r.ev
	about := ""
	if ev.Topic != "" {
		about = fmt.Sprintf(" matching “%s”", ev.Topic)
	}
	period := windowText(ev.Window, ev.Changes)
	if len(ev.Changes) == 0 {
		r.line("No spec changes%s %s.", about, period)
		r.earlier()
		return
	}
	files := r.fileGroups(ev.Changes)
	t := ev.Totals
	if t == nil {
		t = answerTotals(files)
	}
	sort.Slice(files, func(i, j int) bool {
		a, b := len(files[i].counted()), len(files[j].counted())
		if a != b {
			return a > b
		}
		if files[i].repo != files[j].repo {
			return files[i].repo < files[j].repo
		}
		return files[i].path < files[j].path
	})
	var parts []string
	for _, k := range []struct {
		n    int
		kind livespec.ChangeKind
	}{{t.Added, livespec.Added}, {t.Modified, livespec.Modified}, {t.Removed, livespec.Removed}, {t.Renamed, livespec.Renamed}} {
		if k.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", k.n, k.kind))
		}
	}
	r.line("**%s%s to %s in %s %s:** %s.", plural(t.Sections, "change"), about, plural(t.Files, "file"),
		plural(t.Commits, "commit"), period, strings.Join(parts, ", "))
	r.line("")
	r.quotes()
	for i, g := range files {
		if i == exFiles {
			rest := 0
			for _, g := range files[i:] {
				rest += len(g.counted())
			}
			r.line("- and %s (%s)", more(len(files)-i, "file"), plural(rest, "change"))
			break
		}
		r.fileLines(g)
	}
}

// fileGroups groups change events by file, in order of first appearance.
func (r *exRenderer) fileGroups(cs []livespec.AnswerChange) []*fileGroup {
	var files []*fileGroup
	groups := map[string]*fileGroup{}
	for _, c := range cs {
		k := c.Repo + "\x00" + c.Path
		g := groups[k]
		if g == nil {
			g = &fileGroup{repo: c.Repo, path: c.Path}
			groups[k] = g
			files = append(files, g)
		}
		if c.IsFile() {
			// Events without a level: the file-level event and a change to
			// the text before the first heading look alike; keep one per
			// commit and kind.
			if !slices.ContainsFunc(g.fileEvents, func(f livespec.AnswerChange) bool { return f.Commit == c.Commit && f.Kind == c.Kind }) {
				g.fileEvents = append(g.fileEvents, c)
			}
		} else {
			g.sections = append(g.sections, c)
		}
	}
	return files
}

// answerTotals counts what the groups hold, for evidence that carries no
// totals of its own.
func answerTotals(files []*fileGroup) *livespec.ChangeTotals {
	t := &livespec.ChangeTotals{Files: len(files)}
	commits := map[string]bool{}
	for _, g := range files {
		for _, c := range g.fileEvents {
			commits[c.Repo+"\x00"+c.Commit] = true // a commit that only touched a file's bytes counts too
		}
		for _, c := range g.counted() {
			commits[c.Repo+"\x00"+c.Commit] = true
			t.Sections++
			countKind(c.Kind, &t.Added, &t.Modified, &t.Removed, &t.Renamed)
		}
	}
	t.Commits = len(commits)
	return t
}

// quotes renders what the notable changes did to the text: what it says
// now and what it said before.
func (r *exRenderer) quotes() {
	if len(r.ev.Quotes) == 0 {
		return
	}
	r.line("Notable changes:")
	for _, q := range r.ev.Quotes {
		c := q.Change
		l := fmt.Sprintf("- **%s** (%s)", r.ref(c.Repo, c.Path, c.Heading), dateOf(c.Date.Time))
		switch {
		case c.Kind == livespec.Removed && q.Before != "":
			l += fmt.Sprintf(" was removed; it said: “%s”", q.Before)
		case q.Now != "" && q.Before != "":
			l += fmt.Sprintf(" now says: “%s”%s; before: “%s”", q.Now, r.markerN(r.quoteSource(q)), q.Before)
		case q.Now != "" && c.Kind == livespec.Added:
			l += fmt.Sprintf(" is new: “%s”%s", q.Now, r.markerN(r.quoteSource(q)))
		case q.Now != "":
			l += fmt.Sprintf(" now says: “%s”%s", q.Now, r.markerN(r.quoteSource(q)))
		case q.Before != "":
			l += fmt.Sprintf(" no longer says: “%s”", q.Before)
		default:
			continue
		}
		r.line(l)
	}
	r.line("")
}

// quoteSource is the source citing a quote's new text.
func (r *exRenderer) quoteSource(q livespec.ChangeQuote) int {
	if q.N > 0 {
		return q.N
	}
	return r.sourceFor(q.Change)
}

// markerN is " [n]" for a source number, "" for none.
func (r *exRenderer) markerN(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf(" [%d]", n)
}

// earlier renders the latest changes before a quiet period: the day they
// landed and what they touched, file by file.
func (r *exRenderer) earlier() {
	ev := r.ev
	if len(ev.Earlier) == 0 {
		return
	}
	last := ev.Earlier[0].Date.Time
	for _, c := range ev.Earlier {
		if c.Date.After(last) {
			last = c.Date.Time
		}
	}
	files := r.fileGroups(ev.Earlier)
	r.lines[len(r.lines)-1] += fmt.Sprintf(" The last change before it was on %s, to %s:", dateOf(last), plural(len(files), "file"))
	r.line("")
	for i, g := range files {
		if i == exFiles {
			r.line("- and %s", more(len(files)-i, "file"))
			break
		}
		r.fileLines(g)
	}
}

// fileLines renders one file of a changes report: a header, then one line
// per commit, oldest first.
func (r *exRenderer) fileLines(g *fileGroup) {
	head := fmt.Sprintf("- **%s**", r.ref(g.repo, g.path, ""))
	for _, f := range g.fileEvents {
		switch f.Kind {
		case livespec.Renamed:
			if f.OldPath != "" {
				head += fmt.Sprintf(" (renamed from %s on %s)", f.OldPath, dateOf(f.Date.Time))
			} else {
				head += fmt.Sprintf(" (renamed on %s)", dateOf(f.Date.Time))
			}
		case livespec.Added:
			head += fmt.Sprintf(" (new on %s)", dateOf(f.Date.Time))
		case livespec.Removed:
			head += fmt.Sprintf(" (removed on %s)", dateOf(f.Date.Time))
		}
	}
	r.line("%s — %s", head, plural(len(g.counted()), "change"))

	type commitLine struct {
		commit, message string
		date            time.Time
		events          []livespec.AnswerChange
	}
	var order []*commitLine
	byCommit := map[string]*commitLine{}
	for _, c := range g.counted() {
		cl := byCommit[c.Commit]
		if cl == nil {
			cl = &commitLine{commit: c.Commit, message: c.Message, date: c.Date.Time}
			byCommit[c.Commit] = cl
			order = append(order, cl)
		}
		cl.events = append(cl.events, c)
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i].date.Before(order[j].date) })
	for i, cl := range order {
		if i == exCommits {
			r.line("  - and %s", more(len(order)-i, "commit"))
			break
		}
		l := fmt.Sprintf("  - %s `%s`", dateOf(cl.date), livespec.ShortCommit(cl.commit))
		if m := clipRunes(firstLine(cl.message), exMessageRunes); m != "" {
			l += fmt.Sprintf(" “%s”", m)
		}
		if what := r.sectionSummary(cl.events); what != "" {
			l += " — " + what
		}
		r.line(l)
	}
}

// sectionSummary names what one commit did to one file's sections:
// "added *A*, *B*; modified *C* [2]".
func (r *exRenderer) sectionSummary(events []livespec.AnswerChange) string {
	var parts []string
	for _, k := range []livespec.ChangeKind{livespec.Added, livespec.Modified, livespec.Removed, livespec.Renamed} {
		var names []string
		n := 0
		for _, c := range events {
			if c.Kind != k {
				continue
			}
			n++
			if len(names) == exSections {
				continue
			}
			if c.IsFile() {
				names = append(names, "the file")
				continue
			}
			name := "*" + lastHeading(c.Heading) + "*"
			if n := r.sourceFor(c); n > 0 {
				name += fmt.Sprintf(" [%d]", n)
			}
			names = append(names, name)
		}
		if n == 0 {
			continue
		}
		s := string(k) + " " + strings.Join(names, ", ")
		if n > len(names) {
			s += fmt.Sprintf(" and %d more", n-len(names))
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// sourceFor returns the number of the source that cites the version c
// introduced, or 0.
func (r *exRenderer) sourceFor(c livespec.AnswerChange) int {
	for _, s := range r.ev.Sources {
		if s.Commit == c.Commit && s.Path == c.Path && sameHeading(s, c) && s.Repo == c.Repo {
			return s.N
		}
	}
	return 0
}

// sameHeading reports whether a source cites the section of a change
// event (the text before the first heading has PreambleHeading in an
// answer and no heading in a citation).
func sameHeading(s livespec.Citation, c livespec.AnswerChange) bool {
	if c.Heading == livespec.PreambleHeading && !c.IsFile() {
		return s.Heading == ""
	}
	return s.Heading == c.Heading
}

// sourceOf returns the number of a source citing the section of c, the
// version c introduced first, else any version of that section, or 0.
func (r *exRenderer) sourceOf(c livespec.AnswerChange) int {
	if n := r.sourceFor(c); n > 0 {
		return n
	}
	for _, s := range r.ev.Sources {
		if s.Path == c.Path && sameHeading(s, c) && s.Repo == c.Repo {
			return s.N
		}
	}
	return 0
}

// timeline renders the history of a topic: its first appearance with
// what it said, then its changes grouped by document (each named by its
// title), the changes of substance listed and the editorial ones counted,
// and its removal.
func (r *exRenderer) timeline() {
	ev := r.ev
	subject := "The topic"
	if ev.Topic != "" {
		subject = "“" + ev.Topic + "”"
	}
	events := append([]livespec.AnswerChange(nil), ev.Changes...)
	sort.SliceStable(events, func(i, j int) bool { return events[i].Date.Before(events[j].Date.Time) })
	if len(events) == 0 {
		if len(ev.Sources) == 0 {
			r.line("%s", notFoundText(lowerFirst(subject), nil))
			return
		}
		s := ev.Sources[0]
		r.line("No recorded changes were found; %s appears in **%s** [%d], in text dating from %s (commit %s).",
			lowerFirst(subject), r.ref(s.Repo, s.Path, s.Heading), s.N, dateOf(s.ValidFrom.Time), livespec.ShortCommit(s.Commit))
		return
	}
	docs := r.docHistories(events)
	plain := lowerFirst(subject) // within a bold line
	if len(docs) == 1 && docs[0].title != "" {
		plain = fmt.Sprintf("%s (%s)", docs[0].title, r.ref(docs[0].repo, docs[0].path, ""))
		subject = fmt.Sprintf("**%s** (%s)", docs[0].title, r.ref(docs[0].repo, docs[0].path, ""))
	}
	// A sentence opens with the topic only when it reads as a name.
	opener := subject
	if len(strings.Fields(ev.Topic)) > 6 && len(docs) != 1 {
		opener = "It"
	}
	first := r.firstMention(events)
	if ev.Window != nil && (!ev.Window.From.IsZero() || !ev.Window.To.IsZero()) {
		// A window shows part of the history: no claim about a first appearance.
		r.line("**%s to %s %s.**", plural(len(events), "change"), plain, windowText(ev.Window, events))
		first = -1
	} else if first >= 0 {
		e := events[first]
		where := ""
		if len(docs) != 1 || docs[0].title == "" || !e.IsFile() {
			where = fmt.Sprintf(" in **%s**", r.docRef(e))
		}
		l := fmt.Sprintf("%s first appeared on %s%s%s (commit %s).", opener, dateOf(e.Date.Time), where, r.marker(e), livespec.ShortCommit(e.Commit))
		if q, src := r.firstQuote(e); q != "" {
			mark := r.markerN(src.N)
			if mark == r.marker(e) {
				mark = ""
			}
			switch {
			case src.Commit == e.Commit:
				l = strings.TrimSuffix(l, ".") + fmt.Sprintf(": “%s”%s", q, mark)
			case src.Current:
				l += fmt.Sprintf(" It now says: “%s”%s", q, mark)
			default:
				l += fmt.Sprintf(" On %s it said: “%s”%s", dateOf(src.ValidFrom.Time), q, mark)
			}
		}
		r.line(l)
	} else {
		e := events[0]
		r.line("The earliest recorded change for %s is on %s in **%s**%s (commit %s).", lowerFirst(subject), dateOf(e.Date.Time),
			r.docRef(e), r.marker(e), livespec.ShortCommit(e.Commit))
	}
	if sum := evolutionSummary(docs, len(events)); sum != "" {
		r.line("")
		r.line(sum)
	}
	r.docLines(docs)
	r.closing(events, first)
}

// docHistory is the history of one document in a timeline: the path it
// has last (over renames), its title, its changes of substance and the
// editorial ones, counted by kind.
type docHistory struct {
	repo, path, title string
	events            []livespec.AnswerChange
	editorial         map[string]int
	total             int
}

func (d *docHistory) edits() int {
	n := 0
	for _, c := range d.editorial {
		n += c
	}
	return n
}

// docHistories groups events by document, following file renames to the
// document's latest path, documents in order of their first event.
func (r *exRenderer) docHistories(events []livespec.AnswerChange) []*docHistory {
	next := map[string]string{}
	for _, e := range events {
		if e.Kind == livespec.Renamed && e.OldPath != "" && e.OldPath != e.Path {
			next[e.Repo+"\x00"+e.OldPath] = e.Path
		}
	}
	latest := func(repo, p string) string {
		for range len(next) {
			n, ok := next[repo+"\x00"+p]
			if !ok || n == p {
				break
			}
			p = n
		}
		return p
	}
	var docs []*docHistory
	byPath := map[string]*docHistory{}
	for _, e := range events {
		p := latest(e.Repo, e.Path)
		d := byPath[e.Repo+"\x00"+p]
		if d == nil {
			d = &docHistory{repo: e.Repo, path: p, title: r.title(e.Repo, p), editorial: map[string]int{}}
			byPath[e.Repo+"\x00"+p] = d
			docs = append(docs, d)
		}
		d.total++
		if e.Editorial != "" {
			d.editorial[e.Editorial]++
			continue
		}
		d.events = append(d.events, e)
	}
	return docs
}

// title is the title of a document, "" when the evidence names none.
func (r *exRenderer) title(repo, p string) string {
	for _, t := range r.ev.Titles {
		if t.Repo == repo && t.Path == p {
			return t.Title
		}
	}
	return ""
}

// docRef names a change's section within its document: "Title (path) ›
// heading", the title dropped from the front of the heading path.
func (r *exRenderer) docRef(e livespec.AnswerChange) string {
	t := r.title(e.Repo, e.Path)
	if t == "" {
		return r.ref(e.Repo, e.Path, e.Heading)
	}
	s := fmt.Sprintf("%s (%s)", t, r.ref(e.Repo, e.Path, ""))
	if h := trimTitle(e.Heading, t); h != "" && !e.IsFile() && e.Heading != t {
		s += " › " + strings.Join(livespec.SplitHeading(h), " › ")
	}
	return s
}

// firstMention is the index of the event where the topic appeared: the
// earliest event that is not a removal (the ledger starts a topic's
// history at its first mention); among the events of that commit, the
// cited one (the first mention) names it. -1 when all are removals.
func (r *exRenderer) firstMention(events []livespec.AnswerChange) int {
	first := -1
	for i, e := range events {
		if e.Kind != livespec.Removed {
			first = i
			break
		}
	}
	if first < 0 {
		return -1
	}
	best, bestN := first, r.sourceFor(events[first])
	for j := first + 1; j < len(events) && events[j].Commit == events[first].Commit; j++ {
		if n := r.sourceFor(events[j]); n > 0 && (bestN == 0 || n < bestN) {
			best, bestN = j, n
		}
	}
	return best
}

// firstQuote is a prose sentence of the text the first mention cited (or
// of the document's first cited section), with its source.
func (r *exRenderer) firstQuote(e livespec.AnswerChange) (string, livespec.Citation) {
	query := queryOf(r.ev)
	if n := r.sourceOf(e); n > 0 {
		s := r.ev.Sources[n-1]
		if q := headlineQuote(cmp.Or(s.Text, s.Excerpt), query); q != "" {
			return q, s
		}
	}
	for _, s := range r.ev.Sources {
		if s.Repo == e.Repo && s.Path == e.Path {
			if q := headlineQuote(cmp.Or(s.Text, s.Excerpt), query); q != "" {
				return q, s
			}
		}
	}
	return "", livespec.Citation{}
}

// evolutionSummary counts a history's changes: how many, in how many
// documents, how many of substance and how many editorial, by kind.
func evolutionSummary(docs []*docHistory, total int) string {
	edits := map[string]int{}
	nEdits := 0
	for _, d := range docs {
		for k, n := range d.editorial {
			edits[k] += n
			nEdits += n
		}
	}
	s := plural(total, "change")
	if len(docs) > 1 {
		s += " in " + plural(len(docs), "document")
	}
	if nEdits == 0 {
		if len(docs) == 1 {
			return "" // the list says it all
		}
		return s + ":"
	}
	return fmt.Sprintf("%s: %d of substance (listed) and %d editorial (%s):", s, total-nEdits, nEdits, editCounts(edits))
}

// editLabels name the editorial kinds in a count, singular and plural.
var editLabels = map[string][2]string{
	livespec.EditWhitespace: {"whitespace-only edit", "whitespace-only edits"},
	livespec.EditHeading:    {"heading-level edit", "heading-level edits"},
	livespec.EditLinks:      {"link or anchor edit", "link or anchor edits"},
	livespec.EditTypo:       {"typo fix", "typo fixes"},
	livespec.EditSweep:      {"repository-wide edit", "repository-wide edits"},
	livespec.EditMoved:      {"section moved unchanged", "sections moved unchanged"},
}

// editCounts is "4 whitespace-only edits, 1 typo fix", in a fixed order.
func editCounts(m map[string]int) string {
	var parts []string
	for _, k := range []string{livespec.EditTypo, livespec.EditLinks, livespec.EditHeading, livespec.EditMoved, livespec.EditWhitespace, livespec.EditSweep} {
		if n := m[k]; n > 0 {
			l := editLabels[k]
			label := l[1]
			if n == 1 {
				label = l[0]
			}
			parts = append(parts, fmt.Sprintf("%d %s", n, label))
		}
	}
	return strings.Join(parts, ", ")
}

// exDocs is how many documents a history lists.
const exDocs = 8

// docLines lists each document's changes of substance, oldest first:
// under a header naming the document when there are several, within a
// budget of exEvents lines shared by the documents (the first and last
// changes of a long history, the middle counted).
func (r *exRenderer) docLines(docs []*docHistory) {
	subst := 0
	for _, d := range docs {
		subst += len(d.events)
	}
	budget := exEvents
	if len(docs) > 1 {
		budget = max(2, exEvents/min(len(docs), exDocs))
	}
	for i, d := range docs {
		if i == exDocs {
			rest := 0
			for _, d := range docs[i:] {
				rest += d.total
			}
			r.line("")
			r.line("And %s (%s).", more(len(docs)-i, "document"), plural(rest, "change"))
			break
		}
		if len(docs) > 1 {
			r.line("")
			head := fmt.Sprintf("**%s**", r.ref(d.repo, d.path, ""))
			if d.title != "" {
				head = fmt.Sprintf("**%s** (%s)", d.title, r.ref(d.repo, d.path, ""))
			}
			l := head + " — " + plural(d.total, "change")
			if n := d.edits(); n > 0 {
				l += fmt.Sprintf(", %d editorial (%s)", n, editCounts(d.editorial))
			}
			r.line(l + ":")
		}
		shown, skipAt, skipped := d.events, -1, 0
		if len(shown) > budget {
			half := budget / 2
			shown = append(append([]livespec.AnswerChange(nil), d.events[:half]...), d.events[len(d.events)-(budget-half):]...)
			skipAt, skipped = half, len(d.events)-budget
		}
		if len(docs) == 1 {
			r.line("")
		}
		for j, e := range shown {
			if j == skipAt {
				r.line("- … %s …", more(skipped, "change"))
			}
			r.line(r.eventLine(e, d))
		}
	}
}

// eventLine is one change of a document's history: date, what changed
// (the section, the summary), the commit message and the commit.
func (r *exRenderer) eventLine(e livespec.AnswerChange, d *docHistory) string {
	l := fmt.Sprintf("- %s · %s", dateOf(e.Date.Time), e.Kind)
	if !e.IsFile() {
		h := e.Heading
		if d.title != "" {
			h = trimTitle(h, d.title)
		}
		if h != "" {
			l += " *" + strings.Join(livespec.SplitHeading(h), " › ") + "*"
		}
	}
	if e.Path != d.path {
		l += " in " + e.Path
	}
	if e.Kind == livespec.Renamed && e.OldPath != "" && e.OldPath != e.Path {
		l += " (from " + e.OldPath + ")"
	}
	var detail []string
	if s := strings.TrimSpace(e.Summary); s != "" {
		detail = append(detail, clipRunes(s, 120))
	}
	if m := clipRunes(firstLine(e.Message), exMessageRunes); m != "" {
		detail = append(detail, "“"+m+"”")
	}
	if len(detail) > 0 {
		l += " — " + strings.Join(detail, "; ")
	}
	l += fmt.Sprintf(" (%s)", livespec.ShortCommit(e.Commit))
	if n := r.sourceFor(e); n > 0 && e.Kind != livespec.Removed {
		l += fmt.Sprintf(" [%d]", n)
	}
	return l
}

// closing says which sections were removed for good and, where the
// topic first appeared and still stands, that the current spec has it.
func (r *exRenderer) closing(events []livespec.AnswerChange, first int) {
	ev := r.ev
	last := map[string]livespec.AnswerChange{}
	var keys []string
	for _, e := range events {
		k := e.Repo + "\x00" + e.Path + "\x00" + e.Heading
		if _, ok := last[k]; !ok {
			keys = append(keys, k)
		}
		last[k] = e
	}
	var closing []string
	for _, k := range keys {
		if e := last[k]; e.Kind == livespec.Removed {
			closing = append(closing, fmt.Sprintf("**%s** was removed on %s (commit %s).", r.ref(e.Repo, e.Path, e.Heading), dateOf(e.Date.Time), livespec.ShortCommit(e.Commit)))
		}
	}
	if first >= 0 {
		e := events[first]
		if l := last[e.Repo+"\x00"+e.Path+"\x00"+e.Heading]; l.Kind != livespec.Removed {
			for _, src := range ev.Sources {
				if src.Current && src.Repo == e.Repo && src.Path == e.Path && sameHeading(src, e) {
					closing = append(closing, fmt.Sprintf("It is still in the current spec: **%s** [%d].", r.ref(src.Repo, src.Path, src.Heading), src.N))
					break
				}
			}
		}
	}
	if len(closing) > 0 {
		r.line("")
		for _, l := range closing {
			r.line(l)
		}
	}
}

func (r *exRenderer) marker(c livespec.AnswerChange) string {
	if c.Kind == livespec.Removed {
		return ""
	}
	if n := r.sourceOf(c); n > 0 {
		return fmt.Sprintf(" [%d]", n)
	}
	return ""
}

// ref names a file or section: "path › A › B", with the repository when the
// evidence spans several.
func (r *exRenderer) ref(repo, path, heading string) string {
	s := path
	if r.multiRepo && repo != "" {
		s = repo + ": " + path
	}
	if heading != "" {
		s += " › " + strings.Join(livespec.SplitHeading(heading), " › ")
	}
	return s
}

func multiRepo(ev *livespec.Evidence) bool {
	repos := map[string]bool{}
	for _, s := range ev.Sources {
		repos[s.Repo] = true
	}
	for _, c := range ev.Changes {
		repos[c.Repo] = true
	}
	delete(repos, "")
	return len(repos) > 1
}

func lastHeading(h string) string {
	parts := livespec.SplitHeading(h)
	if len(parts) == 0 {
		return h
	}
	return parts[len(parts)-1]
}

func dateOf(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// more is "3 more files".
func more(n int, word string) string {
	if n == 1 {
		return "1 more " + word
	}
	return fmt.Sprintf("%d more %ss", n, word)
}

func upperFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

func lowerFirst(s string) string {
	if s == "" || strings.HasPrefix(s, "“") {
		return s
	}
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[size:]
}

// sentence makes a note end like a sentence.
func sentence(s string) string {
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "…") {
		return s
	}
	return s + "."
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(s)
}

// windowText says which period a report covers: "between 2025-09-01 and
// 2025-09-30" for [2025-09-01, 2025-10-01). With no window it spans the
// changes' dates.
func windowText(w *livespec.Window, changes []livespec.AnswerChange) string {
	if w == nil {
		if len(changes) == 0 {
			return "in the period"
		}
		lo, hi := changes[0].Date.Time, changes[0].Date.Time
		for _, c := range changes {
			if c.Date.Before(lo) {
				lo = c.Date.Time
			}
			if c.Date.After(hi) {
				hi = c.Date.Time
			}
		}
		return "between " + dateOf(lo) + " and " + dateOf(hi)
	}
	lastDay := func() string { return dateOf(w.To.Add(-time.Nanosecond)) }
	switch {
	case w.From.IsZero() && w.To.IsZero():
		return "in the whole history"
	case w.From.IsZero():
		return "up to " + lastDay()
	case w.To.IsZero():
		return "since " + dateOf(w.From)
	case !w.From.Before(w.To.Add(-24 * time.Hour)):
		return "on " + dateOf(w.From)
	}
	return "between " + dateOf(w.From) + " and " + lastDay()
}

// queryOf is the text the direct statement should answer.
func queryOf(ev *livespec.Evidence) string {
	if ev.Topic != "" {
		return ev.Topic + " " + ev.Question
	}
	return ev.Question
}

// plainText drops Markdown heading lines and list markers and joins the
// rest into sentences' worth of text.
func plainText(s string) []string {
	var paras []string
	fenced := false
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if livespec.IsFence(l) {
			fenced = !fenced
			continue
		}
		if fenced || l == "" || strings.HasPrefix(l, "#") || strings.Trim(l, "-=*_|: ") == "" {
			continue
		}
		l = strings.TrimLeft(l, "-*+> ")
		if i := strings.Index(l, ". "); i > 0 && i <= 3 && strings.Trim(l[:i], "0123456789") == "" {
			l = l[i+2:]
		}
		paras = append(paras, l)
	}
	return paras
}

// gluedSentence finds a sentence end glued to the next sentence
// ("welcome.Additionally"), as joined excerpt lines can have.
var gluedSentence = regexp.MustCompile(`([a-z)\]` + "`" + `][.!?])([A-Z][a-z])`)

// sentencesOf splits text into sentences: at line ends, and after ".", "!"
// or "?" followed by a space and a capital letter, a digit or a quote.
func sentencesOf(text string) []string {
	var out []string
	for _, p := range plainText(text) {
		// Each pattern is run only on a text that may hold it: most hold
		// no tag, and few a sentence end before a capital or a digit.
		if strings.IndexByte(p, '<') >= 0 {
			p = htmlTag.ReplaceAllString(p, "")
		}
		if endBefore(p, 'A', 'Z') {
			p = gluedSentence.ReplaceAllString(p, "$1 $2")
		}
		if endBefore(p, '0', '9') {
			p = listMark.ReplaceAllString(p, "$1 $2")
		}
		start := 0
		rs := []rune(p)
		for i := 0; i < len(rs); i++ {
			if (rs[i] == '.' || rs[i] == '!' || rs[i] == '?') && i+2 < len(rs) && rs[i+1] == ' ' &&
				(unicode.IsUpper(rs[i+2]) || unicode.IsDigit(rs[i+2]) || rs[i+2] == '"' || rs[i+2] == '`') {
				if s := strings.TrimSpace(string(rs[start : i+1])); s != "" && strings.Trim(s, "….!? ") != "" {
					out = append(out, s)
				}
				start = i + 2
			}
		}
		if s := strings.TrimSpace(string(rs[start:])); s != "" {
			out = append(out, s)
		}
	}
	for i := range out {
		if out[i][0] >= '0' && out[i][0] <= '9' {
			out[i] = leadingNumber.ReplaceAllString(out[i], "")
		}
	}
	return out
}

// endBefore reports whether s holds ".", "!" or "?" right before a byte
// from lo to hi: where gluedSentence and listMark can match.
func endBefore(s string, lo, hi byte) bool {
	for i := 0; i+1 < len(s); i++ {
		if c := s[i]; (c == '.' || c == '!' || c == '?') && s[i+1] >= lo && s[i+1] <= hi {
			return true
		}
	}
	return false
}

// overlap returns a sentence's score for query: how many distinct terms of
// the sentence the query holds, a form of a symbol the query writes as a
// prefix ("~int64" for "`~int`-style") counting too.
func overlap(query string) func(string) int {
	q := map[string]bool{}
	var forms []string
	for _, t := range lex.Tokens(query) {
		if t.Prefix {
			forms = append(forms, lex.Stem(t.Word))
		}
	}
	for _, t := range lex.Terms(query) {
		q[t] = true
	}
	return func(s string) int {
		n := 0
		for t := range exTerms(s) {
			if q[t] || slices.ContainsFunc(forms, func(p string) bool { return lex.PrefixOf(p, t) }) {
				n++
			}
		}
		return n
	}
}

// exTerms returns the distinct content terms of s as the shared text
// analysis reads them (a camelCase word gives its parts too: "mutualTLS"
// gives mutualtl, mutual, tls).
func exTerms(s string) map[string]bool {
	terms := map[string]bool{}
	for _, t := range lex.Terms(s) {
		terms[t] = true
	}
	return terms
}

// quoteSentences picks the sentence of the source's excerpt that shares
// the most words with the query (the first one on a tie or when none
// does), with the next sentence when it is short, clipped to a readable
// length.
func quoteSentences(c livespec.Citation, query string) string {
	sents := sentencesOf(c.Excerpt)
	if len(sents) == 0 {
		sents = sentencesOf(c.Text)
	}
	if len(sents) == 0 {
		return "" // a heading with no text of its own
	}
	score := overlap(query)
	// Prose wins over fragments (a code line, a table cell) of equal score.
	best, bestScore := 0, -1
	for i, s := range sents {
		n := 2 * score(s)
		if len(strings.Fields(s)) >= 4 {
			n++
		}
		if n > bestScore {
			best, bestScore = i, n
		}
	}
	bestScore /= 2
	out := sents[best]
	// A short sentence takes the next one along when that one is on topic
	// too (or when nothing is).
	if utf8.RuneCountInString(out) < 100 && best+1 < len(sents) && (bestScore == 0 || score(sents[best+1]) > 0) {
		out += " " + sents[best+1]
	}
	out = dropLinks(out)
	return clipRunes(strings.Trim(out, "… "), exStatement)
}

// dropLinks replaces each Markdown link of s by its text, running mdLink
// only on a text that may hold one.
func dropLinks(s string) string {
	if !strings.Contains(s, "](") {
		return s
	}
	return mdLink.ReplaceAllString(s, "$1")
}

var (
	// mdLink is a Markdown link; a quote keeps its text.
	mdLink = regexp.MustCompile(`\[([^\]\n]+)\]\([^)\s]+\)`)
	// htmlTag is an inline HTML tag such as an anchor (<a name="x"></a>).
	htmlTag = regexp.MustCompile(`</?[a-zA-Z][a-zA-Z0-9]*(?:\s+[a-zA-Z-]+="[^"]*")*\s*/?>`)
	// listMark is a list number glued to a sentence end ("statistics.4. Use").
	listMark = regexp.MustCompile(`([a-z)][.!?])([0-9]{1,2}\.\s)`)
	// leadingNumber is a list number at the start of a sentence.
	leadingNumber = regexp.MustCompile(`^[0-9]{1,2}\.\s+`)
)

// shortExcerpt is a source's excerpt on one line, clipped.
func shortExcerpt(c livespec.Citation) string {
	text := c.Excerpt
	if strings.TrimSpace(text) == "" {
		text = c.Text
	}
	text = strings.Join(plainText(text), " ")
	// As in sentencesOf, each pattern runs only on a text that may hold it.
	if strings.IndexByte(text, '<') >= 0 {
		text = htmlTag.ReplaceAllString(text, "")
	}
	if endBefore(text, 'A', 'Z') {
		text = gluedSentence.ReplaceAllString(text, "$1 $2")
	}
	return clipRunes(text, exExcerptRunes)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// clipRunes shortens s, read on one line (oneLine), to at most n runes,
// cutting at a word boundary and marking the cut with "…".
func clipRunes(s string, n int) string {
	out, whole := oneLineRunes(s, n)
	if whole {
		return out
	}
	if !utf8.ValidString(out) {
		out = string([]rune(out)) // each invalid byte as U+FFFD
	}
	if cut := strings.LastIndex(out, " "); cut > len(out)/2 {
		out = out[:cut]
	}
	return strings.TrimRight(out, " ,;:.") + "…"
}

// oneLineRunes returns oneLine(s) and true when that has at most n
// runes, else its first n runes and false, reading s no further than
// that takes.
func oneLineRunes(s string, n int) (string, bool) {
	var b strings.Builder
	b.Grow(min(len(s), 4*n+4))
	count, space := 0, false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			i += size
			continue
		}
		if space {
			if count == n {
				return b.String(), false
			}
			b.WriteByte(' ')
			count, space = count+1, false
		}
		if count == n {
			return b.String(), false
		}
		b.WriteString(s[i : i+size])
		count, i = count+1, i+size
	}
	return b.String(), true
}
