// Package livespec holds the vocabulary and the contracts of livespec: the
// types every other package speaks (Section, Version, Change, Answer) and the
// interfaces the backends implement (Store, Embedder, Generator).
//
// livespec answers questions about a product from its living specification:
// the Markdown files of a git repository and every version of them that ever
// landed on the tracked branch. Package ingest turns git history into
// versions and changes; package retrieval turns a question into an Answer;
// the adapters under internal/ implement the contracts (SQLite, Qdrant,
// Ollama); cmd/livespec wires them together.
//
// Time model. History is the first-parent chain of the tracked branch. A
// commit lands at its committer time. A Version is valid over
// [ValidFrom, ValidTo): from the landing of the commit that introduced its
// text to the landing of the commit that replaced or removed it. ValidTo is
// the zero time while the version is current. "As of T" selects versions
// with ValidFrom <= T < ValidTo.
package livespec
