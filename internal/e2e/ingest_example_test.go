package e2e_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/livespec/livespec"
	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/internal/sqlite"
)

// Example_ingest ingests the history of a small spec repository into a SQLite
// store, then reads the change ledger back.
func Example_ingest() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "livespec-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	repoDir := filepath.Join(dir, "shop")
	exampleRepo(repoDir)

	store, err := sqlite.Open(ctx, filepath.Join(dir, "livespec.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	res, err := ingest.Run(ctx, store, ingest.Options{
		Repo: "shop",
		Dir:  repoDir,
		Warn: func(msg string) { fmt.Println("warning:", msg) },
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d commits, %d current files, %d section versions, %d changes\n",
		res.Commits, res.Files, res.Versions, res.Changes)

	changes, err := store.Changes(ctx, livespec.ChangeQuery{Repos: []string{"shop"}, Sections: true})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range changes {
		where := c.Path
		if c.Section {
			where += " § " + c.Heading
		}
		fmt.Printf("%s %-8s %s\n", c.Date.Format(time.DateOnly), c.Kind, where)
	}

	// A second run has nothing to do.
	res, err = ingest.Run(ctx, store, ingest.Options{Repo: "shop", Dir: repoDir})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("up to date:", res.UpToDate)

	// Output:
	// 2 commits, 1 current files, 4 section versions, 6 changes
	// 2025-03-01 added    checkout.md
	// 2025-03-01 added    checkout.md § Checkout
	// 2025-03-01 added    checkout.md § Checkout > Payment
	// 2025-03-15 modified checkout.md
	// 2025-03-15 added    checkout.md § Checkout > Coupons
	// 2025-03-15 modified checkout.md § Checkout > Payment
	// up to date: true
}

// exampleRepo creates a git repository with two commits of checkout.md.
func exampleRepo(dir string) {
	r, err := git.PlainInit(dir, false)
	if err != nil {
		log.Fatal(err)
	}
	wt, err := r.Worktree()
	if err != nil {
		log.Fatal(err)
	}
	commit := func(when time.Time, msg, text string) {
		if err := os.WriteFile(filepath.Join(dir, "checkout.md"), []byte(text), 0o644); err != nil {
			log.Fatal(err)
		}
		if _, err := wt.Add("checkout.md"); err != nil {
			log.Fatal(err)
		}
		sig := &object.Signature{Name: "Ada", Email: "ada@example.com", When: when}
		if _, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
			log.Fatal(err)
		}
	}
	commit(time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC), "Add checkout spec",
		"# Checkout\n\n## Payment\n\nCards are accepted.\n")
	commit(time.Date(2025, 3, 15, 10, 0, 0, 0, time.UTC), "Coupons and wallets",
		"# Checkout\n\n## Payment\n\nCards and wallets are accepted.\n\n## Coupons\n\nOne coupon per order.\n")
}
