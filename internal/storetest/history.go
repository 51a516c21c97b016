package storetest

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/livespec/livespec"
)

// Sec returns a section with the given heading path and text, its level
// derived from the heading path and its hash computed.
func Sec(heading, text string) livespec.Section {
	level := 0
	if heading != "" {
		level = len(livespec.SplitHeading(heading))
	}
	return livespec.Section{Heading: heading, Level: level, Text: text, Hash: livespec.ContentHash(text)}
}

// Commit is one first-parent commit of a made-up history.
type Commit struct {
	SHA     string
	Time    time.Time // landing (committer) time
	Author  string
	Message string
	// Files holds the new content of every file the commit adds or
	// modifies, as its sections in document order.
	Files map[string][]livespec.Section
	// Deleted lists the paths the commit deletes.
	Deleted []string
}

// History builds, commit by commit, the batches an ingest of a repository
// writes: versions, file versions, closes, changes and the checkpoint, with
// deterministic ids. It is a test fixture, not an ingest: no renames.
type History struct {
	Repo   string
	Branch string
	seq    int64
	open   map[string]map[livespec.Key]livespec.Version // by path
	files  map[string]livespec.FileVersion
}

// NewHistory returns an empty history of repo on branch "main".
func NewHistory(repo string) *History {
	return &History{Repo: repo, Branch: "main", open: make(map[string]map[livespec.Key]livespec.Version), files: make(map[string]livespec.FileVersion)}
}

// Seq returns the sequence number of the last commit.
func (h *History) Seq() int64 { return h.seq }

// Commit records c and returns its batch.
func (h *History) Commit(c Commit) *livespec.Batch {
	h.seq++
	seq := h.seq
	b := &livespec.Batch{Repo: h.Repo}
	change := func(path, heading string, part int, section bool, kind livespec.ChangeKind, before, after string) {
		b.Changes = append(b.Changes, livespec.Change{
			ID: livespec.ChangeID(h.Repo, c.SHA, path, heading, part, section), Repo: h.Repo,
			Commit: c.SHA, Seq: seq, Date: c.Time, AuthorDate: c.Time.Add(-time.Hour), Author: c.Author,
			Message: c.Message, Path: path, Heading: heading, Part: part, Section: section, Kind: kind,
			Before: before, After: after, Summary: string(kind) + " " + path + "#" + heading,
		})
	}
	closeVersion := func(id string, file bool) {
		b.Closes = append(b.Closes, livespec.Close{ID: id, File: file, Commit: c.SHA, Seq: seq, ValidTo: c.Time})
	}
	for _, path := range slices.Sorted(maps.Keys(c.Files)) {
		secs := c.Files[path]
		var body strings.Builder
		var outline []livespec.SectionRef
		for _, s := range secs {
			body.WriteString(s.Text)
			outline = append(outline, livespec.SectionRef{Heading: s.Heading, Part: s.Part})
		}
		blob := livespec.ContentHash(body.String())[:40]
		old, existed := h.files[path]
		if existed && old.Blob == blob {
			continue
		}
		fv := livespec.FileVersion{
			ID: livespec.FileVersionID(h.Repo, path, c.SHA), Repo: h.Repo, Path: path, Blob: blob,
			Size: int64(body.Len()), Status: livespec.FileText, Outline: outline,
			Meta:   map[string]any{"title": path, "sections": float64(len(secs))},
			Commit: c.SHA, Seq: seq, ValidFrom: c.Time,
		}
		kind := livespec.Added
		before := ""
		if existed {
			closeVersion(old.ID, true)
			kind, before = livespec.Modified, old.ID
		}
		h.files[path] = fv
		b.Files = append(b.Files, fv)
		change(path, "", 0, false, kind, before, fv.ID)

		seen := make(map[livespec.Key]bool)
		for _, s := range secs {
			k := livespec.Key{Repo: h.Repo, Path: path, Heading: s.Heading, Part: s.Part}
			seen[k] = true
			prev, ok := h.open[path][k]
			if ok && prev.Hash == s.Hash {
				continue
			}
			v := livespec.Version{
				ID: livespec.VersionID(k, c.SHA), Key: k, Level: s.Level, Text: s.Text, Hash: s.Hash,
				Links: s.Links, Commit: c.SHA, Seq: seq, ValidFrom: c.Time, Author: c.Author,
			}
			kind, before := livespec.Added, ""
			if ok {
				closeVersion(prev.ID, false)
				kind, before = livespec.Modified, prev.ID
			}
			if h.open[path] == nil {
				h.open[path] = make(map[livespec.Key]livespec.Version)
			}
			h.open[path][k] = v
			b.Versions = append(b.Versions, v)
			change(path, s.Heading, s.Part, true, kind, before, v.ID)
		}
		for _, k := range h.openKeys(path) {
			if !seen[k] {
				h.remove(k, closeVersion, change)
			}
		}
	}
	for _, path := range slices.Sorted(slices.Values(c.Deleted)) {
		old, ok := h.files[path]
		if !ok {
			continue
		}
		closeVersion(old.ID, true)
		delete(h.files, path)
		change(path, "", 0, false, livespec.Removed, old.ID, "")
		for _, k := range h.openKeys(path) {
			h.remove(k, closeVersion, change)
		}
	}
	b.Checkpoint = &livespec.Checkpoint{Repo: h.Repo, Branch: h.Branch, Commit: c.SHA, Seq: seq, Time: c.Time,
		Config: "test-config", Source: "memory:" + h.Repo}
	return b
}

func (h *History) openKeys(path string) []livespec.Key {
	keys := slices.Collect(maps.Keys(h.open[path]))
	slices.SortFunc(keys, func(a, b livespec.Key) int {
		return strings.Compare(a.String(), b.String())
	})
	return keys
}

func (h *History) remove(k livespec.Key, closeVersion func(string, bool), change func(string, string, int, bool, livespec.ChangeKind, string, string)) {
	prev := h.open[k.Path][k]
	closeVersion(prev.ID, false)
	delete(h.open[k.Path], k)
	change(k.Path, k.Heading, k.Part, true, livespec.Removed, prev.ID, "")
}
