// Package qdranttest serves an in-process stand-in for Qdrant, for tests of
// livespec's Qdrant store and of everything that runs on it (the CLI with
// --store qdrant://..., the API server). It speaks Qdrant's real gRPC
// services (Points, Collections, Qdrant) on a loopback port, so the store
// under test uses the real go-client:
//
//	u := qdranttest.New(t) // qdrant://127.0.0.1:PORT?collection=livespec
//	s, err := qdrant.Open(ctx, u, qdrant.Options{})
//
// Start gives the Server itself, for tests that script failures (a crash at
// the n-th write, an API key, an old server version) or look at what was
// stored.
package qdranttest
