package lex

import "strings"

// docNouns are the nouns English uses for a kind of document in a
// repository of specs: "the Overlays proposal", "the design doc for X",
// "the contribution guidelines", "the RFCs". Plurals are listed too.
var docNouns = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`document doc spec specification proposal design draft rfc kep
		pep adr guide guideline readme writeup file page`) {
		m[w], m[w+"s"] = true, true
	}
	return m
}()

// DocNoun reports whether the lower-case word w names a kind of document
// ("proposal", "specs", "design", "RFC") rather than what one is about.
func DocNoun(w string) bool { return docNouns[w] }
