package retrieval

import (
	"context"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/lex"
)

// allCandidates is every file a topic could name, listed the long way: the
// pool's files in rank order (titled by their first titled hit, else by
// their current title), then every current file the pool lacks.
func allCandidates(pool []livespec.Version, cur *currentSet) []*fileCand {
	var cands []*fileCand
	byFile := map[fileID]*fileCand{}
	add := func(f fileID, title string, rank int) *fileCand {
		c, ok := byFile[f]
		if !ok {
			c = &fileCand{f: f, rank: rank}
			byFile[f] = c
			cands = append(cands, c)
		}
		if c.title == "" {
			c.title = title
		}
		return c
	}
	for i, v := range pool {
		add(fileID{v.Repo, v.Path}, firstHeading(v.Heading), i)
	}
	for _, f := range cur.files {
		add(f.f, f.title, len(pool)).current = true
	}
	for _, c := range cands {
		c.base, c.words = nameTerms(docName(c.f.path)), nameTerms(c.title)
	}
	return cands
}

// TestFileCandidatesWeighEveryFile checks that the files a topic may name
// are listed with the name terms, order and ranks of the full list of the
// pool's and the current files, that none the topic's words could name is
// left out, and that name words weigh by their rarity among all of them.
func TestFileCandidatesWeighEveryFile(t *testing.T) {
	ctx := context.Background()
	st := &writableFiles{titles: map[string]string{
		"keps/node-swap.md":      "Node swap support",
		"keps/pod-security.md":   "Pod Security Admission",
		"keps/sidecar.md":        "Sidecar containers",
		"keps/README.md":         "Kubernetes Enhancement Proposals",
		"docs/security-guide.md": "Security guide",
	}}
	a := &Assistant{Store: st}
	ver := func(path, heading string) livespec.Version {
		return livespec.Version{ID: path + "#" + heading, Key: livespec.Key{Repo: "r", Path: path, Heading: heading}}
	}
	for _, tt := range []struct {
		name  string
		topic string
		pool  []livespec.Version
	}{
		{"pool of current files", "pod security admission",
			[]livespec.Version{ver("keps/pod-security.md", "Pod Security Admission > Goals"), ver("keps/sidecar.md", "Sidecar containers")}},
		{"a pool file titled otherwise than now", "node swap",
			[]livespec.Version{ver("keps/node-swap.md", "Swap on Linux nodes > Design"), ver("keps/node-swap.md", "Swap on Linux nodes")}},
		{"a removed file and an untitled hit", "security guide",
			[]livespec.Version{ver("old/guide.md", "Guide > Security"), ver("docs/security-guide.md", "")}},
		{"empty pool", "sidecar containers", nil},
		{"an acronym's expansion", "the KEP README", []livespec.Version{ver("keps/sidecar.md", "Sidecar containers")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := &topicMatch{topic: tt.topic, words: lexContent(lexQuery(tt.topic))}
			m.words[0].expansion = []string{"kubernet", "enhanc"} // as lexExpand may find
			cur, err := a.current(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			hits := make([]livespec.Hit, len(tt.pool))
			for i, v := range tt.pool {
				hits[i].Version = v
			}
			got, nw, err := a.fileCandidates(ctx, m, hits, nil)
			if err != nil {
				t.Fatal(err)
			}
			all := allCandidates(tt.pool, cur)
			var want []*fileCand
			for _, c := range all {
				if _, cov := topicCover(m, c); cov > 0 || c.rank < len(tt.pool) {
					want = append(want, c)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("got %d candidates %v, want %d %v", len(got), files(got), len(want), files(want))
			}
			for i := range want {
				g, w := got[i], want[i]
				if g.f != w.f || g.rank != w.rank || g.current != w.current || !slices.Equal(g.base, w.base) || !slices.Equal(g.words, w.words) {
					t.Errorf("candidate %d = %+v, want %+v", i, *g, *w)
				}
			}
			df := map[string]int{}
			for _, c := range all {
				for w := range nameSet(c) {
					df[w]++
				}
			}
			for w, n := range df {
				if want := math.Log(1 + float64(len(all))/float64(n)); math.Abs(nw.weight(w)-want) > 1e-12 {
					t.Errorf("weight of %q = %v, want %v (%d of %d files)", w, nw.weight(w), want, n, len(all))
				}
			}
		})
	}
}

// nameSet returns the distinct words of c's file name and title.
func nameSet(c *fileCand) map[string]bool {
	set := make(map[string]bool, len(c.base)+len(c.words))
	for _, w := range c.base {
		set[w] = true
	}
	for _, w := range c.words {
		set[w] = true
	}
	return set
}

func files(cs []*fileCand) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.f.path)
	}
	return out
}

