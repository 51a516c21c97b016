package livespec

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/google/uuid"
)

// HeadingSep joins the headings of a heading path: "Design > Auth > Token expiry".
const HeadingSep = " > "

// FrontMatterHeading is the heading path of the section that holds a
// Markdown file's YAML front matter.
const FrontMatterHeading = "(front matter)"

// Key identifies a section across versions: repository, file path, heading
// path and part. Text before the first heading has the empty heading path.
// When one heading path occurs more than once in a file, later occurrences
// carry a " (2)", " (3)" ... suffix on their last heading. Long sections are
// split into parts numbered from 0.
type Key struct {
	Repo    string `json:"repo"`
	Path    string `json:"path"`
	Heading string `json:"heading"`
	Part    int    `json:"part"`
}

// String returns "repo:path#heading[/part]" for logs and messages.
func (k Key) String() string {
	s := k.Repo + ":" + k.Path + "#" + k.Heading
	if k.Part > 0 {
		s += "/" + itoa(k.Part)
	}
	return s
}

// Section is one section of one file version, as the Markdown splitter
// produces it.
type Section struct {
	Heading string   `json:"heading"` // heading path, HeadingSep-joined
	Part    int      `json:"part"`
	Level   int      `json:"level"`           // 1-6 for ATX/setext headings, 0 for the preamble and front matter
	Text    string   `json:"text"`            // normalised text: the heading line and the body
	Hash    string   `json:"hash"`            // ContentHash(Text)
	Links   []string `json:"links,omitempty"` // repository paths of spec files this section links to
	// Join, for a part after the first, says what separated it from the
	// previous part in the source (see SectionRef.Join).
	Join PartJoin `json:"join,omitempty"`
}

// PartJoin says what separated a part of a long section from the part
// before it in the file: a blank line (the zero value: the split fell
// between paragraphs), one line break, a space, or nothing (the split fell
// inside a word or line). A later part repeats its section's heading
// lines; the file's text is its parts' bodies joined by their PartJoin.
type PartJoin string

const (
	JoinParagraph PartJoin = ""      // a blank line
	JoinLine      PartJoin = "line"  // one line break
	JoinSpace     PartJoin = "space" // a space within a line
	JoinNone      PartJoin = "none"  // nothing: the split fell inside a word
)

// Sep returns the text j stands for.
func (j PartJoin) Sep() string {
	switch j {
	case JoinLine:
		return "\n"
	case JoinSpace:
		return " "
	case JoinNone:
		return ""
	}
	return "\n\n"
}

// ContentHash returns the hex SHA-256 of a normalised section text.
// Embeddings and full-text rows are keyed by it, so a text is indexed once
// however many versions carry it.
func ContentHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// Version is one text of one section with its validity interval
// [ValidFrom, ValidTo). Versions are never deleted; a later commit closes a
// version by setting ValidTo, EndCommit and EndSeq.
type Version struct {
	ID string `json:"id"` // VersionID(Key, Commit)
	Key
	Level int      `json:"level"`
	Text  string   `json:"text"`
	Hash  string   `json:"hash"` // ContentHash(Text)
	Links []string `json:"links,omitempty"`

	Commit    string    `json:"commit"`     // the commit that introduced this text
	Seq       int64     `json:"seq"`        // that commit's position on the first-parent chain (root = 1)
	ValidFrom time.Time `json:"valid_from"` // its landing (committer) time
	Author    string    `json:"author"`

	EndCommit string    `json:"end_commit,omitempty"` // the commit that replaced or removed it; "" while current
	EndSeq    int64     `json:"end_seq,omitempty"`
	ValidTo   time.Time `json:"valid_to"` // zero while current
}

// Current reports whether the version is the current text of its section.
func (v *Version) Current() bool { return v.EndCommit == "" }

// ValidAt reports whether the version was the text of its section at t:
// ValidFrom <= t < ValidTo, with an open ValidTo for current versions.
func (v *Version) ValidAt(t time.Time) bool {
	if t.Before(v.ValidFrom) {
		return false
	}
	return v.Current() || t.Before(v.ValidTo)
}

// FileStatus says how a spec file version was indexed.
type FileStatus string

const (
	FileText     FileStatus = "text"      // parsed into sections
	FileBinary   FileStatus = "binary"    // binary or not UTF-8: recorded, not indexed
	FileTooLarge FileStatus = "too_large" // over the size limit: recorded, not indexed
	FileSymlink  FileStatus = "symlink"   // a symbolic link: recorded as an alias, not indexed
	FileInvalid  FileStatus = "invalid"   // unparseable content (e.g. broken YAML sidecar): recorded, not indexed
)

// FileVersion is one version of one spec file (one blob at one path), valid
// over [ValidFrom, ValidTo) like a section Version.
type FileVersion struct {
	ID     string     `json:"id"` // VersionID(Key{Repo, Path}, Commit) with Heading "" and Part -1
	Repo   string     `json:"repo"`
	Path   string     `json:"path"`
	Blob   string     `json:"blob"` // git blob hash
	Size   int64      `json:"size"`
	Status FileStatus `json:"status"`
	// Outline lists the file's sections in document order (heading paths
	// with their parts), enough to rebuild the file's text as of a date.
	Outline []SectionRef `json:"outline,omitempty"`
	// Meta holds the YAML front matter (or a YAML/JSON sidecar's top level)
	// as JSON-compatible values.
	Meta map[string]any `json:"meta,omitempty"`
	// Target is the link target for a symlink.
	Target string `json:"target,omitempty"`

	Commit    string    `json:"commit"`
	Seq       int64     `json:"seq"`
	ValidFrom time.Time `json:"valid_from"`
	EndCommit string    `json:"end_commit,omitempty"`
	EndSeq    int64     `json:"end_seq,omitempty"`
	ValidTo   time.Time `json:"valid_to"`
}

