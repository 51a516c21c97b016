package qdrant

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/qdrant/qdranttest"
	"github.com/livespec/livespec/internal/storetest"
)

// TestContractFake runs the Store contract suite against the in-process
// fake Qdrant.
func TestContractFake(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) livespec.Store {
		s, _ := openFake(tb)
		return s
	})
}

// TestContractFakeOldServer runs the suite against a fake that reports
// Qdrant 1.13: hybrid searches then use the server's plain RRF fusion.
func TestContractFakeOldServer(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) livespec.Store {
		u := qdranttest.Start(tb, qdranttest.WithVersion("1.13.4")).Addr()
		s, err := Open(context.Background(), u, Options{})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { s.Close() })
		if s.rrfK != 0 {
			tb.Fatalf("rank constant %d on Qdrant 1.13, which has no parametrized RRF", s.rrfK)
		}
		return s
	})
}

// TestContractQdrant runs the contract suite against the real Qdrant at
// LIVESPEC_TEST_QDRANT_URL (e.g. qdrant://localhost:6334 after
// `docker compose up -d qdrant`), each subtest in fresh collections that
// are dropped afterwards.
func TestContractQdrant(t *testing.T) {
	u := os.Getenv("LIVESPEC_TEST_QDRANT_URL")
	if u == "" {
		t.Skip("LIVESPEC_TEST_QDRANT_URL not set: no real Qdrant to test against (docker compose up -d qdrant; LIVESPEC_TEST_QDRANT_URL=qdrant://localhost:6334)")
	}
	storetest.Run(t, func(tb testing.TB) livespec.Store {
		return openReal(tb, u)
	})
}

// openReal opens a Store on the real Qdrant at u, in collections with a
// random prefix, and drops them when tb ends.
func openReal(tb testing.TB, u string) *Store {
	tb.Helper()
	var b [6]byte
	rand.Read(b[:])
	prefix := "livespec_test_" + hex.EncodeToString(b[:])
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	ctx := context.Background()
	s, err := Open(ctx, u+sep+"collection="+prefix, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		names, _ := s.client.ListCollections(ctx)
		for _, n := range names {
			if strings.HasPrefix(n, prefix+"_") {
				s.client.DeleteCollection(ctx, n)
			}
		}
		s.Close()
	})
	return s
}
