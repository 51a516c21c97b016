// Package review reads what a range of commits does to a repository's
// spec, straight from git: the spec diff in prose per document (sections
// added, removed and changed, the sentences that differ, the lifecycle
// facts that changed, editorial edits counted), and drift between code
// and spec where it is certain: identifiers (CLI flags, environment
// variables, HTTP routes, configuration keys, exported names, error
// codes) that the code no longer has while a spec section still names
// them, identifiers a change adds to a public surface that no spec
// section names, and code whose explicitly linked spec section did not
// change with it.
package review
