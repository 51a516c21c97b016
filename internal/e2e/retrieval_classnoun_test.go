package e2e_test

import (
	"testing"

	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/retrieval"
)

// TestSymbolBesideClassNoun: a question that names a symbol with a noun
// that only says what kind of thing it is ("the `resizePolicy` field",
// "the `?` operator") asks for the symbol's first appearance, whether or
// not that version calls it a field or an operator.
func TestSymbolBesideClassNoun(t *testing.T) {
	r := gittest.New(t, day("2019-10-03T12:00:00Z"))
	commits := map[string]string{}
	commits["policy"] = r.Do(gittest.Step{Date: "2019-10-03T12:00:00Z", Msg: "In-place resize", Write: map[string]string{
		"keps/resize.md": "# In-place resize\n\n## Container resources\n\nEach container lists a `resizePolicy` that says whether a restart is needed.\n",
	}})
	commits["question"] = r.Do(gittest.Step{Date: "2020-01-10T12:00:00Z", Msg: "Error propagation", Write: map[string]string{
		"rfcs/errors.md": "# Error propagation\n\n## Syntax\n\nWrite `?` after an expression to return early when it holds an error.\n",
	}})
	commits["field"] = r.Do(gittest.Step{Date: "2020-01-28T12:00:00Z", Msg: "API fields", Write: map[string]string{
		"keps/api.md": "# API changes\n\n## Pod spec\n\nThe `resizePolicy` field is a list of policies, one for each resource of a container.\n" +
			"The `?` operator and the `+` operator are described in the operator table.\n",
	}})
	a := &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}
	checkFound(t, a, day("2020-06-01T00:00:00Z"), []foundCase{
		{"the symbol's first version, without the class noun", "When was the `resizePolicy` field first described?", true, commits["policy"], nil},
		{"the same without backquotes", "When was the resizePolicy field first described?", true, commits["policy"], nil},
		{"a bare symbol before its class noun", "When was the `?` operator introduced?", true, commits["question"], nil},
		{"a symbol no version holds is not found for its class noun", "When was the `retryPolicy` field introduced?", false, "", nil},
	})
}

// TestNameWithNumber: a capitalised name followed by a number ("Windows
// 95") needs the number: a version that has the name but not the number
// does not mention it.
func TestNameWithNumber(t *testing.T) {
	r := gittest.New(t, day("2020-03-01T12:00:00Z"))
	commits := map[string]string{}
	commits["windows"] = r.Do(gittest.Step{Date: "2020-03-01T12:00:00Z", Msg: "Windows node support", Write: map[string]string{
		"keps/windows/README.md": "# Windows node support\n\n## Summary\n\nSupport for Windows nodes lets clusters run Windows workloads on their nodes.\n",
	}})
	a := &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}
	checkFound(t, a, day("2020-06-01T00:00:00Z"), []foundCase{
		{"the name without its number is not a mention", "When was support for Windows 95 nodes introduced?", false, "", nil},
		{"the name alone is found", "When was support for Windows nodes introduced?", true, commits["windows"], nil},
	})
	commits["95"] = r.Do(gittest.Step{Date: "2020-05-01T12:00:00Z", Msg: "Legacy hosts", Write: map[string]string{
		"keps/legacy/README.md": "# Legacy hosts\n\n## Summary\n\nNodes running Windows 95 are not supported; support for them stays out of scope.\n",
	}})
	commits["solaris"] = r.Do(gittest.Step{Date: "2020-05-20T12:00:00Z", Msg: "Solaris hosts", Write: map[string]string{
		"keps/solaris/README.md": "# Solaris hosts\n\n## Summary\n\nSupport for Solaris 9.2 hosts and for Solaris 11 hosts lets clusters run on them.\n",
	}})
	a = &retrieval.Assistant{Store: openIndex(t, r.Dir, nil)}
	checkFound(t, a, day("2020-06-01T00:00:00Z"), []foundCase{
		{"the version with the name and its number", "When was support for Windows 95 nodes introduced?", true, commits["95"], nil},
		{"the name alone still finds its first version", "When was support for Windows nodes introduced?", true, commits["windows"], nil},
		{"a dotted form of the number is the name's", "When was support for Solaris 9 hosts introduced?", true, commits["solaris"], nil},
		{"a longer number is another name", "When was support for Solaris 1 hosts introduced?", false, "", nil},
	})
}
