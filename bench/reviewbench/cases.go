package main

// The base application of the planted repository: a Go CLI and server, a
// TypeScript web app and a Python tool, and a spec naming their flags,
// variables, routes, configuration keys, error codes and exported names.
var baseFiles = map[string]string{
	"cmd/app/main.go": `package main

import (
	"os"

	"example.com/app/server"
)

func main() {
	fs := newFlags()
	fs.String("repo-url", "", "the repository to serve")
	fs.Bool("verbose", false, "log more")
	fs.Int("port", 8080, "the port to listen on")
	fs.String("log-level", "info", "how much to log")
	fs.Duration("timeout", 0, "give up after this long")
	fs.String("cache-dir", "", "where to cache")
	fs.Bool("dry-run", false, "change nothing")
	_ = os.Getenv("APP_TOKEN") + os.Getenv("APP_REGION") + os.Getenv("APP_DEBUG")
	server.Run()
}
`,
	"server/server.go": `package server

import "github.com/gin-gonic/gin"

// Config is the server's configuration file.
type Config struct {
	MaxRetries int    ` + "`yaml:\"max_retries\"`" + `
	Listen     string ` + "`yaml:\"listen_addr\"`" + `
	LogFormat  string ` + "`yaml:\"log_format\"`" + `
}

const (
	ENOTFOUND = "not_found"
	EGONE     = "gone_forever"
)

// OpenIndex opens the index.
func OpenIndex() error { return nil }

func Run() {
	r := gin.New()
	r.GET("/v1/items", nil)
	r.GET("/v1/items/:id", nil)
	r.GET("/healthz", nil)
	v2 := r.Group("/v2")
	v2.POST("/orders", nil)
	v2.GET("/orders/:id", nil)
}
`,
	"web/app.ts": `import express from 'express';

const app = express();
app.get('/api/users', list);
app.get('/api/users/:id', show);
const secret = process.env.WEB_SECRET;

export function renderPage(): string { return ''; }
`,
	"tool/cli.py": `import argparse
import os

from flask import Flask

app = Flask(__name__)
parser = argparse.ArgumentParser()
parser.add_argument('--input')
parser.add_argument('--output')
home = os.environ.get('PY_HOME_DIR')


@app.route('/py/status')
def status():
    return 'ok'
`,
	"spec/cli.md": "# Command line\n\n## Flags\n\n`--repo-url URL` names the repository; `--verbose` logs more; `--port N` sets the port; " +
		"`--log-level` sets how much is logged; `--timeout` bounds a run; `--dry-run` changes nothing.\n\n" +
		"## Environment\n\nThe token comes from `APP_TOKEN`, the region from `APP_REGION`; `APP_DEBUG=1` logs requests.\n\n" +
		"## Tool\n\n`cli.py --input FILE --output FILE` converts a file; it keeps its state under `PY_HOME_DIR`.\n\n" +
		"## Library\n\nCall `server.OpenIndex` before serving; the web app renders with `renderPage`.\n",
	"spec/api.md": "# API\n\n## Routes\n\n- `GET /v1/items` lists items; `GET /v1/items/{id}` reads one.\n" +
		"- `POST /v2/orders` places an order; `GET /v2/orders/{id}` reads one.\n- `GET /healthz` answers ok.\n" +
		"- `GET /api/users` and `GET /api/users/{id}` serve the web app's users; `GET /py/status` the tool's state.\n\n" +
		"## Errors\n\nA missing item is `not_found`; a deleted one `gone_forever`.\n\n" +
		"## Timeouts\n\nEvery request gives up after `--timeout`.\n\n" +
		"## Web\n\nThe web app signs sessions with `WEB_SECRET`.\n",
	"spec/config.md": "# Configuration\n\n```yaml\nmax_retries: 3\nlisten_addr: :8080\nlog_format: json\n```\n\nA typo in this sentense is fixed by one case.\n\n" +
		"## Cache file\n\nThe JSON cache file sets `cache_ttl` and `worker_count`.\n\n" +
		"## Deployment\n\nThe queue holds `queue_depth` jobs; metrics are served on `metrics_port`; `APP_LOCALE` sets the language.\n",
	"server/cache.go": `package server

import (
	"encoding/json"
	"os"
)

// CacheConfig is the cache's JSON file.
type CacheConfig struct {
	CacheTTL int ` + "`json:\"cache_ttl\"`" + `
	Workers  int ` + "`json:\"worker_count\"`" + `
}

// ItemView is an item as the API answers it.
type ItemView struct {
	Label string ` + "`json:\"item_label\"`" + `
}

func loadCache(p string) (*CacheConfig, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	c := &CacheConfig{}
	return c, json.Unmarshal(b, c)
}
`,
	"deploy/config.example.yaml": "queue:\n  queue_depth: 10\nmetrics_port: 9100\n",
	".env.example":               "APP_TOKEN=\nAPP_LOCALE=en\n",
}

