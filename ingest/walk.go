package ingest

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"io"
	pathpkg "path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/livespec/livespec"
)

// objectCacheBytes sizes go-git's object LRU: big enough to keep the trees
// and recent blobs of a large spec repository hot.
const objectCacheBytes = 16 * cache.MiByte

// renameScore is git's default rename similarity threshold (-M50%).
const renameScore = 50

// renameLimit mirrors git's diff.renameLimit default.
const renameLimit = 1000

// gitRepo is an opened repository and the resources to release with it.
type gitRepo struct {
	repo  *git.Repository
	close func() error
}

// openRepo opens the git repository at dir (a work tree, any directory
// inside one, or a bare repository) with filesystem storage that keeps pack
// descriptors open and a large object cache.
func openRepo(dir string, largeObject int64) (*gitRepo, error) {
	if dir == "" {
		dir = "."
	}
	// A work tree's root or a bare repository; then a directory inside a
	// work tree.
	r, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		r, err = git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	}
	if err != nil {
		if errors.Is(err, git.ErrRepositoryNotExists) {
			return nil, livespec.Errorf(livespec.EINVALID, "not a git repository: %s", dir)
		}
		return nil, livespec.WrapError(livespec.EINVALID, err, "cannot open git repository %s", dir)
	}
	fsst, ok := r.Storer.(*filesystem.Storage)
	if !ok {
		return &gitRepo{repo: r, close: func() error { return nil }}, nil
	}
	st := filesystem.NewStorageWithOptions(fsst.Filesystem(), cache.NewObjectLRU(objectCacheBytes),
		filesystem.Options{KeepDescriptors: true, LargeObjectThreshold: largeObject})
	r2, err := git.Open(st, nil)
	if err != nil {
		_ = st.Close()
		return nil, livespec.WrapError(livespec.EINVALID, err, "cannot open git repository %s", dir)
	}
	return &gitRepo{repo: r2, close: st.Close}, nil
}

// resolveBranch returns the short name and the head commit of the tracked
// branch: branch, or the branch HEAD points to when branch is "".
func (g *gitRepo) resolveBranch(branch string) (string, plumbing.Hash, error) {
	r := g.repo
	if branch == "" {
		head, err := r.Storer.Reference(plumbing.HEAD)
		if err != nil {
			if errors.Is(err, plumbing.ErrReferenceNotFound) {
				return "", plumbing.ZeroHash, g.noCommitsOr(livespec.Errorf(livespec.EINVALID, "repository has no HEAD; choose a branch"))
			}
			return "", plumbing.ZeroHash, fmt.Errorf("git: read HEAD: %w", err)
		}
		if head.Type() != plumbing.SymbolicReference {
			return "", plumbing.ZeroHash, livespec.Errorf(livespec.EINVALID,
				"HEAD is detached at %s; choose a branch to track%s", short(head.Hash()), g.branchList())
		}
		ref, err := r.Reference(head.Target(), true)
		if err != nil {
			return "", plumbing.ZeroHash, g.noCommitsOr(livespec.Errorf(livespec.ENOTFOUND,
				"branch %q (from HEAD) has no commits%s", head.Target().Short(), g.branchList()))
		}
		return head.Target().Short(), ref.Hash(), nil
	}
	for _, name := range []plumbing.ReferenceName{
		plumbing.NewBranchReferenceName(branch),
		plumbing.NewRemoteReferenceName("origin", branch),
		plumbing.ReferenceName("refs/remotes/" + branch),
		plumbing.ReferenceName(branch),
	} {
		ref, err := r.Reference(name, true)
		if err == nil && !ref.Hash().IsZero() {
			return branch, ref.Hash(), nil
		}
	}
	return "", plumbing.ZeroHash, g.noCommitsOr(livespec.Errorf(livespec.ENOTFOUND,
		"branch %q not found%s", branch, g.branchList()))
}

// noCommitsOr returns the "no commits" error when the repository has no
// branch at all, and err otherwise.
func (g *gitRepo) noCommitsOr(err error) error {
	if len(g.branches()) == 0 {
		return livespec.Errorf(livespec.EINVALID, "repository has no commits")
	}
	return err
}

func (g *gitRepo) branches() []string {
	var names []string
	refs, err := g.repo.References()
	if err != nil {
		return nil
	}
	_ = refs.ForEach(func(ref *plumbing.Reference) error {
		n := ref.Name()
		switch {
		case n.IsBranch():
			names = append(names, n.Short())
		case n.IsRemote() && !strings.HasSuffix(n.String(), "/HEAD"):
			names = append(names, n.Short())
		}
		return nil
	})
	sort.Strings(names)
	return names
}

