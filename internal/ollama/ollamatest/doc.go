// Package ollamatest serves a stand-in for an Ollama server, for tests of
// livespec's Ollama adapter and of everything that runs on it (the CLI with
// --ollama-url, the API server). It is an httptest server speaking
// Ollama's JSON and NDJSON on /api/version, /api/show, /api/embed and
// /api/chat, so the code under test uses the real ollama/api client:
//
//	srv := ollamatest.New(t) // nomic-embed-text and llama3.2:3b are "pulled"
//	c := ollama.New(srv.URL(), nil)
//
// Embeddings are deterministic (Vector): a hashed bag of words, normalised,
// so texts sharing words are near each other and a vector tells which text
// it belongs to. Chat streams a scripted reply (by default one that cites
// source [1]). Counters and recorded requests (Stats, Embedded, LastChat)
// say what the server received; Fail*, Hold*, Hang* and Set* script
// failures.
package ollamatest
