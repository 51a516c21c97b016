// Package eval scores an Asker against a question set with gold answers.
//
// A question set is JSON Lines, one question per line, with a kind that
// says how its answer is scored:
//
//   - current: a gold path is among the top five citations;
//   - introduced: the earliest timeline event (Answer.Changes[0]) landed on
//     the gold date (UTC), or is the gold commit;
//   - as_of: a top-five citation of the gold path was valid at the end of
//     the as-of day;
//   - evolution: the share of the gold commits among the answer's events;
//   - changes: the answer's window is the gold window (whole inclusive days,
//     so the answer's half-open window ends at the midnight after the last
//     day) and the set of files its events touch equals the set git reports
//     for that window on the first-parent chain.
//
// Run computes the git side with the git command line, so scores do not
// depend on livespec's own reading of history.
package eval
