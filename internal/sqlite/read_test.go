package sqlite_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/storetest"
)

// oddChanges are change events whose texts hold what a packed row could
// trip on: NUL bytes, commas, colons, digits, non-ASCII, empty fields and
// an author time that was never set.
func oddChanges() []livespec.Change {
	t0 := time.Date(2024, 5, 1, 9, 30, 0, 123, time.UTC)
	mk := func(i int, path, oldPath, heading, author, message string, section bool, kind livespec.ChangeKind) livespec.Change {
		sha := strings.Repeat(string(rune('a'+i)), 40)
		return livespec.Change{
			ID: livespec.ChangeID("odd", sha, path, heading, 0, section), Repo: "odd", Commit: sha, Seq: int64(i + 1),
			Date: t0.Add(time.Duration(i) * time.Hour), AuthorDate: t0.Add(-time.Duration(i) * time.Minute),
			Author: author, Message: message, Path: path, OldPath: oldPath, Heading: heading, Section: section,
			Kind: kind, Summary: "summary of " + path,
		}
	}
	chs := []livespec.Change{
		mk(0, "a/x.md", "", "", "Ann", "add x", false, livespec.Added),
		mk(1, "a/x.md", "", "Intro", "Ann", "nul \x00 in message", true, livespec.Modified),
		mk(2, "a", "", "", "Bob\x00Builder", "a file named a", false, livespec.Added),
		mk(3, "ab/y.md", "", "Déjà vu, 1:2", "Zoë", "12,34:56", true, livespec.Added),
		mk(4, "c/new.md", "a/old.md", "", "Cy", "rename out of a", false, livespec.Renamed),
		mk(5, "b/a/z.md", "", "H\x00\x00", "", "", true, livespec.Removed),
		mk(6, "q?/[x].md", "", "", "Di", "odd path", false, livespec.Added),
	}
	chs[2].AuthorDate = time.Time{}
	chs[5].Part = 3
	chs[5].Before = "v-before"
	chs[1].After = "v-after"
	chs[4].OldHeading = "Old"
	return chs
}

func TestChangesRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	want := oddChanges()
	if err := s.Apply(ctx, &livespec.Batch{Repo: "odd", Changes: want}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		q    livespec.ChangeQuery
		want []livespec.Change
	}{
		{"all, NUL bytes and all", livespec.ChangeQuery{Sections: true}, want},
		{"limit before the NUL row", livespec.ChangeQuery{Sections: true, Limit: 1}, want[:1]},
		{"file-level only", livespec.ChangeQuery{}, []livespec.Change{want[0], want[2], want[4], want[6]}},
		{"cursor", livespec.ChangeQuery{Sections: true, After: want[4].ID}, want[5:]},
		{"brief, NUL bytes in a heading", livespec.ChangeQuery{Sections: true, Brief: true}, brief(want)},
		{"brief, packed", livespec.ChangeQuery{Sections: true, Brief: true, Limit: 5}, brief(want[:5])},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Changes(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d changes, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if !equalChange(got[i], tc.want[i]) {
					t.Errorf("change %d:\n got %+v\nwant %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// brief returns cs without what ChangeQuery.Brief leaves out.
func brief(cs []livespec.Change) []livespec.Change {
	out := slices.Clone(cs)
	for i := range out {
		c := &out[i]
		c.Author, c.AuthorDate, c.Message, c.Before, c.After, c.Summary, c.Editorial = "", time.Time{}, "", "", "", "", ""
	}
	return out
}

// equalChange compares changes with times compared as instants.
func equalChange(a, b livespec.Change) bool {
	if !a.Date.Equal(b.Date) || !a.AuthorDate.Equal(b.AuthorDate) {
		return false
	}
	a.Date, a.AuthorDate, b.Date, b.AuthorDate = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return reflect.DeepEqual(a, b)
}

// TestChangesPathGlobs checks path filters against doublestar over every
// change, on both the path and the old path.
func TestChangesPathGlobs(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	all := oddChanges()
	if err := s.Apply(ctx, &livespec.Batch{Repo: "odd", Changes: all}); err != nil {
		t.Fatal(err)
	}
	for _, globs := range [][]string{
		{"a/**"}, {"a/*"}, {"a/x.md"}, {"a"}, {"ab/**"}, {"a*/**"}, {"**/z.md"}, {"b/**", "c/**"},
		{"a/{x,old}.md"}, {"a/?.md"}, {"q\\?/**"}, {"q?/**"}, {"{a,b}/**"}, {"Déjà/**"}, {"a/**/x.md"},
		{"a/x.md", "b/**"}, {"c/new.md", "**/z.md"}, {"a/old.md", "ab/*"}, // literal paths beside globs
	} {
		t.Run(strings.Join(globs, ","), func(t *testing.T) {
			var want []string
			for _, c := range all {
				for _, g := range globs {
					m1, _ := doublestar.Match(g, c.Path)
					m2, _ := doublestar.Match(g, c.OldPath)
					if m1 || (c.OldPath != "" && m2) {
						want = append(want, c.ID)
						break
					}
				}
			}
			got, err := s.Changes(ctx, livespec.ChangeQuery{Paths: globs, Sections: true})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			if !reflect.DeepEqual(ids, want) {
				t.Errorf("got %q, want %q", ids, want)
			}
		})
	}
}

// TestFilesReturnsCopies checks that a caller changing the outline or
// metadata it got does not change what the next caller gets.
func TestFilesReturnsCopies(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	t0 := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	meta := map[string]any{"title": "Sidecars", "owners": []any{"ann", map[string]any{"team": "node"}}, "stage": "beta",
		"milestone": map[string]any{"beta": "v1.29"}}
	var files []livespec.FileVersion
	for _, p := range []string{"a.md", "b.md"} { // the same outline and metadata twice
		files = append(files, livespec.FileVersion{
			ID: livespec.VersionID(livespec.Key{Repo: "r", Path: p, Part: -1}, "c1"), Repo: "r", Path: p, Blob: "b", Size: 10,
			Status: livespec.FileText, Outline: []livespec.SectionRef{{Heading: "Sidecars"}, {Heading: "Sidecars > Goals", Part: 1}},
			Meta: meta, Commit: "c1", Seq: 1, ValidFrom: t0,
		})
	}
	if err := s.Apply(ctx, &livespec.Batch{Repo: "r", Files: files}); err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		got, err := s.Files(ctx, livespec.FileQuery{Repos: []string{"r"}, Validity: livespec.Current()})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("round %d: %d files", round, len(got))
		}
		for _, f := range got {
			if !reflect.DeepEqual(f.Outline, files[0].Outline) || !reflect.DeepEqual(f.Meta, meta) {
				t.Fatalf("round %d: %s: outline %v meta %v", round, f.Path, f.Outline, f.Meta)
			}
			// A careless caller.
			f.Outline[0].Heading = "changed"
			f.Meta["title"] = "changed"
			f.Meta["owners"].([]any)[1].(map[string]any)["team"] = "changed"
			f.Meta["milestone"].(map[string]any)["beta"] = "changed"
		}
	}
}

// TestVersionsRoundTrip checks section versions whose texts hold what a
// packed row could trip on, read back by Versions and Search.
func TestVersionsRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	h := storetest.NewHistory("odd")
	linked := storetest.Sec("Links", "# Links\nSee [a](a.md) and [b](b.md).")
	linked.Links = []string{"a.md", "b.md"}
	noLinks := storetest.Sec("Empty links", "# Empty links\nNothing, 1,2:3.")
	noLinks.Links = []string{}
	secs := []livespec.Section{
		storetest.Sec("Nul", "# Nul\nA zebra \x00 text with a NUL byte."),
		storetest.Sec("Déjà, vu: 1", "# Déjà, vu: 1\nA zebra in a heading with commas."),
		linked, noLinks,
	}
	if err := s.Apply(ctx, h.Commit(storetest.Commit{SHA: strings.Repeat("a", 40), Time: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		Author: "Zoë", Message: "odd", Files: map[string][]livespec.Section{"odd.md": secs}})); err != nil {
		t.Fatal(err)
	}
	vs, err := s.Versions(ctx, livespec.VersionQuery{Validity: livespec.Current()})
	if err != nil {
		t.Fatal(err)
	}
	byHeading := map[string]livespec.Version{}
	for _, v := range vs {
		byHeading[v.Heading] = v
	}
	for _, sec := range secs {
		v, ok := byHeading[sec.Heading]
		if !ok {
			t.Fatalf("no version of %q", sec.Heading)
		}
		if v.Text != sec.Text || v.Hash != sec.Hash || v.Author != "Zoë" || !reflect.DeepEqual(v.Links, sec.Links) && len(v.Links)+len(sec.Links) > 0 {
			t.Errorf("%q: got text %q hash %s author %q links %#v, want %q %s %#v", sec.Heading, v.Text, v.Hash, v.Author, v.Links, sec.Text, sec.Hash, sec.Links)
		}
		one, err := s.Version(ctx, v.ID)
		if err != nil || !reflect.DeepEqual(one, v) {
			t.Errorf("Version(%s) = %+v, %v; Versions gave %+v", v.ID, one, err, v)
		}
	}
	hits, err := s.Search(ctx, livespec.SearchQuery{Text: "zebra", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 2 {
		t.Fatalf("search zebra: %d hits", len(hits))
	}
	for _, hit := range hits {
		if want := byHeading[hit.Version.Heading]; !reflect.DeepEqual(hit.Version, want) {
			t.Errorf("search hit %+v, want %+v", hit.Version, want)
		}
	}
}
