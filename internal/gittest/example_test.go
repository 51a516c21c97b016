package gittest_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/livespec/livespec/internal/gittest"
)

// Example builds a small history: two commits on the clock, a feature
// branch merged back, and a rename at an explicit date.
func Example() {
	start := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	r := gittest.New(t, start, gittest.Step{
		Msg:   "Add checkout",
		Write: map[string]string{"spec/checkout.md": "# Checkout\n\nCards only.\n"},
	})
	r.Author = "Bo"
	r.Write("spec/checkout.md", "# Checkout\n\nCards and coupons.\n").Commit("Coupons")
	r.Checkout("wallets").Write("spec/wallets.md", "# Wallets\n").Commit("Wallets")
	r.Checkout("main").Merge("wallets", "Merge wallets")
	r.Do(gittest.Step{Date: "2025-03-01T12:00:00Z", Msg: "Rename checkout",
		Move: [][2]string{{"spec/checkout.md", "spec/pay.md"}}})

	fmt.Println(r.Git("log", "--first-parent", "--format=%cI %an: %s"))
	fmt.Println(r.Git("ls-files"))
	// Output:
	// 2025-03-01T12:00:00+00:00 Bo: Rename checkout
	// 2025-01-06T12:00:00+00:00 Bo: Merge wallets
	// 2025-01-06T10:00:00+00:00 Bo: Coupons
	// 2025-01-06T09:00:00+00:00 Ada Lovelace: Add checkout
	// spec/pay.md
	// spec/wallets.md
}

// t stands for the *testing.T of a test in the example; exampleTB lends
// it the few methods gittest calls.
var t testing.TB = exampleTB{}

type exampleTB struct{ testing.TB }

var exampleDirs []string

func (exampleTB) Helper()                   {}
func (exampleTB) Fatal(args ...any)         { panic(fmt.Sprint(args...)) }
func (exampleTB) Fatalf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }
func (exampleTB) Skip(args ...any)          { panic(fmt.Sprint(args...)) }
func (exampleTB) TempDir() string {
	dir, err := os.MkdirTemp("", "gittest-example")
	if err != nil {
		panic(err)
	}
	exampleDirs = append(exampleDirs, dir)
	return dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, dir := range exampleDirs {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}
