package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/sqlite"
)

// BenchmarkSearchChanged runs the searches a topic's change report makes
// of the files a month or a year changed (300 hits of any version, restricted to
// the files with section events in the month, as matchInWindow asks):
// windows of at most 64 such files, whose versions are read by path, and
// windows of more, which widen the candidate texts. It reports the CPU
// time per search, which a busy machine's queue does not inflate.
func BenchmarkSearchChanged(b *testing.B) {
	st := indexStore(b)
	ctx := context.Background()
	now := newestChange(b, st)
	texts := []string{"graduation criteria", "pod security admission", "swap memory", "topology aware routing", "production readiness review", "test plan"}
	byCount := map[string][]livespec.SearchQuery{}
	var windows []livespec.Window
	for m := range 48 {
		from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -m, 0)
		windows = append(windows, livespec.Window{From: from, To: from.AddDate(0, 1, 0)})
	}
	for y := range 6 {
		from := time.Date(now.Year()-y, 1, 1, 0, 0, 0, 0, time.UTC)
		windows = append(windows, livespec.Window{From: from, To: from.AddDate(1, 0, 0)})
	}
	for m, w := range windows {
		files, err := st.ChangedFiles(ctx, livespec.ChangeQuery{From: w.From, To: w.To})
		if err != nil {
			b.Fatal(err)
		}
		if len(files) == 0 {
			continue
		}
		q := livespec.SearchQuery{Text: texts[m%len(texts)], Validity: livespec.AnyVersion(), Repos: []string{files[0].Repo}, Limit: 300}
		for _, f := range files {
			q.Paths = append(q.Paths, livespec.LiteralGlob(f.Path))
		}
		name := "few_files"
		if len(q.Paths) > 64 {
			name = "many_files"
		}
		byCount[name] = append(byCount[name], q)
	}
	for _, name := range []string{"few_files", "many_files"} {
		qs := byCount[name]
		if len(qs) == 0 {
			continue
		}
		b.Run(name, func(b *testing.B) {
			cpu := cpuTime()
			for i := 0; b.Loop(); i++ {
				if _, err := st.Search(ctx, qs[i%len(qs)]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			files := 0
			for _, q := range qs {
				files += len(q.Paths)
			}
			b.ReportMetric(float64(files)/float64(len(qs)), "files")
		})
	}
}

// BenchmarkChangedSections asks which sections of the files a month
// changed did change in the month (every section those files have had,
// up to 300), as a topic's change report asks of its hits.
func BenchmarkChangedSections(b *testing.B) {
	st := indexStore(b)
	ctx := context.Background()
	asks := monthAsks(b, st, 300)
	cpu := cpuTime()
	for i := 0; b.Loop(); i++ {
		a := asks[i%len(asks)]
		if _, err := st.ChangedSections(ctx, a.q, a.keys); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// BenchmarkCountChanges counts the events of a month (the last 48
// months), as a topic's change report that kept none says how many
// landed: counted by the store (count), against reading the month's
// events briefly and merging their parts (read), which the report did
// before; the two must agree on every month. It reports the CPU time per
// month.
func BenchmarkCountChanges(b *testing.B) {
	st := indexStore(b)
	ctx := context.Background()
	now := newestChange(b, st)
	total := func(n map[string]int, err error) (int, error) {
		t := 0
		for _, c := range n {
			t += c
		}
		return t, err
	}
	count := func(q livespec.ChangeQuery) (int, error) { return total(st.CountChanges(ctx, q)) }
	read := func(q livespec.ChangeQuery) (int, error) {
		cs, err := st.Changes(ctx, q)
		return total(livespec.CountChangesOf(cs), err)
	}
	var qs []livespec.ChangeQuery
	for m := range 48 {
		from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -m, 0)
		q := livespec.ChangeQuery{From: from, To: from.AddDate(0, 1, 0), Sections: true, Brief: true}
		c, err1 := count(q)
		r, err2 := read(q)
		if err1 != nil || err2 != nil || c != r {
			b.Fatalf("%s: counted %d (%v), read %d (%v)", from.Format("2006-01"), c, err1, r, err2)
		}
		qs = append(qs, q)
	}
	for _, bm := range []struct {
		name  string
		count func(livespec.ChangeQuery) (int, error)
	}{{"count", count}, {"read", read}} {
		b.Run(bm.name, func(b *testing.B) {
			cpu := cpuTime()
			for i := 0; b.Loop(); i++ {
				if _, err := bm.count(qs[i%len(qs)]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

// BenchmarkSectionChanges reads the events of up to 50 sections of the
// files a month changed (the last 24 months), in the month, as a topic's
// change report asks, and in all history, as a timeline asks. It reports
// the CPU time per read.
func BenchmarkSectionChanges(b *testing.B) {
	st := indexStore(b)
	ctx := context.Background()
	month := monthAsks(b, st, 50)
	var history []changeAsk
	for _, a := range month {
		history = append(history, changeAsk{keys: a.keys})
	}
	for _, bc := range []struct {
		name string
		asks []changeAsk
	}{{"month", month}, {"history", history}} {
		b.Run(bc.name, func(b *testing.B) {
			cpu := cpuTime()
			for i := 0; b.Loop(); i++ {
				a := bc.asks[i%len(bc.asks)]
				if _, err := st.SectionChanges(ctx, a.q, a.keys); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

// changeAsk is a period and the sections a change report asks about in it.
type changeAsk struct {
	q    livespec.ChangeQuery
	keys []livespec.Key
}

// monthAsks makes one changeAsk for each of the last 24 months that
// changed a file: the month, and up to max sections those files have had.
func monthAsks(b *testing.B, st *sqlite.Store, max int) []changeAsk {
	b.Helper()
	ctx := context.Background()
	now := newestChange(b, st)
	var asks []changeAsk
	for m := range 24 {
		from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -m, 0)
		q := livespec.ChangeQuery{From: from, To: from.AddDate(0, 1, 0)}
		files, err := st.ChangedFiles(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		vq := livespec.VersionQuery{Validity: livespec.AnyVersion()}
		for _, f := range files {
			vq.Paths = append(vq.Paths, livespec.LiteralGlob(f.Path))
		}
		if len(vq.Paths) == 0 {
			continue
		}
		vs, err := st.Versions(ctx, vq)
		if err != nil {
			b.Fatal(err)
		}
		a := changeAsk{q: q}
		seen := map[livespec.Key]bool{}
		for _, v := range vs {
			k := livespec.Key{Repo: v.Repo, Path: v.Path, Heading: v.Heading}
			if !seen[k] && len(a.keys) < max {
				seen[k] = true
				a.keys = append(a.keys, k)
			}
		}
		asks = append(asks, a)
	}
	return asks
}
