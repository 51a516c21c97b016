package retrieval

import (
	"hash/maphash"
	"math"
	"math/bits"
	"sync"

	"github.com/livespec/livespec/internal/lex"
)

// termSet is a set of terms and of phrases (two terms side by side,
// written "x y"), kept in few bytes and few pointers. The terms are kept
// in one string, in the order they were first added, with an open
// addressing table of their hashes for look-ups; a phrase is kept as the
// pair of its two terms' indices, in a table of its own, so its words are
// not written again. A set of fewer than 65,535 terms (nearly every text)
// has tables of 16-bit terms and 32-bit pairs, a larger one of 32-bit
// terms and 64-bit pairs; a set whose terms take fewer than 65,536 bytes
// keeps where they end in 16 bits, a larger one in 32. The table of
// phrases, whose entries are compared without reading the terms, is
// fuller than the table of terms.
type termSet struct {
	joined  string
	ends16  []uint16 // term i is joined[ends[i-1]:ends[i]], the first from 0
	ends32  []int32  // the same, for terms too long for ends16
	slots16 []uint16 // 1 + the index of a term hashed there; 0 is empty
	slots32 []int32  // the same, for a set too large for slots16
	pairs32 []uint32 // (i+1)<<16 | (j+1) of a phrase of terms i and j; 0 is empty
	pairs64 []uint64 // (i+1)<<32 | (j+1), for a set too large for pairs32
}

// slot is an entry of a termSet's table of terms.
type slot interface{ ~uint16 | ~int32 }

// pairSlot is an entry of a termSet's table of phrases.
type pairSlot interface{ ~uint32 | ~uint64 }

// bytes is the size of the set's tables and terms.
func (s termSet) bytes() int {
	return len(s.joined) + 2*len(s.ends16) + 4*len(s.ends32) + 2*len(s.slots16) + 4*len(s.slots32) + 4*len(s.pairs32) + 8*len(s.pairs64)
}

// termSeed seeds the hashes of every termSet.
var termSeed = maphash.MakeSeed()

// newTermSet returns the set of ts.
func newTermSet(ts []string) termSet {
	b := newTermBuilder(len(ts), false)
	defer b.done()
	for _, t := range ts {
		b.add(t)
	}
	return b.set()
}

// len is the number of terms, phrases aside.
func (s termSet) len() int { return len(s.ends16) + len(s.ends32) }

// at returns the i-th term.
func (s termSet) at(i int) string {
	if s.ends32 != nil {
		return termAt(s.joined, s.ends32, i)
	}
	return termAt(s.joined, s.ends16, i)
}

// termAt returns the i-th term of joined, whose terms end at ends.
func termAt[T uint16 | int32](joined string, ends []T, i int) string {
	start := T(0)
	if i > 0 {
		start = ends[i-1]
	}
	return joined[start:ends[i]]
}

// has reports whether t is in the set: a term, or a phrase of two terms
// joined by a space.
func (s termSet) has(t string) bool {
	if s.index(t) >= 0 {
		return true
	}
	if s.pairs32 == nil && s.pairs64 == nil {
		return false
	}
	for k := 0; k < len(t); k++ {
		if t[k] != ' ' {
			continue
		}
		if i := s.index(t[:k]); i >= 0 {
			if j := s.index(t[k+1:]); j >= 0 && s.hasPair(i, j) {
				return true
			}
		}
	}
	return false
}

// index returns the index of the term t, or -1.
func (s termSet) index(t string) int {
	if s.slots32 != nil {
		return lookUp(s, s.slots32, t)
	}
	return lookUp(s, s.slots16, t)
}

func lookUp[T slot](s termSet, slots []T, t string) int {
	if len(slots) == 0 {
		return -1
	}
	return lookUpFrom(s, slots, t, termHash(t)&uint64(len(slots)-1))
}

// lookUpFrom returns the index of the term t, or -1, probing slots from h.
func lookUpFrom[T slot](s termSet, slots []T, t string, h uint64) int {
	mask := uint64(len(slots) - 1)
	for ; ; h = (h + 1) & mask {
		switch j := slots[h]; {
		case j == 0:
			return -1
		case s.at(int(j-1)) == t:
			return int(j - 1)
		}
	}
}

// firstSlots sets out[k] to the term in the table's first slot for the
// hash hs[k] (termHash), -1 where it is empty; confirm then makes out[k]
// index(ts[k]). Together they look terms up so that the reads of the
// sets' tables, each most often a miss of the processor's caches in sets
// looked up rarely, overlap instead of waiting one after another: the
// first slots of several terms, and of several sets, are read before any
// of their terms.
func (s termSet) firstSlots(hs []uint64, out []int) {
	if s.slots32 != nil {
		firstSlotsOf(s.slots32, hs, out)
		return
	}
	firstSlotsOf(s.slots16, hs, out)
}

