package ingest

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/livespec/livespec"
)

// SidecarPair names a metadata file and the document it describes in the
// same directory: the fields of every file named Sidecar become facts of
// the file named Document beside it.
type SidecarPair struct {
	Sidecar  string `json:"sidecar"`  // base name, e.g. "kep.yaml"
	Document string `json:"document"` // base name, e.g. "README.md"
}

// DefaultSidecars are the sidecar pairs when Options.Sidecars is nil:
// Kubernetes KEPs keep their status, stage and milestones in kep.yaml
// beside each README.md.
var DefaultSidecars = []SidecarPair{{Sidecar: "kep.yaml", Document: "README.md"}}

// ParseSidecars reads "kep.yaml=README.md" pairs; "none" alone means no
// sidecars (an empty, non-nil list).
func ParseSidecars(specs []string) ([]SidecarPair, error) {
	out := []SidecarPair{}
	for _, s := range specs {
		if strings.TrimSpace(s) == "none" {
			continue
		}
		side, doc, ok := strings.Cut(s, "=")
		side, doc = strings.TrimSpace(side), strings.TrimSpace(doc)
		if !ok || side == "" || doc == "" || strings.Contains(side, "/") || strings.Contains(doc, "/") {
			return nil, livespec.Errorf(livespec.EINVALID, "sidecar %q: want SIDECAR=DOCUMENT, two file names such as kep.yaml=README.md", s)
		}
		out = append(out, SidecarPair{Sidecar: side, Document: doc})
	}
	return out, nil
}

// rawFact is one field read from one file version.
type rawFact struct {
	origin  livespec.FactOrigin
	name    string // as written
	field   string // normalised
	raw     string // value as written
	value   string // normalised
	release string
}

// headerScanLines bounds how far into a document a header list is looked for.
const headerScanLines = 80

// markdownFacts returns the facts of a Markdown document: its front matter
// fields (meta), then the key-value lines of a header list, table or plain
// "Key: value" lines before the first heading or right after it. A field
// met twice keeps its first value.
func markdownFacts(content []byte, meta map[string]any) []rawFact {
	facts := metaFacts(meta, livespec.FactFrontMatter)
	src := normalizeNewlines(content)
	if _, rest, ok := cutFrontMatter(src); ok {
		src = rest
	}
	seen := map[string]bool{}
	for _, f := range facts {
		seen[f.field] = true
	}
	add := func(f rawFact) {
		if !seen[f.field] {
			seen[f.field] = true
			facts = append(facts, f)
		}
	}
	headerFacts(string(firstLines(src, headerScanLines)), add)
	return facts
}

// firstLines returns the first n lines of src, without the newline that
// ends the last one.
func firstLines(src []byte, n int) []byte {
	if n <= 0 {
		return nil
	}
	end := 0
	for range n {
		i := bytes.IndexByte(src[end:], '\n')
		if i < 0 {
			return src
		}
		end += i + 1
	}
	return src[:end-1]
}

// headerFacts scans the top of a document: every line before the first
// heading, then the lines right after it up to the first prose line once a
// field was found (only markup lines may come before the fields), the next
// heading or a code fence. A list item's continuation lines are part of
// its value; a list item that is no field does not end the list.
func headerFacts(src string, add func(rawFact)) {
	lines := strings.SplitN(src, "\n", headerScanLines+1)
	if len(lines) > headerScanLines {
		lines = lines[:headerScanLines]
	}
	afterHeading, found := false, false
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		t := strings.TrimSpace(line)
		if livespec.IsFence(t) {
			return
		}
		heading := isATXHeading([]byte(strings.TrimLeft(line, " "))) ||
			(i+1 < len(lines) && t != "" && isSetextUnderline(lines[i+1]))
		if heading {
			if afterHeading || found {
				return
			}
			afterHeading = true
			if !isATXHeading([]byte(strings.TrimLeft(line, " "))) {
				i++ // the setext underline
			}
			continue
		}
		if t == "" || isTableRule(t) {
			continue
		}
		item := listMarker.MatchString(t)
		if item {
			// Continuation lines belong to the item.
			for i+1 < len(lines) && continues(lines[i+1]) {
				i++
				t += " " + strings.TrimSpace(lines[i])
			}
		}
		if f, ok := fieldLine(t); ok {
			add(f)
			found = true
			continue
		}
		if item && found {
			continue
		}
		// After the heading, only markup lines (comments, badges, images,
		// quotes) may come before the fields; prose ends the header.
		if afterHeading && (found || !strings.ContainsAny(t[:1], "<[!>")) {
			return
		}
	}
}

// continues reports whether line continues a list item's paragraph (as
// CommonMark reads it, indented or lazily): not blank, no item, heading,
// fence or table row.
func continues(line string) bool {
	t := strings.TrimSpace(line)
	return t != "" && !listMarker.MatchString(t) && !isATXHeading([]byte(t)) && !isSetextUnderline(line) &&
		!livespec.IsFence(t) && !strings.HasPrefix(t, "|")
}

func isSetextUnderline(line string) bool {
	t := strings.TrimSpace(line)
	if len(t) < 2 || len(line)-len(strings.TrimLeft(line, " ")) > 3 {
		return false
	}
	return strings.Trim(t, "=") == "" || strings.Trim(t, "-") == ""
}

func isTableRule(t string) bool {
	return strings.HasPrefix(t, "|") && strings.Trim(t, "|-: ") == ""
}

var listMarker = regexp.MustCompile(`^(?:[*+-]|\d{1,3}[.)])\s+`)

