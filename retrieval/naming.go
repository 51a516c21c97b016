package retrieval

import (
	"context"
	"slices"
	"strings"

	"github.com/livespec/livespec"
)

// A question that names a thing ("what does the spec say about Graduation
// Requirements?", see namedObject) is answered first by the sections that
// name it: a section whose own heading is the thing's words, then one whose
// own heading holds them side by side ("Production Readiness Review
// Questionnaire"), then one whose text holds them side by side (or, for a
// compound, its parts: "kube-scheduler"), and only then the sections that
// hold its words apart, however well those rank by BM25. Each tier keeps
// the search's order.

// Naming tiers: how a section names a thing, best first. A section
// naming only an alternative of the thing ("X" of "X or Y") ranks in the
// same tiers after every section naming the whole thing (tier+namedNot),
// and one naming neither last (notNaming).
const (
	namedByHeading = iota // its own heading is the thing's words
	namedInHeading        // its own heading holds them side by side
	namedInText           // its text or heading path holds them side by side
	namedNot              // it holds them apart, or not at all
	notNaming      = 2 * namedNot
)

// thingName is one reading of a named thing: the whole of it, or one of
// its alternatives ("X or Y").
type thingName struct {
	terms []string // distinct content terms (stems), in order
	pairs []string // its adjacent content words side by side, as stems ("kube schedul")
	words []string // the same pairs as written, for the store
}

// naming is what a version must hold to name a thing; a zero naming names
// nothing and ranks every version alike.
type naming struct {
	thing string
	names []thingName // the whole thing first, then its alternatives
}

// namingOf returns the naming of thing: its content words (without stop
// and generic words) as a whole and, when it has alternatives, each of
// them. A thing without content words names nothing.
func namingOf(thing string) naming {
	n := naming{thing: thing}
	readings := []string{thing}
	if alts := alternatives(thing); len(alts) > 1 {
		readings = append(readings, alts...)
	}
	for _, r := range readings {
		var name thingName
		for _, q := range lexContent(lexQuery(r)) {
			if !q.generic {
				name.terms = append(name.terms, q.term)
			}
		}
		if len(name.terms) == 0 {
			continue
		}
		for _, p := range lexPhrases(r) {
			name.pairs = append(name.pairs, p.term)
			name.words = append(name.words, p.word)
		}
		n.names = append(n.names, name)
	}
	return n
}

// named reports whether n names anything.
func (n naming) named() bool { return len(n.names) > 0 }

// headingTier returns how v's own heading names the thing: namedByHeading,
// namedInHeading, or namedNot, plus namedNot for an alternative of it;
// notNaming when it names neither.
func (n naming) headingTier(v livespec.Version) int {
	own := v.Heading
	if i := strings.LastIndex(own, " > "); i >= 0 {
		own = own[i+len(" > "):]
	}
	best := notNaming
	if own == "" {
		return best
	}
	h := docs.analyse(own, true)
	for i, name := range n.names {
		t := namedNot
		switch {
		case !name.heldBy(h, own):
		case name.isHeading(own):
			t = namedByHeading
		default:
			t = namedInHeading
		}
		if t == namedNot {
			continue
		}
		if i > 0 {
			t += namedNot
		}
		best = min(best, t)
	}
	return best
}

// textTier returns namedInText when c's heading path or text holds a
// name of several words side by side (plus namedNot for an alternative),
// or notNaming: a section under a heading naming the thing ("Production
// Readiness Review Questionnaire > Rollback Planning") names it as well as
// one whose text does, and better than a table of contents listing it.
func (n naming) textTier(c *candidate) int {
	d := c.doc
	if d == nil {
		d = docs.analyse(c.v.Text, false)
	}
	h := c.header
	if h == nil {
		h = headerDoc(c.v)
	}
	missing := func(t string) bool { return !d.terms.has(t) && !h.terms.has(t) }
	for i, name := range n.names {
		if len(name.pairs) == 0 || slices.ContainsFunc(name.terms, missing) || !pathOrTextHolds(c.v, name.pairs) {
			continue
		}
		if i > 0 {
			return namedInText + namedNot
		}
		return namedInText
	}
	return notNaming
}