// Current reports whether the file version is the file's current version.
func (f *FileVersion) Current() bool { return f.EndCommit == "" }

// FirstHeading returns the top level of the first heading in the file's
// outline (front matter skipped), or "" when it has none.
func (f *FileVersion) FirstHeading() string {
	for _, o := range f.Outline {
		if o.Heading != "" && o.Heading != FrontMatterHeading {
			return SplitHeading(o.Heading)[0]
		}
	}
	return ""
}

// Brief returns the brief form of f (see FileQuery.Brief).
func (f *FileVersion) Brief() FileVersion {
	b := FileVersion{ID: f.ID, Repo: f.Repo, Path: f.Path, Commit: f.Commit, Seq: f.Seq,
		ValidFrom: f.ValidFrom, EndCommit: f.EndCommit, EndSeq: f.EndSeq, ValidTo: f.ValidTo}
	if t := f.FirstHeading(); t != "" {
		b.Outline = []SectionRef{{Heading: t}}
	}
	return b
}

// ValidAt reports whether the file version stood at t.
func (f *FileVersion) ValidAt(t time.Time) bool {
	if t.Before(f.ValidFrom) {
		return false
	}
	return f.Current() || t.Before(f.ValidTo)
}

// SectionRef names one section of a file version in document order.
type SectionRef struct {
	Heading string   `json:"heading"`
	Part    int      `json:"part,omitempty"`
	Join    PartJoin `json:"join,omitempty"` // for a later part: what joined it to the previous one
}

// ChangeKind is what a Change did.
type ChangeKind string

const (
	Added    ChangeKind = "added"
	Modified ChangeKind = "modified"
	Removed  ChangeKind = "removed"
	Renamed  ChangeKind = "renamed"
)

// Change is one event on one file (Heading "" and Level FileLevel) or one
// section in one first-parent commit. Every spec file a first-parent commit
// adds, modifies, deletes or renames yields exactly one file-level Change;
// section-level Changes sit beside it.
type Change struct {
	ID         string     `json:"id"` // ChangeID(...)
	Repo       string     `json:"repo"`
	Commit     string     `json:"commit"`
	Seq        int64      `json:"seq"`
	Date       time.Time  `json:"date"`        // landing (committer) time
	AuthorDate time.Time  `json:"author_date"` // author time
	Author     string     `json:"author"`
	Message    string     `json:"message"` // the commit message's first line
	Path       string     `json:"path"`
	OldPath    string     `json:"old_path,omitempty"` // for renames (file, or section moved with a file rename)
	Heading    string     `json:"heading"`            // "" for file-level events
	OldHeading string     `json:"old_heading,omitempty"`
	Part       int        `json:"part,omitempty"`
	Section    bool       `json:"section"` // false for the file-level event
	Kind       ChangeKind `json:"kind"`
	Before     string     `json:"before,omitempty"` // version id replaced or removed
	After      string     `json:"after,omitempty"`  // version id introduced
	Summary    string     `json:"summary"`
	// Editorial is one of the Edit kinds when the change only changed the
	// form of the text (a modification, or a section's rename; see
	// AnswerChange), "" for a change of substance. Ingest classifies every
	// event of a commit together, so a reader need not compare texts.
	Editorial string `json:"editorial,omitempty"`
}

// Checkpoint records how far a repository's history has been ingested.
type Checkpoint struct {
	Repo   string    `json:"repo"`
	Branch string    `json:"branch"`
	Commit string    `json:"commit"` // the last first-parent commit whose changes are stored
	Seq    int64     `json:"seq"`
	Time   time.Time `json:"time"` // its landing time
	// Config fingerprints the settings the data was built with (include and
	// exclude globs, size limit, splitter version). A different fingerprint
	// means the repo must be rebuilt.
	Config    string    `json:"config"`
	Source    string    `json:"source"` // where the repository was read from (a directory or URL)
	UpdatedAt time.Time `json:"updated_at"`
}

var idNamespace = uuid.MustParse("6f1c1f2e-6a53-4f4e-9a63-6c6976657370")

// VersionID is the deterministic id of the version of key introduced by
// commit: a UUIDv5, so re-ingesting the same history writes the same ids.
func VersionID(k Key, commit string) string {
	return uuid.NewSHA1(idNamespace, []byte("v\x00"+k.Repo+"\x00"+k.Path+"\x00"+k.Heading+"\x00"+itoa(k.Part)+"\x00"+commit)).String()
}

// FileVersionID is the deterministic id of the version of a file introduced by commit.
func FileVersionID(repo, path, commit string) string {
	return uuid.NewSHA1(idNamespace, []byte("f\x00"+repo+"\x00"+path+"\x00"+commit)).String()
}

// ChangeID is the deterministic id of a change event.
func ChangeID(repo, commit, path, heading string, part int, section bool) string {
	s := "f"
	if section {
		s = "s"
	}
	return uuid.NewSHA1(idNamespace, []byte("c\x00"+s+"\x00"+repo+"\x00"+commit+"\x00"+path+"\x00"+heading+"\x00"+itoa(part))).String()
}

// SplitHeading splits a heading path into its headings.
func SplitHeading(h string) []string {
	if h == "" {
		return nil
	}
	return strings.Split(h, HeadingSep)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
