// Package retrieval turns a question into a livespec.Answer in four steps:
//
//  1. Understand reads the question deterministically, with an injected
//     clock, all in UTC: its intent (current, as_of, changes, timeline), its
//     period ("this quarter", "Q3 2025", "since March", "the last 30 days",
//     "between May and July 2024", "as of June 1, 2024") as a half-open
//     window of whole days or an as-of instant, and its topic. A period it
//     cannot read is reported in Understanding.Problems, never guessed.
//     ParsePeriod and ParseDay parse a period or a date on their own (CLI
//     flags, API parameters).
//  2. Search finds the sections that answer current and as-of questions:
//     hybrid dense and BM25 retrieval fused by rank, filtered by validity,
//     expanded along links between spec files.
//  3. The ledger reads the change events of a window (changes) or the whole
//     history of the sections matching a topic (timeline).
//  4. A livespec.Generator phrases the evidence with [n] markers. Extractive
//     needs no model: it renders the evidence as deterministic Markdown, and
//     stands in when no model is reachable.
//
// The facts of an answer (which sections, which changes, which dates) are
// fixed before the generator runs; a model only phrases them.
//
// An Assistant keeps in memory what depends only on the index, never what
// could make an answer differ from a fresh one: analysed section texts and
// file-name terms (functions of the text), the current files and their
// titles per index version, and, when the answer is a function of the
// question and the index (extractive generator, no embedder), whole
// answers keyed by the question, what it was understood to ask and the
// index version (livespec.DataVersioner: a store that cannot tell writes
// apart, such as Qdrant, gives a new version each time, so nothing kept is
// reused; see Assistant.AnswerCache).
package retrieval
