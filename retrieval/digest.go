package retrieval

import (
	"cmp"
	"context"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/lex"
)

// Digest defaults.
const (
	DefaultDigestNotable  = 8 // documents told in detail
	DefaultDigestSections = 3 // changed sections shown per document
	digestExcerpt         = 240
)

// Digest reports the changes of q's window: the documents whose lifecycle
// field (status, stage ...) changed value, then the same change events
// `livespec changes` lists for the window, repositories and paths (the
// store's Changes with section events), counted in totals, the notable
// documents told with what their changed sections say at the end of the
// window, and the rest folded into counts.
func (a *Assistant) Digest(ctx context.Context, q livespec.DigestQuery) (*livespec.Digest, error) {
	if !q.Window.To.IsZero() && !q.Window.To.After(q.Window.From) {
		return nil, livespec.Errorf(livespec.EINVALID, "the digest's period ends before it starts")
	}
	cs, err := a.Store.Changes(ctx, livespec.ChangeQuery{Repos: q.Repos, Paths: q.Paths, From: q.Window.From, To: q.Window.To, Sections: true})
	if err != nil {
		return nil, storeError("read changes", err)
	}
	d, err := a.DigestOf(ctx, q, cs)
	if err != nil {
		return nil, err
	}
	if d.Status, err = a.digestStatus(ctx, q); err != nil {
		return nil, err
	}
	return d, nil
}

// DigestOf builds the digest of the change events cs (as Store.Changes
// orders them) for q. Watches and scheduled digests call it with the
// events they selected.
func (a *Assistant) DigestOf(ctx context.Context, q livespec.DigestQuery, cs []livespec.Change) (*livespec.Digest, error) {
	d := &livespec.Digest{Window: q.Window, Repos: q.Repos, Paths: q.Paths, Status: []livespec.DigestStatus{}, Documents: []livespec.DigestDocument{},
		Rest: livespec.DigestRest{Paths: []string{}}, Commits: []livespec.DigestCommitInfo{}}
	cs = MergeParts(cs)
	d.Totals, d.Commits = digestTotals(cs)
	d.Events = *totalsOf(cs)
	docs := digestDocs(cs)
	slices.SortStableFunc(docs, func(x, y *docGroup) int {
		if c := cmp.Compare(y.score(), x.score()); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(x.repo, y.repo), cmp.Compare(x.path, y.path))
	})
	notable := cmp.Or(q.Notable, DefaultDigestNotable)
	for i, g := range docs {
		if i >= notable {
			d.Rest.Documents++
			d.Rest.SectionChanges += len(g.sections)
			d.Rest.Paths = append(d.Rest.Paths, g.path)
			continue
		}
		doc, err := a.digestDoc(ctx, q, g)
		if err != nil {
			return nil, err
		}
		d.Documents = append(d.Documents, doc)
	}
	pickSections(d.Documents, cmp.Or(q.Sections, DefaultDigestSections))
	return d, nil
}

// digestTotals counts what writeChangesText and the changes JSON list:
// distinct commits of every event, and the file-level events by kind.
func digestTotals(cs []livespec.Change) (livespec.DigestTotals, []livespec.DigestCommitInfo) {
	var t livespec.DigestTotals
	var commits []livespec.DigestCommitInfo
	seen := map[string]bool{}
	files := map[fileID]bool{}
	for _, c := range cs {
		if !seen[c.Commit] {
			seen[c.Commit] = true
			commits = append(commits, livespec.DigestCommitInfo{Repo: c.Repo, Commit: c.Commit, Date: livespec.Time{Time: c.Date}, Author: c.Author, Message: c.Message})
		}
		if c.Section {
			t.SectionChanges++
			continue
		}
		files[fileID{c.Repo, c.Path}] = true
		t.FileChanges++
		countKind(c.Kind, &t.Added, &t.Modified, &t.Removed, &t.Renamed)
	}
	t.Commits, t.Documents = len(seen), len(files)
	if commits == nil {
		commits = []livespec.DigestCommitInfo{}
	}
	return t, commits
}

// docGroup is the events of one document in a digest.
type docGroup struct {
	repo, path string
	files      []livespec.Change // file-level events, oldest first
	sections   []livespec.Change // section events, oldest first
	commits    map[string]bool
}

// score ranks documents: those whose text changed in more sections and
// commits first, a document that came or went counting as news.
func (g *docGroup) score() int {
	s := len(distinctSections(g.sections)) + len(g.commits)
	if st := g.status(); st == livespec.Added || st == livespec.Removed {
		s += 3
	}
	return s
}