func (g *gitRepo) branchList() string {
	b := g.branches()
	if len(b) == 0 {
		return ""
	}
	return "; available branches: " + strings.Join(b, ", ")
}

// chainLink is one commit of the first-parent chain.
type chainLink struct {
	hash plumbing.Hash
	// root marks a commit diffed against the empty tree: the real root, a
	// shallow boundary or a commit whose first parent is missing.
	root bool
}

// firstParentChain walks the first-parent chain from head down to stop
// (exclusive) or the root, and returns it oldest first. found reports
// whether stop was reached; when it was not, the whole chain is returned.
// shallowStop is set when the walk stopped at the boundary of a shallow
// clone.
func (g *gitRepo) firstParentChain(ctx context.Context, head, stop plumbing.Hash, warn func(string)) (chain []chainLink, found, shallowStop bool, err error) {
	shallow := map[plumbing.Hash]bool{}
	for _, h := range g.shallowCommits() {
		shallow[h] = true
	}
	h := head
	for {
		if err := ctx.Err(); err != nil {
			return nil, false, false, err
		}
		if !stop.IsZero() && h == stop {
			found = true
			break
		}
		c, err := g.repo.CommitObject(h)
		if err != nil {
			if len(chain) == 0 {
				return nil, false, false, fmt.Errorf("git: read commit %s: %w", h, err)
			}
			// The first parent of the previous commit is missing.
			prev := chain[len(chain)-1].hash
			warn(fmt.Sprintf("first parent %s of commit %s is missing: history before it is not ingested", short(h), short(prev)))
			chain[len(chain)-1].root = true
			break
		}
		link := chainLink{hash: h}
		if len(c.ParentHashes) == 0 {
			link.root = true
			chain = append(chain, link)
			break
		}
		if shallow[h] {
			link.root = true
			shallowStop = true
			chain = append(chain, link)
			warn(fmt.Sprintf("shallow clone: history before commit %s is missing, so it is incomplete", short(h)))
			break
		}
		chain = append(chain, link)
		h = c.ParentHashes[0]
	}
	slices.Reverse(chain)
	return chain, found, shallowStop, nil
}

// shallowCommits lists the boundary commits of a shallow clone (none for a
// complete repository).
func (g *gitRepo) shallowCommits() []plumbing.Hash {
	hs, err := g.repo.Storer.Shallow()
	if err != nil {
		return nil
	}
	return hs
}

func short(h plumbing.Hash) string { return livespec.ShortCommit(h.String()) }

// entry is one side of a file change: a path with its blob and mode.
type entry struct {
	Path string
	Hash plumbing.Hash
	Mode filemode.FileMode
}

func (e entry) present() bool { return e.Path != "" }

// fileChange is one spec file a commit added, modified, deleted or renamed.
type fileChange struct {
	From, To entry
}

func (fc fileChange) kind() livespec.ChangeKind {
	switch {
	case !fc.From.present():
		return livespec.Added
	case !fc.To.present():
		return livespec.Removed
	case fc.From.Path != fc.To.Path:
		return livespec.Renamed
	}
	return livespec.Modified
}

func (fc fileChange) path() string {
	if fc.To.present() {
		return fc.To.Path
	}
	return fc.From.Path
}

// matcher selects spec files: Include minus Exclude.
type matcher struct {
	include, exclude []string
	sidecars         []SidecarPair
}

func newMatcher(include, exclude []string) (*matcher, error) {
	for _, g := range append(slices.Clone(include), exclude...) {
		if !doublestar.ValidatePattern(g) {
			return nil, livespec.Errorf(livespec.EINVALID, "invalid glob %q", g)
		}
	}
	return &matcher{include: include, exclude: exclude}, nil
}

// Reads returns whether an ingest with opt reads a path: a spec file its
// globs select or a sidecar of one (see Options.Sidecars), so that a
// check against git counts the files the index holds.
func Reads(opt Options) (func(path string) bool, error) {
	opt = opt.withDefaults()
	m, err := newMatcher(opt.Include, opt.Exclude)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	m.sidecars = opt.Sidecars
	return m.match, nil
}

