// Package gittest builds git repositories for tests: a script of commits
// with fixed dates and authors, made with the git CLI in a temporary
// directory, so every test that reads history is deterministic.
//
// A Repo keeps a clock: each commit lands at Repo.When (the committer
// time; the author time is 30 minutes earlier) and moves the clock on by
// Repo.Step. A commit can also land at an explicit date (CommitAt,
// Step.Date), with the author and committer time alike. Files are written
// and staged one by one (Write, Remove, Move, Symlink, Chmod) or a commit
// at a time from a Step, and any other git command runs with Git in the
// same configuration-free environment (Env).
//
// Every helper fails the test on error, and New and Clone skip it when the
// git CLI is missing.
package gittest
