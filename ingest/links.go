package ingest

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/livespec/livespec"
)

// linksVersion changes whenever ingest would read other links from the
// same files.
const linksVersion = 1

var (
	// coversComment is `<!-- livespec: covers GLOB [GLOB ...] -->` in a
	// spec section.
	coversComment = regexp.MustCompile(`<!--\s*livespec:\s*covers\s+([^>]*?)\s*-->`)
	// specComment is a code comment pointing at a spec section:
	// `// spec: auth.md#token-expiry` (also after #, /*, -- or ;).
	specComment = regexp.MustCompile(`(?m)(?://|#|/\*|--|;)\s*spec:\s*([^\s#*]+\.(?:md|markdown))(?:#([\w.-]+))?`)
	// codeSpanAny is a code span, over line breaks too (a wrapped paragraph).
	codeSpanAny = regexp.MustCompile("`[^`]+`")
)

// CoversGlobs returns the globs that a spec section's `<!-- livespec:
// covers GLOB [GLOB ...] -->` comments declare, as repository paths (a
// leading "/" or "./" dropped). A comment shown as code, in a code span or
// a fenced block, is an example and declares nothing.
func CoversGlobs(text string) []string {
	if !strings.Contains(text, "livespec:") {
		return nil
	}
	var out []string
	for _, m := range coversComment.FindAllStringSubmatch(StripCode(text), -1) {
		for _, g := range strings.Fields(m[1]) {
			g = strings.TrimPrefix(path.Clean(strings.TrimPrefix(g, "/")), "./")
			if g != "." && !slices.Contains(out, g) {
				out = append(out, g)
			}
		}
	}
	return out
}

