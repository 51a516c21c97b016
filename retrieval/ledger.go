package retrieval

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/lex"
)

// DefaultChangesWindow is the period a changes question covers when it names none.
const DefaultChangesWindow = 7 * 24 * time.Hour

// maxSectionEvents caps the section-level events an answer lists; file-level
// events are always listed in full.
const maxSectionEvents = 200

// ledgerResult is what a changes question found.
type ledgerResult struct {
	window  livespec.Window
	changes []livespec.Change // file-level events first per file, then section events
	cite    []livespec.Version
	notes   []string
	// narrowed says the changes were narrowed to the topic; a topic of
	// corpus-common words ("the specs") narrows nothing.
	narrowed bool
	totals   *livespec.ChangeTotals // over every event of the window
	earlier  []livespec.Change      // the latest changes before an empty window
	quotes   []livespec.ChangeQuote // what notable changes did to the text
	subjects []livespec.Subject     // the document the topic names, if any
}

// ledger reads the change events of the window (u.Window, or the last 7
// days), narrowed to topic when it names something, grouped by file and
// section.
func (a *Assistant) ledger(ctx context.Context, u Understanding, topic string, now time.Time, repos []string) (*ledgerResult, error) {
	res := &ledgerResult{}
	if u.Window != nil {
		res.window = *u.Window
	} else {
		res.window = livespec.Window{From: now.Add(-DefaultChangesWindow), To: now}
		res.notes = append(res.notes, fmt.Sprintf("No period was given, so this covers the last 7 days (%s to %s).",
			res.window.From.UTC().Format("2006-01-02 15:04"), res.window.To.UTC().Format("2006-01-02 15:04 MST")))
	}
	generic, err := a.corpusTopic(ctx, topic, repos)
	if err != nil {
		return nil, err
	}
	doc, err := a.namedDocument(ctx, topic, repos, generic)
	if err != nil {
		return nil, err
	}
	topical := doc == nil && usefulTopic(topic) && !generic
	q := livespec.ChangeQuery{Repos: repos, From: res.window.From, To: res.window.To, Sections: true}
	var cs []livespec.Change
	var m *topicMatch
	switch {
	case doc != nil:
		if cs, err = a.documentChanges(ctx, q, doc); err != nil {
			return nil, err
		}
		res.narrowed, res.subjects = true, []livespec.Subject{doc.subject}
		if err := a.noteNoneOf(ctx, res, q, cs, "to "+doc.subject.Path); err != nil {
			return nil, err
		}
	case topical:
		if cs, m, err = a.topicReport(ctx, topic, q, repos); err != nil {
			return nil, err
		}
		res.narrowed = true
		if err := a.noteNoneOf(ctx, res, q, cs, fmt.Sprintf("about %q", topic)); err != nil {
			return nil, err
		}
	default:
		all, err := a.Store.Changes(ctx, q)
		if err != nil {
			return nil, storeError("read changes", err)
		}
		cs = MergeParts(all)
	}
	res.totals = totalsOf(cs)
	res.changes = groupChanges(cs)
	res.cite, res.quotes, err = a.notable(ctx, res.changes, m)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 && !res.narrowed && !res.window.From.IsZero() {
		res.earlier, err = a.latestBefore(ctx, repos, res.window.From)
		if err != nil {
			return nil, err
		}
	}
	return res, nil
}

// documentChanges returns the window's events of the document, read by
// its paths: every event under one of them, or moving a file from one.
func (a *Assistant) documentChanges(ctx context.Context, q livespec.ChangeQuery, doc *docLineage) ([]livespec.Change, error) {
	var paths []string
	for p := range doc.paths {
		paths = append(paths, livespec.LiteralGlob(p))
	}
	slices.Sort(paths)
	q.Paths = paths
	cs, err := a.Store.Changes(ctx, q)
	if err != nil {
		return nil, storeError("read changes", err)
	}
	return ofDocument(MergeParts(cs), doc), nil
}

