// Package storetest is the contract suite of livespec.Store: every
// implementation (the embedded SQLite file, the Qdrant adapter) runs Run and
// must pass it unchanged. It uses only the livespec.Store API.
//
// It also provides History, a small builder of the batches an ingest of a
// made-up repository would write, and Snapshot, a canonical text dump of
// everything a store holds for one repository, so that ingest tests can
// assert that a resumed run equals a clean run. For ingest's tests it also
// checks a store against the git history it was ingested from (GitLedger,
// CheckCurrentFiles, CheckChangeMetadata), wraps a store to fail a write
// (FailingStore) and fakes an embedder (Embedder).
package storetest
