package web

import (
	"cmp"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/retrieval"
)

// maxHistory is how many commits a document's history lists.
const maxHistory = 300

// docView is the document page.
type docView struct {
	Repo, Path, Title string
	At                time.Time // zero: now
	AtDay             string    // the date picker's value
	Version           *livespec.FileVersion
	Missing           string // why there is no text at At
	Sections          []docSection
	History           []historyEntry
	MoreHistory       int
	Diff              *diffView
	From, To          string // the diff form's values
	Repos             []string
}

type docSection struct {
	ID   string
	HTML template.HTML
}

// historyEntry is one commit that changed the file.
type historyEntry struct {
	Commit, Message, Author string
	Date                    time.Time
	Kind                    livespec.ChangeKind
	OldPath, OldURL         string   // a rename's old path, and its page just before
	Editorial               bool     // every section change only changed the text's form
	EditKinds               []string // how (livespec.EditTypo, ...), when Editorial
	Sections                []livespec.Change
	ViewURL, DiffURL        string
	Shown                   bool // the version on display
}

// diffView is the per-section diff between two dates.
type diffView struct {
	From, To   time.Time
	FromNote   string // "the file did not exist yet", ...
	ToNote     string
	Sections   []sectionDiff
	Unchanged  int
	NoChange   bool
	FromCommit string
	ToCommit   string
}

type sectionDiff struct {
	Heading string
	ID      string
	Kind    livespec.ChangeKind
	Spans   []span
}

// Document serves /doc/{path}: the spec file as of ?at= (default now)
// rendered, its history, and with ?from=&to= the diff between two dates.
func Document(st livespec.Store, errs Errors) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := documentView(r, st)
		if err != nil {
			fail(w, errs, err)
			return
		}
		render(w, http.StatusOK, "doc", page{Title: cmp.Or(v.Title, v.Path), Nav: "browse", Body: v})
	})
}

