package qdrant

import (
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/kljensen/snowball/english"
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

// Tokens splits text into the terms the BM25 vectors are built from:
// maximal runs of Unicode letters and digits, lower-cased, with English
// stopwords and one-character words dropped, then stemmed with the
// Snowball English (Porter2) stemmer, so "discounts" meets "discount".
func Tokens(text string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		t := strings.ToLower(f)
		if len([]rune(t)) < 2 || stopwords[t] {
			continue
		}
		out = append(out, stem(t))
	}
	return out
}

// stems memoises the stemmer, which costs microseconds a word while a
// spec's vocabulary is small; it stops growing at maxStems entries.
var stems struct {
	sync.RWMutex
	m map[string]string
}

const maxStems = 200_000

func stem(w string) string {
	stems.RLock()
	s, ok := stems.m[w]
	stems.RUnlock()
	if ok {
		return s
	}
	s = english.Stem(w, false)
	stems.Lock()
	if stems.m == nil {
		stems.m = map[string]string{}
	}
	if len(stems.m) < maxStems {
		stems.m[w] = s
	}
	stems.Unlock()
	return s
}

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

// stopwords are common English words that carry no topic.
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about above after again against all am an and any are as at be
		because been before being below between both but by can could did do does doing down during each
		few for from further had has have having he her here hers herself him himself his how i if in into
		is it its itself just me more most my myself no nor not now of off on once only or other our ours
		ourselves out over own same she should so some such than that the their theirs them themselves then
		there these they this those through to too under until up very was we were what when where which
		while who whom why will with would you your yours yourself yourselves`) {
		m[w] = true
	}
	return m
}()