// fieldLine reads "Key: value" from one line of a header: a list item
// ("* **Status**: Stable in 1.1", "- Start Date: 2018-04-01"), a table row
// ("| Status | Accepted |") or a plain line ("Status: Accepted").
func fieldLine(t string) (rawFact, bool) {
	if strings.HasPrefix(t, "|") {
		cells := strings.Split(strings.Trim(t, "|"), "|")
		if len(cells) != 2 {
			return rawFact{}, false
		}
		return newField(livespec.FactHeader, strings.TrimSpace(cells[0]), strings.TrimSpace(cells[1]))
	}
	item := listMarker.MatchString(t)
	t = listMarker.ReplaceAllString(t, "")
	i := strings.IndexByte(t, ':')
	if i <= 0 {
		return rawFact{}, false
	}
	name, value := t[:i], t[i+1:]
	// "**Status:** Accepted": the markup that opened before the colon
	// closes after it.
	if m := leadingMarkup(name); m != "" && !strings.HasSuffix(strings.TrimSpace(name), m) && strings.HasPrefix(value, m) {
		value = value[len(m):]
		name += m
	}
	// A plain line is a field only when it is no sentence.
	if !item && leadingMarkup(name) == "" && (strings.Contains(value, ". ") || strings.HasSuffix(value, ".")) {
		return rawFact{}, false
	}
	return newField(livespec.FactHeader, strings.TrimSpace(name), strings.TrimSpace(value))
}

func leadingMarkup(s string) string {
	for _, m := range []string{"**", "__", "*", "_", "`"} {
		if strings.HasPrefix(s, m) {
			return m
		}
	}
	return ""
}

// newField checks that name looks like a field name (one to four words, no
// link or sentence punctuation) and the value is not empty.
func newField(origin livespec.FactOrigin, name, raw string) (rawFact, bool) {
	name = strings.Replace(name, "(s)", "", 1)
	field := livespec.NormalizeField(name)
	if field == "" || len(field) > 40 || strings.Count(field, " ") > 3 || strings.ContainsAny(name, "[]()<>/\\.,;?!") {
		return rawFact{}, false
	}
	for _, r := range field {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != ' ' {
			return rawFact{}, false
		}
	}
	if !unicode.IsLetter([]rune(field)[0]) {
		return rawFact{}, false
	}
	value := NormalizeValue(raw)
	if value == "" || len(raw) > 500 || strings.HasPrefix(raw, "//") { // "Discussion at https://…"
		return rawFact{}, false
	}
	return rawFact{origin: origin, name: name, field: field, raw: raw, value: value, release: ReleaseOf(value)}, true
}

// metaFacts turns the top level of a YAML mapping into facts: scalars as
// they are, lists of scalars joined with ", "; nested mappings are left out.
func metaFacts(meta map[string]any, origin livespec.FactOrigin) []rawFact {
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []rawFact
	seen := map[string]bool{}
	for _, k := range keys {
		raw, ok := scalarText(meta[k])
		if !ok {
			continue
		}
		f, ok := newField(origin, k, raw)
		if ok && !seen[f.field] {
			seen[f.field] = true
			out = append(out, f)
		}
	}
	return out
}

func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case int, int64:
		return fmt.Sprint(x), true
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := scalarText(e)
			if !ok {
				return "", false
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ", "), len(parts) > 0
	}
	return "", false
}

var (
	imageRE    = regexp.MustCompile(`!\[[^\]]*\]\([^)]*\)`)
	linkRE     = regexp.MustCompile(`\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])`)
	autoLink   = regexp.MustCompile(`<(https?://[^>]+)>`)
	htmlTag    = regexp.MustCompile(`</?[A-Za-z][^>]*>`)
	emphasis   = regexp.MustCompile(`(^|[^\w*])[*_]{1,3}([^*_\s](?:[^*_]*[^*_\s])?)[*_]{1,3}`)
	releaseNum = regexp.MustCompile(`(?:^|[^\w.])v?(\d+\.\d+(?:\.\d+)?(?:-[A-Za-z][\w.]*)?)\b`)
)

// NormalizeValue strips Markdown from a value: images go, links become
// their text, emphasis, code and HTML markers go, spaces collapse.
func NormalizeValue(raw string) string {
	if !strings.ContainsAny(raw, "[<*_`~") { // no markup: spaces only
		return strings.Join(strings.Fields(raw), " ")
	}
	s := imageRE.ReplaceAllString(raw, "")
	s = linkRE.ReplaceAllString(s, "$1")
	s = autoLink.ReplaceAllString(s, "$1")
	s = htmlTag.ReplaceAllString(s, "")
	for range 2 {
		s = emphasis.ReplaceAllString(s, "$1$2")
	}
	s = strings.NewReplacer("**", "", "__", "", "`", "", "~~", "").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// ReleaseOf returns the first release number in a value ("Stable in 1.1"
// → "1.1", "Implemented (v2.3.0)" → "2.3.0", "1.6.20-M1"), or "".
func ReleaseOf(value string) string {
	if !strings.Contains(value, ".") {
		return ""
	}
	m := releaseNum.FindStringSubmatch(value)
	if m == nil {
		return ""
	}
	return m[1]
}

// sidecarDoc returns the document a sidecar file describes, and whether
// p is a sidecar of one of pairs.
func sidecarDoc(pairs []SidecarPair, p string) (string, bool) {
	base := path.Base(p)
	for _, sp := range pairs {
		if base == sp.Sidecar {
			return path.Join(path.Dir(p), sp.Document), true
		}
	}
	return "", false
}

// isMarkdown reports whether p is a Markdown file by its extension.
func isMarkdown(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".yaml", ".yml", ".json":
		return false
	}
	return true
}