// TestTermSet checks a term set against a map of the same terms: every
// term and none other is in it, once, in the order first added; a set too
// large for 16-bit table entries too.
func TestTermSet(t *testing.T) {
	var large, long []string
	for i := range 70_000 {
		large = append(large, fmt.Sprintf("t%d", i%69_999))
	}
	for i := range 4_000 { // few terms, but more than 65,535 bytes of them
		long = append(long, fmt.Sprintf("internationalisation%d", i))
	}
	tests := []struct {
		name   string
		terms  []string
		probes []string
	}{
		{"small", []string{"pod", "pod secur", "secur", "pod", "", "po", "pods", "zeta", "alpha", "~int64", "écrit"}, []string{"p", "podss", "secu", "zz", "~int", "ecrit", "pod secu"}},
		{"large", large, []string{"t69999", "t", "t-1", "", "t0 "}},
		{"long", long, []string{"internationalisation", "internationalisation4000", "internationalisation39"}},
		{"empty", nil, []string{"", "pod"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := map[string]bool{}
			var first []string
			for _, w := range tc.terms {
				if !want[w] {
					first = append(first, w)
				}
				want[w] = true
			}
			s := newTermSet(slices.Clone(tc.terms))
			var got []string
			for i := range s.len() {
				got = append(got, s.at(i))
			}
			if !slices.Equal(got, first) {
				t.Errorf("%d terms, want %d: each once, in order", len(got), len(first))
			}
			for _, probe := range append(tc.terms, tc.probes...) {
				if got := s.has(probe); got != want[probe] {
					t.Fatalf("has(%q) = %v, want %v", probe, got, want[probe])
				}
			}
		})
	}
}

// TestTermSetPhrases checks a set of terms and phrases against a map of
// the same terms and of each phrase written "x y": every one and none
// other is in it, whether a term holds a space or not, in a small set and
// in one too large for 16-bit entries.
func TestTermSetPhrases(t *testing.T) {
	var large []string
	var largePairs [][2]int
	for i := range 70_000 {
		large = append(large, fmt.Sprintf("t%d", i))
		if i%7 == 0 && i > 0 {
			largePairs = append(largePairs, [2]int{i - 1, i})
		}
	}
	tests := []struct {
		name   string
		words  []string
		pairs  [][2]int // indices into words
		probes []string
	}{
		{"small", []string{"pod", "secur", "admiss", "pod", "namespac", "x y", "z"}, [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {5, 6}, {4, 4}},
			[]string{"secur pod", "pod admiss", "pod ", " pod", "pod  secur", "pod secur admiss", "x y z", "x", "y z", "namespac namespac", "admiss pod"}},
		{"large", large, largePairs, []string{"t6 t7", "t7 t8", "t69998 t69999", "t69999 t0", "t0 t1"}},
		{"no phrases", []string{"pod", "secur"}, nil, []string{"pod secur", "pod"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := map[string]bool{}
			b := newTermBuilder(len(tc.words), true)
			defer b.done()
			idx := make([]int, len(tc.words))
			for i, w := range tc.words {
				idx[i] = b.add(w)
				want[w] = true
			}
			for _, p := range tc.pairs {
				b.addPair(idx[p[0]], idx[p[1]])
				want[tc.words[p[0]]+" "+tc.words[p[1]]] = true
			}
			s := b.set()
			for _, probe := range append(slices.Collect(maps.Keys(want)), tc.probes...) {
				if got := s.has(probe); got != want[probe] {
					t.Fatalf("has(%q) = %v, want %v", probe, got, want[probe])
				}
			}
		})
	}
}

// TestAnalyse checks an analysis against the terms, phrases and pieces of
// the text's tokens, each word stemmed where it stands: a word repeated,
// in another case or as a stop word, has the same term wherever it is. Each
// text is analysed twice, by builders reused between analyses.
func TestAnalyse(t *testing.T) {
	tests := []struct{ name, text string }{
		{"repeated words", "Pods run pods; a POD runs. Pods and the pods of pods."},
		{"stop words between", "the pod of the node and the node of the pod"},
		{"symbols and parts", "readOnly `$dynamicRef` and $dynamicRef, src/oas.md, read-only, x-"},
		{"empty", ""},
		{"one word", "pod"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, phrases := range []bool{false, true} {
				want := plainAnalysis(tc.text, phrases)
				for range 2 {
					if got := analysisOf(analyse(tc.text, phrases)); !reflect.DeepEqual(got, want) {
						t.Errorf("analyse(phrases %v) = %+v, want %+v", phrases, got, want)
					}
				}
			}
		})
	}
}

// analysis is what a lexDoc holds, written out.
type analysis struct {
	terms, pairs, pieces []string
}

