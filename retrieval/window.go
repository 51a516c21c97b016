package retrieval

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/livespec/livespec"
)

// Bounds of the periods' facts an Assistant keeps (see windowFacts).
const (
	maxWindows        = 128  // periods
	maxWindowSections = 1024 // sections whose changes one period remembers
)

// windowBound bounds the kept periods by their number.
type windowBound struct{}

func (windowBound) weigh(*windowFacts) int64 { return 1 }
func (windowBound) max() int64               { return maxWindows }

// windowFacts is what the topic change reports of one period (window and
// repositories) read of it whatever their topic, kept per index version
// (Assistant.windows): in a busy workspace several topics are asked of
// one month. Each fact is read when a report first needs it: the files
// the period's file-level events touched, the files with section events,
// how many events landed, and, for each section a report asked about,
// whether an event of the period changed it, so that a later report asks
// the store only about the sections no earlier one did.
type windowFacts struct {
	mu      sync.Mutex
	events  *windowEvents
	counts  map[string]int        // CountChanges, once read
	changed map[livespec.Key]bool // sections asked (Part zero): changed or not
}

// windowEvents are a period's files: touched holds each distinct place of
// its file-level events (file and old path), files the files with section
// events (ChangedFiles).
type windowEvents struct {
	touched []touchedFile
	files   []livespec.Key
}

// touchedFile is where a file-level event was: its file and, when it
// renamed the file, the path it had.
type touchedFile struct {
	f       fileID
	oldPath string
}

// window returns the facts of q's period and repositories, kept for the
// index version.
func (a *Assistant) window(ctx context.Context, q livespec.ChangeQuery) (*windowFacts, error) {
	key := strconv.FormatInt(q.From.UnixNano(), 10) + "," + strconv.FormatInt(q.To.UnixNano(), 10) + "\x00" + strings.Join(q.Repos, "\x00")
	return a.windows.get(ctx, a.Store, key, func() (*windowFacts, error) {
		return &windowFacts{changed: map[livespec.Key]bool{}}, nil
	})
}

// fileEvents returns where the period's file-level events were (see
// touchedOf) and its files with section events, read once. Both are
// shared: callers must not change them.
func (w *windowFacts) fileEvents(ctx context.Context, st livespec.Store, q livespec.ChangeQuery) (*windowEvents, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.events != nil {
		return w.events, nil
	}
	q.Sections, q.Brief = false, true
	cs, err := st.Changes(ctx, q) // one file-level event per file and commit
	if err != nil {
		return nil, storeError("read changes", err)
	}
	e := &windowEvents{touched: touchedOf(cs)}
	if len(cs) > 0 {
		if e.files, err = st.ChangedFiles(ctx, q); err != nil {
			return nil, storeError("read changed files", err)
		}
	}
	w.events = e
	return e, nil
}

// touchedOf returns where the events cs were, each place once, in order.
func touchedOf(cs []livespec.Change) []touchedFile {
	var out []touchedFile
	seen := map[touchedFile]bool{}
	for _, c := range cs {
		t := touchedFile{fileID{c.Repo, c.Path}, c.OldPath}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// count returns CountChanges of the period, read once.
func (w *windowFacts) count(ctx context.Context, st livespec.Store, q livespec.ChangeQuery) (map[string]int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.counts != nil {
		return w.counts, nil
	}
	counts, err := st.CountChanges(ctx, q)
	if err != nil {
		return nil, storeError("count changes", err)
	}
	if counts == nil {
		counts = map[string]int{}
	}
	w.counts = counts
	return counts, nil
}

// changedSections returns those of keys that an event of the period
// changed, in order (Store.ChangedSections), asking the store only about
// the sections not asked before.
func (w *windowFacts) changedSections(ctx context.Context, st livespec.Store, q livespec.ChangeQuery, keys []livespec.Key) ([]livespec.Key, error) {
	w.mu.Lock()
	var ask []livespec.Key
	for _, k := range keys {
		if _, ok := w.changed[sectionKey(k)]; !ok {
			ask = append(ask, k)
		}
	}
	w.mu.Unlock()
	got := map[livespec.Key]bool{}
	if len(ask) > 0 {
		changed, err := st.ChangedSections(ctx, q, ask)
		if err != nil {
			return nil, storeError("read changed sections", err)
		}
		for _, k := range changed {
			got[sectionKey(k)] = true
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, k := range ask {
		if len(w.changed) < maxWindowSections {
			w.changed[sectionKey(k)] = got[sectionKey(k)]
		}
	}
	var out []livespec.Key
	for _, k := range keys {
		c, ok := w.changed[sectionKey(k)]
		if !ok {
			c = got[sectionKey(k)]
		}
		if c {
			out = append(out, k)
		}
	}
	return out, nil
}

// sectionKey is k without its part: a section asked about.
func sectionKey(k livespec.Key) livespec.Key {
	k.Part = 0
	return k
}
