package review_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/review"
)

const mainBase = `package main

import (
	"os"

	"example.com/app/server"
)

func main() {
	fs := newFlags()
	fs.String("repo-url", "", "the repository to serve")
	fs.Bool("verbose", false, "log more")
	_ = os.Getenv("APP_TOKEN")
	server.Run()
}
`

const serverBase = `package server

import "github.com/gin-gonic/gin"

// Config is the server's configuration file.
type Config struct {
	MaxRetries int    ` + "`yaml:\"max_retries\"`" + `
	Listen     string ` + "`yaml:\"listen_addr\"`" + `
}

const (
	ENOTFOUND = "not_found"
	EGONE     = "gone_forever"
)

// OpenIndex opens the index.
func OpenIndex() {}

func Run() {
	r := gin.New()
	r.GET("/v1/items", nil)
	v2 := r.Group("/v2")
	v2.POST("/orders", nil)
	v2.GET("/orders/:id", nil)
}
`

const cliSpec = "# CLI\n\n## Flags\n\n`--repo-url URL` names the repository; `--verbose` logs more.\n\n" +
	"## Environment\n\nThe token comes from `APP_TOKEN`.\n\n" +
	"## API\n\n- `GET /v1/items` lists items.\n- `POST /v2/orders` places an order; `GET /v2/orders/{id}` reads one.\n\n" +
	"## Configuration\n\n```yaml\nmax_retries: 3\nlisten_addr: :8080\n```\n\n" +
	"## Errors\n\nA missing item is `not_found`; a deleted one `gone_forever`.\n\n" +
	"## Library\n\nCall `server.OpenIndex` before serving.\n"

func driftRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	r := gittest.New(t, start, gittest.Step{Msg: "app", Write: map[string]string{
		"cmd/app/main.go": mainBase, "server/server.go": serverBase, "spec/cli.md": cliSpec}})
	r.Checkout("change")
	return r
}

func findings(t *testing.T, r *gittest.Repo) []string {
	t.Helper()
	rep, err := review.Run(context.Background(), review.Options{Dir: r.Dir, Range: "main...HEAD"})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range rep.Findings {
		s := string(f.Kind) + " " + f.Ident.Name
		if f.RenamedTo != "" {
			s += " → " + f.RenamedTo
		}
		if f.Spec != nil {
			s += " @ " + f.Spec.Path + " › " + f.Spec.Heading
		}
		if f.Code.Path == "" || f.Code.Line == 0 || !strings.Contains(f.Why, f.Ident.Name) {
			t.Errorf("finding %s names no code line or no why: %+v", s, f)
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func TestDrift(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write map[string]string
		move  [][2]string
		want  []string
	}{
		{
			name:  "renamed flag still documented",
			write: map[string]string{"cmd/app/main.go": strings.Replace(mainBase, `"repo-url"`, `"remote"`, 1)},
			want:  []string{"stale --repo-url → --remote @ spec/cli.md › CLI > Flags", "undocumented --remote"},
		},
		{
			name:  "removed route still documented",
			write: map[string]string{"server/server.go": strings.Replace(serverBase, "\tr.GET(\"/v1/items\", nil)\n", "", 1)},
			want:  []string{"stale /v1/items @ spec/cli.md › CLI > API"},
		},
		{
			name:  "removed route of a router group",
			write: map[string]string{"server/server.go": strings.Replace(serverBase, "\tv2.GET(\"/orders/:id\", nil)\n", "", 1)},
			want:  []string{"stale /v2/orders/{} @ spec/cli.md › CLI > API"},
		},
		{
			name:  "new environment variable undocumented",
			write: map[string]string{"cmd/app/main.go": strings.Replace(mainBase, `_ = os.Getenv("APP_TOKEN")`, `_ = os.Getenv("APP_TOKEN") + os.Getenv("APP_REGION")`, 1)},
			want:  []string{"undocumented APP_REGION"},
		},
		{
			name:  "removed configuration key and error code",
			write: map[string]string{"server/server.go": strings.NewReplacer("\tListen     string `yaml:\"listen_addr\"`\n", "", "\tEGONE     = \"gone_forever\"\n", "").Replace(serverBase)},
			want:  []string{"stale gone_forever @ spec/cli.md › CLI > Errors", "stale listen_addr @ spec/cli.md › CLI > Configuration"},
		},
		{
			name:  "renamed exported function",
			write: map[string]string{"server/server.go": strings.Replace(serverBase, "func OpenIndex()", "func Open()", 1)},
			want:  []string{"stale server.OpenIndex → server.Open @ spec/cli.md › CLI > Library"},
		},
		{
			name:  "flag moved to another file",
			write: map[string]string{"cmd/app/main.go": strings.Replace(mainBase, "\tfs.Bool(\"verbose\", false, \"log more\")\n", "", 1), "cmd/app/flags.go": "package main\n\nfunc more(fs *flagSet) { fs.Bool(\"verbose\", false, \"log more\") }\n"},
		},
		{
			name: "code change with no spec impact",
			write: map[string]string{"server/server.go": strings.Replace(serverBase, "// OpenIndex opens the index.", "// OpenIndex opens the index, creating it.", 1),
				"cmd/app/helper.go": "package main\n\nfunc helper() int { return 42 }\n"},
		},
		{
			name:  "flag removed from the code and from the spec",
			write: map[string]string{"cmd/app/main.go": strings.Replace(mainBase, "\tfs.Bool(\"verbose\", false, \"log more\")\n", "", 1), "spec/cli.md": strings.Replace(cliSpec, "; `--verbose` logs more", "", 1)},
		},
		{
			name:  "renamed file keeps its identifiers",
			move:  [][2]string{{"server/server.go", "server/http.go"}},
			write: map[string]string{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := driftRepo(t)
			r.Do(gittest.Step{Msg: tc.name, Write: tc.write, Move: tc.move})
			got := findings(t, r)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
