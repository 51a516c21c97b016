package ingest

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/livespec/livespec"
)

// fuzzPaths are the file names FuzzParseFile parses its input as.
var fuzzPaths = []string{"docs/spec.md", "keps/sig-x/1-y/kep.yaml", "api/meta.json", "README"}

// FuzzParseFile checks that ParseFile never panics and that every result
// holds the invariants: unique keys, hashes of the texts, normalised texts,
// clean links, JSON-encodable metadata, valid UTF-8 out of valid UTF-8 in,
// parts within the size limit, and the same result twice. Seeds are in
// testdata/fuzz/FuzzParseFile and below.
func FuzzParseFile(f *testing.F) {
	seeds := []string{
		"# A\n## B\ntext [l](../x.md)\n",
		"---\na: 1\n---\n# H\n",
		"---\na: [\n---\n# H\n",
		"---\nunclosed\n",
		"Setext\n===\n> # q\n```\n# c\n```\n",
		"# Dup\n# Dup\n# Dup (2)\n",
		"a: 1\nb: [x, y]\nc: {d: 2019-01-01}\n",
		`{"a": {"b": [1, 2.5, null, true]}, "c": "x"}`,
		"- a\n- b\n",
		"a: &x [1]\nb: *x\n",
		"# T\r\n\r\n\r\nbody  \r\n",
		strings.Repeat("# H\n\n"+strings.Repeat("word ", 30)+"\n\n", 5),
		"\xff\xfe# \x80\n",
	}
	for _, s := range seeds {
		for k := range fuzzPaths {
			f.Add(uint8(k), uint16(0), []byte(s))
		}
	}
	f.Add(uint8(0), uint16(64), []byte(strings.Repeat("# H\n\n"+strings.Repeat("héllo ", 30)+"\n\n", 3)))
	f.Fuzz(func(t *testing.T, kind uint8, max uint16, content []byte) {
		path := fuzzPaths[int(kind)%len(fuzzPaths)]
		opt := ParseOptions{MaxSectionBytes: int(max)}
		pf, err := ParseFile(path, content, opt)
		if err != nil {
			if strings.HasSuffix(path, ".md") || path == "README" {
				t.Fatalf("Markdown failed: %v", err)
			}
			if livespec.ErrorCode(err) != livespec.EINVALID {
				t.Fatalf("error kind %q: %v", livespec.ErrorCode(err), err)
			}
			return
		}
		checkInvariants(t, pf, opt)
		if _, err := json.Marshal(pf); err != nil {
			t.Fatalf("result does not encode as JSON: %v", err)
		}
		valid := utf8.Valid(content)
		for _, s := range pf.Sections {
			if valid && (!utf8.ValidString(s.Text) || !utf8.ValidString(s.Heading)) {
				t.Fatalf("section %q: invalid UTF-8 out of valid input", s.Heading)
			}
			first, _, _ := strings.Cut(s.Text, "\n")
			if s.Part > 0 && len(s.Text) > opt.maxBytes() && len(first) < opt.maxBytes()/4 {
				t.Fatalf("section %q part %d: %d bytes over the limit %d", s.Heading, s.Part, len(s.Text), opt.maxBytes())
			}
		}
		again, _ := ParseFile(path, content, opt)
		if !reflect.DeepEqual(pf, again) {
			t.Fatalf("two parses differ")
		}
	})
}

// FuzzNormalizeText checks NormalizeText's no-copy path against the line by
// line normalisation, and that normal forms are stable.
func FuzzNormalizeText(f *testing.F) {
	for _, s := range []string{
		"", "a", "a\nb", "a\n\nb", "a\n\n\nb", "\na", "a\n", "a ", "a\t", " \na", "a\n \nb",
		"a \nb", "a\t\nb", "\n", "\n\n", " ", "a\r\nb", "a\rb\r\r\n", "# T\n\n  body\n\n- x\n  - y\n\n",
		"\n\n  \na\n", "a\n\n \t\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeText(s)
		if NormalizeText(n) != n {
			t.Errorf("NormalizeText(%q) = %q is not normal", s, n)
		}
		if strings.IndexByte(s, '\r') < 0 && n != normalizeLines(s) {
			t.Errorf("NormalizeText(%q) = %q, normalizeLines gives %q", s, n, normalizeLines(s))
		}
	})
}
