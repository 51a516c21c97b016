package review

import (
	"slices"
	"strings"
	"testing"
)

func TestExtractConfigKeys(t *testing.T) {
	loader := "package config\n\nimport (\n\t\"encoding/json\"\n\t\"os\"\n)\n\n" +
		"// Config is the server's configuration file.\ntype Config struct {\n" +
		"\tPort int `json:\"listen_port\"`\n\tDB *DBConfig `json:\"database\"`\n\tTLS struct {\n\t\tCert string `json:\"cert_file\"`\n\t} `json:\"tls\"`\n" +
		"\tSecret string `json:\"-\"`\n\tName string `yaml:\"server_name\" json:\"name\"`\n}\n\n" +
		"type DBConfig struct {\n\tDSN string `json:\"dsn_url,omitempty\"`\n}\n\n" +
		"// ItemResponse is an API answer, not configuration.\ntype ItemResponse struct {\n\tID string `json:\"item_id\"`\n}\n\n" +
		"func Load(p string) (*Config, error) {\n\tb, err := os.ReadFile(p)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n" +
		"\tvar c Config\n\terr = json.Unmarshal(b, &c)\n\treturn &c, err\n}\n"
	for _, tc := range []struct {
		name, path, src string
		want            []string // kind name
	}{
		{"json keys of a configuration struct read from a file", "config/config.go", loader,
			[]string{"config listen_port", "config database", "config tls", "config cert_file", "config server_name", "config dsn_url", "exported config.Config", "exported config.DBConfig", "exported config.ItemResponse", "exported config.Load"}},
		{"json keys of a settings struct never read from a file", "ingest/settings.go",
			"package ingest\n\ntype Settings struct {\n\tInclude []string `json:\"include\"`\n}\n\nfunc parse(line []byte) (s Settings) {\n\t_ = json.Unmarshal(line, &s)\n\treturn s\n}\n",
			[]string{"exported ingest.Settings"}},
		{"json keys of a decoded type that is no configuration", "api/items.go",
			"package api\n\ntype Item struct {\n\tID string `json:\"item_id\"`\n}\n\nfunc load(p string) (it Item) {\n\tf, _ := os.Open(p)\n\t_ = json.NewDecoder(f).Decode(&it)\n\treturn\n}\n",
			[]string{"exported api.Item"}},
		{"an example configuration, nested keys", "deploy/config.example.yaml",
			"server:\n  listen_addr: :8080\n  tls:\n    cert_file: a.pem\nretries: 3\nitems:\n  - name: one\n",
			[]string{"config server", "config listen_addr", "config tls", "config cert_file", "config retries", "config items", "config name"}},
		{"an example JSON settings file", "examples/settings.sample.json", `{"cache_size": 10, "log": {"level_name": "info"}}`,
			[]string{"config cache_size", "config log", "config level_name"}},
		{"an example TOML configuration", "app-config.default.toml", "title = \"x\"\n[database]\nmax_conns = 5\n# port = 1\n",
			[]string{"config title", "config database", "config max_conns"}},
		{"an example environment file", ".env.example", "APP_TOKEN=\nexport APP_REGION=eu\n# APP_OLD=1\nHOME=/root\n",
			[]string{"env APP_TOKEN", "env APP_REGION", "env HOME"}},
		{"an example document that is no configuration", "examples/v3.0/link-example.yaml", "openapi: 3.0.0\ninfo:\n  title: x\n", nil},
		{"a configuration file that is no example", "config.yaml", "listen_addr: :80\n", nil},
		{"an example configuration in test fixtures", "testdata/config.example.yaml", "listen_addr: :80\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, o := range extract(tc.path, []byte(tc.src)) {
				got = append(got, string(o.Kind)+" "+o.Name)
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tc.want))
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("got %v\nwant %v", got, want)
			}
		})
	}
}

func TestExampleConfigIsPublicUnlessTooling(t *testing.T) {
	for _, tc := range []struct {
		path   string
		public bool
	}{
		{"app.config.example.yaml", true},
		{"tools/lint/config.example.yaml", false},
	} {
		occ := extract(tc.path, []byte("listen_addr: :80\n"))
		if len(occ) != 1 || occ[0].Public != tc.public {
			t.Errorf("%s: %+v, want one key, public %v", tc.path, occ, tc.public)
		}
	}
	if occ := extract(".env.sample", []byte("HOME=/x\n")); len(occ) != 1 || occ[0].Public {
		t.Errorf(".env.sample HOME: %+v, want a variable of the system", occ)
	}
}
