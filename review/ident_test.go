package review

import (
	"slices"
	"strings"
	"testing"
)

func TestExtract(t *testing.T) {
	for _, tc := range []struct {
		name, path, src string
		want            []string // kind name
	}{
		{"express routes, env and commander flags", "src/server.ts",
			"app.get('/v1/items/:id', h)\nrouter.post(\"/v1/orders\", h)\nconst t = process.env.API_TOKEN\nprogram.option('-p, --port <n>', 'port')\nexport function startServer() {}\n",
			[]string{"route /v1/items/{}", "route /v1/orders", "env API_TOKEN", "flag --port", "exported startServer"}},
		{"flask, argparse and os.environ", "app/main.py",
			"@app.route('/health')\ndef health(): pass\nparser.add_argument('-v', '--verbose')\nx = os.environ.get('APP_MODE')\ndef _private(): pass\n",
			[]string{"env APP_MODE", "flag --verbose", "route /health", "exported health"}},
		{"go flags through a wrapper and a constant usage", "cmd/x/main.go",
			"package main\nfunc f() { o.repo = f.string(\"repo\", \"\", usage); fs.StringVarP(&v, \"out-dir\", \"o\", \"\", \"dir\"); c.Flags().MarkHidden(\"debug\"); fs.Bool(\"debug\", false, \"x\"); mux.HandleFunc(\"GET /v1/ask\", h) }\n",
			[]string{"flag --repo", "flag --out-dir", "flag --debug", "route /v1/ask"}},
		{"test files are not read", "server/server_test.go", "package server\nfunc f() { r.GET(\"/x\", nil) }\n", nil},
		{"test helper packages are not read", "internal/fakestest/server.go", "package fakestest\nfunc f() { r.GET(\"/x\", nil) }\n", nil},
		{"no string, no flag", "cmd/x/main.go", "package main\nfunc f() { s.String(); b.Bool(x, y, z) }\n", nil},
		{"a local function named like a definer", "ingest/settings.go", "package ingest\nfunc f() { list := func(n string, a, b []string) {}; list(\"sidecars\", x, y) }\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, o := range extract(tc.path, []byte(tc.src)) {
				got = append(got, string(o.Kind)+" "+o.Name)
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tc.want))
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
	for _, tc := range []struct{ path, src string }{
		{"cmd/x/main.go", "package main\nfunc f() { c.Flags().MarkHidden(\"debug\"); fs.Bool(\"debug\", false, \"x\") }\n"},
		{"vitest.config.mjs", "export default { coverage: process.env.BASE !== 'dev' }\n"},
		{"bench/load/main.go", "package main\nfunc main() { flag.Int(\"requests\", 1, \"how many\") }\n"},
		{"cmd/x/main.go", "package main\nfunc f() { _ = os.Getenv(\"HOME\") + os.Getenv(\"XDG_CACHE_HOME\") }\n"},
	} {
		occ := extract(tc.path, []byte(tc.src))
		if len(occ) == 0 {
			t.Errorf("%s: nothing read", tc.path)
		}
		for _, o := range occ {
			if o.Public {
				t.Errorf("%s: %s %s is a public surface", tc.path, o.Kind, o.Name)
			}
		}
	}
}

func TestSpecNames(t *testing.T) {
	s := newSpecSection("spec/a.md", "A", "Use `--repo-url` (not --repo), `GET /v1/items/{id}`, $APP_TOKEN, `store.OpenIndex()`, `DiffSections`, `not_found`.\n\n```yaml\nmax_retries: 3\n```\n")
	for _, tc := range []struct {
		id   Ident
		want bool
	}{
		{Ident{Flag, "--repo-url"}, true},
		{Ident{Flag, "--repo"}, true},
		{Ident{Flag, "--url"}, false},
		{Ident{Route, "/v1/items/{}"}, true},
		{Ident{Route, "/v1/items"}, false},
		{Ident{EnvVar, "APP_TOKEN"}, true},
		{Ident{EnvVar, "APP"}, false},
		{Ident{Exported, "store.OpenIndex"}, true},
		{Ident{Exported, "ingest.DiffSections"}, true},
		{Ident{Exported, "other.Open"}, false},
		{Ident{ErrorCode, "not_found"}, true},
		{Ident{ConfigKey, "max_retries"}, true},
		{Ident{ConfigKey, "retries"}, false},
	} {
		if got := s.names(tc.id); got != tc.want {
			t.Errorf("names(%s %s) = %v, want %v", tc.id.Kind, tc.id.Name, got, tc.want)
		}
	}
}
