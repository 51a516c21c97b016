//go:build !race

package lex

// raceEnabled reports that the tests run under the race detector.
const raceEnabled = false
