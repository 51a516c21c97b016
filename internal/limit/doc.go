// Package limit bounds concurrent work with a queue of fixed length: at most
// MaxInFlight holders at once, at most MaxQueue callers waiting for a slot,
// and an immediate, classified refusal beyond that. The HTTP API and the
// Slack bot share one Limiter so that answer generation, the expensive part
// of livespec, never runs more than a fixed number of times at once however
// the questions arrive. An Admission admits one answer the same way on
// every surface: a slot of its weight's Limiter, then a place at the Gate
// that lets light answers run before waiting heavy ones.
package limit