// status is what the window did to the document as a whole.
func (g *docGroup) status() livespec.ChangeKind {
	if len(g.files) == 0 {
		return livespec.Modified
	}
	last := g.files[len(g.files)-1]
	if last.Kind == livespec.Removed {
		return livespec.Removed
	}
	for _, f := range g.files {
		if f.Kind == livespec.Added {
			return livespec.Added
		}
	}
	for _, f := range g.files {
		if f.Kind == livespec.Renamed {
			return livespec.Renamed
		}
	}
	return livespec.Modified
}

// oldPath is the document's path before the window's first rename.
func (g *docGroup) oldPath() string {
	for _, f := range g.files {
		if f.Kind == livespec.Renamed && f.OldPath != "" && f.OldPath != g.path {
			return f.OldPath
		}
	}
	return ""
}

// digestDocs groups events by document, in order of first event.
func digestDocs(cs []livespec.Change) []*docGroup {
	byFile := map[fileID]*docGroup{}
	var out []*docGroup
	for _, c := range cs {
		k := fileID{c.Repo, c.Path}
		g := byFile[k]
		if g == nil {
			g = &docGroup{repo: c.Repo, path: c.Path, commits: map[string]bool{}}
			byFile[k] = g
			out = append(out, g)
		}
		g.commits[c.Commit] = true
		if c.Section {
			g.sections = append(g.sections, c)
		} else {
			g.files = append(g.files, c)
		}
	}
	return out
}

// secGroup is the events of one section of a document.
type secGroup struct {
	heading string
	first   int // index of its first event in the document's events
	events  []livespec.Change
}

// distinctSections groups section events by heading path (a renamed
// heading stays with its old events), in order of first event.
func distinctSections(cs []livespec.Change) []*secGroup {
	by := map[string]*secGroup{}
	var out []*secGroup
	for i, c := range cs {
		k := c.Heading
		if c.Kind == livespec.Renamed && c.OldHeading != "" {
			if g, ok := by[c.OldHeading]; ok {
				by[c.Heading] = g
				g.heading = c.Heading
				g.events = append(g.events, c)
				continue
			}
		}
		g := by[k]
		if g == nil {
			g = &secGroup{heading: c.Heading, first: i}
			by[k] = g
			out = append(out, g)
		}
		g.events = append(g.events, c)
	}
	return out
}

// netKind is what the window did to one section.
func (s *secGroup) netKind() livespec.ChangeKind {
	first, last := s.events[0], s.events[len(s.events)-1]
	switch {
	case last.Kind == livespec.Removed:
		return livespec.Removed
	case first.Kind == livespec.Added:
		return livespec.Added
	}
	for _, e := range s.events {
		if e.Kind == livespec.Modified {
			return livespec.Modified
		}
	}
	return last.Kind
}

// digestDoc tells one notable document: its title, status and the
// sections whose changes matter most, each with what it says now.
func (a *Assistant) digestDoc(ctx context.Context, q livespec.DigestQuery, g *docGroup) (livespec.DigestDocument, error) {
	doc := livespec.DigestDocument{
		Repo: g.repo, Path: g.path, OldPath: g.oldPath(), Status: g.status(),
		Commits: len(g.commits), SectionChanges: len(g.sections), Sections: []livespec.DigestSection{},
	}
	latest, err := a.latestFile(ctx, g.repo, g.path)
	if err != nil {
		return doc, err
	}
	title := fileTitleOf(latest)
	if doc.Title, err = a.digestTitle(ctx, latest, g.repo, g.path); err != nil {
		return doc, err
	}
	authors := map[string]bool{}
	var last livespec.Change
	for _, c := range slices.Concat(g.files, g.sections) {
		if c.Author != "" && !authors[c.Author] {
			authors[c.Author] = true
			doc.Authors = append(doc.Authors, c.Author)
		}
		if c.Date.After(last.Date) || last.Commit == "" {
			last = c
		}
	}
	if doc.Status != livespec.Removed {
		doc.URL = Permalink(q.Permalink, g.repo, last.Commit, g.path, "")
	}
	secs := distinctSections(g.sections)
	if doc.Status == livespec.Added || doc.Status == livespec.Removed {
		// A new (or gone) document reads in its own order.
		pos := map[string]int{}
		for i, o := range latest.Outline {
			if _, ok := pos[o.Heading]; !ok {
				pos[o.Heading] = i
			}
		}
		slices.SortStableFunc(secs, func(x, y *secGroup) int { return cmp.Compare(pos[x.heading], pos[y.heading]) })
	} else {
		// Sections with more events first.
		slices.SortStableFunc(secs, func(x, y *secGroup) int { return cmp.Compare(len(y.events), len(x.events)) })
	}
	limit := cmp.Or(q.Sections, DefaultDigestSections)
	// Read a few more sections than shown (pickSections chooses among
	// them): those whose change says something in prose come first, not a
	// table of contents, a comment or a link list.
	var told, bare []livespec.DigestSection
	for i, s := range secs {
		if i >= limit*digestLookahead || len(told) >= limit+digestSpare {
			break
		}
		ds, err := a.digestSection(ctx, q, s)
		if err != nil {
			return doc, err
		}
		ds.Heading = trimTitle(ds.Heading, title)
		if (ds.Now == "" && ds.Before == "") || ds.Editorial != "" {
			bare = append(bare, ds)
			continue
		}
		told = append(told, ds)
	}
	doc.Sections = append(told, bare...)
	doc.MoreSections = len(secs) - len(doc.Sections)
	return doc, nil
}

