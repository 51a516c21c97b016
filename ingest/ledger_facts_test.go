package ingest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
)

// gitFactLedger returns, per first-parent commit, the changes of the
// status and stage fields of every kep.yaml as git reports them: `git
// diff-tree -r -M --raw` over the spec files and sidecars, each side's
// blob decoded as YAML. Entries read "doc field prev→value".
func gitFactLedger(tb testing.TB, r *gittest.Repo) map[string][]string {
	tb.Helper()
	type side struct{ path, blob string }
	type change struct {
		commit   string
		from, to side
	}
	var changes []change
	specs := []string{"--", ":(glob)**/*.md", ":(glob)**/*.markdown", ":(glob)**/kep.yaml"}
	for _, c := range strings.Fields(r.Git("rev-list", "--first-parent", "--reverse", "HEAD")) {
		args := []string{"diff-tree", "-r", "-M", "--raw", "--no-commit-id", "--no-abbrev"}
		if parents := strings.Fields(r.Git("rev-list", "--parents", "-n1", c)); len(parents) == 1 {
			args = append(args, "--root", c)
		} else {
			args = append(args, c+"^1", c)
		}
		for _, line := range strings.Split(r.Git(append(args, specs...)...), "\n") {
			meta, paths, ok := strings.Cut(line, "\t")
			if !ok {
				continue
			}
			f, ps := strings.Fields(meta), strings.Split(paths, "\t")
			ch := change{commit: c}
			switch f[4][0] {
			case 'A':
				ch.to = side{ps[0], f[3]}
			case 'D':
				ch.from = side{ps[0], f[2]}
			case 'R':
				ch.from, ch.to = side{ps[0], f[2]}, side{ps[1], f[3]}
			default:
				ch.from, ch.to = side{ps[0], f[2]}, side{ps[0], f[3]}
			}
			if path.Base(ch.from.path) == "kep.yaml" || path.Base(ch.to.path) == "kep.yaml" {
				changes = append(changes, ch)
			}
		}
	}
	var blobs []string
	for _, ch := range changes {
		for _, s := range []side{ch.from, ch.to} {
			if s.path != "" && path.Base(s.path) == "kep.yaml" {
				blobs = append(blobs, s.blob)
			}
		}
	}
	contents := catBlobs(tb, r, blobs)
	fields := func(s side) map[string]string {
		out := map[string]string{}
		if s.path == "" || path.Base(s.path) != "kep.yaml" {
			return out
		}
		var m map[string]any
		if yaml.Unmarshal(contents[s.blob], &m) != nil {
			return out
		}
		for _, k := range []string{"status", "stage"} {
			if v, ok := m[k].(string); ok && NormalizeValue(v) != "" {
				out[k] = NormalizeValue(v)
			}
		}
		return out
	}
	ledger := map[string][]string{}
	for _, ch := range changes {
		before, after := fields(ch.from), fields(ch.to)
		doc := path.Join(path.Dir(ch.to.path), "README.md")
		if ch.to.path == "" || path.Base(ch.to.path) != "kep.yaml" {
			doc = path.Join(path.Dir(ch.from.path), "README.md")
		}
		for _, k := range []string{"stage", "status"} {
			if before[k] != after[k] {
				ledger[ch.commit] = append(ledger[ch.commit], fmt.Sprintf("%s %s %s→%s", doc, k, before[k], after[k]))
			}
		}
	}
	for _, v := range ledger {
		slices.Sort(v)
	}
	return ledger
}

// catBlobs reads blobs with one `git cat-file --batch`.
func catBlobs(tb testing.TB, r *gittest.Repo, blobs []string) map[string][]byte {
	tb.Helper()
	cmd := exec.Command("git", "cat-file", "--batch")
	cmd.Dir = r.Dir
	cmd.Stdin = strings.NewReader(strings.Join(blobs, "\n") + "\n")
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("git cat-file: %v", err)
	}
	rd := bufio.NewReader(bytes.NewReader(out))
	m := map[string][]byte{}
	for {
		head, err := rd.ReadString('\n')
		if err == io.EOF {
			return m
		}
		f := strings.Fields(head)
		if err != nil || len(f) != 3 {
			tb.Fatalf("git cat-file: bad header %q", head)
		}
		n, _ := strconv.Atoi(f[2])
		body := make([]byte, n+1)
		if _, err := io.ReadFull(rd, body); err != nil {
			tb.Fatal(err)
		}
		m[f[0]] = body[:n]
	}
}

// storeFactLedger returns the store's value changes of the status and
// stage facts read from sidecars, in gitFactLedger's form.
func storeFactLedger(tb testing.TB, s livespec.Store, repo string) map[string][]string {
	tb.Helper()
	chs, err := s.FactChanges(context.Background(), livespec.FactChangeQuery{Repos: []string{repo}, Fields: []string{"status", "stage"}})
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string][]string{}
	for _, c := range chs {
		if path.Base(c.Source) != "kep.yaml" || c.Value == c.Previous {
			continue
		}
		out[c.Commit] = append(out[c.Commit], fmt.Sprintf("%s %s %s→%s", c.Path, c.Field, c.Previous, c.Value))
	}
	for _, v := range out {
		slices.Sort(v)
	}
	return out
}

// TestFactLedgerOnCorpus compares the status and stage changes read from
// the KEPs' kep.yaml sidecars with what git and a YAML decoder say, commit
// by commit (LIVESPEC_CORPUS_TESTS).
func TestFactLedgerOnCorpus(t *testing.T) {
	forEachCorpus(t, func(t *testing.T, name string, r *gittest.Repo) {
		if name != "kubernetes-enhancements" {
			t.Skip("no sidecars")
		}
		store := newMemStore()
		ingestRepo(t, store, r.Dir, name, nil)
		want, got := gitFactLedger(t, r), storeFactLedger(t, store, name)
		commits := map[string]bool{}
		for c := range want {
			commits[c] = true
		}
		for c := range got {
			commits[c] = true
		}
		bad, n := 0, 0
		for c := range commits {
			n += len(want[c])
			if !slices.Equal(got[c], want[c]) {
				if bad++; bad <= 10 {
					t.Errorf("commit %s:\n got %q\nwant %q", c[:10], got[c], want[c])
				}
			}
		}
		if n == 0 {
			t.Fatal("git reports no status or stage change: the test is too weak")
		}
		t.Logf("%d status/stage changes in %d commits, %d commits differ", n, len(commits), bad)
	})
}
