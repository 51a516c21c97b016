package livespec

import (
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
)

// IntentStatus asks about lifecycle facts: which documents reached or hold
// a value of a field ("which proposals were accepted in Q2?"), or one
// document's value and since when ("what is the status of KEP-1234?").
const IntentStatus Intent = "status"

// FactOrigin says where in a repository a fact was read.
type FactOrigin string

const (
	FactFrontMatter FactOrigin = "front_matter" // YAML front matter of a Markdown document
	FactSidecar     FactOrigin = "sidecar"      // a metadata file beside the document (kep.yaml)
	FactHeader      FactOrigin = "header"       // a key-value list or table at the top of the document
)

// Fact is one version of one structured field of a document (status,
// stage, milestone ...), valid over [ValidFrom, ValidTo) like a section
// Version. A fact is keyed by (Repo, Source, Field): Source is the file it
// was read from, Path the document it describes (the Markdown document
// beside a sidecar, the document itself otherwise).
type Fact struct {
	ID     string     `json:"id"` // FactID(Repo, Source, Field, Commit)
	Repo   string     `json:"repo"`
	Path   string     `json:"path"`
	Source string     `json:"source"`
	Origin FactOrigin `json:"origin"`
	Field  string     `json:"field"` // normalised name: lower case, markup and punctuation dropped ("status", "start date")
	Name   string     `json:"name"`  // the name as written
	Raw    string     `json:"raw"`   // the value as written
	Value  string     `json:"value"` // normalised: markup stripped, links to their text, spaces collapsed
	// Release is a release number the value names ("Stable in 1.1" → "1.1"), or "".
	Release string `json:"release,omitempty"`

	Commit    string    `json:"commit"` // the commit that introduced this version
	Seq       int64     `json:"seq"`
	ValidFrom time.Time `json:"valid_from"`
	// SinceCommit and Since are when the value was set: the same as Commit
	// and ValidFrom, unless the version only moved the value (a rename of
	// the document, a reworded name, the same value in other markup).
	SinceCommit string    `json:"since_commit"`
	Since       time.Time `json:"since"`
	// Previous is the normalised value before Since ("" for a new field).
	Previous string `json:"previous,omitempty"`

	EndCommit string    `json:"end_commit,omitempty"`
	EndSeq    int64     `json:"end_seq,omitempty"`
	ValidTo   time.Time `json:"valid_to"` // zero while current
}

// Current reports whether f is the field's current value.
func (f *Fact) Current() bool { return f.EndCommit == "" }

// ValidAt reports whether f held at t.
func (f *Fact) ValidAt(t time.Time) bool {
	if t.Before(f.ValidFrom) {
		return false
	}
	return f.Current() || t.Before(f.ValidTo)
}

// FactChange is one event on one fact in one first-parent commit: a field
// added, its value modified, the field removed, or the fact moved with its
// document (renamed).
type FactChange struct {
	ID       string     `json:"id"` // FactChangeID(Repo, Commit, Source, Field)
	Repo     string     `json:"repo"`
	Commit   string     `json:"commit"`
	Seq      int64      `json:"seq"`
	Date     time.Time  `json:"date"`
	Author   string     `json:"author"`
	Message  string     `json:"message"`
	Path     string     `json:"path"`
	OldPath  string     `json:"old_path,omitempty"`
	Source   string     `json:"source"`
	Field    string     `json:"field"`
	Kind     ChangeKind `json:"kind"`
	Value    string     `json:"value"`    // normalised value after the change ("" when removed)
	Previous string     `json:"previous"` // normalised value before ("" when added)
	Before   string     `json:"before,omitempty"`
	After    string     `json:"after,omitempty"`
}

// FactQuery selects fact versions, ordered by repo, path, field, ValidFrom.
type FactQuery struct {
	Repos    []string
	Paths    []string // doublestar globs on Path
	Fields   []string // exact normalised field names; empty: any
	Validity Validity
	Limit    int
}

// FactChangeQuery selects fact change events, ordered by Date, Repo, Seq,
// Path, Field and ID (a total order, so After pages stably).
type FactChangeQuery struct {
	Repos  []string
	Paths  []string // doublestar globs on Path and OldPath
	Fields []string
	From   time.Time // inclusive; zero: from the beginning
	To     time.Time // exclusive; zero: open
	After  string    // cursor: a change id
	Limit  int
}

// FactValue is one distinct (field, value) pair the index holds, with the
// number of fact versions carrying it: the vocabulary that status
// questions are matched against.
type FactValue struct {
	Field string `json:"field"`
	Value string `json:"value"`
	Count int    `json:"count"`
}

// FactID is the deterministic id of the version of a fact introduced by commit.
func FactID(repo, source, field, commit string) string {
	return uuid.NewSHA1(idNamespace, []byte("k\x00"+repo+"\x00"+source+"\x00"+field+"\x00"+commit)).String()
}

// FactChangeID is the deterministic id of a fact change event.
func FactChangeID(repo, commit, source, field string) string {
	return uuid.NewSHA1(idNamespace, []byte("kc\x00"+repo+"\x00"+commit+"\x00"+source+"\x00"+field)).String()
}

// AnswerFact is one fact as the answer contract carries it: a document's
// value of a field, since when, and the value before.
type AnswerFact struct {
	Repo     string    `json:"repo"`
	Path     string    `json:"path"`
	Title    string    `json:"title"`
	Field    string    `json:"field"`
	Value    string    `json:"value"`
	Previous string    `json:"previous"`
	Since    FactSince `json:"since"`
}

// FactSince is the commit that set a fact's value and its landing time.
type FactSince struct {
	Commit string `json:"commit"`
	Date   Time   `json:"date"`
}

// FactEvent is a fact change as `livespec facts --json` and GET /v1/facts
// carry it.
type FactEvent struct {
	Repo     string     `json:"repo"`
	Commit   string     `json:"commit"`
	Date     Time       `json:"date"`
	Author   string     `json:"author"`
	Message  string     `json:"message,omitempty"`
	Path     string     `json:"path"`
	OldPath  string     `json:"old_path,omitempty"`
	Field    string     `json:"field"`
	Kind     ChangeKind `json:"kind"`
	Value    string     `json:"value"`
	Previous string     `json:"previous"`
}

// FactEventOf converts a stored FactChange to its event form.
func FactEventOf(c FactChange) FactEvent {
	return FactEvent{Repo: c.Repo, Commit: c.Commit, Date: Time{c.Date}, Author: c.Author, Message: c.Message,
		Path: c.Path, OldPath: c.OldPath, Field: c.Field, Kind: c.Kind, Value: c.Value, Previous: c.Previous}
}

// MatchesValue reports whether a fact change set a value containing want
// (case-insensitive; "" matches every change).
func (c FactChange) MatchesValue(want string) bool {
	return want == "" || strings.Contains(strings.ToLower(c.Value), strings.ToLower(strings.TrimSpace(want)))
}

// NormalizeField returns a field name in lower case with markup, dashes,
// underscores and punctuation turned into single spaces: "**Tracking
// issue**" and "tracking-issue" are both "tracking issue".
func NormalizeField(name string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(name) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		case r == '*' || r == '`' || r == '~':
		default:
			space = true
		}
	}
	return b.String()
}
