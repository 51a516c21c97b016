// Package e2e holds livespec's end-to-end tests: the tests that wire real
// packages together (ingest a git repository into a SQLite index, answer
// from it, serve it over the API or the Slack bot). It is the one place
// besides cmd/livespec allowed to import every package, so that the tests
// of ingest, retrieval, api and slackbot keep the dependency rules of their
// production code (see TestDependencyRules).
//
// The package itself holds the helpers those tests share.
package e2e