// topicChanges returns the window's events about the topic (see narrow).
// Only the sections that mention it and that an event of the window
// changed (changed, as matchRuns found them) can hold one: their own
// events, under their names or from them (Store.SectionChanges), with
// every part of each (withAllParts), are narrowed, and the file-level
// events of the kept ones' commits are read (withFileEvents). A topic
// that is a file as a whole reads that file's events briefly instead,
// then the kept ones in full (keepInFull).
func (a *Assistant) topicChanges(ctx context.Context, q livespec.ChangeQuery, m *topicMatch, changed []livespec.Key) ([]livespec.Change, error) {
	narrowed := func(cs []livespec.Change) []livespec.Change { return narrow(cs, m) }
	if m.fileMode {
		q.Paths, q.Brief = []string{livespec.LiteralGlob(m.named.path)}, true
		cs, err := a.Store.Changes(ctx, q)
		if err != nil {
			return nil, storeError("read changes", err)
		}
		return a.keepInFull(ctx, q, MergeParts(cs), narrowed)
	}
	if len(changed) == 0 {
		return nil, nil
	}
	cs, err := a.Store.SectionChanges(ctx, q, changed)
	if err != nil {
		return nil, storeError("read section changes", err)
	}
	if cs, err = a.withAllParts(ctx, q, cs, changed); err != nil {
		return nil, err
	}
	return a.withFileEvents(ctx, q, cs, narrowed)
}