// edit is one change of a case: replace Old by New in Path (Old "" writes
// New as the whole file; New "" with Old "" removes the file).
type edit struct{ Path, Old, New string }

// plantedCase is one branch off main with its expected findings ("stale
// NAME" or "undocumented NAME").
type plantedCase struct {
	Name  string
	Edits []edit
	Move  [2]string
	Want  []string
}

const mainGo, serverGo, appTS, cliPy = "cmd/app/main.go", "server/server.go", "web/app.ts", "tool/cli.py"

var cases = []plantedCase{
	{Name: "renamed flag still documented", Edits: []edit{{mainGo, `"repo-url"`, `"remote"`}}, Want: []string{"stale --repo-url", "undocumented --remote"}},
	{Name: "removed flag still documented", Edits: []edit{{mainGo, "\tfs.Bool(\"dry-run\", false, \"change nothing\")\n", ""}}, Want: []string{"stale --dry-run"}},
	{Name: "renamed flag with its spec", Edits: []edit{{mainGo, `"repo-url"`, `"remote"`}, {"spec/cli.md", "`--repo-url URL`", "`--remote URL`"}}},
	{Name: "new flag undocumented", Edits: []edit{{mainGo, "\tfs.Bool(\"verbose\"", "\tfs.Int(\"max-size\", 0, \"largest file\")\n\tfs.Bool(\"verbose\""}}, Want: []string{"undocumented --max-size"}},
	{Name: "new flag documented", Edits: []edit{{mainGo, "\tfs.Bool(\"verbose\"", "\tfs.Int(\"max-size\", 0, \"largest file\")\n\tfs.Bool(\"verbose\""}, {"spec/cli.md", "`--verbose` logs more", "`--verbose` logs more; `--max-size` bounds files"}}},
	{Name: "removed route still documented", Edits: []edit{{serverGo, "\tr.GET(\"/v1/items/:id\", nil)\n", ""}}, Want: []string{"stale /v1/items/{}"}},
	{Name: "removed group route still documented", Edits: []edit{{serverGo, "\tv2.POST(\"/orders\", nil)\n", ""}}, Want: []string{"stale /v2/orders"}},
	{Name: "new route undocumented", Edits: []edit{{serverGo, "\tr.GET(\"/healthz\", nil)\n", "\tr.GET(\"/healthz\", nil)\n\tr.GET(\"/v1/search\", nil)\n"}}, Want: []string{"undocumented /v1/search"}},
	{Name: "new route documented", Edits: []edit{{serverGo, "\tr.GET(\"/healthz\", nil)\n", "\tr.GET(\"/healthz\", nil)\n\tr.GET(\"/v1/search\", nil)\n"}, {"spec/api.md", "- `GET /healthz` answers ok.", "- `GET /healthz` answers ok.\n- `GET /v1/search?q=` searches items."}}},
	{Name: "new env var undocumented", Edits: []edit{{mainGo, `os.Getenv("APP_DEBUG")`, `os.Getenv("APP_DEBUG") + os.Getenv("APP_PROFILE")`}}, Want: []string{"undocumented APP_PROFILE"}},
	{Name: "removed env var still documented", Edits: []edit{{mainGo, ` + os.Getenv("APP_DEBUG")`, ""}}, Want: []string{"stale APP_DEBUG"}},
	{Name: "renamed env var", Edits: []edit{{mainGo, `"APP_REGION"`, `"APP_ZONE"`}}, Want: []string{"stale APP_REGION", "undocumented APP_ZONE"}},
	{Name: "removed config key still documented", Edits: []edit{{serverGo, "\tLogFormat  string `yaml:\"log_format\"`\n", ""}}, Want: []string{"stale log_format"}},
	{Name: "new config key undocumented", Edits: []edit{{serverGo, "\tLogFormat  string", "\tCacheSize  int    `yaml:\"cache_size\"`\n\tLogFormat  string"}}, Want: []string{"undocumented cache_size"}},
	{Name: "removed error code still documented", Edits: []edit{{serverGo, "\tEGONE     = \"gone_forever\"\n", ""}}, Want: []string{"stale gone_forever"}},
	{Name: "new error code undocumented", Edits: []edit{{serverGo, "\tEGONE     = \"gone_forever\"\n", "\tEGONE     = \"gone_forever\"\n\tERATE     = \"rate_limited\"\n"}}, Want: []string{"undocumented rate_limited"}},
	{Name: "renamed exported function", Edits: []edit{{serverGo, "func OpenIndex()", "func Open()"}}, Want: []string{"stale server.OpenIndex"}},
	{Name: "editorial-only spec change", Edits: []edit{{"spec/config.md", "sentense", "sentence"}}},
	{Name: "substantive spec change only", Edits: []edit{{"spec/api.md", "answers ok.", "answers ok with the version."}}},
	{Name: "code refactor with no spec impact", Edits: []edit{{serverGo, "func OpenIndex() error { return nil }", "func OpenIndex() error {\n\tvar err error\n\treturn err\n}"}}},
	{Name: "new unexported helper", Edits: []edit{{"server/helper.go", "", "package server\n\nfunc clamp(n, lo, hi int) int { return max(lo, min(n, hi)) }\n"}}},
	{Name: "comment change", Edits: []edit{{serverGo, "// OpenIndex opens the index.", "// OpenIndex opens the index, creating it when missing."}}},
	{Name: "flag moved to another file", Edits: []edit{{mainGo, "\tfs.Bool(\"verbose\", false, \"log more\")\n", ""}, {"cmd/app/flags.go", "", "package main\n\nfunc more(fs *flagSet) { fs.Bool(\"verbose\", false, \"log more\") }\n"}}},
	{Name: "renamed source file", Move: [2]string{serverGo, "server/http.go"}},
	{Name: "removed TypeScript route still documented", Edits: []edit{{appTS, "app.get('/api/users/:id', show);\n", ""}}, Want: []string{"stale /api/users/{}"}},
	{Name: "new TypeScript env var undocumented", Edits: []edit{{appTS, "const secret = process.env.WEB_SECRET;", "const secret = process.env.WEB_SECRET;\nconst region = process.env.WEB_REGION;"}}, Want: []string{"undocumented WEB_REGION"}},
	{Name: "renamed TypeScript export", Edits: []edit{{appTS, "renderPage", "renderView"}}, Want: []string{"stale renderPage"}},
	{Name: "renamed Python flag", Edits: []edit{{cliPy, "'--input'", "'--source'"}}, Want: []string{"stale --input", "undocumented --source"}},
	{Name: "removed Python route still documented", Edits: []edit{{cliPy, "@app.route('/py/status')\ndef status():\n    return 'ok'\n", ""}}, Want: []string{"stale /py/status"}},
	{Name: "new Python env var undocumented", Edits: []edit{{cliPy, "home = os.environ.get('PY_HOME_DIR')", "home = os.environ.get('PY_HOME_DIR')\ncache = os.environ['PY_CACHE_DIR']"}}, Want: []string{"undocumented PY_CACHE_DIR"}},
	{Name: "removed flag and its mention", Edits: []edit{{mainGo, "\tfs.Bool(\"dry-run\", false, \"change nothing\")\n", ""}, {"spec/cli.md", "; `--dry-run` changes nothing", ""}}},
	{Name: "removed flag no spec named", Edits: []edit{{mainGo, "\tfs.String(\"cache-dir\", \"\", \"where to cache\")\n", ""}}},
	{Name: "new hidden flag", Edits: []edit{{mainGo, "\tserver.Run()", "\tfs.Bool(\"trace\", false, \"trace\")\n\tfs.MarkHidden(\"trace\")\n\tserver.Run()"}}},
	{Name: "flags and routes in a test file", Edits: []edit{{"server/server_test.go", "", "package server\n\nfunc fake() { r.GET(\"/v9/fake\", nil); fs.Bool(\"fake\", false, \"x\") }\n"}}},
	{Name: "system variable read", Edits: []edit{{mainGo, `os.Getenv("APP_TOKEN")`, `os.Getenv("APP_TOKEN") + os.Getenv("HOME")`}}},
	{Name: "flag of a benchmark tool", Edits: []edit{{"bench/load/main.go", "", "package main\n\nfunc main() { flag.Int(\"requests\", 100, \"how many\") }\n"}}},
	{Name: "removed flag documented twice", Edits: []edit{{mainGo, "\tfs.Duration(\"timeout\", 0, \"give up after this long\")\n", ""}}, Want: []string{"stale --timeout"}},
	{Name: "flag default changed", Edits: []edit{{mainGo, `fs.Int("port", 8080,`, `fs.Int("port", 9090,`}}},
	{Name: "new Go 1.22 route undocumented", Edits: []edit{{serverGo, "\tr := gin.New()\n", "\tr := gin.New()\n\thttp.HandleFunc(\"GET /v1/export\", nil)\n"}}, Want: []string{"undocumented /v1/export"}},
	{Name: "new env var read through a constant", Edits: []edit{{mainGo, "\nfunc main() {", "\nconst envMode = \"APP_MODE\"\n\nfunc main() {\n\t_ = os.Getenv(envMode)"}}, Want: []string{"undocumented APP_MODE"}},
	{Name: "new flag of a struct-tag parser (kong)", Edits: []edit{{"cmd/app/opts.go", "", "package main\n\ntype opts struct {\n\tLoud bool `name:\"loud\" help:\"shout\"`\n}\n"}}, Want: []string{"undocumented --loud"}},
	{Name: "renamed route", Edits: []edit{{serverGo, `"/healthz"`, `"/health"`}}, Want: []string{"stale /healthz", "undocumented /health"}},
	{Name: "removed JSON config key still documented", Edits: []edit{{cacheGo, "\tCacheTTL int `json:\"cache_ttl\"`\n", ""}}, Want: []string{"stale cache_ttl"}},
	{Name: "renamed JSON config key", Edits: []edit{{cacheGo, `json:"worker_count"`, `json:"workers"`}}, Want: []string{"stale worker_count", "undocumented workers"}},
	{Name: "new JSON field of an API answer", Edits: []edit{{cacheGo, "\tLabel string", "\tColor string `json:\"item_color\"`\n\tLabel string"}}},
	{Name: "new key of the example configuration undocumented", Edits: []edit{{exampleYAML, "metrics_port: 9100\n", "metrics_port: 9100\nretry_backoff: 5s\n"}}, Want: []string{"undocumented retry_backoff"}},
	{Name: "new key of the example configuration documented", Edits: []edit{{exampleYAML, "metrics_port: 9100\n", "metrics_port: 9100\nretry_backoff: 5s\n"}, {"spec/config.md", "`queue_depth` jobs;", "`queue_depth` jobs, retried after `retry_backoff`;"}}},
	{Name: "removed key of the example configuration still documented", Edits: []edit{{exampleYAML, "metrics_port: 9100\n", ""}}, Want: []string{"stale metrics_port"}},
	{Name: "new variable of the example environment undocumented", Edits: []edit{{".env.example", "APP_LOCALE=en\n", "APP_LOCALE=en\nAPP_THEME=dark\n"}}, Want: []string{"undocumented APP_THEME"}},
}

const cacheGo, exampleYAML = "server/cache.go", "deploy/config.example.yaml"
