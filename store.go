package livespec

import (
	"context"
	"time"
)

// ValidityMode selects which versions a read considers.
type ValidityMode string

const (
	ValidCurrent ValidityMode = "current" // versions whose ValidTo is open
	ValidAsOf    ValidityMode = "as_of"   // versions with ValidFrom <= At < ValidTo
	ValidAny     ValidityMode = "any"     // every version ever stored
)

// Validity is a filter on versions by their validity interval.
type Validity struct {
	Mode ValidityMode `json:"mode"`
	At   time.Time    `json:"at,omitzero"` // for ValidAsOf
}

// Current, AsOf and AnyVersion build Validity filters.
func Current() Validity         { return Validity{Mode: ValidCurrent} }
func AsOf(t time.Time) Validity { return Validity{Mode: ValidAsOf, At: t} }
func AnyVersion() Validity      { return Validity{Mode: ValidAny} }

// Matches reports whether v passes the filter.
func (f Validity) Matches(v *Version) bool {
	switch f.Mode {
	case ValidCurrent, "":
		return v.Current()
	case ValidAsOf:
		return v.ValidAt(f.At)
	}
	return true
}

// Batch is one atomic write of ingest: everything one or more consecutive
// first-parent commits produced, and the checkpoint after them. A Store
// applies a Batch all or nothing. Applying the same Batch twice leaves the
// store as applying it once.
type Batch struct {
	Repo string
	// Versions are new section versions (ValidTo open, unless a later
	// commit in the same batch closes them through Closes).
	Versions []Version
	// Files are new file versions.
	Files []FileVersion
	// Closes end open versions (section or file) by id.
	Closes []Close
	// Changes are new change events.
	Changes []Change
	// Vectors are embeddings of texts new to the index.
	Vectors []Vector
	// Facts are new fact versions, FactCloses end open ones by id and
	// FactChanges are their change events.
	Facts       []Fact
	FactCloses  []Close
	FactChanges []FactChange
	// Links are new link versions and LinkCloses end open ones by id.
	Links      []Link
	LinkCloses []Close
	// Checkpoint, when non-nil, is stored with the batch.
	Checkpoint *Checkpoint
	// More says that the run writing this batch applies more batches of
	// the same repo after it. A store may defer work that only the run's
	// end state needs (the SQLite store defers building the indexes only
	// readers use while a run fills an empty index) to the next batch
	// without More. The data Apply stores and what every read returns are
	// the same with or without More.
	More bool
}

// Close ends the version (section or file) with ID at the landing of Commit.
type Close struct {
	ID      string    `json:"id"`
	File    bool      `json:"file"` // true for a FileVersion id
	Commit  string    `json:"commit"`
	Seq     int64     `json:"seq"`
	ValidTo time.Time `json:"valid_to"`
}

// Vector is the embedding of one distinct text by one embedder.
type Vector struct {
	Embedder string    `json:"embedder"` // Embedder.ID()
	Hash     string    `json:"hash"`     // ContentHash of the text
	Values   []float32 `json:"values"`
}

// OpenVersion is the part of a current version ingest needs to resume: enough
// to close it and to diff against it.
type OpenVersion struct {
	ID   string
	Key  Key
	Hash string
	Seq  int64
}

// OpenFile is the part of a current file version ingest needs to resume.
type OpenFile struct {
	ID   string
	Path string
	Blob string
	Seq  int64
}

// SearchQuery asks for the sections most relevant to a text.
type SearchQuery struct {
	Text     string    // the question or topic; tokenised by the store for BM25
	Vector   []float32 // the query embedding, or nil for BM25 only
	Embedder string    // Embedder.ID() of Vector
	Validity Validity
	Repos    []string // empty: every repository
	Paths    []string // doublestar globs on the path; empty: every path
	Limit    int      // at most this many hits (0: 10)
	// All keeps only the versions whose text holds every term of Text.
	All bool
	// Phrases, when given, keeps only the versions whose text holds one
	// of them: its terms side by side and in order, terms read as Text's
	// are (so "graduation of requirements" holds "graduation
	// requirements": stop words are not terms). A phrase without terms is
	// held by no text. With All or Phrases the hits are ranked by BM25
	// alone: Vector is not used.
	Phrases []string
}

