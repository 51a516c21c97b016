package qdrant

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// composeConfig runs `docker-compose -f file config` from the repository
// root and returns the resolved configuration. It skips when docker-compose
// is not installed.
func composeConfig(t *testing.T, file string) map[string]any {
	t.Helper()
	bin, err := exec.LookPath("docker-compose")
	if err != nil {
		t.Skip("docker-compose not installed (apt-get install docker-compose)")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	// -q validates; the full output is what we inspect.
	for _, args := range [][]string{{"-f", file, "config", "-q"}, {"-f", file, "config"}} {
		cmd := exec.Command(bin, args...)
		cmd.Dir = root
		cmd.Env = append(cmd.Environ(), "LIVESPEC_REPO_URL=", "LIVESPEC_POLL=")
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("docker-compose %s: %v\n%s", strings.Join(args, " "), err, errb.String())
		}
		if args[len(args)-1] == "config" {
			var cfg map[string]any
			if err := yaml.Unmarshal(out.Bytes(), &cfg); err != nil {
				t.Fatalf("docker-compose config output: %v", err)
			}
			return cfg
		}
	}
	return nil
}

func service(t *testing.T, cfg map[string]any, name string) map[string]any {
	t.Helper()
	svcs, _ := cfg["services"].(map[string]any)
	s, ok := svcs[name].(map[string]any)
	if !ok {
		t.Fatalf("no service %q", name)
	}
	return s
}

func env(s map[string]any) map[string]string {
	out := map[string]string{}
	m, _ := s["environment"].(map[string]any)
	for k, v := range m {
		if v == nil {
			v = ""
		}
		out[k], _ = v.(string)
	}
	return out
}

func strs(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func TestComposeFile(t *testing.T) {
	cfg := composeConfig(t, "docker-compose.yml")
	ls := service(t, cfg, "livespec")
	e := env(ls)
	for k, want := range map[string]string{
		"LIVESPEC_STORE":       "qdrant://qdrant:6334?collection=livespec",
		"LIVESPEC_OLLAMA_URL":  "http://ollama:11434",
		"LIVESPEC_EMBED_MODEL": "nomic-embed-text",
		"LIVESPEC_CHAT_MODEL":  "llama3.2:3b",
		"LIVESPEC_POLL":        "5m", // an empty variable falls back to the default
		"LIVESPEC_REPO":        "/repo",
	} {
		if e[k] != want {
			t.Errorf("livespec %s = %q, want %q", k, e[k], want)
		}
	}
	if got := strs(ls["command"]); !slices.Equal(got, []string{"serve", "--addr", "0.0.0.0:8080"}) {
		t.Errorf("livespec command = %q", got)
	}
	deps, _ := ls["depends_on"].(map[string]any)
	for dep, cond := range map[string]string{"qdrant": "service_healthy", "ollama-pull": "service_completed_successfully"} {
		d, _ := deps[dep].(map[string]any)
		if d["condition"] != cond {
			t.Errorf("livespec depends on %s with %v, want %s", dep, d["condition"], cond)
		}
	}
	q := service(t, cfg, "qdrant")
	if _, ok := q["healthcheck"]; !ok {
		t.Error("qdrant has no health check")
	}
	if vols := strs(q["volumes"]); !slices.ContainsFunc(vols, func(v string) bool { return strings.Contains(v, ":/qdrant/storage") }) {
		t.Error("qdrant has no volume")
	}
	pull := env(service(t, cfg, "ollama-pull"))
	if pull["OLLAMA_HOST"] != "ollama:11434" || pull["EMBED_MODEL"] != "nomic-embed-text" || pull["CHAT_MODEL"] != "llama3.2:3b" {
		t.Errorf("ollama-pull environment = %v", pull)
	}
}

func TestComposeClusterFile(t *testing.T) {
	cfg := composeConfig(t, "docker-compose.cluster.yml")
	for i, name := range []string{"qdrant-1", "qdrant-2", "qdrant-3"} {
		s := service(t, cfg, name)
		if env(s)["QDRANT__CLUSTER__ENABLED"] != "true" {
			t.Errorf("%s: cluster mode not enabled", name)
		}
		cmd := strings.Join(strs(s["command"]), " ")
		want := "--uri http://" + name + ":6335"
		if i > 0 {
			want = "--bootstrap http://qdrant-1:6335"
		}
		if !strings.Contains(cmd, want) {
			t.Errorf("%s command %q lacks %q", name, cmd, want)
		}
	}
	writers := 0
	for _, name := range []string{"livespec-ingest", "livespec-api-1", "livespec-api-2"} {
		e := env(service(t, cfg, name))
		if !strings.HasPrefix(e["LIVESPEC_STORE"], "qdrant://qdrant-") {
			t.Errorf("%s store = %q", name, e["LIVESPEC_STORE"])
		}
		if e["LIVESPEC_QDRANT_SHARDS"] != "6" || e["LIVESPEC_QDRANT_REPLICAS"] != "2" {
			t.Errorf("%s: shards %q replicas %q, want 6 and 2", name, e["LIVESPEC_QDRANT_SHARDS"], e["LIVESPEC_QDRANT_REPLICAS"])
		}
		if e["LIVESPEC_POLL"] != "" {
			writers++
		}
	}
	if writers != 1 {
		t.Errorf("%d livespec services ingest, want exactly one writer", writers)
	}
}
