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

// A process keeps what it derived from the index only while DataVersion
// returns the number it had when it derived it.
func ExampleStore_DataVersion() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "livespec")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "index.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	before, err := s.DataVersion(ctx)
	if err != nil {
		log.Fatal(err)
	}
	again, _ := s.DataVersion(ctx)
	fmt.Println("nothing written:", again == before)

	// Another process (here another Store on the same file) ingests.
	other, err := sqlite.Open(ctx, path)
	if err != nil {
		log.Fatal(err)
	}
	defer other.Close()
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	commit := "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
	if err := other.Apply(ctx, &livespec.Batch{Repo: "shop",
		Checkpoint: &livespec.Checkpoint{Repo: "shop", Branch: "main", Commit: commit, Seq: 1, Time: at}}); err != nil {
		log.Fatal(err)
	}
	after, _ := s.DataVersion(ctx)
	fmt.Println("written elsewhere:", after != before)
	// Output:
	// nothing written: true
	// written elsewhere: true
}
