//go:build race

package lex

// raceEnabled reports that the tests run under the race detector, which
// drops some of what a sync.Pool is given, so pooled buffers are made
// again at random.
const raceEnabled = true
