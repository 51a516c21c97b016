// Package qdrant implements livespec.Store on a Qdrant server or cluster,
// through Qdrant's gRPC API (port 6334) with github.com/qdrant/go-client.
// It passes the same contract suite as the SQLite store
// (internal/storetest), and keeps all state in Qdrant, so any number of
// `livespec serve` replicas can share one Qdrant.
//
//	s, err := qdrant.Open(ctx, "qdrant://localhost:6334?collection=livespec", qdrant.Options{})
//
// The URL names the host, the gRPC port (default 6334), the prefix of the
// collection names (default "livespec") and tls=1 for TLS. The API key
// comes from Options.APIKey or LIVESPEC_QDRANT_API_KEY. Open checks the
// server's health itself (the client only logs a failed check): an
// unreachable server is an EUNAVAILABLE error.
//
// # Collections
//
// With the prefix P:
//
//   - P_sections (P_sections_dN once an embedder of N dimensions is
//     recorded): one point per section version, id = the version id (already
//     a UUIDv5). Vectors: "dense" (cosine, only with an embedder; the vector
//     of the version's content hash), "bm25" (sparse, IDF modifier; every
//     version) and "bm25_current" (sparse, IDF modifier; only while the
//     version is current: a Close deletes it). Payload: repo, path, heading
//     (keyword), part (integer), hash (keyword), current (bool), valid_from
//     and valid_to (datetime, RFC 3339 UTC), seq, end_seq, end_commit, and
//     doc, the whole Version as JSON for a lossless read.
//   - P_files: file versions, the same validity fields, no vectors.
//   - P_changes: change events; date (datetime), repo, path, old_path
//     (keyword), section (bool), seq; no vectors.
//   - P_meta: checkpoints (one point per repo) and the index record
//     (embedder, dimensions, which sections collection is live).
//   - P_feedback: answer ratings (livespec.FeedbackStore), by rating id.
//   - P_vectors_dN: one point per (embedder, content hash), so a text is
//     embedded once however many versions carry it. Vectors survive
//     DeleteRepo.
//
// The first batch that carries vectors into a BM25-only index records its
// embedder and dimensions, as SetIndex would. Payload indexes exist on every
// field a filter or facet uses; Open creates any that are missing. Qdrant
// 1.12 or later is required (Query API, IDF modifier, Facet API); Open
// refuses older servers. A collection's named
// vectors are fixed at creation, so when SetIndex records an embedder of
// other dimensions the versions are copied into P_sections_dN (with the
// stored embeddings of their hashes) and the index record then switches to
// it; API servers that still query the old collection reload the record
// when Qdrant says it is gone.
// ResetVectors (livespec.VectorResetter, for `livespec ingest --reembed`)
// drops the vectors of other embedders and then records the new one.
// LockWrites (livespec.WriteLocker) serialises the writers of one Store
// only: two processes must not ingest into one collection at once.
// DataVersion (livespec.DataVersioner) cannot tell that nothing was
// written, since Qdrant keeps no write counter every replica shares: it
// returns a new number on every call, so readers keep no answers.
//
// # BM25
//
// Term weights are computed on the client (Tokens, DocumentVector,
// QueryVector): text is read by the shared text analysis (internal/lex:
// lower-cased words, Snowball stems, stop words and single letters dropped,
// symbols such as "$ref" kept as terms). A term's sparse index is the 32-bit FNV-1a hash of its bytes,
// stable across processes. A document weight is the BM25 term-frequency
// part tf·(k1+1)/(tf+k1·(1−b+b·len/256)) with k1 = 1.2, b = 0.75; query
// weights are 1; Qdrant multiplies by the IDF (the sparse vectors' IDF
// modifier). IDF over every version ever stored favours sections that were
// edited often, so current-state searches use "bm25_current", whose
// statistics cover current versions only; as-of and any-version searches
// use "bm25". Qdrant computes IDF per shard, so with several shards the
// scores differ slightly from a single node's.
//
// # Search
//
// One Query API request: with a query vector, two prefetches (dense and
// sparse, each with the validity filter and 4×limit candidates, at least 50)
// fused by reciprocal rank (RRF, 1/(60+rank) on Qdrant 1.16 and later,
// Qdrant's default 1/(2+rank) before); without one, the sparse query alone.
// Validity filters: current is current = true; as of T is valid_from <= T
// and (current = true or valid_to > T); any is no filter. Path globs are
// resolved to exact paths first (a facet over the path field), since Qdrant
// has no glob match.
//
// # Consistency and crashes
//
// Every write waits for the change to be applied (wait = true) and uses
// medium write ordering, so a close that follows an upsert of the same
// point is applied after it, even on a cluster.
//
// Qdrant has no transaction across points, so Apply is not atomic. It is
// ordered so that a crash at any point followed by a re-Apply of the same
// batch (which is what ingest does: it resumes from the stored checkpoint)
// converges to the result of one clean Apply:
//
//  1. vectors (upsert by (embedder, hash));
//  2. file versions and section versions (upsert by id; versions the same
//     batch closes are written closed);
//  3. closes of versions stored earlier: delete their bm25_current vector,
//     then set valid_to, end_commit, end_seq and current = false, both
//     filtered on "id in the closes and current = true", so a close is
//     applied once and closing a closed version is a no-op;
//  4. change events (upsert by id);
//  5. the checkpoint, LAST: a checkpoint never claims work that is not
//     stored.
//
// A reader may see part of an interrupted batch (say, new versions without
// their change events) until the re-Apply; it never sees a checkpoint ahead
// of the data. A cancelled context before Apply starts changes nothing;
// cancelled midway, Apply leaves a prefix of the steps above, which the
// next ingest completes. DeleteRepo removes the checkpoint first, then the
// points, so an interrupted deletion leaves a repo that ingest rebuilds
// from scratch.
//
// Reads page through results with Scroll (512 points a page); the client
// accepts responses up to 256 MiB, and upserts are cut into batches of at
// most 256 points and 8 MiB, under Qdrant's default 32 MiB request limit.
//
// # Cluster
//
// Options.ShardNumber, ReplicationFactor and WriteConsistencyFactor apply
// when Open creates the collections (the CLI's --qdrant-shards,
// --qdrant-replicas and --qdrant-write-consistency). Shards are not
// rebalanced automatically; choose the shard count for the largest cluster
// you expect (a multiple of the node count). A replication factor of 2 keeps
// the data readable with one node down; a write consistency factor of 2
// makes a write succeed only once two replicas have it. See
// docs/team-setup.md.
package qdrant
