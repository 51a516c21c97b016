package e2e_test

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

const module = "github.com/livespec/livespec"

// adapters are the packages that talk to an outside system. Only the
// wiring (cmd/livespec, the bench tools) and this package import them.
var adapters = []string{"internal/sqlite", "internal/qdrant", "internal/ollama"}

// testHelpers are packages made for tests: fakes and fixtures that wire
// nothing. Any package's tests may import them.
var testHelpers = []string{"internal/apitest", "internal/gittest", "internal/storetest",
	"internal/ollama/ollamatest", "internal/qdrant/qdranttest", "ingest/ingesttest", "slackbot/slackbottest"}

// wiring may import every package.
func wiring(pkg string) bool {
	return pkg == "cmd/livespec" || strings.HasPrefix(pkg, "bench/") || pkg == "internal/e2e"
}

// TestDependencyRules checks, with go list, the rules the packages keep:
// the root package (vocabulary and contracts) imports no other package of
// the module; only the wiring imports an adapter; and the tests of every
// other package import no more of the module than its production code
// does, beside the test helpers and the internal libraries they import.
// End-to-end tests that wire real packages together live here instead.
func TestDependencyRules(t *testing.T) {
	prod := moduleDeps(t, "-deps")
	tests := moduleDeps(t, "-test")
	if len(prod) < 10 {
		t.Fatalf("go list found %d packages", len(prod))
	}
	t.Run("the root imports no package of the module", func(t *testing.T) {
		if d := prod[""]; len(d) > 0 {
			t.Errorf("the root package imports %v", d)
		}
	})
	t.Run("only the wiring imports an adapter", func(t *testing.T) {
		for pkg, deps := range prod {
			for _, a := range adapters {
				if slices.Contains(deps, a) && !wiring(pkg) && !strings.HasPrefix(pkg, a) && !slices.Contains(adapters, pkg) {
					t.Errorf("%s imports the adapter %s", name(pkg), a)
				}
			}
		}
	})
	t.Run("tests keep the production rules", func(t *testing.T) {
		for pkg, deps := range tests {
			if wiring(pkg) || slices.Contains(testHelpers, pkg) {
				continue // a fake's own tests check it against what it stands in for
			}
			var extra []string
			for _, d := range deps {
				if d != pkg && !slices.Contains(prod[pkg], d) && !helped(prod, d) {
					extra = append(extra, d)
				}
			}
			if len(extra) > 0 {
				t.Errorf("the tests of %s import %v beyond its production code (move end-to-end tests to internal/e2e)", name(pkg), extra)
			}
		}
	})
}

// helped reports whether d is a test helper, or an internal library (a
// package under internal/ that is neither an adapter nor this package,
// such as internal/lex) that a test helper imports.
func helped(prod map[string][]string, d string) bool {
	if slices.Contains(testHelpers, d) {
		return true
	}
	if !strings.HasPrefix(d, "internal/") || wiring(d) || slices.ContainsFunc(adapters, func(a string) bool { return strings.HasPrefix(d, a) }) {
		return false
	}
	for _, h := range testHelpers {
		if slices.Contains(prod[h], d) {
			return true
		}
	}
	return false
}

func name(pkg string) string {
	if pkg == "" {
		return "the root package"
	}
	return pkg
}

// moduleDeps lists, for every package of the module with "go list
// mode ./...", the module packages it depends on, as paths relative to
// the module ("" is the root). With mode "-test" the dependencies are
// those of the package's test binary, and only packages with tests count.
func moduleDeps(t *testing.T, mode string) map[string][]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "list", mode, "-f", "{{.ImportPath}}|{{join .Deps \" \"}}", module+"/...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v", mode, err)
	}
	deps := map[string][]string{}
	for line := range strings.Lines(string(out)) {
		pkg, list, _ := strings.Cut(strings.TrimSpace(line), "|")
		if mode == "-test" {
			var ok bool
			if pkg, ok = strings.CutSuffix(pkg, ".test"); !ok {
				continue
			}
		}
		rel, ok := relative(pkg)
		if !ok {
			continue
		}
		var mine []string
		for _, d := range strings.Fields(list) {
			if strings.HasPrefix(d, "[") {
				continue // the " [x.test]" of a test variant
			}
			if r, ok := relative(d); ok && r != rel && r != rel+"_test" && !slices.Contains(mine, r) {
				mine = append(mine, r)
			}
		}
		slices.Sort(mine)
		deps[rel] = mine
	}
	return deps
}

// relative is pkg's path inside the module.
func relative(pkg string) (string, bool) {
	if pkg == module {
		return "", true
	}
	return strings.CutPrefix(pkg, module+"/")
}
