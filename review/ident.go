package review

import (
	"path"
	"regexp"
	"strings"
)

// occurrence is one identifier found in one file version.
type occurrence struct {
	Ident
	Line int
	// Public marks an identifier of a public surface (a flag, a variable,
	// a route, a configuration key, an error code) that a spec should
	// name; exported names are checked only for staleness.
	Public bool
	// Hidden marks a flag the code hides from help.
	Hidden bool
	// Literal is the string the source spells it with ("/orders/:id" of
	// a group's route), when it differs from the name's bare text.
	Literal string
}

// key is how identifiers are compared between versions.
func (i Ident) key() string { return string(i.Kind) + "\x00" + i.Name }

// codeLanguage returns the language family of a code file whose
// identifiers review reads, or "" for a file it leaves alone (tests,
// fixtures, vendored trees, documentation).
func codeLanguage(p string) string {
	low := strings.ToLower(p)
	if kind := exampleConfig(p); kind != "" && !inDir(low, "testdata/", "vendor/", "node_modules/", "fixtures/") {
		return kind
	}
	if inDir(low, "testdata/", "vendor/", "node_modules/", "__tests__/", "test/", "tests/", "fixtures/", "examples/", "_examples/") {
		return ""
	}
	if testHelperDir(low) {
		return ""
	}
	base := path.Base(low)
	switch ext := path.Ext(base); ext {
	case ".go":
		if strings.HasSuffix(base, "_test.go") {
			return ""
		}
		return "go"
	case ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx":
		if strings.Contains(base, ".test.") || strings.Contains(base, ".spec.") || strings.HasSuffix(base, ".d.ts") {
			return ""
		}
		return "js"
	case ".py":
		if strings.HasPrefix(base, "test_") || strings.HasSuffix(base, "_test.py") || base == "conftest.py" {
			return ""
		}
		return "py"
	case ".rb", ".java", ".kt", ".rs":
		if strings.Contains(base, "test") {
			return ""
		}
		return ext[1:]
	}
	return ""
}

// inDir reports whether the lower-case path p lies in a directory named
// by one of dirs ("vendor/").
func inDir(p string, dirs ...string) bool {
	for _, d := range dirs {
		if strings.HasPrefix(p, d) || strings.Contains(p, "/"+d) {
			return true
		}
	}
	return false
}

// extract returns the identifiers of one version of a code file or an
// example configuration. Those of developer tooling (bench/, tools/,
// scripts/, hack/) are not a public surface.
func extract(p string, src []byte) []occurrence {
	var out []occurrence
	dev := devTooling(p)
	switch lang := codeLanguage(p); lang {
	case "":
		return nil
	case "go":
		out = extractGo(p, src)
	case "env", "yaml", "toml":
		out = extractConfigFile(lang, src)
		dev = devDir(p) // config.example.yaml is no test runner's configuration
	default:
		out = extractText(lang, src)
	}
	for i := range out {
		if dev || out[i].Kind == EnvVar && isSystemEnv(out[i].Name) {
			out[i].Public = false
		}
	}
	return out
}

// testHelperDir reports whether a directory of p is a test helper
// package (Go's httptest convention: gittest, storetest, ollamatest;
// testutil, testing).
func testHelperDir(p string) bool {
	segs := strings.Split(p, "/")
	for _, d := range segs[:len(segs)-1] {
		if strings.HasSuffix(d, "test") || strings.HasSuffix(d, "tests") || d == "testutil" || d == "testing" || d == "mocks" {
			return true
		}
	}
	return false
}

// systemEnv are variables of the operating system and its conventions,
// which a product reads but does not define.
var systemEnv = map[string]bool{"HOME": true, "PATH": true, "USER": true, "SHELL": true, "TERM": true, "LANG": true,
	"TMPDIR": true, "TEMP": true, "PWD": true, "HOSTNAME": true, "EDITOR": true, "PAGER": true, "GOPATH": true,
	"GOROOT": true, "GOOS": true, "GOARCH": true, "NODE_ENV": true, "COLUMNS": true, "LINES": true}

// isSystemEnv reports whether an environment variable belongs to the
// system rather than the product: systemEnv, XDG_* and LC_*.
func isSystemEnv(n string) bool {
	return systemEnv[n] || strings.HasPrefix(n, "XDG_") || strings.HasPrefix(n, "LC_")
}

// devTooling reports whether p is a developer's tool rather than the
// product: benchmarks, scripts, tools, and the configuration of build and
// test runners (vitest.config.mjs, gulpfile.js).
func devTooling(p string) bool {
	base := strings.ToLower(path.Base(p))
	if strings.Contains(base, ".config.") || strings.Contains(base, ".conf.") || strings.HasPrefix(base, "gulpfile.") || strings.HasPrefix(base, "gruntfile.") {
		return true
	}
	return devDir(p)
}

// devDir reports whether p lies in a directory of developer tools.
func devDir(p string) bool {
	return inDir(p, "bench/", "benchmarks/", "tools/", "scripts/", "hack/", "internal/tools/")
}

var (
	// flagName is a long flag's name without its dashes.
	flagName = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	// envName is an environment variable's name: upper case, and either
	// with an underscore or at least four letters.
	envName = regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$|^[A-Z]{4,}$`)
	// errCodeValue is an error code's value.
	errCodeValue = regexp.MustCompile(`^[a-z][a-z0-9]*([_.-][a-z0-9]+)*$|^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$`)
	// routeParam is a parameter segment of a route in any router's
	// syntax: :id, *path, {id}, {id...}, <id>, <int:id>.
	routeParam = regexp.MustCompile(`^(:\w+|\*\w*|\{[^}/]*\}|<[^>/]*>)$`)
)

// normalRoute is a route as compared: parameter segments as {} and no
// trailing slash or query; "" for what is no route.
func normalRoute(r string) string {
	if i := strings.IndexAny(r, "?#"); i >= 0 {
		r = r[:i]
	}
	if !strings.HasPrefix(r, "/") || len(r) < 2 || strings.ContainsAny(r, " \t\"'`") {
		return ""
	}
	segs := strings.Split(strings.TrimRight(r, "/"), "/")
	for i, s := range segs {
		if routeParam.MatchString(s) {
			segs[i] = "{}"
		}
	}
	out := strings.Join(segs, "/")
	if out == "" || out == "/{}" {
		return ""
	}
	return out
}

// lineAt is the 1-based line of byte offset off in src.
func lineAt(src []byte, off int) int {
	return strings.Count(string(src[:min(off, len(src))]), "\n") + 1
}
