// Package access decides who may read which repository: it loads the
// access file (--access, LIVESPEC_ACCESS) of named API tokens and Slack
// rules, and wraps a livespec.Store so that every read is limited to the
// scope of the caller its context carries (livespec.WithCaller). A server
// reads through that one wrapper, so no route, Slack entry point or push
// sender can forget the filter: a context without a caller reads nothing.
package access
