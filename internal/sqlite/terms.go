package sqlite

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxTerms bounds the terms of one query.
const maxTerms = 32

// Terms splits text into the lowercase words BM25 searches for: letters and
// digits, stopwords and one-character words dropped, each word once, in
// order of first appearance, at most 32.
func Terms(text string) []string {
	var terms []string
	seen := make(map[string]bool)
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if utf8.RuneCountInString(w) < 2 || stopwords[w] || seen[w] {
			continue
		}
		seen[w] = true
		terms = append(terms, w)
		if len(terms) == maxTerms {
			break
		}
	}
	return terms
}

// matchExpr returns the FTS5 query for terms: every term quoted, ORed.
func matchExpr(terms []string) string {
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(t, `"`, `""`))
		b.WriteByte('"')
	}
	return b.String()
}

// stopwords are English function words and question words that carry no
// topic.
var stopwords = func() map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(`
a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing don down during each few for from further had has
have having he her here hers herself him himself his how if in into is it its itself just me more
most my myself no nor not now of off on once only or other our ours ourselves out over own same
she should so some such than that the their theirs them themselves then there these they this
those through to too under until up very was we were what when where which while who whom why
will with would you your yours yourself yourselves i s t also ever get got tell says say said
shall may might must us whats wheres hows`) {
		m[w] = true
	}
	return m
}()
