package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/livespec/livespec/internal/gittest"
)

// synthDoc builds a KEP-like Markdown document of about size bytes:
// nested headings, paragraphs with links and emphasis, lists, code fences
// and tables.
func synthDoc(size int) []byte {
	var b strings.Builder
	b.WriteString("<!-- toc -->\n- [Summary](#summary)\n<!-- /toc -->\n# KEP-1: A synthetic proposal\n\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "## Area %d\n\nThe *area* %d covers the [component](../c%d/README.md) and its `API`.\n\n", i, i, i%7)
		for j := range 4 {
			fmt.Fprintf(&b, "### Topic %d.%d\n\n", i, j)
			for k := range 3 {
				fmt.Fprintf(&b, "Paragraph %d explains how requests of kind %d are retried, throttled and\nrecorded, with **bounded** queues and a [reference][r%d] to earlier work.\n\n", k, j, k)
			}
			b.WriteString("- first point\n- second point with `code`\n  - nested point\n\n")
			if j%2 == 0 {
				b.WriteString("```go\n# not a heading\nfunc retry(n int) error {\n\treturn nil\n}\n```\n\n")
			}
			b.WriteString("| field | meaning |\n|---|---|\n| maxRetries | the bound |\n\n")
		}
	}
	b.WriteString("[r0]: ../r0.md\n[r1]: https://example.com\n[r2]: #summary\n")
	return []byte(b.String())
}

// BenchmarkParseFile parses a 1 MB KEP-like document.
func BenchmarkParseFile(b *testing.B) {
	src := synthDoc(1 << 20)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseFile("keps/sig-x/1-y/README.md", src, ParseOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseFileKEPs parses every Markdown and kep.yaml file at the
// head of the Kubernetes KEPs corpus (../../shared/corpora); it skips when
// the corpus or git is missing.
func BenchmarkParseFileKEPs(b *testing.B) {
	bundle, _ := filepath.Abs("../../shared/corpora/kubernetes-enhancements.bundle")
	if _, err := os.Stat(bundle); err != nil {
		b.Skip("corpus not found:", bundle)
	}
	dir := gittest.Clone(b, bundle).Dir
	type file struct {
		path string
		data []byte
	}
	var files []file
	var total int64
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".md") || strings.HasSuffix(p, "kep.yaml")) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err == nil {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, file{filepath.ToSlash(rel), data})
			total += int64(len(data))
		}
		return nil
	})
	b.SetBytes(total)
	b.ResetTimer()
	for b.Loop() {
		for _, f := range files {
			if _, err := ParseFile(f.path, f.data, ParseOptions{}); err != nil && strings.HasSuffix(f.path, ".md") {
				b.Fatal(err)
			}
		}
	}
}
