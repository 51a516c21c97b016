// Package ingest turns the git history of a repository's spec files into
// section versions and change events.
//
// The pipeline walks the first-parent chain of the tracked branch from the
// checkpoint to the head, parses every spec file version a commit touches,
// diffs its sections against the file's previous version, embeds the texts
// that have no vector yet and writes versions, changes and the checkpoint
// to a livespec.Store in batches of whole commits, each batch carrying the
// checkpoint of its last commit.
//
// # Splitting
//
// ParseFile splits one file version into livespec.Sections. Markdown is
// parsed with goldmark (CommonMark): every heading at the top level of the
// document starts a section that runs to the next heading of any level, so a
// parent heading's own text and each child are separate sections. The
// heading path ("Design > Auth > Token expiry") names a section within its
// file; the text before the first heading has the empty path; repeated
// paths get " (2)", " (3)" suffixes. YAML front matter becomes metadata and a
// section of its own (livespec.FrontMatterHeading). Sections longer than
// ParseOptions.MaxSectionBytes are split into parts at paragraph
// boundaries, each part starting with the heading line. YAML and JSON
// sidecars (a KEP's kep.yaml) become one section per top-level key.
//
// Section texts are normalised (NormalizeText) and hashed
// (livespec.ContentHash): line endings, trailing whitespace and runs of
// blank lines never change a hash, so such edits yield no section change
// (the file-level change still records the commit). Every other edit,
// including other whitespace, changes the hash; Summarize calls such a
// change "whitespace only".
//
// # Diffing
//
// DiffSections matches the sections of two versions of one file: by
// heading path and part, then by identical text or body (a moved section or
// a renamed heading), then by word-bigram similarity (renamed and edited),
// and reports the rest as added or removed.
package ingest