// Filtered reports whether q keeps only versions holding its terms or
// phrases (All or Phrases).
func (q SearchQuery) Filtered() bool { return q.All || len(q.Phrases) > 0 }

// Hit is one search result.
type Hit struct {
	Version Version `json:"version"`
	Score   float64 `json:"score"` // higher is better; fused scores are not comparable across queries
}

// ChangeQuery selects change events.
type ChangeQuery struct {
	Repos []string
	Paths []string  // doublestar globs matched against Path and OldPath
	From  time.Time // inclusive; zero: from the beginning
	To    time.Time // exclusive; zero: open
	// Sections includes section-level events; file-level events are always included.
	Sections bool
	// After is a cursor: only changes ordered after the change with this id.
	After string
	Limit int // 0: no limit
	// Brief leaves out what only a report of the changes shows: Author,
	// AuthorDate, Message, Before, After, Summary and Editorial are empty. The events
	// and their order are those of the same query without Brief.
	Brief bool
}

// VersionQuery selects section versions, ordered by repo, path, then
// ValidFrom/Seq ascending.
type VersionQuery struct {
	Repos      []string
	Paths      []string // doublestar globs
	Keys       []Key    // exact keys; empty: any
	Hashes     []string // exact content hashes; empty: any
	Heading    string   // exact heading path; "" with HeadingSet false means any
	HeadingSet bool
	Validity   Validity
	Limit      int
}

// FileQuery selects file versions, ordered by repo, path, ValidFrom.
type FileQuery struct {
	Repos    []string
	Paths    []string // doublestar globs
	Validity Validity
	Limit    int
	// Brief asks for each version's identity, validity and title only: its
	// Outline holds just the top level of its first heading (what
	// FirstHeading returns; nothing when it has none), and Blob, Size,
	// Status, Meta and Target are left empty. Listing the current files by
	// title then reads no outlines.
	Brief bool
}

// RepoInfo describes one repository in the index.
type RepoInfo struct {
	Checkpoint
	Files    int `json:"files"`    // current spec files
	Versions int `json:"versions"` // section versions, all history
	Changes  int `json:"changes"`
}

// IndexInfo is what the index records about how it was built.
type IndexInfo struct {
	Embedder   string `json:"embedder"`   // "" for a BM25-only index
	Dimensions int    `json:"dimensions"` // 0 for a BM25-only index
}

// Stats counts what a store holds for one repo ("" for all).
type Stats struct {
	Files         int `json:"files"` // distinct paths ever
	FileVersions  int `json:"file_versions"`
	Versions      int `json:"versions"`
	Changes       int `json:"changes"`
	DistinctTexts int `json:"distinct_texts"`
	Vectors       int `json:"vectors"`
}