func analysisOf(d *lexDoc) analysis {
	var a analysis
	for i := range d.terms.len() {
		a.terms = append(a.terms, d.terms.at(i))
		for j := range d.terms.len() {
			if d.terms.hasPair(i, j) {
				a.pairs = append(a.pairs, d.terms.at(i)+" "+d.terms.at(j))
			}
		}
	}
	a.pieces = slices.Sorted(maps.Keys(d.pieces))
	slices.Sort(a.pairs)
	return a
}

// plainAnalysis is the analysis of text read token by token: each token's
// stem a term, first seen first; each two adjacent words of the running
// text, stop words apart, a phrase; each symbol's pieces.
func plainAnalysis(text string, phrases bool) analysis {
	var a analysis
	seen := map[string]bool{}
	prev := ""
	for _, tok := range lex.Tokens(text) {
		st := lex.Stem(tok.Word)
		if !seen[st] {
			seen[st] = true
			a.terms = append(a.terms, st)
		}
		a.pieces = append(a.pieces, tok.Pieces()...)
		if !phrases || tok.Part {
			continue
		}
		if lex.Stop(tok.Word) {
			prev = ""
			continue
		}
		if p := prev + " " + st; prev != "" && !slices.Contains(a.pairs, p) {
			a.pairs = append(a.pairs, p)
		}
		prev = st
	}
	slices.Sort(a.pieces)
	a.pieces = slices.Compact(a.pieces)
	slices.Sort(a.pairs)
	return a
}

// TestLexDocPhrasePrefix checks that a phrase whose last word is written
// with a prefix is held by a text that writes the longer symbol after the
// same word ("solaris 9" of "Solaris 9.2"), and only with a prefix.
func TestLexDocPhrasePrefix(t *testing.T) {
	d := lexAnalyse("Support for Solaris 9.2 hosts and for Windows nodes.")
	solaris, nine := lex.Stem("solaris"), lex.Stem("9")
	for _, tc := range []struct {
		name, term string
		prefix     bool
		want       bool
	}{
		{"the number's dotted form, with a prefix", solaris + " " + nine, true, true},
		{"the number's dotted form, exactly", solaris + " " + nine, false, false},
		{"the whole symbol, exactly", solaris + " " + lex.Stem("9.2"), false, true},
		{"another word before the number", lex.Stem("windows") + " " + nine, true, false},
		{"another number", solaris + " " + lex.Stem("8"), true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := d.holds(tc.term, tc.prefix); got != tc.want {
				t.Errorf("holds(%q, %v) = %v, want %v", tc.term, tc.prefix, got, tc.want)
			}
		})
	}
}

// TestLexDocTerms checks what an analysed text holds: the stems of its
// words, its adjacent pairs of words unless a stop word parts them, and
// with a prefix the symbols the prefix starts.
func TestLexDocTerms(t *testing.T) {
	text := "Pod Security admission: the pods of a namespace, with `~int64` values."
	d := lexAnalyse(text)
	pod, sec, adm := lex.Stem("pod"), lex.Stem("security"), lex.Stem("admission")
	for _, tc := range []struct {
		term   string
		prefix bool
		want   bool
	}{
		{pod, false, true},
		{sec, false, true},
		{pod + " " + sec, false, true},
		{sec + " " + adm, false, true},
		{adm + " " + pod, false, false}, // "the" parts them
		{lex.Stem("namespace"), false, true},
		{"~int64", false, true},
		{"~int", false, false},
		{"~int", true, true},
		{"kubelet", false, false},
	} {
		if got := d.holds(tc.term, tc.prefix); got != tc.want {
			t.Errorf("holds(%q, %v) = %v, want %v", tc.term, tc.prefix, got, tc.want)
		}
	}
	if ws := slices.Collect(textWords(text)); len(ws) != 11 || ws[0] != "Pod" || ws[10] != "values" {
		t.Errorf("words %v: want 11 from Pod to values", ws)
	}
}

// TestTermHitsCoverage checks that a pool's coverages and core, found from
// one look-up per version and term, are those lexCoverage and has give.
func TestTermHitsCoverage(t *testing.T) {
	texts := []string{
		"The pod security admission controller enforces pod security standards.",
		"Admission webhooks may mutate pods; the TSC reviews them.",
		"Security contexts set `runAsUser` and `~int64` fields of a pod.",
		"Nothing here is about the topic at all.",
	}
	docs := make([]*lexDoc, len(texts))
	for i, s := range texts {
		docs[i] = lexAnalyse(s)
	}
	docs = append(docs, lexAnalyseTerms(texts[0])) // its words, no phrases
	tests := []struct {
		name  string
		topic string
	}{
		{"words and phrases", "pod security admission"},
		{"a phrase no text has", "security pod webhooks"},
		{"phrases sharing words", "pod security pod admission security standards"},
		{"a prefix symbol", "the `~int` field runAsUser"},
		{"an acronym spelled out", "TSC reviews"},
		{"nothing held", "quantum entanglement"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			all := append(lexContent(lexQuery(tc.topic)), lexPhrases(tc.topic)...)
			lexExpand(all, wholeTexts(slices.Values([]string{"The Technical Steering Committee"})))
			for i := range all {
				all[i].weight = 1 + float64(i)/3
			}
			held := holdings(all, docs)
			for i, d := range docs {
				sub := held.core(all, i)
				if got, want := held.coverage(i, all, held.indices(all, all)), lexCoverage(all, d); got != want {
					t.Errorf("text %d: coverage of every term %v, lexCoverage %v", i, got, want)
				}
				for _, q := range all {
					got := slices.ContainsFunc(sub, func(c qterm) bool { return c.term == q.term })
					if got != d.has(q) {
						t.Errorf("text %d: core holds %q: %v, has: %v", i, q.term, got, d.has(q))
					}
				}
				if len(sub) > 0 {
					for j := range docs {
						if got, want := held.coverage(j, all, held.indices(all, sub)), lexCoverage(sub, docs[j]); got != want {
							t.Errorf("text %d, core of %d: coverage %v, lexCoverage %v", j, i, got, want)
						}
					}
				}
			}
		})
	}
}