// StripCode returns a section's text without its fenced blocks and code
// spans: the prose in which a comment or a link declares something.
func StripCode(text string) string {
	var b strings.Builder
	in := false
	for _, l := range strings.Split(text, "\n") {
		t := strings.TrimSpace(l)
		if livespec.IsFence(t) {
			in = !in
			continue
		}
		if !in {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return codeSpanAny.ReplaceAllString(b.String(), "")
}

// SpecComment is one code comment pointing at a spec section.
type SpecComment struct {
	Target string // the spec file as written
	Anchor string // the section's anchor as written; "" for the whole document
	Line   int    // 1-based
	Text   string // the comment from "spec:" on, for messages
}

// SpecComments returns the `spec: FILE.md#anchor` comments of a source
// file (after //, #, /*, -- or ;), in file order.
func SpecComments(src []byte) []SpecComment {
	if !maySpecComment(src) {
		return nil
	}
	var out []SpecComment
	for _, m := range specComment.FindAllSubmatchIndex(src, -1) {
		c := SpecComment{Target: string(src[m[2]:m[3]]), Line: 1 + bytes.Count(src[:m[0]], []byte("\n")),
			Text: strings.TrimSpace(string(src[m[2]:m[1]]))}
		if m[4] >= 0 {
			c.Anchor = string(src[m[4]:m[5]])
		}
		out = append(out, c)
	}
	return out
}

// maySpecComment reports whether some "spec:" in src follows a comment
// marker and white space only, as every specComment match does: most
// source files that hold "spec:" at all hold it inside a word
// ("livespec:"), and are not searched further.
func maySpecComment(src []byte) bool {
	for rest := src; ; {
		i := bytes.Index(rest, []byte("spec:"))
		if i < 0 {
			return false
		}
		before := bytes.TrimRight(rest[:i], " \t\n\v\f\r")
		for _, m := range []string{"//", "#", "/*", "--", ";"} {
			if bytes.HasSuffix(before, []byte(m)) {
				return true
			}
		}
		rest = rest[i+len("spec:"):]
	}
}

// codeExts are the file name endings of source code whose spec comments
// ingest reads.
var codeExts = map[string]bool{
	".go": true, ".js": true, ".mjs": true, ".cjs": true, ".jsx": true, ".ts": true, ".tsx": true,
	".py": true, ".rb": true, ".java": true, ".kt": true, ".kts": true, ".rs": true, ".c": true, ".h": true,
	".cc": true, ".cpp": true, ".hpp": true, ".cs": true, ".swift": true, ".php": true, ".scala": true,
	".sh": true, ".sql": true, ".proto": true, ".lua": true, ".ex": true, ".exs": true, ".clj": true,
}

// code reports whether p is a source file whose spec comments ingest
// reads: not a spec file or sidecar, not excluded, not a test, with a
// code ending.
func (m *matcher) code(p string) bool {
	return codeExts[strings.ToLower(path.Ext(p))] && !m.match(p) && !m.excluded(p) && !IsTestFile(p)
}

// IsTestFile reports whether p is a test or a fixture (foo_test.go,
// a.test.ts, test_x.py, testdata/, fixtures/ ...): tests change without
// the spec, and their comments and strings declare no links.
func IsTestFile(p string) bool {
	low := strings.ToLower(p)
	base := path.Base(low)
	if strings.HasSuffix(base, "_test.go") || strings.Contains(base, ".test.") || strings.Contains(base, ".spec.") ||
		strings.HasPrefix(base, "test_") || strings.HasSuffix(base, "_test.py") {
		return true
	}
	for _, d := range []string{"testdata/", "test/", "tests/", "__tests__/", "fixtures/"} {
		if strings.HasPrefix(low, d) || strings.Contains(low, "/"+d) {
			return true
		}
	}
	return false
}

// linkKey identifies a link within the file declaring it.
type linkKey struct {
	kind            livespec.LinkKind
	heading, target string
	anchor          string
}

// codeLinks is what the walker read of one changed code file: its path
// before and after ("" for an absent side) and the links of its new side.
type codeLinks struct {
	from, to string
	links    []linkKey
}

// sectionLinks are the covers links of a spec file's new side.
func sectionLinks(jc jobChange) []linkKey {
	if !jc.To.present() || jc.to == nil || jc.to.parsed == nil || !isMarkdown(jc.To.Path) {
		return nil
	}
	var out []linkKey
	for _, s := range jc.to.parsed.Sections {
		for _, g := range CoversGlobs(s.Text) {
			k := linkKey{kind: livespec.LinkCovers, heading: s.Heading, target: g}
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// loadLinks reads the repo's open links, by declaring file.
func (p *pipeline) loadLinks(ctx context.Context) error {
	ls, err := p.store.Links(ctx, livespec.LinkQuery{Repos: []string{p.opt.Repo}, Validity: livespec.Current()})
	if err != nil {
		return err
	}
	for _, l := range ls {
		m := p.links[l.Path]
		if m == nil {
			m = map[linkKey]string{}
			p.links[l.Path] = m
		}
		m[linkKey{l.Kind, l.Heading, l.Target, l.Anchor}] = l.ID
	}
	return nil
}

// commitLinks records the links of the spec and code files job changed.
// Every old side is detached first: a commit can swap paths.
func (p *pipeline) commitLinks(job *commitJob, changes []jobChange) {
	type relink struct {
		from, to string
		want     []linkKey
	}
	var rs []relink
	for _, jc := range changes {
		if p.match.spec(jc.path()) || jc.From.present() && p.match.spec(jc.From.Path) {
			rs = append(rs, relink{jc.From.Path, jc.To.Path, sectionLinks(jc)})
		}
	}
	for _, c := range job.code {
		rs = append(rs, relink{c.from, c.to, c.links})
	}
	olds := make([]map[linkKey]string, len(rs))
	for i, r := range rs {
		olds[i] = p.links[r.from]
		delete(p.links, r.from)
	}
	for i, r := range rs {
		p.relink(job, r.to, r.from == r.to, r.want, olds[i])
	}
}

// relink diffs the links a file declares now (at to; "" when removed)
// against those it declared (old): a link kept at the same path stays
// open, every other old one closes and every other new one opens.
func (p *pipeline) relink(job *commitJob, to string, samePath bool, want []linkKey, old map[linkKey]string) {
	cur := map[linkKey]string{}
	for _, k := range want {
		if id, ok := old[k]; ok && samePath {
			cur[k] = id
			delete(old, k)
			continue
		}
		l := livespec.Link{
			ID: livespec.LinkID(p.opt.Repo, k.kind, to, k.heading, k.target, k.anchor, job.hash), Repo: p.opt.Repo,
			Kind: k.kind, Path: to, Heading: k.heading, Target: k.target, Anchor: k.anchor,
			Commit: job.hash, Seq: job.seq, ValidFrom: job.date,
		}
		p.pendingL[l.ID] = len(p.batch.Links)
		p.batch.Links = append(p.batch.Links, l)
		p.batchItems++
		cur[k] = l.ID
	}
	ids := make([]string, 0, len(old))
	for _, id := range old {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		p.closeLink(id, job)
	}
	if len(cur) > 0 {
		p.links[to] = cur
	}
}

// closeLink ends a link version at job: in place when the batch holds it,
// with a Close otherwise.
func (p *pipeline) closeLink(id string, job *commitJob) {
	if i, ok := p.pendingL[id]; ok {
		l := &p.batch.Links[i]
		l.EndCommit, l.EndSeq, l.ValidTo = job.hash, job.seq, job.date
		delete(p.pendingL, id)
		return
	}
	p.batch.LinkCloses = append(p.batch.LinkCloses, livespec.Close{ID: id, Commit: job.hash, Seq: job.seq, ValidTo: job.date})
	p.batchItems++
}

// linker reads the spec comments of the source files each task's commit
// changed, in the walker's order, on a git handle and tree cache of its
// own: the walker, the critical path, only lists the files. The handle
// is opened at the first task, so a history without source files opens
// none.
func (p *pipeline) linker(ctx context.Context, tasks <-chan codeTask) error {
	var g *gitRepo
	var tc *treeCache
	defer func() {
		if g != nil {
			_ = g.close()
		}
	}()
	for t := range tasks {
		if g == nil {
			var err error
			if g, err = openRepo(p.opt.Dir, p.opt.MaxFileBytes); err != nil {
				return fmt.Errorf("ingest: %w", err)
			}
			tc = newTreeCache(g, 1024)
		}
		cl, err := p.codeLinks(g, tc, t.root, t.files)
		if err != nil {
			return fmt.Errorf("ingest: commit %s: %w", t.job.hash, err)
		}
		t.job.code = cl
		close(t.job.codeDone)
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
	}
	return nil
}

// codeLinks reads the spec comments of the source files a commit changed
// (code, at the commit's tree root) from g: each names a spec file from
// the repository's root or from the source file's directory, and a comment
// naming no spec file of the commit declares nothing.
func (p *pipeline) codeLinks(g *gitRepo, tc *treeCache, root plumbing.Hash, code []fileChange) ([]codeLinks, error) {
	out := make([]codeLinks, 0, len(code))
	for _, fc := range code {
		cl := codeLinks{from: fc.From.Path, to: fc.To.Path}
		if fc.To.present() {
			content, _, err := g.readBlob(fc.To.Hash, p.opt.MaxFileBytes)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", fc.To.Path, err)
			}
			if isBinary(content) {
				content = nil
			}
			for _, c := range SpecComments(content) {
				doc, err := p.specFileAt(tc, root, fc.To.Path, c.Target)
				if err != nil {
					return nil, err
				}
				k := linkKey{kind: livespec.LinkSpec, target: doc, anchor: strings.ToLower(c.Anchor)}
				if doc != "" && !slices.Contains(cl.links, k) {
					cl.links = append(cl.links, k)
				}
			}
		}
		if cl.from != "" || len(cl.links) > 0 {
			out = append(out, cl)
		}
	}
	return out, nil
}

// specFileAt resolves the spec file a comment in the file at from names,
// from the root and then from from's directory; "" when the tree at root
// holds no such spec file.
func (p *pipeline) specFileAt(tc *treeCache, root plumbing.Hash, from, target string) (string, error) {
	for _, c := range []string{path.Clean(strings.TrimPrefix(target, "/")), path.Join(path.Dir(from), target)} {
		if !p.match.spec(c) {
			continue
		}
		ok, err := tc.holds(root, c)
		if ok || err != nil {
			return c, err
		}
	}
	return "", nil
}

// holds reports whether the tree root has a file at p.
func (c *treeCache) holds(root plumbing.Hash, p string) (bool, error) {
	h := root
	parts := strings.Split(p, "/")
	for i, name := range parts {
		t, err := c.tree(h)
		if err != nil || t == nil {
			return false, err
		}
		j := slices.IndexFunc(t.Entries, func(e object.TreeEntry) bool { return e.Name == name })
		if j < 0 {
			return false, nil
		}
		e := t.Entries[j]
		if i == len(parts)-1 {
			return e.Mode != filemode.Dir && e.Mode != filemode.Submodule, nil
		}
		if e.Mode != filemode.Dir {
			return false, nil
		}
		h = e.Hash
	}
	return false, nil
}
