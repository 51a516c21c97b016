// Package sqlite implements livespec.Store and livespec.FeedbackStore in one
// embedded SQLite file (modernc.org/sqlite: pure Go, no cgo, no server).
//
// Layout. Every distinct section text is stored once in texts, keyed by its
// content hash; versions, file versions, changes, checkpoints, vectors and
// feedback refer to it or stand alone. Two FTS5 tables (porter unicode61)
// index the texts for BM25: all_fts holds every distinct text (all-history
// statistics, used for as-of and any-version searches) and cur_fts holds the
// texts that at least one open version carries (current-only statistics, used
// for current searches). Triggers on versions keep text_refs.open_refs, the
// number of open versions of each text; at the end of a write transaction
// a few set statements bring cur_fts in line with it (FTS5 flushes at every
// statement savepoint, so row-by-row FTS writes would be slow). A batch
// marked livespec.Batch.More defers that to the run's last batch: a full
// ingest opens and closes most texts many times before the head, and
// current searches lag meanwhile (they may miss texts the run opened, never
// return closed versions; see Store.Apply). Changes are stored in their total order, so windows and cursors are
// range scans.
//
// Vectors are float32 little-endian blobs keyed by (embedder, hash). Dense
// search is exact: the first search of an embedder loads its vectors into
// memory as unit vectors (about 3 KB per 768-dimension text) and later
// searches load only what was written since, also by other processes.
// Search fuses the BM25 and dense rankings by reciprocal rank (RRF, exported
// for other adapters). Filters (validity, repos, path globs) apply to
// versions after ranking texts; when too few candidates pass, the candidate
// set widens until enough do or the candidates run out, so a filter never
// drops a valid hit because of a cap.
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
