package lex

import "strings"

// stop are English function words, question words and the verbs questions
// are phrased with: they carry no topic.
var stop = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about above after again against all also am an and any are as at be
		because been before being below between both but by can could did do does doing don done down during
		each either else ever every few for from further get got had has have having he her here hers herself
		him himself his how i if in into is it its itself just let like may me might more most much must my
		myself neither no nor not now of off on once only or other ought our ours ourselves out over own per
		please same shall she should since so some such than that the their theirs them themselves then there
		these they this those through to too under until up upon us very via was we were what whatever when
		whenever where whether which while who whom whose why will with within without would yet you your
		yours yourself yourselves e.g eg etc i.e ie s t tell say says said know show shows anyone someone
		anything something whats wheres hows`) {
		m[w] = true
	}
	return m
}()

// Stop reports whether the lower-case word w is a stop word.
func Stop(w string) bool { return stop[w] }
