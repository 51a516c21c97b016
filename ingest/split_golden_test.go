package ingest

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/split")

// goldenMaxSectionBytes is small so that the golden files show parts.
const goldenMaxSectionBytes = 800

// TestParseFileGolden parses every testdata/split input as if it sat in a
// KEP directory and compares the result with name.golden (the input's name
// without its extension). A change in a golden hash means stored data built
// by the previous splitter must be rebuilt: bump SplitterVersion.
func TestParseFileGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/split/*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, in := range inputs {
		if strings.HasSuffix(in, ".golden") {
			continue
		}
		n++
		name := filepath.Base(in)
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			path := "keps/sig-apps/4242-bounded-checkout-retries/" + name
			opt := ParseOptions{MaxSectionBytes: goldenMaxSectionBytes}
			pf := parse(t, path, string(src), opt)
			got, err := json.MarshalIndent(struct {
				Path string `json:"path"`
				*ParsedFile
			}{path, pf}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := strings.TrimSuffix(in, filepath.Ext(in)) + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run Golden -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (run go test -run Golden -update and review the diff):\n%s", name, golden, firstDiff(string(want), string(got)))
			}
		})
	}
	if n == 0 {
		t.Fatal("no inputs in testdata/split")
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ":\n want " + a + "\n  got " + b
		}
	}
	return ""
}
