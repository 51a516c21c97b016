package cache

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// refOrder is the order an LRU keeps, written plainly: keys from the
// least to the most recently used, and their values.
type refOrder struct {
	keys []int
	vals map[int]int
	size int
}

func (r *refOrder) touch(k int) {
	r.keys = append(slices.DeleteFunc(r.keys, func(x int) bool { return x == k }), k)
}

// TestOrderedKeepsTheOrderOfAPlainList runs random operations on an
// ordered map and on a plain list and checks after each that both hold
// the same entries in the same order and evicted the same ones.
func TestOrderedKeepsTheOrderOfAPlainList(t *testing.T) {
	for _, size := range []int{1, 3, 16} {
		rng := rand.New(rand.NewPCG(uint64(size), 7))
		var evicted, refEvicted [][2]int
		o := newOrdered(size, func(k, v int) { evicted = append(evicted, [2]int{k, v}) })
		ref := &refOrder{vals: map[int]int{}, size: size}
		for step := range 5000 {
			k, v := rng.IntN(2*size+2), step
			switch op := rng.IntN(10); {
			case op < 4:
				o.Add(k, v)
				if _, ok := ref.vals[k]; !ok && len(ref.keys) == size {
					old := ref.keys[0]
					refEvicted = append(refEvicted, [2]int{old, ref.vals[old]})
					ref.keys = ref.keys[1:]
					delete(ref.vals, old)
				}
				ref.vals[k] = v
				ref.touch(k)
			case op < 6:
				got, ok := o.Get(k)
				want, wok := ref.vals[k]
				if got != want || ok != wok {
					t.Fatalf("size %d step %d: Get(%d) = %d, %v; want %d, %v", size, step, k, got, ok, want, wok)
				}
				if wok {
					ref.touch(k)
				}
			case op < 8:
				got, ok := o.Peek(k)
				if want, wok := ref.vals[k]; got != want || ok != wok {
					t.Fatalf("size %d step %d: Peek(%d) = %d, %v; want %d, %v", size, step, k, got, ok, want, wok)
				}
			case op < 9:
				o.Remove(k)
				if w, ok := ref.vals[k]; ok {
					refEvicted = append(refEvicted, [2]int{k, w})
					ref.keys = slices.DeleteFunc(ref.keys, func(x int) bool { return x == k })
					delete(ref.vals, k)
				}
			default:
				o.RemoveOldest()
				if len(ref.keys) > 0 {
					old := ref.keys[0]
					refEvicted = append(refEvicted, [2]int{old, ref.vals[old]})
					ref.keys = ref.keys[1:]
					delete(ref.vals, old)
				}
			}
			if got := o.keys(); !slices.Equal(got, ref.keys) {
				t.Fatalf("size %d step %d: order %v, want %v", size, step, got, ref.keys)
			}
			if !slices.Equal(evicted, refEvicted) {
				t.Fatalf("size %d step %d: evicted %v, want %v", size, step, evicted, refEvicted)
			}
			if o.Len() != len(ref.keys) || len(o.nodes) > size+1 {
				t.Fatalf("size %d step %d: Len %d with %d nodes, want %d entries", size, step, o.Len(), len(o.nodes), len(ref.keys))
			}
		}
	}
}

// keys returns the keys from the least to the most recently used.
func (o *ordered[K, V]) keys() []K {
	var out []K
	for at := o.nodes[0].prev; at != 0; at = o.nodes[at].prev {
		out = append(out, o.nodes[at].key)
	}
	return out
}

func TestOrderedPurgeEvictsEveryEntry(t *testing.T) {
	n := 0
	o := newOrdered(4, func(int, string) { n++ })
	o.Add(1, "a")
	o.Add(2, "b")
	o.Purge()
	if n != 2 || o.Len() != 0 || len(o.keys()) != 0 {
		t.Fatalf("after Purge: %d evicted, Len %d, order %v; want 2, 0, []", n, o.Len(), o.keys())
	}
	o.Add(3, "c")
	if v, ok := o.Get(3); !ok || v != "c" || !slices.Equal(o.keys(), []int{3}) {
		t.Fatalf("Get(3) after Purge = %q, %v; order %v", v, ok, o.keys())
	}
}