// digestSpare is how many sections beyond those shown a document keeps as
// candidates, in case some turn out to be template text.
const digestSpare = 2

// templateDocs is in how many notable documents the same quote must occur
// to count as template text (a checklist every new document copies).
const templateDocs = 3

// pickSections keeps limit sections of each document: those saying
// something of their own first, then text that several documents share
// (template text), then the rest, in the order they were read.
func pickSections(docs []livespec.DigestDocument, limit int) {
	key := func(s livespec.DigestSection) string {
		k := sentenceKey(s.Now + " " + s.Before)
		if r := []rune(k); len(r) > 80 {
			k = string(r[:80])
		}
		return k
	}
	in := map[string]int{}
	for _, d := range docs {
		seen := map[string]bool{}
		for _, s := range d.Sections {
			if k := key(s); k != "" && !seen[k] {
				seen[k] = true
				in[k]++
			}
		}
	}
	for i := range docs {
		d := &docs[i]
		rank := func(s livespec.DigestSection) int {
			switch {
			case (s.Now == "" && s.Before == "") || s.Editorial != "":
				return 2
			case in[key(s)] >= templateDocs:
				return 1
			}
			return 0
		}
		slices.SortStableFunc(d.Sections, func(x, y livespec.DigestSection) int { return cmp.Compare(rank(x), rank(y)) })
		if len(d.Sections) > limit {
			d.MoreSections += len(d.Sections) - limit
			d.Sections = d.Sections[:limit]
		}
	}
}

// digestLookahead is how many times the shown sections a digest reads to
// find those that say something.
const digestLookahead = 4

// digestSection tells one changed section with what its change says, in
// the words of the change reports (sentenceDiff, leadSentences): the
// sentences a modified section gained (and, as Before, those it lost),
// the lead of a new section, or what a removed section said; and whether
// the change was only editorial (editKind).
func (a *Assistant) digestSection(ctx context.Context, q livespec.DigestQuery, s *secGroup) (livespec.DigestSection, error) {
	first, last := s.events[0], s.events[len(s.events)-1]
	ds := livespec.DigestSection{
		Heading: s.heading, Kind: s.netKind(), Changes: len(s.events),
		Commit: last.Commit, Date: livespec.Time{Time: last.Date}, Summary: last.Summary,
	}
	before, err := a.versionText(ctx, first.Before)
	if err != nil {
		return ds, err
	}
	if ds.Kind == livespec.Removed {
		ds.Before = leadSentences(before.Text)
		return ds, nil
	}
	after, err := a.versionText(ctx, last.After)
	if err != nil {
		return ds, err
	}
	if ds.Kind == livespec.Added || before.ID == "" {
		ds.Now = leadSentences(after.Text)
	} else {
		ds.Now, ds.Before = sentenceDiff(before.Text, after.Text)
		ds.Editorial = editKind(before.Text, after.Text)
	}
	if after.ID != "" {
		ds.URL = Permalink(q.Permalink, after.Repo, after.Commit, after.Path, after.Heading)
	}
	return ds, nil
}

// versionText reads a version by id; an empty or unknown id gives a zero
// version.
func (a *Assistant) versionText(ctx context.Context, id string) (livespec.Version, error) {
	if id == "" {
		return livespec.Version{}, nil
	}
	v, err := a.Store.Version(ctx, id)
	if livespec.ErrorCode(err) == livespec.ENOTFOUND {
		return livespec.Version{}, nil
	}
	if err != nil {
		return v, storeError("read version", err)
	}
	return v, nil
}

