package sqlite

import (
	"database/sql/driver"
	"strings"

	"github.com/livespec/livespec/internal/lex"
	"modernc.org/sqlite"
)

// maxTerms bounds the terms of one query.
const maxTerms = 32

// Terms returns the terms BM25 searches for in text: lex's query terms
// (stemmed, stop words dropped, symbols kept), each once, in order of
// first appearance, at most 32, in the form the FTS index stores them. A
// symbol the text writes as a prefix ("`~int`-style") ends with "*" (no
// FTS token does): it matches every token its FTS form starts, "~int64"
// too, since the hex form of a prefix is a prefix of the hex form.
func Terms(text string) []string {
	qs := lex.QueryTerms(text, maxTerms)
	terms := make([]string, len(qs))
	for i, q := range qs {
		terms[i] = ftsToken(q.Term)
		if q.Prefix {
			terms[i] += "*"
		}
	}
	return terms
}

// ftsToken is a lex term as one token of the FTS index, whose tokenizer
// (unicode61) splits at anything but letters and digits: a term of letters
// and digits is itself; any other ("$ref", "3.0.0", "src/oas.md") is
// "zx" followed by the hex digits of its bytes.
func ftsToken(t string) string {
	for _, r := range t {
		if !lex.IsWordRune(r) {
			return "zx" + hexOf(t)
		}
	}
	return t
}

func hexOf(s string) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, digits[s[i]>>4], digits[s[i]&15])
	}
	return string(b)
}

// ftsText is what the FTS index stores for a text: its lex terms as FTS
// tokens, separated by spaces.
func ftsText(text string) string {
	terms := lex.Terms(text)
	var b strings.Builder
	b.Grow(len(text) / 2)
	for i, t := range terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(ftsToken(t))
	}
	return b.String()
}

// The SQL function lex_terms(text) returns ftsText(text): ingest and the
// schema migration that re-tokenises every text fill the FTS index with it.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("lex_terms", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return ftsText(v), nil
		case []byte:
			return ftsText(string(v)), nil
		}
		return "", nil
	})
}

// matchExpr returns the FTS5 query for terms: every term quoted, ORed; a
// term ending in "*" is a prefix query ("zx7e696e74" *).
func matchExpr(terms []string) string {
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteString(" OR ")
		}
		body, prefix := strings.CutSuffix(t, "*")
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(body, `"`, `""`))
		b.WriteByte('"')
		if prefix {
			b.WriteString(" *")
		}
	}
	return b.String()
}
