package review_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/review"
)

const linkedSpec = "# Auth\n\n## Tokens\n\n<!-- livespec: covers auth/token*.go -->\nTokens expire after an hour.\n\n" +
	"## Sessions\n\nSessions end when the browser closes.\n\n## Keys\n\nKeys are rotated as [the code](../auth/keys.go) says.\n"

func TestUncovered(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write map[string]string
		want  string // "path:line › heading", "" for no finding
	}{
		{"covered code changed alone", map[string]string{"auth/token.go": "package auth\n\nconst ttl = 30\n"}, "auth/token.go:3 › Auth > Tokens"},
		{"covered code changed with its section", map[string]string{"auth/token.go": "package auth\n\nconst ttl = 30\n",
			"spec/auth.md": strings.Replace(linkedSpec, "after an hour", "after thirty minutes", 1)}, ""},
		{"code pointing at a section changed alone", map[string]string{"auth/session.go": "package auth\n\n// spec: spec/auth.md#sessions\nfunc end() { println() }\n"}, "auth/session.go:3 › Auth > Sessions"},
		{"code linked from a section changed alone", map[string]string{"auth/keys.go": "package auth\n\nfunc rotate() { println() }\n"}, "auth/keys.go:3 › Auth > Keys"},
		{"code no section links (a covers comment shown as an example declares nothing)", map[string]string{"auth/other.go": "package auth\n\nfunc other() { println() }\n"}, ""},
		{"a test of covered code changed alone", map[string]string{"auth/token_test.go": "package auth\n\nfunc TestTTL() {}\n"}, ""},
		{"an anchor no section has says nothing", map[string]string{"auth/session.go": "package auth\n\n// spec: spec/auth.md#nowhere\nfunc end() { println() }\n"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := gittest.New(t, start, gittest.Step{Msg: "auth", Write: map[string]string{
				"spec/auth.md": linkedSpec, "auth/token.go": "package auth\n\nconst ttl = 60\n",
				"auth/session.go": "package auth\n\n// spec: spec/auth.md#sessions\nfunc end() {}\n",
				"auth/keys.go":    "package auth\n\nfunc rotate() {}\n", "auth/other.go": "package auth\n\nfunc other() {}\n",
				"spec/howto.md": "# How to\n\nWrite `<!-- livespec: covers auth/** -->` in a section.\n\n```md\n<!-- livespec: covers auth/** -->\n```\n"}})
			r.Checkout("change").Do(gittest.Step{Msg: tc.name, Write: tc.write})
			rep, err := review.Run(context.Background(), review.Options{Dir: r.Dir})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range rep.Findings {
				if f.Kind != review.Uncovered || f.Spec == nil {
					t.Errorf("unexpected finding %+v", f)
					continue
				}
				got = append(got, f.Code.Path+":"+strconv.Itoa(f.Code.Line)+" › "+f.Spec.Heading)
			}
			if strings.Join(got, "\n") != tc.want {
				t.Errorf("findings %q, want %q", got, tc.want)
			}
		})
	}
}
