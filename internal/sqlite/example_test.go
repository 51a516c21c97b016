package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/sqlite"
)

func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "livespec")
	defer os.RemoveAll(dir)

	s, err := sqlite.Open(ctx, filepath.Join(dir, "index.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	// Ingest writes one batch per commit (or several): versions, changes, the checkpoint.
	text := "## Coupons\nOne coupon per order."
	key := livespec.Key{Repo: "shop", Path: "specs/checkout.md", Heading: "Checkout > Coupons"}
	commit := "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	err = s.Apply(ctx, &livespec.Batch{
		Repo: "shop",
		Versions: []livespec.Version{{ID: livespec.VersionID(key, commit), Key: key, Level: 2, Text: text,
			Hash: livespec.ContentHash(text), Commit: commit, Seq: 1, ValidFrom: at, Author: "Ann"}},
		Checkpoint: &livespec.Checkpoint{Repo: "shop", Branch: "main", Commit: commit, Seq: 1, Time: at},
	})
	if err != nil {
		log.Fatal(err)
	}

	hits, err := s.Search(ctx, livespec.SearchQuery{Text: "How many coupons per order?", Validity: livespec.Current()})
	if err != nil {
		log.Fatal(err)
	}
	for _, h := range hits {
		fmt.Printf("%s %s since %s\n", h.Version.Path, h.Version.Heading, h.Version.ValidFrom.Format(time.DateOnly))
	}
	// Output:
	// specs/checkout.md Checkout > Coupons since 2025-03-01
}
