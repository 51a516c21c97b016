package retrieval

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// TestIsClauseMatchesTheExpressionOfItsWord checks isClause against the
// expression it stands for, compiled for the topic's first word, on
// random questions: auxiliaries in any case, "of", runs of spaces and
// tabs, words that fold to others (K and the Kelvin sign, s and the long
// s), punctuation, U+FFFD and invalid bytes.
func TestIsClauseMatchesTheExpressionOfItsWord(t *testing.T) {
	pieces := []string{"does", "DOES", "Is", "of", "OF", "prof", "do", "have", "had", "has", " ", "  ", "\t", "\v", "\n",
		"checkout", "Checkout", "checkouts", "checkout's", "check-out", "kelvin", "\u212aelvin", "ſtatus", "status", "?",
		",", "\ufffd", "\xff", "é", "Él", "x_y", "_", "1.2",
		"does checkout", "of is \u212aelvin", "DO kelvin", "of has ſtatus", "is x_y", "did 1.2", "of  were \ufffd", "can é", "are \xff", "will ?", "had _"}
	topics := []string{"checkout", "Kelvin", "status", "STATUS", "x_y", "1.2", "\ufffd", "é", "É", "\xff", "check-out support", "?", "_"}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(7) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		q, topic := b.String(), topics[rng.IntN(len(topics))]
		if got, want := isClause(q, topic), refIsClause(q, topic); got != want {
			t.Fatalf("isClause(%q, %q) = %v, want %v", q, topic, got, want)
		}
	}
}

// refIsClause is isClause as it was, compiling an expression per word.
func refIsClause(question, topic string) bool {
	f := strings.Fields(topic)
	if len(f) == 0 {
		return false
	}
	re, err := regexp.Compile(`(?i)(?:^|\bof\s+)(?:do|does|did|is|are|was|were|can|could|will|would|should|has|have|had)\s+` + regexp.QuoteMeta(f[0]) + `\b`)
	return err == nil && re.MatchString(question)
}

func TestIsClauseCompilesNothing(t *testing.T) {
	q := "history of does checkout support coupons"
	if !isClause(q, "checkout support") {
		t.Fatalf("isClause(%q) = false", q)
	}
	// The topic's fields take one allocation; the race detector drops
	// some of the regexp machines sync.Pool is given, so a few more are
	// made again. Compiling an expression per question took 123.
	if n := testing.AllocsPerRun(100, func() { isClause(q, "checkout support") }); n > 8 {
		t.Errorf("isClause: %.0f allocations, want at most 1 (the topic's fields; a few more under -race), not an expression compiled", n)
	}
}
