package main

import (
	"runtime/debug"
	"strings"
	"testing"

	"github.com/livespec/livespec"
)

// TestHelpOnStdout checks that every command's help goes to stdout (so it
// can be piped to less), exits cleanly, and shows usage and examples.
func TestHelpOnStdout(t *testing.T) {
	root := rootCmd(&env{getenv: func(string) string { return "" }})
	var names [][]string
	for _, c := range root.Commands() {
		if c.Name() == "help" {
			continue
		}
		names = append(names, []string{c.Name()})
		for _, s := range c.Commands() {
			names = append(names, []string{c.Name(), s.Name()})
		}
	}
	for _, path := range names {
		for _, form := range [][]string{append(append([]string{}, path...), "--help"), append([]string{"help"}, path...)} {
			t.Run(strings.Join(form, " "), func(t *testing.T) {
				out, stderr, err := livespecRun(t, nil, form...)
				if err != nil {
					t.Fatal(err)
				}
				if stderr != "" {
					t.Errorf("help wrote to stderr: %q", stderr)
				}
				if !strings.Contains(out, "Usage:\n  livespec "+strings.Join(path, " ")) {
					t.Errorf("help lacks a usage line:\n%s", out)
				}
				// The generated completion commands explain their use in prose.
				generated := path[0] == "completion" && len(path) > 1
				if !generated && !strings.Contains(out, "Examples:\n  ") && !strings.Contains(out, "Commands:\n") {
					t.Errorf("help has neither examples nor subcommands:\n%s", out)
				}
			})
		}
	}
	t.Run("root", func(t *testing.T) {
		out, stderr, err := livespecRun(t, nil, "--help")
		if err != nil || stderr != "" {
			t.Fatalf("err %v, stderr %q", err, stderr)
		}
		for _, c := range []string{"ask", "changes", "ingest", "eval", "serve", "completion", "version"} {
			if !strings.Contains(out, "\n  "+c+" ") {
				t.Errorf("root help does not list %s:\n%s", c, out)
			}
		}
	})
}

func TestAskHelpListsQuestionKinds(t *testing.T) {
	out, _, err := livespecRun(t, nil, "ask", "--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Kinds of question:", "as of", "changes", "timeline", "Periods:", "--json", "--now DATE", "[LIVESPEC_NOW]"} {
		if !strings.Contains(out, want) {
			t.Errorf("ask --help lacks %q:\n%s", want, out)
		}
	}
}

// TestBackendFlagsListedWhenInUse checks the grouped help: backend tuning
// flags are listed under their own heading only when that backend is
// configured, by flag or variable, and work either way.
func TestBackendFlagsListedWhenInUse(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		qdrant, ol bool
	}{
		{name: "neither", args: []string{"ask", "--help"}},
		{name: "qdrant flag", args: []string{"ask", "--store", "qdrant://q:6334", "--help"}, qdrant: true},
		{name: "qdrant variable", env: map[string]string{"LIVESPEC_STORE": "qdrant://q:6334"}, args: []string{"ingest", "--help"}, qdrant: true},
		{name: "ollama flag", args: []string{"ask", "--ollama-url", "http://o:11434", "--help"}, ol: true},
		{name: "ollama variable", env: map[string]string{"LIVESPEC_OLLAMA_URL": "http://o:11434"}, args: []string{"serve", "--help"}, ol: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, err := livespecRun(t, tt.env, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(out, "\nQdrant flags:\n      --qdrant-shards"); got != tt.qdrant {
				t.Errorf("Qdrant flags listed = %v, want %v:\n%s", got, tt.qdrant, out)
			}
			if got := strings.Contains(out, "\nOllama flags:\n      --embed-model"); got != tt.ol {
				t.Errorf("Ollama flags listed = %v, want %v:\n%s", got, tt.ol, out)
			}
			if !strings.Contains(out, "Index and backend flags:\n      --index DIR") || !strings.Contains(out, "--ollama-url URL") {
				t.Errorf("the index and backend choice is not always listed:\n%s", out)
			}
		})
	}
}

func TestFlagErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"single dash long flag", []string{"ask", "-json", "q"}, "unknown shorthand flag: 'j' in -json"},
		{"unknown flag names the help", []string{"changes", "--frob"}, "see `livespec changes --help`"},
		{"unknown command suggests", []string{"aks"}, `did you mean "ask"?`},
		{"unexpected argument", []string{"changes", "--since", "2025-01-01", "extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := livespecRun(t, map[string]string{"HOME": t.TempDir()}, tt.args...)
			if livespec.ErrorCode(err) != livespec.EINVALID || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %v, want invalid naming %q", err, tt.msg)
			}
		})
	}
}

func TestCompletion(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		t.Run(sh, func(t *testing.T) {
			out, _, err := livespecRun(t, nil, "completion", sh)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, "livespec") || len(out) < 500 {
				t.Errorf("completion %s = %d bytes:\n%.300s", sh, len(out), out)
			}
		})
	}
	// The scripts ask the binary itself; check it completes subcommands and flags.
	out, _, err := livespecRun(t, nil, "__complete", "a")
	if err != nil || !strings.Contains(out, "ask\t") {
		t.Errorf("completing 'a' = %q, %v", out, err)
	}
	out, _, err = livespecRun(t, nil, "__complete", "changes", "--si")
	if err != nil || !strings.Contains(out, "--since\t") {
		t.Errorf("completing 'changes --si' = %q, %v", out, err)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, _, err := livespecRun(t, nil, args...)
		if err != nil || !strings.HasPrefix(out, "livespec ") || strings.Count(out, "\n") != 1 {
			t.Errorf("%v = %q, %v", args, out, err)
		}
		if bi, ok := debug.ReadBuildInfo(); ok && !strings.Contains(out, bi.GoVersion) {
			t.Errorf("%v = %q, lacks the Go version %s", args, out, bi.GoVersion)
		}
	}
	mod := func(v string, settings ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/livespec/livespec", Version: v}}
		for i := 0; i+1 < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi
	}
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"release", mod("v1.2.0"), "v1.2.0 (go1.26.0)"},
		{"work tree with vcs", mod("(devel)", "vcs.revision", "0123456789abcdef0123", "vcs.time", "2026-11-21T10:00:00Z", "vcs.modified", "true"),
			"devel (commit 0123456789ab, 2026-11-21, modified, go1.26.0)"},
		{"pseudo-version with vcs", mod("v0.0.0-20261121100000-0123456789ab", "vcs.revision", "0123456789abcdef0123", "vcs.time", "2026-11-21T10:00:00Z", "vcs.modified", "false"),
			"v0.0.0-20261121100000-0123456789ab (commit 0123456789ab, 2026-11-21, go1.26.0)"},
		{"no vcs stamping", mod("(devel)"), "devel (no commit recorded: built with -buildvcs=false or outside git, go1.26.0)"},
		{"no build info", nil, "devel (no build information)"},
	}
	for _, tt := range tests {
		if got := versionOf(tt.bi); got != tt.want {
			t.Errorf("%s: versionOf = %q, want %q", tt.name, got, tt.want)
		}
	}
}