// htmlComment matches HTML comments, which templates fill with guidance
// that is not the spec's text.
var htmlComment = regexp.MustCompile(`(?s)<!--.*?-->`)

// anchorLink matches a Markdown link to an anchor: tables of contents.
var anchorLink = regexp.MustCompile(`\]\(#[^)]*\)`)

// trimTitle drops the document's title from the front of a heading path
// (every section of a document sits under it) and keeps the last three
// headings of a deep path.
func trimTitle(heading, title string) string {
	hs := livespec.SplitHeading(heading)
	if len(hs) > 1 && hs[0] == title {
		hs = hs[1:]
	}
	if len(hs) > 3 {
		hs = append([]string{"…"}, hs[len(hs)-3:]...)
	}
	return strings.Join(hs, livespec.HeadingSep)
}

// latestFile returns the latest stored version of a file (a zero one if
// none is stored).
func (a *Assistant) latestFile(ctx context.Context, repo, p string) (livespec.FileVersion, error) {
	q := livespec.FileQuery{Repos: []string{repo}, Paths: []string{livespec.LiteralGlob(p)}, Validity: livespec.Current()}
	fs, err := a.Store.Files(ctx, q)
	if err != nil {
		return livespec.FileVersion{}, storeError("read files", err)
	}
	// The current version, if any, is the latest: only a file removed, or
	// current without an outline, needs its whole history read.
	if len(fs) != 1 || fs[0].Path != p || len(fs[0].Outline) == 0 {
		q.Validity = livespec.AnyVersion()
		if fs, err = a.Store.Files(ctx, q); err != nil {
			return livespec.FileVersion{}, storeError("read files", err)
		}
	}
	return latestOutline(fs, p), nil
}

// latestOutline returns the latest of the versions of fs at path p that
// has an outline (a zero one if none has): the last of the highest Seq,
// in the store's order.
func latestOutline(fs []livespec.FileVersion, p string) livespec.FileVersion {
	var latest livespec.FileVersion
	for _, f := range fs {
		if f.Path == p && f.Seq >= latest.Seq && len(f.Outline) > 0 {
			latest = f
		}
	}
	return latest
}

// digestTitle is a document's title in a digest: its first heading when
// that heading names the title its front matter or sidecar gives ("KEP-1:
// Fast path" for "Fast path"), else that title, else its first heading,
// else its file name. A heading that names no title is often not the
// document's title at all (a template's "Release Signoff Checklist").
func (a *Assistant) digestTitle(ctx context.Context, f livespec.FileVersion, repo, p string) (string, error) {
	heading := f.FirstHeading()
	named, _ := f.Meta["title"].(string)
	if strings.TrimSpace(named) == "" {
		fs, err := a.Store.Facts(ctx, livespec.FactQuery{Repos: []string{repo}, Paths: []string{livespec.LiteralGlob(p)}, Fields: []string{"title"}, Validity: livespec.AnyVersion()})
		if err != nil {
			return "", storeError("read facts", err)
		}
		var seq int64 = -1
		for _, x := range fs {
			if x.Path == p && x.Value != "" && x.Seq > seq {
				named, seq = x.Value, x.Seq
			}
		}
	}
	if named = strings.TrimSpace(named); named != "" && !namesTitle(heading, named) {
		return named, nil
	}
	return cmp.Or(heading, path.Base(p)), nil
}

// namesTitle reports whether a heading names a title: it holds at least
// half of the title's terms ("KEP-5647: Stale Controller Detection" names
// "Stale Controller Handling"; "Release Signoff Checklist" names nothing
// of "Enable Writable Cgroups"). A title of no words is named by any
// heading.
func namesTitle(heading, title string) bool {
	want := lex.Terms(title)
	if len(want) == 0 {
		return heading != "" // a title of no words names nothing better
	}
	have := lex.Terms(heading)
	n := 0
	for _, t := range want {
		if slices.Contains(have, t) {
			n++
		}
	}
	return 2*n >= len(want)
}

// fileTitleOf is a document's title: a title in its front matter or
// sidecar, else the first heading of its outline.
func fileTitleOf(f livespec.FileVersion) string {
	if t, ok := f.Meta["title"].(string); ok && strings.TrimSpace(t) != "" {
		return strings.TrimSpace(t)
	}
	return f.FirstHeading()
}
