package review

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/ingest"
)

// specSection is one section of a spec file at head, read for the
// identifiers it names.
type specSection struct {
	Path, Heading string
	Text          string
	spans         map[string]bool // code spans and fenced code lines, trimmed
	routes        map[string]bool // route-like tokens, normalised
}

var (
	codeSpan  = regexp.MustCompile("`([^`\n]+)`")
	routeTok  = regexp.MustCompile("(?:^|[\\s`'\"(\\[])(/[A-Za-z0-9_.~{}:*<>-]+(?:/[A-Za-z0-9_.~{}:*<>-]*)*)")
	fenceLine = regexp.MustCompile("(?m)^\\s*(?:[-*]\\s+)?([A-Za-z_][\\w.-]*)\\s*[:=]")
)

// headSpecs parses every spec file at head into sections (once).
func (rv *reviewer) headSpecs() ([]specSection, error) {
	if rv.specs != nil {
		return rv.specs, nil
	}
	rv.specs = []specSection{}
	err := treeFiles(rv.rp.headTree, func(p string, h plumbing.Hash) error {
		if !rv.isSpec(p) {
			return nil
		}
		b, err := rv.rp.blob(h)
		if err != nil || b == nil {
			return err
		}
		pf, err := ingest.ParseFile(p, b, wholeSections)
		if err != nil {
			return nil // a sidecar that does not decode names nothing
		}
		for _, s := range pf.Sections {
			rv.specs = append(rv.specs, newSpecSection(p, s.Heading, s.Text))
		}
		return nil
	})
	return rv.specs, err
}

func newSpecSection(p, heading, text string) specSection {
	s := specSection{Path: p, Heading: heading, Text: text, spans: map[string]bool{}, routes: map[string]bool{}}
	for _, m := range codeSpan.FindAllStringSubmatch(text, -1) {
		s.spans[strings.TrimSpace(m[1])] = true
	}
	in := false
	for _, l := range strings.Split(text, "\n") {
		t := strings.TrimSpace(l)
		if livespec.IsFence(t) {
			in = !in
			continue
		}
		if in {
			if m := fenceLine.FindStringSubmatch(l); m != nil {
				s.spans[m[1]] = true
			}
		}
	}
	for _, m := range routeTok.FindAllStringSubmatch(text, -1) {
		if r := normalRoute(strings.TrimRight(m[1], ".,;:)")); r != "" {
			s.routes[r] = true
		}
	}
	return s
}

// names reports whether the section names the identifier verbatim, in
// the way a spec writes one of its kind: a flag or a variable anywhere as
// a whole token, a route as a path token (parameters in any syntax), an
// exported name, a configuration key or an error code in code.
func (s *specSection) names(id Ident) bool {
	switch id.Kind {
	case Flag:
		return wholeToken(s.Text, id.Name, func(r rune) bool { return isWordRune(r) || r == '-' })
	case EnvVar:
		return wholeToken(s.Text, id.Name, isWordRune)
	case Route:
		return s.routes[id.Name]
	case ConfigKey:
		return s.spans[id.Name] || s.spans[id.Name+":"]
	case ErrorCode:
		return s.spans[id.Name] || s.spans[`"`+id.Name+`"`]
	case Exported:
		return s.namesExported(id.Name)
	}
	return false
}

// namesExported: a code span that is the name, qualified as written
// (pkg.Name) or, for a distinctive name (MixedCase or snake_case of six
// letters or more), alone; a call's parentheses are allowed.
func (s *specSection) namesExported(name string) bool {
	bare := name[strings.LastIndexByte(name, '.')+1:]
	for sp := range s.spans {
		sp = strings.TrimSuffix(sp, "()")
		if i := strings.IndexByte(sp, '('); i > 0 {
			sp = sp[:i]
		}
		if sp == name || strings.HasSuffix(sp, "."+name) || (sp == bare || strings.HasSuffix(sp, "."+bare)) && distinctive(bare) {
			return true
		}
	}
	return false
}

// distinctive reports whether a name is unlike an English word: six
// characters or more with an inner capital or an underscore.
func distinctive(n string) bool {
	if len(n) < 6 {
		return false
	}
	for i, r := range n {
		if i > 0 && (unicode.IsUpper(r) || r == '_') {
			return true
		}
	}
	return false
}

// wholeToken reports whether tok occurs in text with no word rune (as
// inWord says) right before or after it.
func wholeToken(text, tok string, inWord func(rune) bool) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], tok)
		if j < 0 {
			return false
		}
		at := i + j
		end := at + len(tok)
		before, after := ' ', ' '
		if at > 0 {
			before = rune(text[at-1])
		}
		if end < len(text) {
			after = rune(text[end])
		}
		if !inWord(before) && !inWord(after) {
			return true
		}
		i = at + 1
	}
}

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }
