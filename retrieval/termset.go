package retrieval

import (
	"hash/maphash"
	"math"
	"strings"
	"sync"
)

// termSet is a set of strings kept in one string, in the order they were
// first added, with an open addressing table of their hashes for
// look-ups. A set of fewer than 65,535 terms (nearly every text) has a
// table of 16-bit entries, a larger one of 32-bit entries.
type termSet struct {
	joined  string
	ends    []int32  // term i is joined[ends[i-1]:ends[i]], the first from 0
	slots16 []uint16 // 1 + the index of a term hashed there; 0 is empty
	slots32 []int32  // the same, for a set too large for slots16
}

// slot is an entry of a termSet's table.
type slot interface{ ~uint16 | ~int32 }

// bytes is the size of the set's tables and terms.
func (s termSet) bytes() int {
	return len(s.joined) + 4*len(s.ends) + 2*len(s.slots16) + 4*len(s.slots32)
}

// termSeed seeds the hashes of every termSet.
var termSeed = maphash.MakeSeed()

// newTermSet returns the set of ts.
func newTermSet(ts []string) termSet {
	b := newTermBuilder(len(ts))
	defer b.done()
	for _, t := range ts {
		b.add(t)
	}
	return b.set()
}

func (s termSet) len() int { return len(s.ends) }

// at returns the i-th term.
func (s termSet) at(i int) string {
	start := int32(0)
	if i > 0 {
		start = s.ends[i-1]
	}
	return s.joined[start:s.ends[i]]
}

// has reports whether t is in the set.
func (s termSet) has(t string) bool {
	if s.slots32 != nil {
		return lookUp(s, s.slots32, t)
	}
	return lookUp(s, s.slots16, t)
}

func lookUp[T slot](s termSet, slots []T, t string) bool {
	if len(slots) == 0 {
		return false
	}
	mask := uint64(len(slots) - 1)
	for h := maphash.String(termSeed, t) & mask; ; h = (h + 1) & mask {
		switch j := slots[h]; {
		case j == 0:
			return false
		case s.at(int(j-1)) == t:
			return true
		}
	}
}

// termBuilder collects the distinct terms of a text as they come: a table
// of their hashes tells a repeat from a new term, so that a text's many
// repeats are neither kept nor, for phrases, joined.
type termBuilder struct {
	terms  []string
	hashes []uint64 // of terms
	slots  []int32  // 1 + the index in terms of a term hashed there; 0 is empty
	mask   uint64
}

// termBuilders keeps builders between analyses, to reuse their tables.
var termBuilders = sync.Pool{New: func() any { return new(termBuilder) }}

// newTermBuilder returns an empty builder for at most n terms; put it
// back with done.
func newTermBuilder(n int) *termBuilder {
	b := termBuilders.Get().(*termBuilder)
	size := tableSize(n)
	if cap(b.slots) < size {
		b.slots = make([]int32, size)
	} else {
		b.slots = b.slots[:size]
		clear(b.slots)
	}
	b.mask = uint64(size - 1)
	b.terms, b.hashes = b.terms[:0], b.hashes[:0]
	return b
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

// done returns b to the pool; its terms must no longer be used.
func (b *termBuilder) done() {
	clear(b.terms) // let the strings go
	termBuilders.Put(b)
}

// add adds t unless it is there.
func (b *termBuilder) add(t string) {
	hash := maphash.String(termSeed, t)
	for h := hash & b.mask; ; h = (h + 1) & b.mask {
		j := b.slots[h]
		if j == 0 {
			b.insert(h, t, hash)
			return
		}
		if b.terms[j-1] == t {
			return
		}
	}
}

// addPair adds the phrase x+" "+y unless it is there, joining the two
// only when it is new.
func (b *termBuilder) addPair(x, y string) {
	var mh maphash.Hash
	mh.SetSeed(termSeed)
	mh.WriteString(x)
	mh.WriteByte(' ')
	mh.WriteString(y)
	hash := mh.Sum64() // that of x+" "+y
	for h := hash & b.mask; ; h = (h + 1) & b.mask {
		j := b.slots[h]
		if j == 0 {
			b.insert(h, x+" "+y, hash)
			return
		}
		if t := b.terms[j-1]; len(t) == len(x)+1+len(y) && t[len(x)] == ' ' && t[:len(x)] == x && t[len(x)+1:] == y {
			return
		}
	}
}

func (b *termBuilder) insert(slot uint64, t string, hash uint64) {
	b.slots[slot] = int32(len(b.terms) + 1)
	b.terms = append(b.terms, t)
	b.hashes = append(b.hashes, hash)
}

// set returns the set of the terms added.
func (b *termBuilder) set() termSet {
	n := 0
	for _, t := range b.terms {
		n += len(t)
	}
	var sb strings.Builder
	sb.Grow(n)
	s := termSet{ends: make([]int32, len(b.terms))}
	for i, t := range b.terms {
		sb.WriteString(t)
		s.ends[i] = int32(sb.Len())
	}
	s.joined = sb.String()
	if len(b.terms) < math.MaxUint16 {
		s.slots16 = fill[uint16](b.hashes)
	} else {
		s.slots32 = fill[int32](b.hashes)
	}
	return s
}

// fill returns the table of the terms of these hashes.
func fill[T slot](hashes []uint64) []T {
	slots := make([]T, tableSize(len(hashes)))
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