// match reports whether path is a spec file or a sidecar ingest reads.
func (m *matcher) match(path string) bool {
	if _, ok := sidecarDoc(m.sidecars, path); ok && !m.excluded(path) {
		return true
	}
	return m.spec(path)
}

// spec reports whether path is a spec file: Include minus Exclude.
func (m *matcher) spec(path string) bool {
	in := false
	for _, g := range m.include {
		if ok, _ := doublestar.Match(g, path); ok {
			in = true
			break
		}
	}
	return in && !m.excluded(path)
}

func (m *matcher) excluded(path string) bool {
	for _, g := range m.exclude {
		if ok, _ := doublestar.Match(g, path); ok {
			return true
		}
	}
	return false
}

// treeCache keeps decoded trees by hash (bounded LRU): consecutive
// commits share most of their trees, and go-git's object cache keeps only
// the encoded objects.
type treeCache struct {
	g   *gitRepo
	max int
	ll  *list.List
	m   map[plumbing.Hash]*list.Element
}

func newTreeCache(g *gitRepo, max int) *treeCache {
	return &treeCache{g: g, max: max, ll: list.New(), m: map[plumbing.Hash]*list.Element{}}
}

// tree returns the tree h, or nil for the zero hash.
func (c *treeCache) tree(h plumbing.Hash) (*object.Tree, error) {
	if h.IsZero() {
		return nil, nil
	}
	if e, ok := c.m[h]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*object.Tree), nil
	}
	t, err := object.GetTree(c.g.repo.Storer, h)
	if err != nil {
		return nil, fmt.Errorf("git: read tree %s: %w", h, err)
	}
	c.m[h] = c.ll.PushFront(t)
	if c.ll.Len() > c.max {
		old := c.ll.Remove(c.ll.Back()).(*object.Tree)
		delete(c.m, old.Hash)
	}
	return t, nil
}

// diffTrees returns the spec file changes between the trees from and to
// (zero hash: the empty tree), with renames detected among spec files only,
// as `git diff-tree -r -M -- <specs>` reports them. Only subtrees whose
// hashes differ are read. Submodule entries are left out; onSubmodule is
// called with their paths. When code is not nil, the changes of regular
// source files (matcher.code) are appended to it, without renames.
func diffTrees(ctx context.Context, tc *treeCache, from, to plumbing.Hash, m *matcher, onSubmodule func(string), code *[]fileChange) ([]fileChange, error) {
	d := &treeDiff{ctx: ctx, tc: tc, m: m, onSubmodule: onSubmodule, code: code}
	if err := d.walk("", from, to); err != nil {
		return nil, err
	}
	return renames(d.raw)
}

// treeDiff is one diffTrees call: what it reads and the spec file changes
// it has found so far.
type treeDiff struct {
	ctx         context.Context
	tc          *treeCache
	m           *matcher
	onSubmodule func(string)
	code        *[]fileChange
	raw         object.Changes
}

// codeLeaf records the change of a regular source file, when d collects them.
func (d *treeDiff) codeLeaf(path string, o, e *object.TreeEntry) {
	if d.code == nil || !d.m.code(path) {
		return
	}
	var fc fileChange
	if o != nil && (o.Mode == filemode.Regular || o.Mode == filemode.Executable) {
		fc.From = entry{Path: path, Hash: o.Hash, Mode: o.Mode}
	}
	if e != nil && (e.Mode == filemode.Regular || e.Mode == filemode.Executable) {
		fc.To = entry{Path: path, Hash: e.Hash, Mode: e.Mode}
	}
	if fc.From.present() || fc.To.present() {
		*d.code = append(*d.code, fc)
	}
}

// leaf records the file e of the tree t as inserted or deleted.
func (d *treeDiff) leaf(path string, t *object.Tree, e *object.TreeEntry, insert bool) {
	if !d.m.match(path) {
		if insert {
			d.codeLeaf(path, nil, e)
		} else {
			d.codeLeaf(path, e, nil)
		}
		return
	}
	if e.Mode == filemode.Submodule {
		d.onSubmodule(path)
		return
	}
	ce := object.ChangeEntry{Name: path, Tree: t, TreeEntry: *e}
	if insert {
		d.raw = append(d.raw, &object.Change{To: ce})
	} else {
		d.raw = append(d.raw, &object.Change{From: ce})
	}
}

