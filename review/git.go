package review

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/livespec/livespec"
)

// maxBlobBytes bounds a file review reads; larger files are left out.
const maxBlobBytes = 2 << 20

// repo is an opened repository with the two trees of a range.
type repo struct {
	git        *git.Repository
	base, head *object.Commit
	baseTree   *object.Tree
	headTree   *object.Tree
}

// openRepo opens the git repository at dir (its work tree, any directory
// inside it, or a bare repository).
func openRepo(dir string) (*git.Repository, error) {
	if dir == "" {
		dir = "."
	}
	r, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		if errors.Is(err, git.ErrRepositoryNotExists) {
			return nil, livespec.Errorf(livespec.EINVALID, "not a git repository: %s", dir)
		}
		return nil, livespec.WrapError(livespec.EINVALID, err, "cannot open git repository %s", dir)
	}
	return r, nil
}

// resolveRange reads "BASE..HEAD" (the trees of BASE and HEAD),
// "BASE...HEAD" (the merge base of both, and HEAD), "BASE" (BASE..HEAD)
// or "" (the merge base of HEAD with the tracked branch, and HEAD).
func resolveRange(r *git.Repository, spec, branch string) (*repo, error) {
	baseRev, headRev, merge := spec, "HEAD", false
	if b, h, ok := strings.Cut(spec, "..."); ok {
		baseRev, headRev, merge = b, h, true
	} else if b, h, ok := strings.Cut(spec, ".."); ok {
		baseRev, headRev = b, h
	}
	if headRev == "" {
		headRev = "HEAD"
	}
	head, err := commitOf(r, headRev)
	if err != nil {
		return nil, err
	}
	var base *object.Commit
	if spec == "" {
		tracked, err := trackedBranch(r, branch)
		if err != nil {
			return nil, err
		}
		baseRev, merge = tracked, true
	}
	if baseRev == "" {
		return nil, livespec.Errorf(livespec.EINVALID, "range %q: want BASE..HEAD", spec)
	}
	if base, err = commitOf(r, baseRev); err != nil {
		return nil, err
	}
	if merge {
		mb, err := base.MergeBase(head)
		if err != nil {
			return nil, livespec.WrapError(livespec.EINVALID, err, "merge base of %s and %s (a shallow clone may lack it: pass BASE..HEAD)", baseRev, headRev)
		}
		if len(mb) == 0 {
			return nil, livespec.Errorf(livespec.EINVALID, "%s and %s have no common ancestor here (a shallow clone may lack it: pass BASE..HEAD)", baseRev, headRev)
		}
		base = mb[0]
	}
	out := &repo{git: r, base: base, head: head}
	if out.baseTree, err = base.Tree(); err != nil {
		return nil, livespec.WrapError(livespec.EINVALID, err, "read the tree of %s", short(base.Hash))
	}
	if out.headTree, err = head.Tree(); err != nil {
		return nil, livespec.WrapError(livespec.EINVALID, err, "read the tree of %s", short(head.Hash))
	}
	return out, nil
}

// commitOf resolves a revision (a branch, a tag, a hash, HEAD~3) to its
// commit.
func commitOf(r *git.Repository, rev string) (*object.Commit, error) {
	h, err := r.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, livespec.WrapError(livespec.EINVALID, err, "unknown revision %q (a shallow clone may lack it)", rev)
	}
	c, err := r.CommitObject(*h)
	if err != nil {
		return nil, livespec.WrapError(livespec.EINVALID, err, "revision %q is not a commit here (a shallow clone may lack it)", rev)
	}
	return c, nil
}

// trackedBranch is the branch a change is reviewed against, the one
// ingest would track: branch when set; else the remote's default branch
// (origin/HEAD); else origin/main, origin/master, main or master.
func trackedBranch(r *git.Repository, branch string) (string, error) {
	if branch != "" {
		return branch, nil
	}
	for _, name := range []string{"refs/remotes/origin/HEAD", "refs/remotes/origin/main", "refs/remotes/origin/master", "refs/heads/main", "refs/heads/master"} {
		if _, err := r.Reference(plumbing.ReferenceName(name), true); err == nil {
			return name, nil
		}
	}
	return "", livespec.Errorf(livespec.EINVALID, "no tracked branch to compare with: pass --branch or BASE..HEAD (for example main..HEAD or HEAD~5..HEAD)")
}

func short(h plumbing.Hash) string { return h.String()[:7] }

// fileChange is one file the range touched: From is empty for an added
// file, To for a removed one; both differ for a rename.
type fileChange struct {
	From, To         string
	FromHash, ToHash plumbing.Hash
}

// changedFiles lists the files that differ between the two trees, renames
// detected as git does.
func (rp *repo) changedFiles(ctx context.Context) ([]fileChange, error) {
	chs, err := object.DiffTreeWithOptions(ctx, rp.baseTree, rp.headTree, object.DefaultDiffTreeOptions)
	if err != nil {
		return nil, livespec.WrapError(livespec.EINTERNAL, err, "diff %s..%s", short(rp.base.Hash), short(rp.head.Hash))
	}
	out := make([]fileChange, 0, len(chs))
	for _, c := range chs {
		fc := fileChange{From: c.From.Name, To: c.To.Name}
		if fc.From != "" {
			fc.FromHash = c.From.TreeEntry.Hash
		}
		if fc.To != "" {
			fc.ToHash = c.To.TreeEntry.Hash
		}
		out = append(out, fc)
	}
	return out, nil
}

// blob reads a blob, or nil when it is empty, missing or too large.
func (rp *repo) blob(h plumbing.Hash) ([]byte, error) {
	if h.IsZero() {
		return nil, nil
	}
	b, err := rp.git.BlobObject(h)
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", short(h), err)
	}
	if b.Size > maxBlobBytes {
		return nil, nil
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", short(h), err)
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

// treeFiles calls fn with the path and blob hash of each regular file of t.
func treeFiles(t *object.Tree, fn func(path string, h plumbing.Hash) error) error {
	w := object.NewTreeWalker(t, true, nil)
	defer w.Close()
	for {
		name, e, err := w.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("walk tree: %w", err)
		}
		if !e.Mode.IsFile() {
			continue
		}
		if err := fn(name, e.Hash); err != nil {
			return err
		}
	}
}

// maxCountedCommits bounds the walk that counts a range's commits.
const maxCountedCommits = 10000

// countCommits counts the first-parent commits from head back to base, or
// -1 when base is not on that chain within maxCountedCommits.
func (rp *repo) countCommits() int {
	c := rp.head
	for n := 0; n < maxCountedCommits; n++ {
		if c.Hash == rp.base.Hash {
			return n
		}
		if c.NumParents() == 0 {
			return -1
		}
		p, err := c.Parent(0)
		if err != nil {
			return -1
		}
		c = p
	}
	return -1
}
