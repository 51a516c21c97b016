package retrieval

import (
	"context"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/lex"
)

// A document is named in a question by its path or file name
// ("versions/3.0.3.md", "README.md") or by its number ("proposal 43651",
// "#678", "KEP-1234", "ABC-0042", "(45713)") or by its title and name with
// a noun for a kind of document ("the Overlays proposal", "the Swagger 1.2
// specification document"); resolveDocument finds it among the files of
// the index before any search, so that its whole history (every path it
// had) is what a timeline follows. A document described by what it is
// about ("the module checksum database design") is the one that holds
// most of the sections mentioning it (byMentions). Other titles are
// matched by nameFile, over the search's hits.

var (
	// pathLike is a word that names a spec file by path or file name.
	pathLike = regexp.MustCompile(`[\w./-]*[\w-]\.(?:md|markdown|mdx|ya?ml|json)\b`)
	// docNumber is a number that can identify a document: after "#", after
	// an identifier prefix ("KEP-1234", "ABC-0042") or alone, 2 to 6 digits.
	docNumber = regexp.MustCompile(`(?:^|[^\w.])(?:#|[A-Za-z]{2,8}[- ]?)?0*([1-9][0-9]{1,5})\b`)
)

// resolveDocument returns the file a topic names by path, number or title,
// nil when it names none or several.
func (a *Assistant) resolveDocument(ctx context.Context, topic string, repos []string) (*fileTitle, error) {
	cur, err := a.current(ctx, repos)
	if err != nil {
		return nil, err
	}
	files := cur.files
	if pathLike.MatchString(topic) || docNumber.MatchString(topic) {
		if f := byPath(topic, files); f != nil {
			return f, nil
		}
		if f := byNumber(topic, files); f != nil {
			return f, nil
		}
	}
	if d := docPhraseOf(topic, cur.kinds); d.named {
		return byTitle(d, cur), nil
	}
	return nil, nil
}

// byPath returns the one current file whose path, or whose base name, a
// path-like word of the topic is.
func byPath(topic string, files []fileTitle) *fileTitle {
	for _, w := range pathLike.FindAllString(topic, -1) {
		w = strings.TrimPrefix(w, "./")
		var hits []fileTitle
		for _, f := range files {
			if f.f.path == w {
				return &f
			}
			if path.Base(f.f.path) == w {
				hits = append(hits, f)
			}
		}
		if len(hits) == 1 {
			return &hits[0]
		}
		// A base name several directories share ("README.md") names the
		// one at the root.
		for _, h := range hits {
			if !strings.Contains(h.f.path, "/") {
				return &h
			}
		}
	}
	return nil
}

// byNumber returns the one document whose name starts with a number of the
// topic ("43651-type-parameters.md", "keps/sig-node/2400-node-swap/README.md").
func byNumber(topic string, files []fileTitle) *fileTitle {
	for _, m := range docNumber.FindAllStringSubmatchIndex(topic, -1) {
		if versionOfName(topic, m[2]) {
			continue
		}
		n, _ := strconv.Atoi(topic[m[2]:m[3]])
		var hit *fileTitle
		dirs := map[string]bool{}
		for i, f := range files {
			if numberOf(docName(f.f.path)) != n {
				continue
			}
			dirs[docDir(f.f.path)] = true
			if hit == nil || better(f.f.path, hit.f.path) {
				hit = &files[i]
			}
		}
		count := len(dirs)
		if count == 1 {
			return hit
		}
	}
	return nil
}

// versionOfName reports whether the number at topic[i:] follows a
// capitalised name that is no kind of document ("Windows 95", "Java 17"):
// the number is that name's version, not a document's.
func versionOfName(topic string, i int) bool {
	for i > 0 && topic[i-1] == '0' {
		i--
	}
	if i < 2 || topic[i-1] != ' ' {
		return false
	}
	w := topic[:i-1]
	w = w[strings.LastIndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })+1:]
	r, _ := utf8.DecodeRuneInString(w)
	return w != "" && unicode.IsUpper(r) && strings.ToUpper(w) != w && !lex.DocNoun(strings.ToLower(w))
}

// better prefers a document's main file: Markdown, then the shorter path.
func better(p, than string) bool {
	pm, tm := strings.HasSuffix(p, ".md"), strings.HasSuffix(than, ".md")
	if pm != tm {
		return pm
	}
	return len(p) < len(than)
}

// docDir is what makes files one document: a directory's README with the
// files beside it, or a file alone.
func docDir(p string) string {
	if n := docName(p); n != strings.TrimSuffix(path.Base(p), path.Ext(p)) {
		return path.Dir(p)
	}
	return p
}

// numberOf returns the number a document name starts with ("43651" of
// "43651-type-parameters", 42 of "0042-foo"), or -1.
func numberOf(name string) int {
	i := 0
	for i < len(name) && name[i] >= '0' && name[i] <= '9' {
		i++
	}
	if i == 0 || i > 6 || (i < len(name) && name[i] != '-' && name[i] != '_') {
		return -1
	}
	n, _ := strconv.Atoi(name[:i])
	return n
}

// subjectOf describes a document for the answer contract: its latest path,
// its title, and every path it had (from the events of its history).
func subjectOf(f fileID, title string, events []livespec.TimelineEvent) livespec.Subject {
	s := livespec.Subject{Repo: f.repo, Path: f.path, Title: title, Paths: []string{}}
	seen := map[string]bool{}
	add := func(p string) {
		if p != "" && !seen[p] {
			seen[p] = true
			s.Paths = append(s.Paths, p)
		}
	}
	for _, e := range events {
		add(e.OldPath)
		add(e.Path)
	}
	add(f.path)
	if n := len(events); n > 0 && events[n-1].Path != "" {
		s.Path = events[n-1].Path
	}
	return s
}