// all reports every file under the tree h as inserted or deleted.
func (d *treeDiff) all(prefix string, h plumbing.Hash, insert bool) error {
	t, err := d.tc.tree(h)
	if err != nil {
		return err
	}
	for i := range t.Entries {
		if err := d.whole(prefix, t, &t.Entries[i], insert); err != nil {
			return err
		}
	}
	return nil
}

// whole reports the entry e of the tree t under prefix, a file or every
// file under a subtree, as inserted or deleted.
func (d *treeDiff) whole(prefix string, t *object.Tree, e *object.TreeEntry, insert bool) error {
	if e.Mode == filemode.Dir {
		return d.all(prefix+e.Name+"/", e.Hash, insert)
	}
	d.leaf(prefix+e.Name, t, e, insert)
	return nil
}

// walk compares the trees a and b under prefix, descending only into
// subtrees whose hashes differ.
func (d *treeDiff) walk(prefix string, a, b plumbing.Hash) error {
	if err := d.ctx.Err(); err != nil {
		return err
	}
	ta, err := d.tc.tree(a)
	if err != nil {
		return err
	}
	tb, err := d.tc.tree(b)
	if err != nil {
		return err
	}
	old := map[string]*object.TreeEntry{}
	if ta != nil {
		for i := range ta.Entries {
			old[ta.Entries[i].Name] = &ta.Entries[i]
		}
	}
	if tb != nil {
		for i := range tb.Entries {
			e := &tb.Entries[i]
			o := old[e.Name]
			delete(old, e.Name)
			if err := d.pair(prefix+e.Name, ta, tb, o, e); err != nil {
				return err
			}
		}
	}
	if ta == nil {
		return nil
	}
	// What is left in old was deleted.
	for i := range ta.Entries {
		if o := &ta.Entries[i]; old[o.Name] != nil {
			if err := d.whole(prefix, ta, o, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// pair compares the entry e of the new tree tb with the entry o of the
// same name in the old tree ta (nil when ta has none).
func (d *treeDiff) pair(path string, ta, tb *object.Tree, o, e *object.TreeEntry) error {
	if o != nil && o.Hash == e.Hash && o.Mode == e.Mode {
		return nil
	}
	oDir, eDir := o != nil && o.Mode == filemode.Dir, e.Mode == filemode.Dir
	switch {
	case oDir && eDir:
		return d.walk(path+"/", o.Hash, e.Hash)
	case eDir:
		if o != nil {
			d.leaf(path, ta, o, false)
		}
		return d.all(path+"/", e.Hash, true)
	case oDir:
		if err := d.all(path+"/", o.Hash, false); err != nil {
			return err
		}
		d.leaf(path, tb, e, true)
	case o == nil:
		d.leaf(path, tb, e, true)
	case !d.m.match(path):
		d.codeLeaf(path, o, e)
	case e.Mode == filemode.Submodule || o.Mode == filemode.Submodule:
		d.leaf(path, ta, o, false)
		d.leaf(path, tb, e, true)
	default:
		d.raw = append(d.raw, &object.Change{
			From: object.ChangeEntry{Name: path, Tree: ta, TreeEntry: *o},
			To:   object.ChangeEntry{Name: path, Tree: tb, TreeEntry: *e},
		})
	}
	return nil
}

// renames pairs the deleted and added spec files of raw into renames, as
// git does, and returns the changes sorted by path.
func renames(raw object.Changes) ([]fileChange, error) {
	sort.SliceStable(raw, func(i, j int) bool { return changeName(raw[i]) < changeName(raw[j]) })
	raw = exactRenames(raw)
	if len(raw) == 0 {
		return nil, nil
	}
	// git pairs renames among regular files whatever their executable
	// bit; go-git only among identical modes. Detect on a copy with
	// executables seen as regular files, then restore the real entries.
	shadow, origFrom, origTo := regularized(raw)
	detected, err := object.DetectRenames(shadow, &object.DiffTreeOptions{
		DetectRenames: true, RenameScore: renameScore, RenameLimit: renameLimit,
	})
	if err != nil {
		return nil, fmt.Errorf("git: detect renames: %w", err)
	}
	out := make([]fileChange, 0, len(detected))
	for _, c := range detected {
		var fc fileChange
		if c.From.Name != "" {
			e := origFrom[c.From.Name]
			fc.From = entry{Path: e.Name, Hash: e.TreeEntry.Hash, Mode: e.TreeEntry.Mode}
		}
		if c.To.Name != "" {
			e := origTo[c.To.Name]
			fc.To = entry{Path: e.Name, Hash: e.TreeEntry.Hash, Mode: e.TreeEntry.Mode}
		}
		out = append(out, fc)
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := out[i].path(), out[j].path(); a != b {
			return a < b
		}
		return out[i].From.Path < out[j].From.Path
	})
	return out, nil
}

// regularized returns a copy of raw with executables seen as regular
// files, and the real entries by old and new name.
func regularized(raw object.Changes) (shadow object.Changes, origFrom, origTo map[string]object.ChangeEntry) {
	origFrom = map[string]object.ChangeEntry{}
	origTo = map[string]object.ChangeEntry{}
	for _, c := range raw {
		s := &object.Change{From: c.From, To: c.To}
		if c.From.Name != "" {
			origFrom[c.From.Name] = c.From
			s.From.TreeEntry.Mode = regularize(s.From.TreeEntry.Mode)
		}
		if c.To.Name != "" {
			origTo[c.To.Name] = c.To
			s.To.TreeEntry.Mode = regularize(s.To.TreeEntry.Mode)
		}
		shadow = append(shadow, s)
	}
	return shadow, origFrom, origTo
}

// exactRenames pairs deleted and added files with the same blob as git's
// diffcore-rename does: each added file, in path order, takes the first
// unused deleted file with its blob, preferring one with the same base
// name; regular files pair whatever their executable bit, other files
// only with the same mode. go-git prefers the most similar path instead,
// which disagrees with git when several files share a blob. raw must be
// sorted by path; the result keeps the unpaired changes in order and
// appends the renames.
func exactRenames(raw object.Changes) object.Changes {
	srcs := map[plumbing.Hash][]*object.Change{}
	for _, c := range raw {
		if c.To.Name == "" {
			srcs[c.From.TreeEntry.Hash] = append(srcs[c.From.TreeEntry.Hash], c)
		}
	}
	if len(srcs) == 0 {
		return raw
	}
	used := map[*object.Change]bool{}
	var renames object.Changes
	for _, dst := range raw {
		if dst.From.Name != "" {
			continue
		}
		var best *object.Change
		bestScore := -1
		for _, src := range srcs[dst.To.TreeEntry.Hash] {
			if used[src] {
				continue
			}
			sm, dm := src.From.TreeEntry.Mode, dst.To.TreeEntry.Mode
			if (regularize(sm) != filemode.Regular || regularize(dm) != filemode.Regular) && sm != dm {
				continue
			}
			score := 1
			if pathpkg.Base(src.From.Name) == pathpkg.Base(dst.To.Name) {
				score++
			}
			if score > bestScore {
				best, bestScore = src, score
				if score == 2 {
					break
				}
			}
		}
		if best != nil {
			used[best], used[dst] = true, true
			renames = append(renames, &object.Change{From: best.From, To: dst.To})
		}
	}
	if len(renames) == 0 {
		return raw
	}
	out := make(object.Changes, 0, len(raw)-len(renames))
	for _, c := range raw {
		if !used[c] {
			out = append(out, c)
		}
	}
	return append(out, renames...)
}

func changeName(c *object.Change) string {
	if c.To.Name != "" {
		return c.To.Name
	}
	return c.From.Name
}

func regularize(m filemode.FileMode) filemode.FileMode {
	if m == filemode.Executable || m == filemode.Deprecated {
		return filemode.Regular
	}
	return m
}

// readBlob returns the size of the blob h and, when it is at most max
// bytes, its content.
func (g *gitRepo) readBlob(h plumbing.Hash, max int64) (content []byte, size int64, err error) {
	obj, err := g.repo.Storer.EncodedObject(plumbing.BlobObject, h)
	if err != nil {
		return nil, 0, fmt.Errorf("git: read blob %s: %w", h, err)
	}
	size = obj.Size()
	if size > max {
		return nil, size, nil
	}
	rd, err := obj.Reader()
	if err != nil {
		return nil, size, fmt.Errorf("git: read blob %s: %w", h, err)
	}
	defer rd.Close()
	content = make([]byte, size)
	if _, err := io.ReadFull(rd, content); err != nil {
		return nil, size, fmt.Errorf("git: read blob %s: %w", h, err)
	}
	return content, size, nil
}

// absDir returns dir as an absolute path for the checkpoint's Source.
func absDir(dir string) string {
	if dir == "" {
		dir = "."
	}
	if a, err := filepath.Abs(dir); err == nil {
		return a
	}
	return dir
}
