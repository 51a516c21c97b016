package cache_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/livespec/livespec/internal/cache"
)

func TestLRUForgetsTheLeastRecentlyUsed(t *testing.T) {
	c := cache.NewLRU[string, int](2)
	c.Add("a", 1)
	c.Add("b", 2)
	if v, ok := c.Get("a"); !ok || v != 1 { // a is now the most recent
		t.Fatalf("Get(a) = %d, %v; want 1, true", v, ok)
	}
	c.Add("c", 3)
	if _, ok := c.Get("b"); ok {
		t.Error("b, the least recently used, was kept past the bound")
	}
	if _, ok := c.Get("a"); !ok {
		t.Error("a, used since, was forgotten")
	}
	if c.Len() != 2 {
		t.Errorf("Len = %d, want 2", c.Len())
	}
	c.Purge()
	if c.Len() != 0 {
		t.Errorf("Len after Purge = %d", c.Len())
	}
}

func TestPeekManyLeavesTheOrder(t *testing.T) {
	c := cache.NewLRU[string, int](2)
	c.Add("a", 1)
	c.Add("b", 2)
	got := c.PeekMany([]string{"a", "x", "a"})
	if len(got) != 1 || got["a"] != 1 {
		t.Fatalf("PeekMany(a, x, a) = %v, want map[a:1]", got)
	}
	c.Add("c", 3) // a, peeked but not used, is still the oldest
	if _, ok := c.Get("a"); ok {
		t.Error("a, the oldest, was kept past the bound")
	}
	if got := c.PeekMany([]string{"b", "c"}); len(got) != 2 {
		t.Errorf("PeekMany(b, c) = %v, want both", got)
	}
}

func TestPeekAllLeavesTheOrder(t *testing.T) {
	c := cache.NewLRU[string, int](2)
	c.Add("a", 1)
	c.Add("b", 0)
	vals, found := c.PeekAll([]string{"a", "x", "b"})
	if !slices.Equal(vals, []int{1, 0, 0}) || !slices.Equal(found, []bool{true, false, true}) {
		t.Fatalf("PeekAll(a, x, b) = %v, %v; want [1 0 0], [true false true]", vals, found)
	}
	c.Add("c", 3) // a, peeked but not used, is still the oldest
	if _, ok := c.Get("a"); ok {
		t.Error("a, the oldest, was kept past the bound")
	}
}

func TestGetManyUsesWhatItFinds(t *testing.T) {
	c := cache.NewLRU[string, int](2)
	c.Add("a", 1)
	c.Add("b", 2)
	got := c.GetMany([]string{"a", "x"})
	if len(got) != 1 || got["a"] != 1 {
		t.Fatalf("GetMany(a, x) = %v, want map[a:1]", got)
	}
	c.Add("c", 3) // a was used since b: b goes
	if _, ok := c.Get("b"); ok {
		t.Error("b, the least recently used, was kept past the bound")
	}
	if _, ok := c.Get("a"); !ok {
		t.Error("a, got by GetMany, was forgotten")
	}
}

func TestWeighedKeepsItsWeight(t *testing.T) {
	weigh := func(k string, v int) int64 { return int64(len(k) + v) }
	tests := []struct {
		name   string
		run    func(c *cache.LRU[string, int])
		kept   []string
		gone   []string
		weight int64
	}{
		{"under the bound all stay", func(c *cache.LRU[string, int]) { c.Add("a", 4); c.Add("b", 4) }, []string{"a", "b"}, nil, 10},
		{"the least recently used go first", func(c *cache.LRU[string, int]) {
			c.Add("a", 4)
			c.Add("b", 4)
			c.Get("a")
			c.Add("c", 4)
		}, []string{"a", "c"}, []string{"b"}, 10},
		{"a heavy entry pushes out several", func(c *cache.LRU[string, int]) {
			c.Add("a", 2)
			c.Add("b", 2)
			c.Add("c", 2)
			c.Add("d", 8)
		}, []string{"d", "c"}, []string{"a", "b"}, 12},
		{"an entry heavier than the bound is not kept", func(c *cache.LRU[string, int]) { c.Add("a", 2); c.Add("big", 20) }, nil, []string{"a", "big"}, 0},
		{"adding a key again replaces its weight", func(c *cache.LRU[string, int]) { c.Add("a", 9); c.Add("a", 1); c.Add("b", 5) }, []string{"a", "b"}, nil, 8},
		{"removing a key frees its weight", func(c *cache.LRU[string, int]) { c.Add("a", 9); c.Remove("a"); c.Add("b", 9) }, []string{"b"}, []string{"a"}, 10},
		{"a purge frees everything", func(c *cache.LRU[string, int]) { c.Add("a", 9); c.Purge() }, nil, []string{"a"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cache.NewWeighed(12, weigh)
			tt.run(c)
			for _, k := range tt.kept {
				if _, ok := c.Get(k); !ok {
					t.Errorf("%s was forgotten", k)
				}
			}
			for _, k := range tt.gone {
				if _, ok := c.Get(k); ok {
					t.Errorf("%s was kept", k)
				}
			}
			if w := c.Weight(); w != tt.weight || w > 12 {
				t.Errorf("Weight = %d, want %d (at most 12)", w, tt.weight)
			}
			if c.Len() != len(tt.kept) {
				t.Errorf("Len = %d, want %d", c.Len(), len(tt.kept))
			}
		})
	}
}

