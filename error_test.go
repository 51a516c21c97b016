package livespec_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/livespec/livespec"
)

func TestPublicError(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		kind      string
		want      string   // the message, when exact
		leaks     []string // what the message must not contain
		wantInLog string   // what err.Error() (the log) keeps
	}{
		{"unclassified", errors.New("sqlite: read index: open /srv/secret/livespec.db: disk I/O error"),
			livespec.EINTERNAL, "internal error", []string{"/srv/secret", "sqlite"}, "/srv/secret/livespec.db"},
		{"unavailable naming the index", fmt.Errorf("retrieval: search: %w", livespec.WrapError(livespec.EUNAVAILABLE,
			errors.New("disk I/O error"), "cannot write the index %s", "/srv/secret/livespec.db")),
			livespec.EUNAVAILABLE, "", []string{"/srv/secret"}, "/srv/secret/livespec.db"},
		{"unavailable with a public message", livespec.WrapPublic(livespec.EUNAVAILABLE, errors.New("authentication required"),
			"cannot fetch the repository specs", "clone %s", "https://bob:hunter2@git.example.com/specs.git"),
			livespec.EUNAVAILABLE, "cannot fetch the repository specs", []string{"hunter2", "git.example.com"}, "hunter2"},
		{"invalid input keeps its message", fmt.Errorf("api: %w", livespec.Errorf(livespec.EINVALID, "as_of: year 10000 is out of range (1-9999)")),
			livespec.EINVALID, "as_of: year 10000 is out of range (1-9999)", nil, "10000"},
		{"credentials in a URL of a message", livespec.Errorf(livespec.EINVALID, "bad remote https://bob:hunter2@git.example.com/x.git"),
			livespec.EINVALID, "bad remote https://git.example.com/x.git", []string{"hunter2", "bob"}, "hunter2"},
		{"internal with a message", livespec.Errorf(livespec.EINTERNAL, "SELECT * FROM versions failed"),
			livespec.EINTERNAL, "internal error", []string{"SELECT"}, "SELECT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, msg := livespec.PublicError(tt.err)
			if kind != tt.kind || msg == "" || (tt.want != "" && msg != tt.want) {
				t.Errorf("PublicError = %q, %q; want %q, %q", kind, msg, tt.kind, tt.want)
			}
			for _, l := range tt.leaks {
				if strings.Contains(msg, l) {
					t.Errorf("message %q leaks %q", msg, l)
				}
			}
			if !strings.Contains(tt.err.Error(), tt.wantInLog) {
				t.Errorf("the log text %q lost %q", tt.err.Error(), tt.wantInLog)
			}
		})
	}
}
