package e2e_test

import (
	"testing"

	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/retrieval"
)

// prefixRepo is a small language spec: approximation constraints are
// described in words first, a go/ast note then writes `~float64` (never
// `~float` alone), and only later does the type spec name them again.
func prefixRepo(t *testing.T) (*retrieval.Assistant, map[string]string) {
	t.Helper()
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	commits := map[string]string{}
	commits["words"] = r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "Type sets", Write: map[string]string{
		"design/types.md": "# Type sets\n\n## Approximation constraints\n\nAn approximation constraint permits every type whose underlying type is a float.\n",
	}})
	commits["form"] = r.Do(gittest.Step{Date: "2024-03-05T12:00:00Z", Msg: "go/ast additions", Write: map[string]string{
		"design/ast.md": "# Syntax tree additions\n\n## Syntax\n\nThe parser reads new elements of interfaces.\nInterfaces may embed elements such as `interface { ~float64|~float32 }`, one token each.\n",
	}})
	commits["later"] = r.Do(gittest.Step{Date: "2024-06-20T12:00:00Z", Msg: "Unions", Write: map[string]string{
		"design/unions.md": "# Unions\n\nA union such as `~float64 | ~int` lists approximation constraints.\n",
	}})
	return &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}, commits
}

// TestSymbolPrefix checks that a symbol the question writes as a prefix
// ("`~float`-style") is mentioned by its longer forms ("~float64") in
// search and in the check that stops false first appearances, and that
// nothing else is: a prefix cut inside a name, a prefix no symbol has and
// a name no version holds are still not found.
func TestSymbolPrefix(t *testing.T) {
	a, commits := prefixRepo(t)
	checkFound(t, a, day("2024-07-01T00:00:00Z"), []foundCase{
		{"a form of the prefix is its first appearance", "When did `~float`-style approximation constraints first appear?", true, commits["form"],
			[]string{"`interface { ~float64|~float32 }`"}},
		{"a wildcard reads the same", "When was ~float* first mentioned?", true, commits["form"], nil},
		{"the symbol alone is exact: no version writes it", "When was `~float` first mentioned?", false, "",
			[]string{"Nothing in the spec history mentions"}},
		{"a prefix cut inside a name has no forms", "When did `~flo`-style constraints first appear?", false, "", nil},
		{"a prefix no symbol starts with is not found", "When did `~str`-style constraints first appear?", false, "", nil},
		{"a name no version holds is still not found", "When was gRPC support introduced?", false, "",
			[]string{"Nothing in the spec history mentions gRPC"}},
		{"a misspelling with no correction is still not found", "When was websokcet support added?", false, "", nil},
	})
}

// TestPrefixOfCamelCaseAndAttributes: a symbol written as a prefix meets
// the camelCase symbols that start with it at a case boundary
// (`$dynamic`-prefixed: "$dynamicRef", not "$dynamics"), and an attribute
// written as a prefix (`#[cfg]`-style) meets the attributes that start
// with its name ("#[cfg(test)]"); written alone, each is still exact.
func TestPrefixOfCamelCaseAndAttributes(t *testing.T) {
	r := gittest.New(t, day("2024-01-10T12:00:00Z"))
	commits := map[string]string{}
	commits["ref"] = r.Do(gittest.Step{Date: "2024-01-10T12:00:00Z", Msg: "References", Write: map[string]string{
		"spec/schema.md": "# Schema\n\n## References\n\nA `$ref` points at a schema. The `$dynamics` table lists dynamic keywords.\n",
	}})
	commits["dynamic"] = r.Do(gittest.Step{Date: "2024-03-05T12:00:00Z", Msg: "Dynamic references", Write: map[string]string{
		"spec/schema.md": "# Schema\n\n## References\n\nA `$ref` points at a schema. The `$dynamics` table lists dynamic keywords.\n\n" +
			"## Dynamic references\n\nUse `$dynamicRef` with `$dynamicAnchor` to extend a recursive schema.\n",
	}})
	commits["cfg"] = r.Do(gittest.Step{Date: "2024-04-01T12:00:00Z", Msg: "Conditional compilation", Write: map[string]string{
		"text/cfg.md": "# Conditional compilation\n\nCode under the `#[cfg(test)]` attribute is compiled only for tests.\n",
	}})
	a := &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}
	checkFound(t, a, day("2024-07-01T00:00:00Z"), []foundCase{
		{"a camelCase form of the prefix", "When were `$dynamic`-prefixed keywords introduced?", true, commits["dynamic"], nil},
		{"a prefix cut inside a camelCase name has no forms", "When were `$dyn`-prefixed keywords introduced?", false, "", nil},
		{"an attribute written as a prefix", "When did `#[cfg]`-style attributes first appear?", true, commits["cfg"], nil},
		{"an attribute alone is exact", "When was `#[cfg]` first mentioned?", false, "", nil},
	})
}