func documentView(r *http.Request, st livespec.Store) (*docView, error) {
	ctx := r.Context()
	path := strings.TrimPrefix(r.URL.Path, "/doc/")
	if path == "" || path == r.URL.Path {
		return nil, livespec.Errorf(livespec.EINVALID, "path: missing: /doc/{path}")
	}
	q := r.URL.Query()
	at, err := parseAt("at", cmp.Or(q.Get("at"), q.Get("to"))) // a diff shows the text at its end
	if err != nil {
		return nil, err
	}
	var repos []string
	if repo := q.Get("repo"); repo != "" {
		repos = []string{repo}
	}
	all, err := retrieval.FileVersions(ctx, st, repos, path, livespec.AnyVersion())
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, livespec.Errorf(livespec.ENOTFOUND, "no spec file %q in the index", clip(path, 200))
	}
	v := &docView{Repo: all[0].Repo, Path: path, At: at, AtDay: fmtDay(at)}
	for _, f := range all {
		if !slices.Contains(v.Repos, f.Repo) {
			v.Repos = append(v.Repos, f.Repo)
		}
	}
	if len(v.Repos) > 1 {
		v.Missing = "This path exists in several repositories; pick one."
		return v, nil
	}
	all = slices.DeleteFunc(all, func(f livespec.FileVersion) bool { return f.Repo != v.Repo })
	v.Version = versionAt(all, at)
	switch {
	case v.Version == nil && at.IsZero():
		v.Missing = "This file has been removed; pick a date in its history."
	case v.Version == nil:
		v.Missing = "This file did not exist on " + fmtDay(at) + "."
	case v.Version.Status != livespec.FileText:
		v.Missing = "This version is recorded but not indexed (" + strings.ReplaceAll(string(v.Version.Status), "_", " ") + ")."
	default:
		if err := v.renderText(r, st); err != nil {
			return nil, err
		}
	}
	if err := v.history(r, st); err != nil {
		return nil, err
	}
	if q.Has("from") || q.Has("to") {
		if err := v.diff(r, st, all, q.Get("from"), q.Get("to")); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// versionAt returns the file version standing at at (zero: the current one).
func versionAt(fvs []livespec.FileVersion, at time.Time) *livespec.FileVersion {
	for i := range fvs {
		f := &fvs[i]
		if at.IsZero() && f.Current() || !at.IsZero() && f.ValidAt(at) {
			return f
		}
	}
	return nil
}

// renderText renders the file's sections as they stood at v.At.
func (v *docView) renderText(r *http.Request, st livespec.Store) error {
	ctx := r.Context()
	secs, _, err := retrieval.FileSections(ctx, st, v.Version, validity(v.At))
	if err != nil {
		return err
	}
	files, err := st.Files(ctx, livespec.FileQuery{Repos: []string{v.Repo}, Validity: validity(v.At)})
	if err != nil {
		return err
	}
	specs := make(map[string]bool, len(files))
	for _, f := range files {
		specs[f.Path] = true
	}
	secs = wholeSections(v.Version, secs)
	lc := &linkContext{repo: v.Repo, path: v.Path, at: v.At, isSpec: func(p string) bool { return specs[p] }, ids: newHeadingIDs()}
	for _, s := range secs {
		lc.ids.Put([]byte(anchor(s.Heading))) // the sections' own ids are taken
	}
	for _, s := range secs {
		if v.Title == "" && s.Level == 1 {
			v.Title = lastHeading(s.Heading)
		}
		text := s.Text
		if s.Heading == livespec.FrontMatterHeading {
			text = "```yaml\n" + strings.TrimSpace(text) + "\n```"
		}
		v.Sections = append(v.Sections, docSection{ID: anchor(s.Heading), HTML: markdown(text, lc)})
	}
	return nil
}

// wholeSections joins the parts of each long section (FileSections' result
// for fv) into one version holding the section's text as the file has it:
// a later part's repeated heading lines dropped, parts joined by what
// separated them. The page shows, anchors and diffs whole sections.
func wholeSections(fv *livespec.FileVersion, secs []livespec.Version) []livespec.Version {
	out := make([]livespec.Version, 0, len(secs))
	for i := 0; i < len(secs); {
		j := i + 1
		for j < len(secs) && secs[j].Heading == secs[i].Heading && secs[j].Part == secs[j-1].Part+1 {
			j++
		}
		s := secs[i]
		if j > i+1 {
			s.Text = retrieval.JoinSections(fv, secs[i:j])
		}
		out = append(out, s)
		i = j
	}
	return out
}

// history lists the commits that changed the file, newest first, each
// marked editorial or substantive.
func (v *docView) history(r *http.Request, st livespec.Store) error {
	ctx := r.Context()
	chs, err := st.Changes(ctx, livespec.ChangeQuery{Repos: []string{v.Repo}, Paths: []string{livespec.LiteralGlob(v.Path)}, Sections: true})
	if err != nil {
		return err
	}
	vs, err := st.Versions(ctx, livespec.VersionQuery{Repos: []string{v.Repo}, Paths: []string{livespec.LiteralGlob(v.Path)}, Validity: livespec.AnyVersion()})
	if err != nil {
		return err
	}
	text := make(map[string]string, len(vs))
	for _, sv := range vs {
		text[sv.ID] = sv.Text
	}
	chs = slices.DeleteFunc(chs, func(c livespec.Change) bool { return c.Path != v.Path && c.OldPath != v.Path })
	order := groupByCommit(chs, func(c livespec.Change) string { return retrieval.EditKind(text[c.Before], text[c.After]) })
	shown := ""
	if v.Version != nil {
		shown = v.Version.Commit
	}
	slices.Reverse(order)
	for i := range order {
		e := &order[i]
		if i == maxHistory {
			v.MoreHistory = len(order) - maxHistory
			break
		}
		e.ViewURL = docURL(v.Repo, v.Path, e.Date)
		e.DiffURL = diffURL(v.Repo, v.Path, e.Date.Add(-time.Second), e.Date)
		e.Shown = e.Commit == shown
		v.History = append(v.History, *e)
	}
	return nil
}

// diffURL links to the diff of a file between two instants.
func diffURL(repo, path string, from, to time.Time) string {
	return docURL(repo, path, time.Time{}) + sepFor(repo) + "from=" + atParam(from) + "&to=" + atParam(to) + "#diff"
}

func sepFor(repo string) string {
	if repo != "" {
		return "&"
	}
	return "?"
}

// diff compares the file's sections at two dates (to empty: now).
func (v *docView) diff(r *http.Request, st livespec.Store, fvs []livespec.FileVersion, fromS, toS string) error {
	from, err := parseAt("from", fromS)
	if err != nil {
		return err
	}
	to, err := parseAt("to", toS)
	if err != nil {
		return err
	}
	if from.IsZero() {
		return livespec.Errorf(livespec.EINVALID, "from: required for a diff (YYYY-MM-DD)")
	}
	if !to.IsZero() && !from.Before(to) {
		return livespec.Errorf(livespec.EINVALID, "to: must be after from")
	}
	v.From, v.To = fromS, toS
	d := &diffView{From: from, To: to}
	a, aNote, err := sectionsAt(r, st, fvs, from)
	if err != nil {
		return err
	}
	b, bNote, err := sectionsAt(r, st, fvs, to)
	if err != nil {
		return err
	}
	d.FromNote, d.ToNote = aNote, bNote
	if f := versionAt(fvs, from); f != nil {
		d.FromCommit = f.Commit
	}
	if f := versionAt(fvs, to); f != nil {
		d.ToCommit = f.Commit
	}
	d.Sections, d.Unchanged = diffSections(a, b)
	d.NoChange = len(d.Sections) == 0
	v.Diff = d
	return nil
}

func sectionsAt(r *http.Request, st livespec.Store, fvs []livespec.FileVersion, at time.Time) ([]livespec.Version, string, error) {
	fv := versionAt(fvs, at)
	if fv == nil {
		return nil, "the file did not exist then", nil
	}
	secs, _, err := retrieval.FileSections(r.Context(), st, fv, validity(at))
	return wholeSections(fv, secs), "", err
}

// diffSections pairs whole sections by heading path: changed ones get a
// word diff, new ones are all inserted, removed ones all deleted.
func diffSections(a, b []livespec.Version) ([]sectionDiff, int) {
	type ref = livespec.SectionRef
	old := make(map[ref]string, len(a))
	for _, s := range a {
		old[ref{Heading: s.Heading, Part: s.Part}] = s.Text
	}
	var out []sectionDiff
	unchanged := 0
	seen := map[ref]bool{}
	for _, s := range b {
		k := ref{Heading: s.Heading, Part: s.Part}
		seen[k] = true
		before, ok := old[k]
		switch {
		case !ok:
			out = append(out, sectionDiff{Heading: s.Heading, ID: anchor(s.Heading), Kind: livespec.Added, Spans: []span{{"ins", s.Text}}})
		case before == s.Text:
			unchanged++
		default:
			out = append(out, sectionDiff{Heading: s.Heading, ID: anchor(s.Heading), Kind: livespec.Modified, Spans: trimContext(wordDiff(before, s.Text))})
		}
	}
	for _, s := range a {
		if k := (ref{Heading: s.Heading, Part: s.Part}); !seen[k] {
			out = append(out, sectionDiff{Heading: s.Heading, ID: anchor(s.Heading), Kind: livespec.Removed, Spans: []span{{"del", s.Text}}})
		}
	}
	return out, unchanged
}