func firstSlotsOf[T slot](slots []T, hs []uint64, out []int) {
	if len(slots) == 0 {
		for k := range hs {
			out[k] = -1
		}
		return
	}
	mask := uint64(len(slots) - 1)
	for k, h := range hs {
		out[k] = int(slots[h&mask]) - 1
	}
}

// confirm turns what firstSlots set in out into index(ts[k]): a term
// there that is not ts[k] is probed on from.
func (s termSet) confirm(ts []string, hs []uint64, out []int) {
	if s.slots32 != nil {
		confirmOf(s, s.slots32, ts, hs, out)
		return
	}
	confirmOf(s, s.slots16, ts, hs, out)
}

func confirmOf[T slot](s termSet, slots []T, ts []string, hs []uint64, out []int) {
	mask := uint64(len(slots) - 1)
	for k, t := range ts {
		if j := out[k]; j >= 0 && s.at(j) != t {
			out[k] = lookUpFrom(s, slots, t, (hs[k]+1)&mask)
		}
	}
}

// termHash is the hash a termSet files t under.
func termHash(t string) uint64 { return maphash.String(termSeed, t) }

// hasPhrasePrefix reports whether the set holds a phrase of the term x
// and a term that y is a prefix of (lex.PrefixOf): "solari 9" of the
// phrase "solari 9.2", as a set holding its phrases written out found.
func (s termSet) hasPhrasePrefix(x, y string) bool {
	i := s.index(x)
	switch {
	case i < 0:
		return false
	case s.pairs64 != nil:
		return pairWithPrefix(s, s.pairs64, 32, i, y)
	}
	return pairWithPrefix(s, s.pairs32, 16, i, y)
}

// pairWithPrefix reports whether slots, a phrase table whose keys hold
// their first term above shift bits, has a phrase of term i and a term
// that y is a prefix of.
func pairWithPrefix[T pairSlot](s termSet, slots []T, shift uint, i int, y string) bool {
	mask := T(1)<<shift - 1
	for _, k := range slots {
		if k != 0 && int(k>>shift)-1 == i && lex.PrefixOf(y, s.at(int(k&mask)-1)) {
			return true
		}
	}
	return false
}

// hasPair reports whether the phrase of terms i and j is in the set.
func (s termSet) hasPair(i, j int) bool {
	if s.pairs64 != nil {
		return probePair(s.pairs64, uint64(i+1)<<32|uint64(j+1))
	}
	return probePair(s.pairs32, uint32(i+1)<<16|uint32(j+1))
}

func probePair[T pairSlot](slots []T, key T) bool {
	if len(slots) == 0 {
		return false
	}
	for h := pairSlotOf(uint64(key), len(slots)); ; h = nextSlot(h, len(slots)) {
		switch slots[h] {
		case 0:
			return false
		case key:
			return true
		}
	}
}

// pairSlotOf returns where a phrase's key goes in a table of size slots:
// its hash scaled to the size (a phrase table's size is no power of two).
func pairSlotOf(k uint64, size int) int {
	hi, _ := bits.Mul64(pairHash(k), uint64(size))
	return int(hi)
}

// nextSlot returns the slot after h in a table of size slots.
func nextSlot(h, size int) int {
	if h++; h == size {
		return 0
	}
	return h
}

// pairsSize is the size of a kept set's table of n phrases: a fifth of it
// stays empty, so that a phrase not there is found missing after a few
// entries side by side.
func pairsSize(n int) int { return n + n/4 + 1 }

// pairHash spreads a pair's key over a table's low bits.
func pairHash(k uint64) uint64 {
	k *= 0x9e3779b97f4a7c15
	return k ^ k>>32
}

// termBuilder collects the distinct terms and phrases of a text as they
// come: a table of their hashes tells a repeat from a new one, so that a
// text's many repeats are not kept. The terms are written one after
// another as they come, as the set keeps them.
type termBuilder struct {
	joined []byte   // the terms, first added first
	ends   []int    // term i is joined[ends[i-1]:ends[i]], the first from 0
	hashes []uint64 // of terms
	slots  []int32  // 1 + the index of a term hashed there; 0 is empty
	mask   uint64

	pairs  []uint64 // (i+1)<<32 | (j+1) of each phrase, first seen first
	pslots []uint64 // the same keys, by hash; 0 is empty
	pmask  uint64

	phrases bool // phrases are added

	// vocab holds words the builder has analysed (see addWord), kept
	// from text to text: most words of a text come back in the builder's
	// next texts, and are then neither stemmed nor hashed again.
	vocab *[vocabSize]vocabEntry
	gen   uint32      // the text being analysed, counted from 1
	toks  []lex.Token // the tokens of the text, kept for the next one
}

