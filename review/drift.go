package review

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/livespec/livespec"
)

// codeIndex holds the identifiers of the changed code files at both ends
// of the range, and reads the unchanged ones on demand.
type codeIndex struct {
	base, head map[string][]located // ident key → where it is
	unchanged  []codeFile           // code files the range did not touch (at head)
	parsed     map[string]map[string]bool
	renamedTo  map[string]string // base path → head path
}

// located is an occurrence in a file.
type located struct {
	occurrence
	Path string
}

// codeFile is one code file at head.
type codeFile struct {
	path string
	hash plumbing.Hash
	src  []byte
}

// buildIndex extracts the identifiers of the changed code files.
func (rv *reviewer) buildIndex() (*codeIndex, error) {
	ix := &codeIndex{base: map[string][]located{}, head: map[string][]located{}, parsed: map[string]map[string]bool{}, renamedTo: map[string]string{}}
	touched := map[string]bool{}
	for _, fc := range rv.files {
		touched[fc.To] = true
		if fc.From != "" && fc.To != "" {
			ix.renamedTo[fc.From] = fc.To
		}
		for _, side := range []struct {
			path string
			hash plumbing.Hash
			into map[string][]located
		}{{fc.From, fc.FromHash, ix.base}, {fc.To, fc.ToHash, ix.head}} {
			if side.path == "" || codeLanguage(side.path) == "" {
				continue
			}
			src, err := rv.rp.blob(side.hash)
			if err != nil {
				return nil, err
			}
			for _, o := range extract(side.path, src) {
				side.into[o.key()] = append(side.into[o.key()], located{o, side.path})
			}
		}
	}
	err := treeFiles(rv.rp.headTree, func(p string, h plumbing.Hash) error {
		if !touched[p] && codeLanguage(p) != "" {
			ix.unchanged = append(ix.unchanged, codeFile{path: p, hash: h})
		}
		return nil
	})
	return ix, err
}

// inUnchanged reports whether a code file the range did not touch has
// the identifier: files holding its bare text are parsed, the rest are
// not.
func (rv *reviewer) inUnchanged(id Ident) (bool, error) {
	needle := []byte(bareText(id))
	for i := range rv.idx.unchanged {
		f := &rv.idx.unchanged[i]
		if f.src == nil {
			b, err := rv.rp.blob(f.hash)
			if err != nil {
				return false, err
			}
			f.src = append(b, 0)[:len(b)] // non-nil when empty
		}
		if !bytes.Contains(f.src, needle) {
			continue
		}
		keys := rv.idx.parsed[f.path]
		if keys == nil {
			keys = map[string]bool{}
			for _, o := range extract(f.path, f.src) {
				keys[o.key()] = true
			}
			rv.idx.parsed[f.path] = keys
		}
		if keys[id.key()] {
			return true, nil
		}
	}
	return false, nil
}

// bareText is the part of an identifier that its source spells
// literally: a flag without dashes, a route's last fixed segment, a
// qualified name's last part.
func bareText(id Ident) string {
	n := id.Name
	switch id.Kind {
	case Flag:
		return strings.TrimLeft(n, "-")
	case Route:
		segs := strings.Split(n, "/")
		for i := len(segs) - 1; i >= 0; i-- {
			if segs[i] != "" && segs[i] != "{}" {
				return segs[i]
			}
		}
	case Exported:
		return n[strings.LastIndexByte(n, '.')+1:]
	}
	return n
}

// drift finds where code and spec disagree: stale and undocumented
// identifiers, then code whose linked section did not change.
func (rv *reviewer) drift(ctx context.Context, docs []Document) ([]Finding, error) {
	ix, err := rv.buildIndex()
	if err != nil {
		return nil, err
	}
	rv.idx = ix
	removed, err := rv.gone(ix.base, ix.head)
	if err != nil {
		return nil, err
	}
	removed = rv.stillSpelled(removed)
	added, err := rv.gone(ix.head, ix.base)
	if err != nil {
		return nil, err
	}
	var out []Finding
	if len(removed)+len(added) > 0 {
		specs, err := rv.headSpecs()
		if err != nil {
			return nil, err
		}
		out = append(out, rv.stale(removed, added, specs)...)
		out = append(out, rv.undocumented(added, specs)...)
	}
	links, err := rv.uncovered(ctx, docs)
	if err != nil {
		return nil, err
	}
	return append(out, links...), nil
}

