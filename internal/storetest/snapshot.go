package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// Snapshot returns a canonical, deterministic text dump of everything s
// holds for repo: the checkpoint (without UpdatedAt), every file version and
// section version with its validity interval, every change, and every fact
// version and fact change, one line each, sorted. Two stores hold the same data for repo exactly when their
// snapshots are equal.
func Snapshot(ctx context.Context, tb testing.TB, s livespec.Store, repo string) string {
	tb.Helper()
	var b strings.Builder
	cp, err := s.Checkpoint(ctx, repo)
	switch {
	case livespec.ErrorCode(err) == livespec.ENOTFOUND:
		b.WriteString("checkpoint none\n")
	case err != nil:
		tb.Fatalf("snapshot %s: checkpoint: %v", repo, err)
	default:
		fmt.Fprintf(&b, "checkpoint branch=%s commit=%s seq=%d time=%s config=%q source=%q\n",
			cp.Branch, cp.Commit, cp.Seq, ts(cp.Time), cp.Config, cp.Source)
	}

	files, err := s.Files(ctx, livespec.FileQuery{Repos: []string{repo}, Validity: livespec.AnyVersion()})
	if err != nil {
		tb.Fatalf("snapshot %s: files: %v", repo, err)
	}
	var lines []string
	for _, f := range files {
		lines = append(lines, fmt.Sprintf("file %s id=%s blob=%s size=%d status=%s %s outline=%s meta=%s target=%q",
			f.Path, f.ID, f.Blob, f.Size, f.Status, interval(f.Commit, f.Seq, f.ValidFrom, f.EndCommit, f.EndSeq, f.ValidTo),
			js(tb, f.Outline), js(tb, f.Meta), f.Target))
	}
	slices.Sort(lines)
	writeLines(&b, lines)

	versions, err := s.Versions(ctx, livespec.VersionQuery{Repos: []string{repo}, Validity: livespec.AnyVersion()})
	if err != nil {
		tb.Fatalf("snapshot %s: versions: %v", repo, err)
	}
	lines = lines[:0]
	for _, v := range versions {
		lines = append(lines, fmt.Sprintf("version %s#%s/%d id=%s level=%d hash=%s links=%s author=%q %s text=%q",
			v.Path, v.Heading, v.Part, v.ID, v.Level, v.Hash, js(tb, v.Links), v.Author,
			interval(v.Commit, v.Seq, v.ValidFrom, v.EndCommit, v.EndSeq, v.ValidTo), v.Text))
	}
	slices.Sort(lines)
	writeLines(&b, lines)

	changes, err := s.Changes(ctx, livespec.ChangeQuery{Repos: []string{repo}, Sections: true})
	if err != nil {
		tb.Fatalf("snapshot %s: changes: %v", repo, err)
	}
	lines = lines[:0]
	for _, c := range changes {
		lines = append(lines, fmt.Sprintf("change %s seq=%d %s %s#%s/%d section=%t old=%s#%s id=%s commit=%s author=%q author_date=%s message=%q before=%s after=%s summary=%q",
			ts(c.Date), c.Seq, c.Kind, c.Path, c.Heading, c.Part, c.Section, c.OldPath, c.OldHeading,
			c.ID, c.Commit, c.Author, ts(c.AuthorDate), c.Message, c.Before, c.After, c.Summary))
	}
	slices.Sort(lines)
	writeLines(&b, lines)
	writeFacts(ctx, tb, &b, s, repo)
	return b.String()
}

// writeFacts adds the fact versions and fact changes of repo to a snapshot.
func writeFacts(ctx context.Context, tb testing.TB, b *strings.Builder, s livespec.Store, repo string) {
	tb.Helper()
	facts, err := s.Facts(ctx, livespec.FactQuery{Repos: []string{repo}, Validity: livespec.AnyVersion()})
	if err != nil {
		tb.Fatalf("snapshot %s: facts: %v", repo, err)
	}
	var lines []string
	for _, f := range facts {
		lines = append(lines, fmt.Sprintf("fact %s@%s %s id=%s origin=%s name=%q raw=%q value=%q release=%q since=%s@%s previous=%q %s",
			f.Path, f.Source, f.Field, f.ID, f.Origin, f.Name, f.Raw, f.Value, f.Release, ts(f.Since), f.SinceCommit, f.Previous,
			interval(f.Commit, f.Seq, f.ValidFrom, f.EndCommit, f.EndSeq, f.ValidTo)))
	}
	slices.Sort(lines)
	writeLines(b, lines)
	changes, err := s.FactChanges(ctx, livespec.FactChangeQuery{Repos: []string{repo}})
	if err != nil {
		tb.Fatalf("snapshot %s: fact changes: %v", repo, err)
	}
	lines = lines[:0]
	for _, c := range changes {
		lines = append(lines, fmt.Sprintf("fact change %s seq=%d %s %s@%s %s old=%s id=%s commit=%s author=%q message=%q value=%q previous=%q before=%s after=%s",
			ts(c.Date), c.Seq, c.Kind, c.Path, c.Source, c.Field, c.OldPath, c.ID, c.Commit, c.Author, c.Message,
			c.Value, c.Previous, c.Before, c.After))
	}
	slices.Sort(lines)
	writeLines(b, lines)
}

func writeLines(b *strings.Builder, lines []string) {
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
}

func interval(commit string, seq int64, from time.Time, endCommit string, endSeq int64, to time.Time) string {
	end := "open"
	if endCommit != "" || !to.IsZero() {
		end = fmt.Sprintf("%s@%d:%s", ts(to), endSeq, endCommit)
	}
	return fmt.Sprintf("[%s@%d:%s, %s)", ts(from), seq, commit, end)
}

func ts(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// js renders v as JSON, and empty slices and maps as "-", so a store that
// gives back nil for an empty value and one that gives back an empty value
// have equal snapshots.
func js(tb testing.TB, v any) string {
	if rv := reflect.ValueOf(v); !rv.IsValid() || (rv.Kind() == reflect.Slice || rv.Kind() == reflect.Map) && rv.Len() == 0 {
		return "-"
	}
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatalf("snapshot: %v", err)
	}
	return string(b)
}