// TestFirstHeading checks the title read from a heading path.
func TestFirstHeading(t *testing.T) {
	tests := []struct{ name, heading, want string }{
		{"a path", "Overlays > Design > Merging", "Overlays"},
		{"a title alone", "Overlays", "Overlays"},
		{"text before the first heading", "", ""},
		{"front matter", livespec.FrontMatterHeading, ""},
		{"a heading holding a bare >", "A>B > C", "A>B"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := firstHeading(tc.heading); got != tc.want {
				t.Errorf("firstHeading(%q) = %q, want %q", tc.heading, got, tc.want)
			}
		})
	}
}

// TestFirstSlotsConfirmIsIndex checks that looking terms up together
// (termSet.firstSlots, then confirm) finds each where looking it up alone
// does: terms there and not, in a small set, in
// one too large for 16-bit entries (whose tables hold long runs of
// probes) and in an empty one.
func TestFirstSlotsConfirmIsIndex(t *testing.T) {
	var large []string
	for i := range 70_000 {
		large = append(large, fmt.Sprintf("t%d", i))
	}
	tests := []struct {
		name   string
		terms  []string
		probes []string
	}{
		{"small", []string{"pod", "secur", "admiss", "namespac"}, []string{"admiss", "pod", "node", "", "secur pod", "namespac", "pods"}},
		{"large", large, []string{"t0", "t69999", "t70000", "t35000", "t1", "x", "t12345", "t99999"}},
		{"empty", nil, []string{"pod", ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTermSet(tc.terms)
			hs := make([]uint64, len(tc.probes))
			for k, p := range tc.probes {
				hs[k] = termHash(p)
			}
			got := make([]int, len(tc.probes))
			s.firstSlots(hs, got)
			s.confirm(tc.probes, hs, got)
			for k, p := range tc.probes {
				if want := s.index(p); got[k] != want {
					t.Errorf("looked up together, %q is at %d; alone, at %d", p, got[k], want)
				}
			}
		})
	}
}

// TestCoversEither checks that a topic word covers a name made of a file
// name's words and a title's words as it covers the two joined
// (coversName of each of their words): the same term in either, or an
// acronym whose expansion the two spell together.
func TestCoversEither(t *testing.T) {
	term := qterm{term: "quota"}
	acronym := qterm{term: "hpa", expansion: []string{"horizont", "pod", "autoscal"}}
	tests := []struct {
		name        string
		q           qterm
		base, words []string
		want        bool
	}{
		{"the term in the file name", term, []string{"quota"}, []string{"limit"}, true},
		{"the term in the title", term, []string{"readm"}, []string{"resourc", "quota"}, true},
		{"the term in neither", term, []string{"readm"}, []string{"limit"}, false},
		{"an expansion in the title", acronym, []string{"readm"}, []string{"horizont", "pod", "autoscal"}, true},
		{"an expansion across the two", acronym, []string{"horizont", "pod"}, []string{"autoscal"}, true},
		{"part of an expansion", acronym, []string{"pod"}, []string{"autoscal"}, false},
		{"the acronym itself", acronym, nil, []string{"hpa"}, true},
		{"no words", acronym, nil, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := coversEither(tc.q, tc.base, tc.words)
			joined := append(slices.Clone(tc.base), tc.words...)
			if joinedCovers := slices.ContainsFunc(joined, func(w string) bool { return coversName(tc.q, w, joined) }); got != joinedCovers {
				t.Errorf("coversEither = %v, but the joined name covers: %v", got, joinedCovers)
			}
			if got != tc.want {
				t.Errorf("coversEither(%v, %q, %q) = %v, want %v", tc.q.term, tc.base, tc.words, got, tc.want)
			}
		})
	}
}
