package sqlite

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// TestChangedSectionsKeepsWindows checks that ChangedSections answers
// from a window's kept names (changedNames) as the name indexes answer
// (a window of more events than the limit), after a write too: in the
// window, a section renamed in place, a file moved with its section, an
// old name recorded on a later part alone (not the event's name), two
// commits on one section, a heading holding a NUL byte renamed from
// another (read as columns, not packed); before and after it, other
// events. A window's names are kept, however they were read.
func TestChangedSectionsKeepsWindows(t *testing.T) {
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2024, 3, d, 9, 0, 0, 0, time.UTC) }
	ev := func(commit string, d int, path, heading string, part int, oldPath, oldHeading string) livespec.Change {
		kind := livespec.Modified
		if oldPath != "" || oldHeading != "" {
			kind = livespec.Renamed
		}
		return livespec.Change{ID: commit + path + "#" + heading + string(rune('0'+part)), Repo: "r", Commit: commit, Seq: int64(d),
			Date: day(d), Section: true, Path: path, Heading: heading, Part: part, Kind: kind, OldPath: oldPath, OldHeading: oldHeading}
	}
	s := openTemp(t)
	apply := func(cs ...livespec.Change) {
		t.Helper()
		if err := s.Apply(ctx, &livespec.Batch{Repo: "r", Changes: cs}); err != nil {
			t.Fatal(err)
		}
	}
	apply(ev("c1", 1, "a.md", "A", 0, "", ""),
		ev("c2", 10, "a.md", "New", 0, "", "Old"),
		ev("c2", 10, "b.md", "Intro", 0, "old.md", ""),
		ev("c2", 10, "a.md", "Long", 0, "", ""),
		ev("c2", 10, "a.md", "Long", 1, "", "Former"),
		ev("c3", 12, "a.md", "New", 0, "", ""),
		ev("c3", 12, "a.md", "Nul\x00here", 0, "", "Was\x00nul"),
		ev("c4", 20, "c.md", "Late", 0, "", ""))
	key := func(path, heading string) livespec.Key { return livespec.Key{Repo: "r", Path: path, Heading: heading} }
	asked := []livespec.Key{key("c.md", "Late"), key("a.md", "A"), key("a.md", "New"), key("a.md", "Old"), key("old.md", "Intro"),
		key("b.md", "Intro"), key("a.md", "Long"), key("a.md", "Former"), key("q.md", "A"), key("a.md", "Nul\x00here"), key("a.md", "Was\x00nul")}
	nul := []livespec.Key{key("a.md", "Nul\x00here"), key("a.md", "Was\x00nul")}
	window := livespec.ChangeQuery{From: day(5), To: day(15)}
	ask := func(q livespec.ChangeQuery, limit int) []livespec.Key {
		t.Helper()
		w := &s.mem().windows
		if limit != 0 { // asked anew, what was kept left as it was
			kept := w.by
			w.by, w.limit = nil, limit
			defer func() { w.by, w.limit = kept, 0 }()
		}
		got, err := s.ChangedSections(ctx, q, asked)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, tt := range []struct {
		name  string
		q     livespec.ChangeQuery
		write []livespec.Change // before asking
		want  []livespec.Key
	}{
		{"window", window, nil, append([]livespec.Key{key("a.md", "New"), key("a.md", "Old"), key("old.md", "Intro"), key("b.md", "Intro"), key("a.md", "Long")}, nul...)},
		{"other repository", livespec.ChangeQuery{Repos: []string{"q"}, From: day(5), To: day(15)}, nil, nil},
		{"open window", livespec.ChangeQuery{}, nil, append([]livespec.Key{key("c.md", "Late"), key("a.md", "A"), key("a.md", "New"), key("a.md", "Old"),
			key("old.md", "Intro"), key("b.md", "Intro"), key("a.md", "Long")}, nul...)},
		{"after a write in the window", window, []livespec.Change{ev("c5", 14, "a.md", "A", 0, "", "")},
			append([]livespec.Key{key("a.md", "A"), key("a.md", "New"), key("a.md", "Old"), key("old.md", "Intro"), key("b.md", "Intro"), key("a.md", "Long")}, nul...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.write != nil {
				apply(tt.write...)
			}
			// Kept: read once, then asked again from what was kept.
			for i := range 2 {
				if got := ask(tt.q, 0); !slices.Equal(got, tt.want) {
					t.Errorf("kept names (ask %d) = %v, want %v", i+1, got, tt.want)
				}
			}
			if len(tt.want) > 0 {
				gen, err := s.DataVersion(ctx)
				if err != nil {
					t.Fatal(err)
				}
				from, to, _ := changeWindow(tt.q)
				if names, _ := s.mem().windows.get(gen, windowKey(from, to)); names == nil {
					t.Errorf("the window's names are not kept")
				}
			}
			if got := ask(tt.q, 1); !slices.Equal(got, tt.want) {
				t.Errorf("name indexes = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestChangedSectionsFromKeptEvents checks, on random histories, that a
// warmed Store answers ChangedSections from the events it keeps
// (wholeChanges), reading no window's names from the index, exactly as
// an unwarmed Store of the same file answers from the names it reads
// and as the name indexes answer (a window of more events than the
// limit): commits of several parts on one section, old names on some
// parts, other repositories, windows of any bounds. A window of more
// events than the limit is asked of the name indexes by both.
func TestChangedSectionsFromKeptEvents(t *testing.T) {
	ctx := context.Background()
	for seed := range 12 {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 17))
			history, keys := randomHistory(rng, 60+rng.IntN(60))
			s, plain := warmedAndPlain(t, history)
			for i := range 30 {
				q := randomWindow(rng)
				read := false
				was := keptWindowNames
				keptWindowNames = func(w *wholeChanges, from, to int64, limit int) map[sectionName]bool {
					read = true
					return was(w, from, to, limit)
				}
				s.mem().windows.by = nil // each window read anew
				got, err := s.ChangedSections(ctx, q, keys)
				keptWindowNames = was
				if err != nil {
					t.Fatal(err)
				}
				want, err := plain.ChangedSections(ctx, q, keys)
				if err != nil {
					t.Fatal(err)
				}
				perSection := askWithLimit(t, plain, q, keys, 1)
				small := askWithLimit(t, s, q, keys, 3)
				if !slices.Equal(got, want) || !slices.Equal(perSection, want) || !slices.Equal(small, want) {
					t.Errorf("window %d %v: warmed %v, read %v, name indexes %v, warmed with limit 3 %v", i, q, got, want, perSection, small)
				}
				if !read {
					t.Errorf("window %d %v: names not read from the kept events", i, q)
				}
			}
		})
	}
}

// warmedAndPlain returns two Stores of one new index file holding
// history, the first warmed.
func warmedAndPlain(tb testing.TB, history []*livespec.Batch) (warmed, plain *Store) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "x.db")
	warmed, plain = openAt(tb, path), openAt(tb, path)
	applyAll(tb, warmed, history...)
	if err := warmed.Warm(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return warmed, plain
}

// askWithLimit asks s's ChangedSections with the window limit lowered to
// limit and nothing kept, and leaves what s kept as it was.
func askWithLimit(tb testing.TB, s *Store, q livespec.ChangeQuery, keys []livespec.Key, limit int) []livespec.Key {
	tb.Helper()
	w := &s.mem().windows
	kept := w.by
	w.by, w.limit = nil, limit
	defer func() { w.by, w.limit = kept, 0 }()
	got, err := s.ChangedSections(context.Background(), q, keys)
	if err != nil {
		tb.Fatal(err)
	}
	return got
}

// randomHistory returns n commits of random section events, in two
// repositories, a commit's events on one section in up to three parts,
// some renaming a path or heading (on any part), and every name an
// event has or had.
func randomHistory(rng *rand.Rand, n int) ([]*livespec.Batch, []livespec.Key) {
	pick := func(of ...string) string { return of[rng.IntN(len(of))] }
	seen := map[livespec.Key]bool{}
	var out []*livespec.Batch
	for c := range n {
		repo := pick("r", "r", "q")
		commit := fmt.Sprint("c", c)
		date := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(90*24)) * time.Hour)
		b := &livespec.Batch{Repo: repo}
		for range 1 + rng.IntN(4) {
			p, h := pick("a.md", "b.md", "c.md"), pick("A", "B", "C", "")
			for part := range 1 + rng.IntN(3) {
				ch := livespec.Change{ID: fmt.Sprint(commit, p, "#", h, part, len(b.Changes)), Repo: repo, Commit: commit, Seq: int64(c),
					Date: date, Section: true, Path: p, Heading: h, Part: part, Kind: livespec.Modified}
				if rng.IntN(3) == 0 {
					ch.Kind = livespec.Renamed
					old := fmt.Sprint("old", rng.IntN(30)) // mostly a name no other event has
					switch rng.IntN(3) {
					case 0:
						ch.OldPath = pick("a.md", old+".md")
					case 1:
						ch.OldHeading = pick("A", old)
					default:
						ch.OldPath, ch.OldHeading = pick(old+".md", "b.md"), pick(old, "B")
					}
				}
				b.Changes = append(b.Changes, ch)
				seen[livespec.Key{Repo: repo, Path: p, Heading: h}] = true
				seen[livespec.Key{Repo: repo, Path: cmp.Or(ch.OldPath, p), Heading: cmp.Or(ch.OldHeading, h)}] = true
			}
		}
		out = append(out, b)
	}
	keys := slices.SortedFunc(maps.Keys(seen), func(a, b livespec.Key) int {
		return cmp.Or(cmp.Compare(a.Repo, b.Repo), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Heading, b.Heading))
	})
	return out, append(keys, livespec.Key{Repo: "r", Path: "z.md", Heading: "A"})
}

// randomWindow returns a change query of a random window in or around
// randomHistory's 90 days (open at either end at times), of one
// repository at times.
func randomWindow(rng *rand.Rand) livespec.ChangeQuery {
	from := time.Date(2023, 12, 25, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(100*24)) * time.Hour)
	var q livespec.ChangeQuery
	if rng.IntN(5) > 0 {
		q.From = from
	}
	if rng.IntN(5) > 0 {
		q.To = from.Add(time.Duration(1+rng.IntN(40*24)) * time.Hour)
	}
	if rng.IntN(4) == 0 {
		q.Repos = []string{"q"}
	}
	return q
}