// Store keeps versions, changes, checkpoints and vectors. Every
// implementation passes the contract suite in internal/storetest. Methods
// honour ctx: a cancelled context returns ctx.Err() (possibly wrapped) and
// leaves the store as it was before the call.
type Store interface {
	// Apply writes b atomically with its checkpoint. Versions, files and
	// changes are upserted by id (idempotent); closes set ValidTo, EndCommit
	// and EndSeq of open versions and are no-ops on versions already closed;
	// vectors are upserted by (embedder, hash).
	Apply(ctx context.Context, b *Batch) error

	// Checkpoint returns the repo's checkpoint, or an ENOTFOUND error when
	// the repo has never been ingested.
	Checkpoint(ctx context.Context, repo string) (Checkpoint, error)

	// OpenVersions calls fn for every current section version of repo, and
	// OpenFiles for every current file version, in no particular order.
	OpenVersions(ctx context.Context, repo string, fn func(OpenVersion) error) error
	OpenFiles(ctx context.Context, repo string, fn func(OpenFile) error) error

	// HasVectors returns the subset of hashes that already have a vector of
	// the embedder.
	HasVectors(ctx context.Context, embedder string, hashes []string) (map[string]bool, error)

	// DeleteRepo removes every version, file, change, fact, link and the checkpoint of
	// repo, atomically. Vectors are shared by content and stay.
	DeleteRepo(ctx context.Context, repo string) error

	// Search returns the sections most relevant to q.Text (BM25), fused by
	// reciprocal rank with the nearest neighbours of q.Vector when given,
	// among the versions that pass q's filters, best first. With
	// ValidCurrent, BM25 statistics are computed over current text only.
	Search(ctx context.Context, q SearchQuery) ([]Hit, error)

	// Changes returns the change events matching q (Date in [From, To)),
	// ordered by Date, then Repo, Seq, file-level before section-level,
	// Path, Heading, Part and ID: a total order, so q.After pages stably.
	Changes(ctx context.Context, q ChangeQuery) ([]Change, error)

	// Versions returns the section versions matching q.
	Versions(ctx context.Context, q VersionQuery) ([]Version, error)

	// Version returns one section version by id (ENOTFOUND if none).
	Version(ctx context.Context, id string) (Version, error)

	// Files returns the file versions matching q.
	Files(ctx context.Context, q FileQuery) ([]FileVersion, error)

	// Facts returns the fact versions matching q; FactChanges the fact
	// change events matching q (Date in [From, To)), in their total order;
	// FactValues the distinct (field, value) pairs of every fact version of
	// repos (empty: all), by field then value.
	Facts(ctx context.Context, q FactQuery) ([]Fact, error)
	FactChanges(ctx context.Context, q FactChangeQuery) ([]FactChange, error)
	FactValues(ctx context.Context, repos []string) ([]FactValue, error)

	// Repos lists the repositories in the index with their checkpoints.
	Repos(ctx context.Context) ([]RepoInfo, error)

	// Stats counts what the store holds for repo ("" for every repo).
	Stats(ctx context.Context, repo string) (Stats, error)

	// Index returns what the index records about its embedder. SetIndex
	// records it; it fails with EMISMATCH when vectors of another embedder
	// or dimension are already stored.
	Index(ctx context.Context) (IndexInfo, error)
	SetIndex(ctx context.Context, info IndexInfo) error

	// Close releases the store's resources.
	Close() error

	// The capabilities below are named apart, so that a consumer can ask
	// for just the one it uses; every store has them all, and the
	// contract suite checks each.
	DataVersioner
	VectorResetter
	Warmer
	FeedbackStore
	LinkStore
	ChangeIndex
	WriteLocker
}

// DataVersioner tells readers whether anything was written, so that they
// can keep what they computed from a store (the answer and file caches of
// retrieval). If two calls of DataVersion return the same number, no write
// committed between them, from this process or another; a call after a
// write returns a larger number than every call before it. A number is
// meaningful only to the store that returned it.
//
// A store that cannot tell cheaply returns a new number on every call, and
// caches keyed on it never hit. The SQLite store tells (SQLite's
// data_version); the Qdrant store deliberately does not: Qdrant has no
// transaction or write counter that every replica and writer would share,
// so an API server on Qdrant computes every answer afresh.
type DataVersioner interface {
	DataVersion(ctx context.Context) (uint64, error)
}

// Warmer reads ahead what the searches of the index as it is now will
// need, so that no answer pays for it (the SQLite store: when each text
// can be valid, which an as-of search uses to skip the texts valid only
// before or after its date; a store with nothing to read ahead does
// nothing). Servers call it at start, through retrieval's
// Assistant.Warm; a process that answers one question does not. It
// changes no search's hits.
type Warmer interface {
	Warm(ctx context.Context) error
}

// VectorResetter switches the index to another embedder: `livespec ingest
// --reembed` calls ResetVectors when SetIndex fails with EMISMATCH, then
// embeds the texts again.
type VectorResetter interface {
	// ResetVectors deletes every stored vector that is not of info's
	// embedder and dimensions, in every repository, and records info as
	// the index's embedder.
	ResetVectors(ctx context.Context, info IndexInfo) error
}