// vocabSize is how many words a builder's vocabulary holds, at 64 bytes
// each: a table that stays in a core's cache. The 4,096 most common words
// of the KEPs are 93% of the distinct words of its texts.
const (
	vocabBits = 12
	vocabSize = 1 << vocabBits
)

// vocabWord is the longest word, and stem, a vocabulary entry holds.
const vocabWord = 16

// vocabEntry is a word a builder analysed, filed under its wordKey (see
// termBuilder.findWord): the word, its stem and the stem's termHash,
// whether it is a stop word and, when it was seen in the text being
// analysed (gen), its term's index there.
type vocabEntry struct {
	key      wordKey
	stemHash uint64
	stem     [vocabWord]byte
	stemN    uint8
	stop     bool
	gen      uint32 // the text term is of
	term     int32  // the index of the stem in that text's terms
}

// wordKey is a word of 1 to vocabWord bytes packed into two words, its
// bytes in order with zero bytes after it, and its length: a word no
// other word has (the zero key is none).
type wordKey struct {
	lo, hi uint64
	n      uint64
}

// keyOfWord returns the wordKey of w, which must have 1 to vocabWord
// bytes.
func keyOfWord(w string) wordKey {
	k := wordKey{n: uint64(len(w))}
	for i := 0; i < len(w) && i < 8; i++ {
		k.lo |= uint64(w[i]) << (8 * i)
	}
	for i := 8; i < len(w); i++ {
		k.hi |= uint64(w[i]) << (8 * (i - 8))
	}
	return k
}

// slot returns where a vocabulary files k: the top bits of a
// multiplicative hash of its words.
func (k wordKey) slot() uint64 {
	h := (k.lo ^ bits.RotateLeft64(k.hi, 29) ^ k.n<<59) * 0x9e3779b97f4a7c15
	return h >> (64 - vocabBits)
}

// termBuilders keeps builders between analyses, to reuse their tables.
var termBuilders = sync.Pool{New: func() any { return new(termBuilder) }}

// newTermBuilder returns an empty builder for at most n terms and, with
// phrases, n phrases; put it back with done.
func newTermBuilder(n int, phrases bool) *termBuilder {
	b := termBuilders.Get().(*termBuilder)
	b.reset(n, phrases)
	return b
}

// reset empties b's tables for at most n terms and, with phrases, n
// phrases.
func (b *termBuilder) reset(n int, phrases bool) {
	b.slots, b.mask = emptyTable(b.slots, n)
	b.joined, b.ends, b.hashes, b.pairs = b.joined[:0], b.ends[:0], b.hashes[:0], b.pairs[:0]
	if b.phrases = phrases; phrases {
		b.pslots, b.pmask = emptyTable(b.pslots, n)
	}
}

// emptyTable returns an empty hash table for n entries, reusing t's array
// when it is large enough, and its mask.
func emptyTable[T int32 | uint64](t []T, n int) ([]T, uint64) {
	size := tableSize(n)
	if cap(t) < size {
		t = make([]T, size)
	} else {
		t = t[:size]
		clear(t)
	}
	return t, uint64(size - 1)
}

// tableSize is the size of a hash table for n strings: a power of two at
// least twice n.
func tableSize(n int) int {
	size := 8
	for size < 2*n {
		size *= 2
	}
	return size
}

// keptSize is the size of a kept set's table of n entries: a power of two
// above 1.5 n. It is looked up only for a question's few terms, so it
// can be fuller than a builder's.
func keptSize(n int) int {
	size := 4
	for size < n+n/2+1 {
		size *= 2
	}
	return size
}

// done returns b to the pool; its terms must no longer be used.
func (b *termBuilder) done() {
	clear(b.toks) // let the strings go
	b.toks = b.toks[:0]
	termBuilders.Put(b)
}

// tokens returns the tokens of text and readies b for its words: an empty
// table of at most as many terms, phrases when asked, and a new text for
// its vocabulary.
func (b *termBuilder) tokens(text string, phrases bool) []lex.Token {
	b.toks = lex.AppendTokens(b.toks[:0], text)
	b.reset(len(b.toks), phrases)
	if b.vocab == nil {
		b.vocab = new([vocabSize]vocabEntry)
	}
	if b.gen++; b.gen == 0 { // wrapped: no entry may pass for this text's
		clear(b.vocab[:])
		b.gen = 1
	}
	return b.toks
}

