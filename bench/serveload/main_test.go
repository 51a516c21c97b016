package main

import (
	"strings"
	"testing"

	"github.com/livespec/livespec"
)

func TestFollowsIndexed(t *testing.T) {
	cps := []livespec.Checkpoint{{Repo: "specs"}, {Repo: "keps0"}}
	tests := []struct {
		name, dir string
		ok        bool
	}{
		{"same name", "/tmp/run/keps0", true},
		{"bare clone", "/tmp/run/keps0.git", true},
		{"trailing slash", "/tmp/run/keps0/", true},
		{"other name", "/tmp/run/repo", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := followsIndexed(cps, tt.dir)
			if (err == nil) != tt.ok {
				t.Fatalf("followsIndexed(%q) = %v, want ok %v", tt.dir, err, tt.ok)
			}
			if err != nil && !strings.Contains(err.Error(), "keps0") {
				t.Errorf("the error does not name the indexed repositories: %v", err)
			}
		})
	}
}
