package qdrant

import (
	"slices"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/lex"
)

// BM25 parameters of the client-side term weighting. Qdrant multiplies the
// stored weight by the inverse document frequency (the IDF modifier of the
// sparse vector), so a stored weight is the BM25 term-frequency part:
//
//	tf·(k1+1) / (tf + k1·(1 − b + b·len/avgLen))
//
// avgLen is a constant (as in fastembed's Qdrant/bm25 model) because the
// real average is not known when a point is written.
const (
	bm25K1     = 1.2
	bm25B      = 0.75
	bm25AvgLen = 256.0
)

// Tokens returns the terms the BM25 vectors are built from: the shared
// text analysis's terms (internal/lex), Snowball-stemmed with stop words
// and single letters dropped and symbols such as "$ref" kept, so
// "discounts" meets "discount" here as in every other matcher.
func Tokens(text string) []string { return lex.Terms(text) }

// TermIndex is the sparse-vector dimension of a term: the 32-bit FNV-1a hash
// of its UTF-8 bytes. It is stable across processes and versions, so
// documents and queries written by different servers agree. Distinct terms
// may collide; with tens of thousands of distinct terms a collision is rare
// and only merges the statistics of two terms.
func TermIndex(term string) uint32 {
	h := uint32(2166136261) // FNV-1a offset basis
	for i := 0; i < len(term); i++ {
		h ^= uint32(term[i])
		h *= 16777619 // FNV prime
	}
	return h
}

// SparseVector is a sparse vector in Qdrant's form: indices ascending and
// unique, one value per index.
type SparseVector struct {
	Indices []uint32
	Values  []float32
}

// DocumentVector returns the BM25 document vector of text: for every
// distinct term, its saturated term frequency. Empty text gives an empty
// vector.
func DocumentVector(text string) SparseVector {
	toks := Tokens(text)
	tf := map[uint32]int{}
	for _, t := range toks {
		tf[TermIndex(t)]++
	}
	norm := bm25K1 * (1 - bm25B + bm25B*float64(len(toks))/bm25AvgLen)
	return sparseFrom(tf, func(n int) float32 {
		f := float64(n)
		return float32(f * (bm25K1 + 1) / (f + norm))
	})
}

// QueryVector returns the BM25 query vector of text: weight 1 for every
// distinct term, so a document's score is the sum of IDF·weight over the
// query's terms it contains.
func QueryVector(text string) SparseVector {
	tf := map[uint32]int{}
	for _, t := range Tokens(text) {
		tf[TermIndex(t)]++
	}
	return sparseFrom(tf, func(int) float32 { return 1 })
}

func sparseFrom(tf map[uint32]int, weight func(int) float32) SparseVector {
	var v SparseVector
	for ix := range tf {
		v.Indices = append(v.Indices, ix)
	}
	slices.Sort(v.Indices)
	v.Values = make([]float32, len(v.Indices))
	for i, ix := range v.Indices {
		v.Values[i] = weight(tf[ix])
	}
	return v
}

// holder is what a filtered search (SearchQuery.All, Phrases) asks a
// text to hold, as terms: every term of its text (when All) and the terms
// of each phrase with any, read once per search.
type holder struct {
	all     []string
	phrases [][]string
	none    bool // Phrases were given, none with a term: no text holds it
}

// newHolder returns the holder of q, or nil when q is not filtered.
func newHolder(q livespec.SearchQuery) *holder {
	if !q.Filtered() {
		return nil
	}
	h := &holder{}
	if q.All {
		h.all = Tokens(q.Text)
	}
	for _, p := range q.Phrases {
		if ts := Tokens(p); len(ts) > 0 {
			h.phrases = append(h.phrases, ts)
		}
	}
	h.none = len(q.Phrases) > 0 && len(h.phrases) == 0
	return h
}

// holds reports whether text holds every term of h and one phrase's terms
// side by side in order, its terms read as the BM25 vectors read them.
func (h *holder) holds(text string) bool {
	if h.none {
		return false
	}
	terms := Tokens(text)
	for _, t := range h.all {
		if !slices.Contains(terms, t) {
			return false
		}
	}
	return len(h.phrases) == 0 || slices.ContainsFunc(h.phrases, func(p []string) bool {
		for i := 0; i+len(p) <= len(terms); i++ {
			if slices.Equal(terms[i:i+len(p)], p) {
				return true
			}
		}
		return false
	})
}