// addWord adds the stem of the lower-case word w unless it is there, and
// returns its index and, when b adds phrases, whether w is a stop word. b
// must have been readied by tokens.
func (b *termBuilder) addWord(w string) (int, bool) {
	if len(w) == 0 || len(w) > vocabWord {
		stem := lex.Stem(w)
		return addTerm(b, stem, termHash(stem)), b.phrases && lex.Stop(w)
	}
	key := keyOfWord(w)
	e, ok := b.findWord(key)
	if !ok {
		stem := lex.Stem(w)
		if len(stem) > vocabWord {
			return addTerm(b, stem, termHash(stem)), b.phrases && lex.Stop(w)
		}
		*e = vocabEntry{key: key, stemHash: termHash(stem), stemN: uint8(len(stem)), stop: lex.Stop(w)}
		copy(e.stem[:], stem)
	}
	if e.gen != b.gen {
		e.gen, e.term = b.gen, int32(addTerm(b, e.stem[:e.stemN], e.stemHash))
	}
	return int(e.term), b.phrases && e.stop
}

// findWord returns the vocabulary's entry of key and true, or, when it
// holds none, the entry to replace with it and false. A key is filed in
// one of two entries side by side (slot's pair); the one replaced is the
// one whose word was last seen in the earlier text.
func (b *termBuilder) findWord(key wordKey) (*vocabEntry, bool) {
	pair := key.slot() &^ 1
	e, f := &b.vocab[pair], &b.vocab[pair+1]
	switch {
	case e.key == key:
		return e, true
	case f.key == key:
		return f, true
	case f.gen < e.gen:
		return f, false
	}
	return e, false
}

// add adds t unless it is there, and returns its index.
func (b *termBuilder) add(t string) int { return addTerm(b, t, termHash(t)) }

// addTerm adds the term t, whose termHash is hash, to b unless it is
// there, and returns its index.
func addTerm[T string | []byte](b *termBuilder, t T, hash uint64) int {
	for h := hash & b.mask; ; h = (h + 1) & b.mask {
		j := b.slots[h]
		if j == 0 {
			b.joined = append(b.joined, t...)
			b.ends = append(b.ends, len(b.joined))
			b.hashes = append(b.hashes, hash)
			b.slots[h] = int32(len(b.ends))
			return len(b.ends) - 1
		}
		if string(b.term(int(j-1))) == string(t) {
			return int(j - 1)
		}
	}
}

// term returns the bytes of the i-th term added.
func (b *termBuilder) term(i int) []byte {
	start := 0
	if i > 0 {
		start = b.ends[i-1]
	}
	return b.joined[start:b.ends[i]]
}

// addPair adds the phrase of terms i and j (indices add returned) unless
// it is there. The builder must have been made for phrases.
func (b *termBuilder) addPair(i, j int) {
	key := uint64(i+1)<<32 | uint64(j+1)
	for h := pairHash(key) & b.pmask; ; h = (h + 1) & b.pmask {
		switch b.pslots[h] {
		case 0:
			b.pslots[h] = key
			b.pairs = append(b.pairs, key)
			return
		case key:
			return
		}
	}
}

// set returns the set of the terms and phrases added.
func (b *termBuilder) set() termSet {
	s := termSet{joined: string(b.joined)}
	if len(b.joined) <= math.MaxUint16 {
		s.ends16 = termEnds[uint16](b.ends)
	} else {
		s.ends32 = termEnds[int32](b.ends)
	}
	if len(b.ends) < math.MaxUint16 {
		s.slots16 = fill[uint16](b.hashes)
		s.pairs32 = fillPairs(b.pairs, func(k uint64) uint32 { return uint32(k>>32)<<16 | uint32(k&0xffff) })
	} else {
		s.slots32 = fill[int32](b.hashes)
		s.pairs64 = fillPairs(b.pairs, func(k uint64) uint64 { return k })
	}
	return s
}

// termEnds returns ends, where each term ends, as a kept set holds them.
func termEnds[T uint16 | int32](ends []int) []T {
	out := make([]T, len(ends))
	for i, e := range ends {
		out[i] = T(e)
	}
	return out
}

// fill returns the table of the terms of these hashes.
func fill[T slot](hashes []uint64) []T {
	slots := make([]T, keptSize(len(hashes)))
	mask := uint64(len(slots) - 1)
	for i, hash := range hashes {
		h := hash & mask
		for slots[h] != 0 {
			h = (h + 1) & mask
		}
		slots[h] = T(i + 1)
	}
	return slots
}

// fillPairs returns the table of these phrases, each key made the
// table's own by key; none: nil.
func fillPairs[T pairSlot](pairs []uint64, key func(uint64) T) []T {
	if len(pairs) == 0 {
		return nil
	}
	slots := make([]T, pairsSize(len(pairs)))
	for _, p := range pairs {
		k := key(p)
		h := pairSlotOf(uint64(k), len(slots))
		for slots[h] != 0 {
			h = nextSlot(h, len(slots))
		}
		slots[h] = k
	}
	return slots
}