// gone returns, in a stable order, the identifiers of from that neither
// to nor any unchanged code file has: removed (from base to head) or
// added (from head to base).
func (rv *reviewer) gone(from, to map[string][]located) ([]located, error) {
	var out []located
	for _, k := range slices.Sorted(mapKeysOf(from)) {
		if len(to[k]) > 0 {
			continue
		}
		l := from[k][0]
		has, err := rv.inUnchanged(l.Ident)
		if err != nil {
			return nil, err
		}
		if !has {
			out = append(out, l)
		}
	}
	slices.SortStableFunc(out, func(a, b located) int {
		return cmpStrings(a.Path, b.Path, a.Line, b.Line)
	})
	return out, nil
}

// stillSpelled drops the removed identifiers whose literal a changed code
// file still spells at head ("exclude" for --exclude): the code may still
// define them in a way review does not read, and a finding must be
// certain.
func (rv *reviewer) stillSpelled(removed []located) []located {
	var heads [][]byte
	for _, fc := range rv.files {
		if fc.To != "" && codeLanguage(fc.To) != "" {
			if b, err := rv.rp.blob(fc.ToHash); err == nil {
				heads = append(heads, b)
			}
		}
	}
	return slices.DeleteFunc(removed, func(l located) bool {
		if l.Kind == Exported {
			return false // declarations are read by the parser, or not at all
		}
		bare := bareText(l.Ident)
		qs := []string{`"` + bare + `"`, "'" + bare + "'", "`" + bare + "`", `"/` + bare + `"`, `'/` + bare + `'`}
		if l.Literal != "" {
			qs = []string{`"` + l.Literal + `"`, "`" + l.Literal + "`"}
		}
		for _, b := range heads {
			for _, q := range qs {
				if bytes.Contains(b, []byte(q)) {
					return true
				}
			}
		}
		return false
	})
}

// stale reports each removed identifier a head spec section still names.
func (rv *reviewer) stale(removed, added []located, specs []specSection) []Finding {
	var out []Finding
	for _, r := range removed {
		var named []*specSection
		for i := range specs {
			if specs[i].names(r.Ident) {
				named = append(named, &specs[i])
			}
		}
		if len(named) == 0 {
			continue
		}
		id := r.Ident
		f := Finding{Kind: Stale, Ident: &id, Code: CodeRef{Path: r.Path, Line: r.Line, Commit: rv.rp.base.Hash.String()},
			Spec: &SpecRef{Path: named[0].Path, Heading: named[0].Heading, Commit: rv.rp.head.Hash.String()}}
		f.RenamedTo = renamedTo(r, removed, added, rv.idx.renamedTo)
		f.Why = fmt.Sprintf("the code no longer has `%s` (it was at `%s:%d` at %s)", id.Name, r.Path, r.Line, short(rv.rp.base.Hash))
		if f.RenamedTo != "" {
			f.Why = fmt.Sprintf("`%s` was renamed `%s` (at `%s:%d` at %s)", id.Name, f.RenamedTo, r.Path, r.Line, short(rv.rp.base.Hash))
		}
		f.Why += "; this section still names it"
		if len(named) > 1 {
			f.Why += fmt.Sprintf(", and so %s", livespec.Plural(len(named)-1, "more section"))
		}
		out = append(out, f)
	}
	return out
}

// renamedTo is the identifier that replaced a removed one: the only one
// of its kind added in the same file (followed over a rename) when only
// one of its kind was removed there, else one added on the same line.
func renamedTo(r located, removed, added []located, moved map[string]string) string {
	p := r.Path
	if to, ok := moved[p]; ok {
		p = to
	}
	var rs, as []located
	for _, x := range removed {
		if x.Path == r.Path && x.Kind == r.Kind {
			rs = append(rs, x)
		}
	}
	for _, x := range added {
		if x.Path == p && x.Kind == r.Kind {
			as = append(as, x)
		}
	}
	if len(rs) == 1 && len(as) == 1 {
		return as[0].Name
	}
	for _, a := range as {
		if a.Line == r.Line {
			return a.Name
		}
	}
	return ""
}

// undocumented reports each identifier added to a public surface that no
// head spec section names.
func (rv *reviewer) undocumented(added []located, specs []specSection) []Finding {
	var out []Finding
	for _, a := range added {
		if !a.Public {
			continue
		}
		named := false
		for i := range specs {
			if specs[i].names(a.Ident) {
				named = true
				break
			}
		}
		if named {
			continue
		}
		id := a.Ident
		out = append(out, Finding{Kind: Undocumented, Ident: &id,
			Code: CodeRef{Path: a.Path, Line: a.Line, Commit: rv.rp.head.Hash.String()},
			Why:  fmt.Sprintf("new %s `%s`; no spec section names it", identWord(id.Kind), id.Name)})
	}
	return out
}

func mapKeysOf[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func cmpStrings(a, b string, la, lb int) int {
	if c := strings.Compare(a, b); c != 0 {
		return c
	}
	return la - lb
}