func TestTTL(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		run  func(s *cache.TTL[string]) bool
		want bool
	}{
		{"a new key is claimed", func(s *cache.TTL[string]) bool { return s.Claim(t0, "a") }, true},
		{"a live key is not claimed again", func(s *cache.TTL[string]) bool { s.Claim(t0, "a"); return s.Claim(t0.Add(time.Minute-1), "a") }, false},
		{"an expired key is claimed again", func(s *cache.TTL[string]) bool { s.Claim(t0, "a"); return s.Claim(t0.Add(time.Minute), "a") }, true},
		{"one live key of several fails the claim", func(s *cache.TTL[string]) bool { s.Claim(t0, "b"); return s.Claim(t0, "a", "b") }, false},
		{"the other keys of a failed claim are added", func(s *cache.TTL[string]) bool { s.Claim(t0, "b"); s.Claim(t0, "a", "b"); return s.Has("a", t0) }, true},
		{"a removed key is claimed again", func(s *cache.TTL[string]) bool { s.Claim(t0, "a"); s.Remove("a"); return s.Claim(t0, "a") }, true},
		{"adding again restarts the time", func(s *cache.TTL[string]) bool {
			s.Add("a", t0)
			s.Add("a", t0.Add(time.Minute))
			return s.Has("a", t0.Add(90*time.Second))
		}, true},
		{"the oldest key goes past the bound", func(s *cache.TTL[string]) bool {
			s.Claim(t0, "a")
			s.Claim(t0, "b", "c", "d")
			return s.Has("a", t0)
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := cache.NewTTL[string](3, time.Minute)
			if got := tt.run(s); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if s.Len() > 3 {
				t.Errorf("Len = %d, past the bound 3", s.Len())
			}
		})
	}
}

func TestMemo(t *testing.T) {
	tests := []struct {
		name string
		size int
		adds int
	}{
		{"below the bound", 1000, 500},
		{"many copies", 1000, 999},
		{"past the bound", 100, 1000},
		{"one", 1, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := cache.NewMemo[int, int](tt.size)
			for i := range tt.adds {
				m.Add(i, i*i)
				if n := m.Len(); n > tt.size {
					t.Fatalf("after %d adds: Len = %d, past the bound %d", i+1, n, tt.size)
				}
				if v, ok := m.Get(i); !ok || v != i*i {
					t.Fatalf("Get(%d) just after adding it = %d, %v; want %d, true", i, v, ok, i*i)
				}
			}
			held := 0
			for i := range tt.adds {
				if v, ok := m.Get(i); ok {
					held++
					if v != i*i {
						t.Errorf("Get(%d) = %d, want %d", i, v, i*i)
					}
				}
			}
			if held != m.Len() {
				t.Errorf("%d keys found, Len = %d", held, m.Len())
			}
			if want := min(tt.adds, tt.size); tt.adds <= tt.size && held != want {
				t.Errorf("%d keys held, want all %d", held, want)
			}
			if _, ok := m.Get(-1); ok {
				t.Error("a key never added has a value")
			}
		})
	}
}

func TestMemoConcurrent(t *testing.T) {
	m := cache.NewMemo[int, int](500)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				k := (i*7 + g) % 800
				if v, ok := m.Get(k); ok && v != -k {
					t.Errorf("Get(%d) = %d, want %d", k, v, -k)
					return
				}
				m.Add(k, -k)
			}
		})
	}
	wg.Wait()
	if n := m.Len(); n > 500 {
		t.Errorf("Len = %d, past the bound", n)
	}
}