// pathOrTextHolds reports whether one heading of v's heading path, or its
// text, holds one of pairs side by side (holdsPair); a pair never spans two
// headings.
func pathOrTextHolds(v livespec.Version, pairs []string) bool {
	for h := range strings.SplitSeq(v.Heading, " > ") {
		if holdsPair(h, pairs) {
			return true
		}
	}
	return holdsPair(v.Text, pairs)
}

// heldBy reports whether the heading text, analysed as d, holds every
// term of name and all its pairs side by side, as words or as the parts
// of a compound ("Kube-scheduler implementation").
func (name thingName) heldBy(d *lexDoc, text string) bool {
	for _, t := range name.terms {
		if !d.terms.has(t) {
			return false
		}
	}
	for _, p := range name.pairs {
		if !d.terms.has(p) && !holdsPair(text, []string{p}) {
			return false
		}
	}
	return true
}

// isHeading reports whether the content words of heading are the name's
// own, no more: the heading is the thing's name.
func (name thingName) isHeading(heading string) bool {
	seen := map[string]bool{}
	for _, q := range lexQuery(heading) {
		if q.generic {
			continue
		}
		if !slices.Contains(name.terms, q.term) {
			return false
		}
		seen[q.term] = true
	}
	return len(seen) == len(name.terms)
}

// namingHits returns the best searchPool versions valid under validity
// that hold every word of the whole thing n names and one pair of them
// side by side, as the index reads them (see holdingQuery), ranked by
// BM25; none when the thing has no two words side by side.
func (a *Assistant) namingHits(ctx context.Context, n naming, validity livespec.Validity, repos []string) ([]livespec.Hit, error) {
	pairs := lexPhrases(n.thing)
	if len(pairs) == 0 {
		return nil, nil
	}
	cs, err := a.corpus(ctx)
	if err != nil {
		return nil, err
	}
	q := holdingQuery(n.thing, significant(cs, n.thing), pairs, repos)
	q.Validity, q.Limit = validity, searchPool
	hits, err := a.Store.Search(ctx, q)
	if err != nil {
		return nil, storeError("search the named thing", err)
	}
	return hits, nil
}

// namer ranks candidates by how they name a thing, reading each version
// once.
type namer struct {
	n        naming
	headings map[string]int // by version id: the heading tier
	tiers    map[string]int // by version id: the tier, heading and text read
}

// newNamer returns a namer of the thing n.
func newNamer(n naming) *namer {
	return &namer{n: n, headings: map[string]int{}, tiers: map[string]int{}}
}

// headingTier returns n.headingTier(c.v), reading c's heading once.
func (r *namer) headingTier(c *candidate) int { return r.versionHeadingTier(c.v) }

// versionHeadingTier returns n.headingTier(v), reading v's heading once.
func (r *namer) versionHeadingTier(v livespec.Version) int {
	t, ok := r.headings[v.ID]
	if !ok {
		t = r.n.headingTier(v)
		r.headings[v.ID] = t
	}
	return t
}

// tier returns how c names the thing: its heading tier or, when its
// heading names only an alternative or nothing, its text tier if better.
func (r *namer) tier(c *candidate) int {
	if t, ok := r.tiers[c.v.ID]; ok {
		return t
	}
	t := r.headingTier(c)
	if t >= namedNot {
		t = min(t, r.n.textTier(c))
	}
	r.tiers[c.v.ID] = t
	return t
}

// namesInHeading reports whether the own heading of one of hits names
// the whole thing.
func (r *namer) namesInHeading(hits []livespec.Hit) bool {
	return slices.ContainsFunc(hits, func(h livespec.Hit) bool { return r.versionHeadingTier(h.Version) < namedNot })
}

// order orders cands by how they name the thing, each tier in its order,
// so that the first limit of them are the best namers. Once limit
// sections are known to name the whole thing, the texts of the rest are
// not read: only their headings rank them.
func (r *namer) order(cands []*candidate, limit int) {
	tiers := make(map[*candidate]int, len(cands))
	namers := 0
	for _, c := range cands {
		t := 0
		if namers < limit {
			t = r.tier(c)
		} else {
			t = r.headingTier(c)
		}
		if tiers[c] = t; t < namedNot {
			namers++ // names the whole thing: better than any alternative
		}
	}
	slices.SortStableFunc(cands, func(x, y *candidate) int { return tiers[x] - tiers[y] })
}
