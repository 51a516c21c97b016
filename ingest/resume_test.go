package ingest

import (
	"strings"
	"testing"
)

// TestMissingCheckpointCommitRebuilds checks that a checkpoint whose
// commit the repository lacks rebuilds the repository's data.
func TestMissingCheckpointCommitRebuilds(t *testing.T) {
	r := genRepo(t, 6, 5)
	store := newMemStore()
	ingestRepo(t, store, r.Dir, "fp", nil)
	store.mu.Lock()
	cp := store.cps["fp"]
	cp.Commit = strings.Repeat("ab", 20)
	store.cps["fp"] = cp
	store.mu.Unlock()
	if res, _ := ingestRepo(t, store, r.Dir, "fp", nil); !res.Rebuilt {
		t.Errorf("missing checkpoint commit did not rebuild: %+v", res)
	}
}

func TestFingerprintFollowsSettings(t *testing.T) {
	if Fingerprint(Options{}) == Fingerprint(Options{Exclude: []string{"b.md"}}) ||
		Fingerprint(Options{}) != Fingerprint(Options{Include: DefaultInclude, MaxFileBytes: DefaultMaxFileBytes}) {
		t.Errorf("Fingerprint does not follow the settings")
	}
}
