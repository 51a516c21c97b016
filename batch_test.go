package livespec_test

import (
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

func TestBatchValidate(t *testing.T) {
	at := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	hash := livespec.ContentHash("# A\ntext")
	version := func(edit func(*livespec.Version)) *livespec.Batch {
		v := livespec.Version{ID: "v1", Key: livespec.Key{Repo: "r", Path: "a.md"}, Hash: hash, Commit: "c1", ValidFrom: at}
		edit(&v)
		return &livespec.Batch{Repo: "r", Versions: []livespec.Version{v}}
	}
	change := func(kind livespec.ChangeKind) *livespec.Batch {
		return &livespec.Batch{Repo: "r", Changes: []livespec.Change{{ID: "c", Repo: "r", Commit: "c1", Date: at, Kind: kind}}}
	}
	tests := []struct {
		name string
		b    *livespec.Batch
		want string // "" for a valid batch, else part of the message
	}{
		{"a good version", version(func(*livespec.Version) {}), ""},
		{"a known change kind", change(livespec.Modified), ""},
		{"no batch", nil, "no batch"},
		{"no repo", &livespec.Batch{}, "without a repo"},
		{"version of another repo", version(func(v *livespec.Version) { v.Repo = "other" }), "belongs to repo"},
		{"version without commit", version(func(v *livespec.Version) { v.Commit = "" }), "no commit"},
		{"malformed hash", version(func(v *livespec.Version) { v.Hash = "abc" }), "malformed hash"},
		{"closed without end", version(func(v *livespec.Version) { v.EndCommit = "c2" }), "without valid_to"},
		{"year out of range", version(func(v *livespec.Version) { v.ValidFrom = time.Date(2500, 1, 1, 0, 0, 0, 0, time.UTC) }), "out of range"},
		{"unknown change kind", change("vibes"), "unknown kind"},
		{"checkpoint of another repo", &livespec.Batch{Repo: "r", Checkpoint: &livespec.Checkpoint{Repo: "x", Commit: "c"}}, "checkpoint belongs"},
		{"fact without field", &livespec.Batch{Repo: "r", Facts: []livespec.Fact{{ID: "f", Repo: "r", Path: "a.md", Commit: "c", ValidFrom: at}}}, "no path or field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.b.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v, want nil", err)
				}
				return
			}
			if livespec.ErrorCode(err) != livespec.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate: %v, want an EINVALID error saying %q", err, tt.want)
			}
		})
	}
}