// withAllParts returns the section events cs of the sections asked
// (Store.SectionChanges) with the other parts of each: an event found
// from an asked name changed a section now under another one, whose other
// parts may have had other names before, and a report merges every part
// of it (MergeParts), keeping the first part's ids and old names. Those
// parts are events under the section's present name: read as its events
// (in q's window), and kept when of the same commit. The events, in
// Changes order, come back each once.
func (a *Assistant) withAllParts(ctx context.Context, q livespec.ChangeQuery, cs []livespec.Change, asked []livespec.Key) ([]livespec.Change, error) {
	type event struct{ repo, commit, path, heading string }
	names := make(map[sectionID]bool, len(asked))
	for _, k := range asked {
		names[sectionID{k.Repo, k.Path, k.Heading}] = true
	}
	moved := map[event]bool{} // events found from an asked name only
	seen := map[sectionID]bool{}
	var more []livespec.Key // their present names
	for _, c := range cs {
		s := sectionID{c.Repo, c.Path, c.Heading}
		if names[s] {
			continue
		}
		moved[event{c.Repo, c.Commit, c.Path, c.Heading}] = true
		if !seen[s] {
			seen[s] = true
			more = append(more, livespec.Key{Repo: c.Repo, Path: c.Path, Heading: c.Heading})
		}
	}
	if len(more) == 0 {
		return cs, nil
	}
	parts, err := a.Store.SectionChanges(ctx, q, more)
	if err != nil {
		return nil, storeError("read section changes", err)
	}
	have := make(map[string]bool, len(cs))
	for _, c := range cs {
		have[c.ID] = true
	}
	out := slices.Clone(cs)
	for _, c := range parts {
		if c.Section && !have[c.ID] && moved[event{c.Repo, c.Commit, c.Path, c.Heading}] {
			have[c.ID] = true
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, livespec.CompareChanges)
	return out, nil
}

// withFileEvents returns keep(cs), cs being section events in Changes
// order with every part of each, and the file-level events keep keeps
// with them: read at the kept events' files and dates (keptDates), the
// events merged in Changes order and kept again. keep keeps a
// file-level event by the section events of its commit and file.
func (a *Assistant) withFileEvents(ctx context.Context, q livespec.ChangeQuery, cs []livespec.Change, keep func([]livespec.Change) []livespec.Change) ([]livespec.Change, error) {
	kept := keep(MergeParts(cs))
	if len(kept) == 0 {
		return kept, nil
	}
	var paths []string
	seen := map[string]bool{}
	for _, c := range kept {
		if !seen[c.Path] {
			seen[c.Path] = true
			paths = append(paths, livespec.LiteralGlob(c.Path))
		}
	}
	q.Paths, q.Brief, q.Sections = paths, false, false
	all := slices.Clone(cs)
	for _, w := range keptDates(kept) {
		q.From, q.To = w.From, w.To
		fs, err := a.Store.Changes(ctx, q)
		if err != nil {
			return nil, storeError("read changes", err)
		}
		all = append(all, fs...)
	}
	slices.SortStableFunc(all, livespec.CompareChanges)
	return keep(MergeParts(all)), nil
}

// noteNoneOf notes, when a narrowed report kept no event, how many landed
// in the window all the same: what cs were narrowed from, the window's
// events counted by the store as MergeParts merges them.
func (a *Assistant) noteNoneOf(ctx context.Context, res *ledgerResult, q livespec.ChangeQuery, cs []livespec.Change, what string) error {
	if len(cs) > 0 {
		return nil
	}
	w, err := a.window(ctx, q)
	if err != nil {
		return err
	}
	counts, err := w.count(ctx, a.Store, q)
	if err != nil {
		return err
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	if total > 0 {
		res.notes = append(res.notes, fmt.Sprintf("%d changes landed in the period, none of them %s.", total, what))
	}
	return nil
}

// keepInFull returns keep(cs), cs being the merged brief events of q, read
// in full: the events of the files the kept ones are on, at the kept
// ones' dates (keptDates), merged and kept again. keep decides by where an
// event is and which commit's section events it keeps; a section's parts
// share a file and a commit (a date), so they merge as they did, and every
// kept event is on one of these files, under its path or its old one, at
// one of these dates.
func (a *Assistant) keepInFull(ctx context.Context, q livespec.ChangeQuery, cs []livespec.Change, keep func([]livespec.Change) []livespec.Change) ([]livespec.Change, error) {
	kept := keep(cs)
	if len(kept) == 0 {
		return kept, nil
	}
	var paths []string
	seen := map[string]bool{}
	for _, c := range kept {
		for _, p := range []string{c.Path, c.OldPath} {
			if p != "" && !seen[p] {
				seen[p] = true
				paths = append(paths, livespec.LiteralGlob(p))
			}
		}
	}
	q.Paths, q.Brief = paths, false
	var full []livespec.Change
	for _, w := range keptDates(kept) {
		q.From, q.To = w.From, w.To
		cs, err := a.Store.Changes(ctx, q)
		if err != nil {
			return nil, storeError("read changes", err)
		}
		full = append(full, cs...)
	}
	return keep(MergeParts(full)), nil
}

// maxDateReads is how many dates keepInFull reads one by one; more are
// read as one span.
const maxDateReads = 8

// keptDates returns the windows, in order, that hold every date of cs: an
// instant each when they are few, else the span from the first to the
// last.
func keptDates(cs []livespec.Change) []livespec.Window {
	dates := make([]time.Time, 0, len(cs))
	for _, c := range cs {
		dates = append(dates, c.Date)
	}
	slices.SortFunc(dates, time.Time.Compare)
	dates = slices.CompactFunc(dates, time.Time.Equal)
	if len(dates) > maxDateReads {
		return []livespec.Window{{From: dates[0], To: dates[len(dates)-1].Add(time.Nanosecond)}}
	}
	out := make([]livespec.Window, len(dates))
	for i, d := range dates {
		out[i] = livespec.Window{From: d, To: d.Add(time.Nanosecond)}
	}
	return out
}

// docLineage is a document a changes question names, with every path it had.
type docLineage struct {
	repo    string
	paths   map[string]bool
	subject livespec.Subject
}

// namedDocument returns the document a changes topic names by path,
// number or title (see resolveDocument), with its paths over renames; nil
// when the topic names none or only the corpus's own kind of document.
func (a *Assistant) namedDocument(ctx context.Context, topic string, repos []string, generic bool) (*docLineage, error) {
	if generic || !usefulTopic(topic) || namesSeveral(topic) {
		return nil, nil
	}
	doc, err := a.resolveDocument(ctx, topic, repos)
	if err != nil || doc == nil {
		return nil, err
	}
	_, subject, err := a.lineage(ctx, doc.f, doc.title)
	if err != nil {
		return nil, err
	}
	l := &docLineage{repo: doc.f.repo, paths: map[string]bool{}, subject: subject}
	for _, p := range l.subject.Paths {
		l.paths[p] = true
	}
	return l, nil
}

// namesSeveral reports whether a topic names documents in the plural by
// a noun for their kind and no path or number ("the networking
// proposals"): a set of documents, which the topic's words narrow to, not
// one document.
func namesSeveral(topic string) bool {
	if pathLike.MatchString(topic) || docNumber.MatchString(topic) {
		return false
	}
	for _, t := range lex.Tokens(topic) {
		w := t.Word
		if !t.Part && len(w) > 3 && strings.HasSuffix(w, "s") && lex.DocNoun(w) && lex.DocNoun(w[:len(w)-1]) {
			return true
		}
	}
	return false
}

// ofDocument keeps the events of cs on one of the document's paths.
func ofDocument(cs []livespec.Change, doc *docLineage) []livespec.Change {
	var out []livespec.Change
	for _, c := range cs {
		if c.Repo == doc.repo && (doc.paths[c.Path] || c.OldPath != "" && doc.paths[c.OldPath]) {
			out = append(out, c)
		}
	}
	return out
}

// totalsOf counts the events of cs: the files touched, the section events
// (one per section and commit, however many parts changed; the file-level
// event of a file without section events counts as one), by kind, and
// the commits.
func totalsOf(cs []livespec.Change) *livespec.ChangeTotals {
	t := &livespec.ChangeTotals{}
	withSections := map[fileID]bool{}
	for _, c := range cs {
		if c.Section {
			withSections[fileID{c.Repo, c.Path}] = true
		}
	}
	files, commits, seen := map[fileID]bool{}, map[string]bool{}, map[string]bool{}
	for _, c := range cs {
		f := fileID{c.Repo, c.Path}
		files[f] = true
		commits[c.Repo+"\x00"+c.Commit] = true
		if c.Section != withSections[f] {
			continue
		}
		k := c.Repo + "\x00" + c.Commit + "\x00" + c.Path + "\x00" + c.Heading + "\x00" + string(c.Kind)
		if seen[k] {
			continue
		}
		seen[k] = true
		t.Sections++
		countKind(c.Kind, &t.Added, &t.Modified, &t.Removed, &t.Renamed)
	}
	t.Files, t.Commits = len(files), len(commits)
	return t
}

// earlierSpans are how far back latestBefore looks, widening step by step
// so that a recent change is found without reading the whole history.
var earlierSpans = []time.Duration{7 * 24 * time.Hour, 31 * 24 * time.Hour, 366 * 24 * time.Hour, 5 * 366 * 24 * time.Hour, 0}

// latestBefore returns the changes of the latest day before t that has
// any: what a report over a quiet period shows instead.
func (a *Assistant) latestBefore(ctx context.Context, repos []string, t time.Time) ([]livespec.Change, error) {
	var last time.Time
	for _, span := range earlierSpans {
		from := time.Time{}
		if span > 0 {
			from = t.Add(-span)
		}
		cs, err := a.Store.Changes(ctx, livespec.ChangeQuery{Repos: repos, From: from, To: t})
		if err != nil {
			return nil, storeError("read changes", err)
		}
		if len(cs) > 0 {
			last = cs[len(cs)-1].Date
			break
		}
	}
	if last.IsZero() {
		return nil, nil
	}
	from, to := day(last), day(last).Add(24*time.Hour)
	if to.After(t) {
		to = t
	}
	cs, err := a.Store.Changes(ctx, livespec.ChangeQuery{Repos: repos, From: from, To: to, Sections: true})
	if err != nil {
		return nil, storeError("read changes", err)
	}
	return groupChanges(MergeParts(cs)), nil
}

// topicReport returns the events of q's window about topic, and the
// topic's match (see matchTopic) when it was needed: none when nothing
// landed in the window, or when quietWindow tells from the files the
// window touched and a search of them that no event can be about the
// topic, whatever the match; then the topic's history is not searched.
// Otherwise the match is completed with the window's mentions (matchRuns)
// and its changed sections' events are narrowed (topicChanges).
func (a *Assistant) topicReport(ctx context.Context, topic string, q livespec.ChangeQuery, repos []string) ([]livespec.Change, *topicMatch, error) {
	w, err := a.window(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	e, err := w.fileEvents(ctx, a.Store, q)
	if err != nil || len(e.touched) == 0 {
		return nil, nil, err
	}
	files, touched := e.files, e.touched
	changedIn := func(keys []livespec.Key) ([]livespec.Key, error) {
		return w.changedSections(ctx, a.Store, q, keys)
	}
	quiet, runs, err := a.quietWindow(ctx, topic, q.Repos, files, touched, changedIn)
	if err != nil || quiet {
		return nil, nil, err
	}
	m, err := a.matchTopic(ctx, topic, repos)
	if err != nil {
		return nil, nil, err
	}
	var changed []livespec.Key
	if !m.fileMode {
		if runs == nil {
			if runs, err = a.searchChanged(ctx, topic, files, changedIn); err != nil {
				return nil, nil, err
			}
		}
		if changed, err = matchRuns(m, runs, changedIn, changeable(files, touched)); err != nil {
			return nil, nil, err
		}
	}
	cs, err := a.topicChanges(ctx, q, m, changed)
	return cs, m, err
}

// changeable returns the files whose sections may have changed in a
// window, given files (those with section events in it) and touched
// (where its events were, file-level ones at least): files, and the old
// paths of renamed files (a section moves to a new path only with its
// file).
func changeable(files []livespec.Key, touched []touchedFile) map[fileID]bool {
	out := make(map[fileID]bool, len(files))
	for _, f := range files {
		out[fileID{f.Repo, f.Path}] = true
	}
	for _, t := range touched {
		if t.oldPath != "" {
			out[fileID{t.f.repo, t.oldPath}] = true
		}
	}
	return out
}

// matchInChanges adds to m the sections changed by the events cs that
// mention the topic, as topicReport does for a window, answered from the
// events as a store without a change index answers
// (livespec.ChangedFilesOf, livespec.ChangedSectionsOf).
func (a *Assistant) matchInChanges(ctx context.Context, m *topicMatch, cs []livespec.Change) error {
	if m == nil || m.fileMode {
		return nil
	}
	changed := func(keys []livespec.Key) ([]livespec.Key, error) {
		return livespec.ChangedSectionsOf(cs, keys), nil
	}
	runs, err := a.searchChanged(ctx, m.topic, livespec.ChangedFilesOf(cs), changed)
	if err != nil {
		return err
	}
	_, err = matchRuns(m, runs, changed, changeable(livespec.ChangedFilesOf(cs), touchedOf(cs)))
	return err
}

// windowRun is the search of one repository's changed files for a topic
// (see searchChanged).
type windowRun struct {
	repo     string
	hits     []livespec.Hit     // up to topicPool, across every version
	sections map[sectionID]bool // the hits' sections
	changed  []livespec.Key     // those of them that changed, in order
}

// searchChanged searches files (ordered by repo, the files with section
// events) for topic across every version, one run per repository, and
// asks changed which of the hits' sections changed. The topic's best
// hits across all history need not be the ones that changed, so a report
// looks here for the changed sections that mention it.
func (a *Assistant) searchChanged(ctx context.Context, topic string, files []livespec.Key, changed func([]livespec.Key) ([]livespec.Key, error)) ([]windowRun, error) {
	if len(files) == 0 {
		return nil, nil
	}
	text, err := a.storeText(ctx, topic)
	if err != nil {
		return nil, err
	}
	var runs []windowRun
	for _, repo := range repoRuns(files) {
		var paths []string
		for _, f := range repo {
			paths = append(paths, livespec.LiteralGlob(f.Path))
		}
		hits, err := a.Store.Search(ctx, livespec.SearchQuery{Text: text, Validity: livespec.AnyVersion(), Repos: []string{repo[0].Repo}, Paths: paths, Limit: topicPool})
		if err != nil {
			return nil, storeError("search changed specs", err)
		}
		r := windowRun{repo: repo[0].Repo, hits: hits, sections: make(map[sectionID]bool, len(hits))}
		keys := sectionKeys(hits, nil, r.sections)
		if r.changed, err = changed(keys); err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// matchRuns adds to m.matched, in the order of the hits, those of runs
// that mention the topic, whose section changed and is not in m.matched
// yet; which of m's own sections changed, changed tells. Another
// section's mention would change nothing, nor would a second mention of
// a matched one, so only hits of a changed section not matched yet are
// analysed. It returns the sections of m.matched that changed: a section
// in none of files (see changeable) or without a changed file in its
// repository did not (an event's old names are in its own repository).
func matchRuns(m *topicMatch, runs []windowRun, changed func([]livespec.Key) ([]livespec.Key, error), files map[fileID]bool) ([]livespec.Key, error) {
	have := make(map[sectionID]bool, len(m.matched))
	for _, s := range m.matched {
		have[sectionOf(s.v)] = true
	}
	var out []livespec.Key
	for _, r := range runs {
		var mine []livespec.Version // m's matches in this repository's changeable files
		for _, s := range m.matched {
			if s.v.Repo == r.repo && files[fileID{s.v.Repo, s.v.Path}] {
				mine = append(mine, s.v)
			}
		}
		keys := r.changed
		// m's sections the hits lack follow the hits' own, in the order
		// sectionKeys gives them.
		if more := sectionKeys(nil, mine, maps.Clone(r.sections)); len(more) > 0 {
			also, err := changed(more)
			if err != nil {
				return nil, err
			}
			keys = append(slices.Clip(keys), also...)
		}
		seen := map[sectionID]bool{}
		for _, k := range keys {
			seen[sectionID{k.Repo, k.Path, k.Heading}] = true
		}
		addMentions(m, r.hits, seen, have)
		for _, k := range keys {
			if have[sectionID{k.Repo, k.Path, k.Heading}] {
				out = append(out, k)
			}
		}
	}
	return out, nil
}

// quietWindow reports whether no event of a window can be about topic,
// whatever the topic's match, from the files the window touched (touched,
// where its file-level events were; files, those with section events) and a search
// of files (searchChanged), which it returns when it made it. A report
// keeps the events of the matched sections that changed, or every event
// of the file the topic names as a whole. Every matched version holds a
// word of the topic's search: when no run filled topicPool, the runs hold
// every such version of files, so when none of their sections changed
// (and no file was renamed, which may change a section under an old path
// not searched) no matched section changed either. And no touched file
// may be named: none may have a name or title (current, or of a version
// the runs found: the titles nameFile reads) sharing a word with the
// topic.
func (a *Assistant) quietWindow(ctx context.Context, topic string, repos []string, files []livespec.Key, touched []touchedFile, changed func([]livespec.Key) ([]livespec.Key, error)) (bool, []windowRun, error) {
	words, ok := nameWords(topic)
	if !ok {
		return false, nil, nil
	}
	cur, err := a.current(ctx, repos)
	if err != nil {
		return false, nil, err
	}
	searched := make(map[fileID]bool, len(files))
	for _, f := range files {
		searched[fileID{f.Repo, f.Path}] = true
	}
	idx := cur.nameIndex()
	for _, t := range touched {
		f := t.f
		if t.oldPath != "" || !searched[f] || namesShare(words, docName(f.path)) {
			return false, nil, nil
		}
		if i, ok := idx.at[f]; ok && namesShare(words, cur.files[i].title) {
			return false, nil, nil
		}
	}
	runs, err := a.searchChanged(ctx, topic, files, changed)
	if err != nil {
		return false, nil, err
	}
	for _, r := range runs {
		if len(r.hits) >= topicPool || len(r.changed) > 0 {
			return false, runs, nil
		}
		for _, h := range r.hits {
			if namesShare(words, firstHeading(h.Version.Heading)) {
				return false, runs, nil
			}
		}
	}
	return true, runs, nil
}

// namesShare reports whether the file name or title name holds one of
// words (see nameTerms).
func namesShare(words map[string]bool, name string) bool {
	return slices.ContainsFunc(cachedNameTerms(name), func(w string) bool { return words[w] })
}

// nameWords returns the terms by which topic may name a file (see
// topicCover): its content words and the parts of its identifiers; false
// when it holds an acronym, whose expansion the topic's match finds.
func nameWords(topic string) (map[string]bool, bool) {
	qs := lexContent(lexQuery(topic))
	lexIdentParts(qs)
	words := map[string]bool{}
	for _, q := range qs {
		if q.acronym != "" {
			return nil, false
		}
		words[q.term] = true
		for _, e := range q.expansion {
			words[e] = true
		}
	}
	return words, true
}

// sectionKeys returns the sections of hits, then of more, each once, in
// order, leaving out those in seen and adding them to it.
func sectionKeys(hits []livespec.Hit, more []livespec.Version, seen map[sectionID]bool) []livespec.Key {
	var keys []livespec.Key
	add := func(v livespec.Version) {
		if s := sectionOf(v); !seen[s] {
			seen[s] = true
			keys = append(keys, livespec.Key{Repo: s.repo, Path: s.path, Heading: s.heading})
		}
	}
	for _, h := range hits {
		add(h.Version)
	}
	for _, v := range more {
		add(v)
	}
	return keys
}

// addMentions adds to m.matched, in order, the hits in one of sections
// and not in one of have that mention the topic, and adds their sections
// to have.
func addMentions(m *topicMatch, hits []livespec.Hit, sections, have map[sectionID]bool) {
	for _, h := range hits {
		s := sectionOf(h.Version)
		if !sections[s] || have[s] {
			continue
		}
		d, ok := m.docs[h.Version.ID]
		if !ok {
			d = versionDoc(h.Version)
			m.docs[h.Version.ID] = d
		}
		if c := lexCoverage(m.qs, d); c >= m.thr {
			m.matched = append(m.matched, scored{h.Version, c})
			have[s] = true
		}
	}
}

// repoRuns splits files, ordered by repo, into one run per repo.
func repoRuns(files []livespec.Key) [][]livespec.Key {
	var out [][]livespec.Key
	for i := 0; i < len(files); {
		j := i + 1
		for j < len(files) && files[j].Repo == files[i].Repo {
			j++
		}
		out = append(out, files[i:j])
		i = j
	}
	return out
}

// commonTopic reports whether every word of topic is common in the corpus
// (as storeText decides): "the RFCs" in a repository of RFCs, "KEPs" in one
// of KEPs, which narrow nothing.
func (a *Assistant) commonTopic(ctx context.Context, topic string) (bool, error) {
	qs := lexContent(lexQuery(topic))
	if len(qs) == 0 {
		return true, nil
	}
	cs, err := a.corpus(ctx)
	if err != nil {
		return false, err
	}
	if cs.n < minPruneSections {
		return false, nil
	}
	limit := int32(commonShare * float64(cs.n))
	for _, q := range qs {
		if !q.camel && cs.docFreq(q.term) <= limit {
			return false, nil
		}
	}
	return true, nil
}

// narrow keeps the events about the topic: every event of the file the
// topic names as a whole, otherwise the events of the sections that
// mention the topic and the file-level events of their commits.
func narrow(cs []livespec.Change, m *topicMatch) []livespec.Change {
	if m == nil {
		return nil
	}
	var out []livespec.Change
	if m.fileMode {
		for _, c := range cs {
			if c.Repo == m.named.repo && (c.Path == m.named.path || c.OldPath == m.named.path) {
				out = append(out, c)
			}
		}
		return out
	}
	sections := map[sectionID]bool{}
	for _, s := range m.matched {
		sections[sectionOf(s.v)] = true
	}
	touched := map[string]bool{} // commit + file with a kept section event
	for _, c := range cs {
		if c.Section && (sections[sectionID{c.Repo, c.Path, c.Heading}] || sections[sectionID{c.Repo, or(c.OldPath, c.Path), or(c.OldHeading, c.Heading)}]) {
			touched[c.Repo+"\x00"+c.Commit+"\x00"+c.Path] = true
		}
	}
	for _, c := range cs {
		if touched[c.Repo+"\x00"+c.Commit+"\x00"+c.Path] &&
			(!c.Section || sections[sectionID{c.Repo, c.Path, c.Heading}] || sections[sectionID{c.Repo, or(c.OldPath, c.Path), or(c.OldHeading, c.Heading)}]) {
			out = append(out, c)
		}
	}
	return out
}

// groupChanges orders events by file (files in order of their first
// event), the file-level events of a file first, then its section events
// grouped by heading path, each group oldest first. Section events beyond
// maxSectionEvents are dropped.
func groupChanges(cs []livespec.Change) []livespec.Change {
	fileRank := map[string]int{}
	secRank := map[string]int{}
	for i, c := range cs {
		fk := c.Repo + "\x00" + c.Path
		if _, ok := fileRank[fk]; !ok {
			fileRank[fk] = i
		}
		sk := fk + "\x00" + c.Heading
		if _, ok := secRank[sk]; !ok {
			secRank[sk] = i
		}
	}
	// Each change's ranks, computed once rather than in every comparison;
	// the sort moves small records, not changes.
	type ranked struct{ i, file, sect int }
	rs := make([]ranked, len(cs))
	for i, c := range cs {
		fk := c.Repo + "\x00" + c.Path
		rs[i] = ranked{i, fileRank[fk], secRank[fk+"\x00"+c.Heading]}
	}
	slices.SortStableFunc(rs, func(a, b ranked) int {
		if a.file != b.file {
			return cmp.Compare(a.file, b.file)
		}
		if sa, sb := cs[a.i].Section, cs[b.i].Section; sa != sb {
			if !sa {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.sect, b.sect)
	})
	out := make([]livespec.Change, len(rs))
	for k, r := range rs {
		out[k] = cs[r.i]
	}
	kept := out[:0]
	n := 0
	for _, c := range out {
		if c.Section {
			if n >= maxSectionEvents {
				continue
			}
			n++
		}
		kept = append(kept, c)
	}
	return kept
}

// notablePerFile is how many section events of one file notable reads
// in search of one that changed the text in substance.
const notablePerFile = 4

// notable picks a few changed sections to cite: with a topic, the ones
// that mention it; otherwise one per file, from the files with the most
// section events, preferring a change of substance to an editorial one.
// It cites the text each event introduced (or removed) and quotes what
// the event changed: the sentences the section says now and said before.
func (a *Assistant) notable(ctx context.Context, cs []livespec.Change, m *topicMatch) ([]livespec.Version, []livespec.ChangeQuote, error) {
	limit := a.sources()
	count := map[string]int{}
	for _, c := range cs {
		if c.Section {
			count[c.Repo+"\x00"+c.Path]++
		}
	}
	// Candidates: each section's latest event, in order of the files.
	var cands []livespec.Change
	last := map[sectionID]int{}
	for _, c := range cs {
		if !c.Section {
			continue
		}
		k := sectionID{c.Repo, c.Path, c.Heading}
		if i, ok := last[k]; ok {
			cands[i] = c
			continue
		}
		last[k] = len(cands)
		cands = append(cands, c)
	}
	sort.SliceStable(cands, func(i, j int) bool {
		return count[cands[i].Repo+"\x00"+cands[i].Path] > count[cands[j].Repo+"\x00"+cands[j].Path]
	})
	var out []livespec.Version
	var quotes []livespec.ChangeQuote
	tried := map[string]int{}
	done := map[string]bool{}
	for _, c := range cands {
		fk := c.Repo + "\x00" + c.Path
		if len(out) >= limit {
			break
		}
		if m == nil && (done[fk] || tried[fk] >= notablePerFile) {
			continue
		}
		tried[fk]++
		after, err := a.versionText(ctx, c.After)
		if err != nil {
			return nil, nil, err
		}
		before, err := a.versionText(ctx, c.Before)
		if err != nil {
			return nil, nil, err
		}
		if after.ID == "" && before.ID == "" {
			continue
		}
		lastTry := m != nil || tried[fk] == notablePerFile
		if after.ID != "" && before.ID != "" && editKind(before.Text, after.Text) != "" && !lastTry {
			continue // editorial: look for a change of substance in this file first
		}
		q := livespec.ChangeQuote{Change: livespec.ChangeOf(c)}
		switch {
		case after.ID != "" && before.ID != "":
			q.Now, q.Before = sentenceDiff(before.Text, after.Text)
		case after.ID != "":
			q.Now = leadSentences(after.Text)
		default:
			q.Before = leadSentences(before.Text)
		}
		if q.Now == "" && q.Before == "" && !lastTry {
			continue // nothing to quote (code, a table): look further
		}
		done[fk] = true
		if after.ID != "" {
			out = append(out, after)
		} else {
			out = append(out, before)
		}
		if q.Now != "" || q.Before != "" {
			quotes = append(quotes, q)
		}
	}
	if len(quotes) > exQuotes {
		quotes = quotes[:exQuotes]
	}
	return out, quotes, nil
}

// countKind adds one to the counter of kind k: added, modified, removed
// or renamed.
func countKind(k livespec.ChangeKind, added, modified, removed, renamed *int) {
	switch k {
	case livespec.Added:
		*added++
	case livespec.Modified:
		*modified++
	case livespec.Removed:
		*removed++
	case livespec.Renamed:
		*renamed++
	}
}
