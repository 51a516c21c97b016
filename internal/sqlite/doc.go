// Package sqlite implements livespec.Store and livespec.FeedbackStore in one
// embedded SQLite file (modernc.org/sqlite: pure Go, no cgo, no server).
//
// Layout. Every distinct section text is stored once in texts, keyed by its
// content hash; versions, file versions, changes, checkpoints, vectors and
// feedback refer to it or stand alone. One FTS5 table (the terms of internal/lex),
// all_fts, indexes every distinct text for BM25, with all-history
// statistics; a current search ranks texts there and keeps the versions that
// are open, as an as-of search keeps those valid at its date. Each Apply
// adds its new texts to all_fts in one set statement (FTS5 flushes at every
// statement, so row-by-row FTS writes would be slow). Schema 3 dropped the
// current-text index (cur_fts) and the open-version counts that fed it: they
// were a sixth of an ingest's writes, and current searches lagged behind a
// run under way. Changes are a rowid table with their total order in an
// index that covers every column (changes_order), so windows and cursors
// are range scans of that index alone, and the other indexes of a change
// carry its rowid rather than the order key (schema 4). term_counts keeps
// how many current sections hold each stem and spellable word (schema 7,
// termcounts.go), settled at a run's last batch.
//
// Vectors are float32 little-endian blobs keyed by (embedder, hash). Dense
// search is exact: the first search of an embedder loads its vectors into
// memory as unit vectors (about 3 KB per 768-dimension text) and later
// searches load only what was written since, also by other processes.
// Search fuses the BM25 and dense rankings by reciprocal rank (RRF, exported
// for other adapters). A search reads each query term's BM25 contributions
// once per index state and process (bm25.go), from the term's postings
// stored beside all_fts (schema 14, postings.go) with one range read, and
// scores them in Go with FTS5's formula, bit for bit (bm25score.go). Filters (validity, repos, path globs) apply to
// versions after ranking texts; when too few candidates pass, the candidate
// set widens until enough do or the candidates run out, so a filter never
// drops a valid hit because of a cap. A Store that has searched a few times
// at one state of the index reads when each text can be valid
// (textspans.go) and drops, before any candidate's versions are read, the
// texts none of whose versions can pass a current or as-of search.
//
// Concurrency. The file is opened in WAL mode with a busy timeout. Writes go
// through one connection with BEGIN IMMEDIATE, reads through a small pool of
// query-only connections, so API goroutines read while ingest writes, also
// from other processes.
//
// Schema versions are recorded in PRAGMA user_version and the file is marked
// with PRAGMA application_id; Open migrates older schemas and refuses files
// that are not livespec indexes or come from a newer livespec.
package sqlite
