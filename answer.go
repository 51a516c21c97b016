package livespec

import (
	"context"
	"encoding/json"
	"time"
)

// Intent is what kind of question was asked.
type Intent string

const (
	IntentCurrent  Intent = "current"  // what does the spec say now
	IntentAsOf     Intent = "as_of"    // what did it say at a date
	IntentChanges  Intent = "changes"  // what changed in a window
	IntentTimeline Intent = "timeline" // when did a topic appear, how did it evolve
)

// Window is a half-open time interval [From, To). A zero From means "since
// the beginning", a zero To "until now". Whole-day periods ("in March 2025")
// run from the first day's midnight UTC to the midnight after the last day.
type Window struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Contains reports whether t is in the window.
func (w Window) Contains(t time.Time) bool {
	return (w.From.IsZero() || !t.Before(w.From)) && (w.To.IsZero() || t.Before(w.To))
}

// Time is a time.Time that encodes as RFC 3339 in UTC, and as null when zero.
type Time struct{ time.Time }

// MarshalJSON encodes t as an RFC 3339 UTC string or null.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format(time.RFC3339))
}

// UnmarshalJSON decodes an RFC 3339 string or null.
func (t *Time) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	p, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return err
	}
	t.Time = p
	return nil
}

// Citation pins one claim of an answer to one section version.
type Citation struct {
	N         int    `json:"n"`
	Repo      string `json:"repo"`
	Path      string `json:"path"`
	Heading   string `json:"heading"`
	Commit    string `json:"commit"`     // the commit that introduced the cited text
	Date      Time   `json:"date"`       // that commit's landing time
	ValidFrom Time   `json:"valid_from"` // = Date
	ValidTo   Time   `json:"valid_to"`   // null while current
	Current   bool   `json:"current"`    // false: superseded since (see ValidTo)
	URL       string `json:"url"`        // commit-pinned permalink, or "" (null in JSON)
	Excerpt   string `json:"excerpt"`
	// VersionID and Text are for generators and tools; Text is the whole
	// section text, Excerpt a short part of it.
	VersionID string `json:"version_id,omitempty"`
	Text      string `json:"-"`
}

// Levels of a change event: the whole file, or one section of it.
const (
	LevelFile    = "file"
	LevelSection = "section"
)

// PreambleHeading is the heading an answer gives the text before a file's
// first heading (whose heading path is empty in the store), so that a
// change to it reads apart from the file-level event of the same commit.
const PreambleHeading = "(top of file)"

// Editorial kinds: why a change event is editorial rather than a change of
// substance. The empty string is a substantive change.
const (
	EditWhitespace = "whitespace"    // only spacing or line breaks differ
	EditHeading    = "heading_level" // only heading levels differ
	EditLinks      = "links"         // only link targets or anchors differ
	EditTypo       = "typo"          // a few characters within words differ
	EditSweep      = "sweep"         // one commit modified a large share of the repository's files
	EditMoved      = "moved"         // a section kept its text and moved in the outline (a parent heading renamed, the file renamed)
)

// MarshalJSON encodes an empty URL as null.
func (c Citation) MarshalJSON() ([]byte, error) {
	type plain Citation
	return json.Marshal(struct {
		plain
		URL *string `json:"url"`
	}{plain(c), nullable(c.URL)})
}

// AnswerChange is one change event as the answer contract carries it.
// Level is LevelFile for the file-level event (Heading "", encoded as
// null) and LevelSection for a section event; the text before the first
// heading has Heading PreambleHeading. Editorial is one of the Edit kinds
// when the event changed only the form of the text, "" (null) otherwise.
type AnswerChange struct {
	Repo      string     `json:"repo,omitempty"`
	Commit    string     `json:"commit"`
	Date      Time       `json:"date"`
	Author    string     `json:"author"`
	Message   string     `json:"message,omitempty"`
	Path      string     `json:"path"`
	OldPath   string     `json:"old_path"`
	Heading   string     `json:"heading"`
	Level     string     `json:"level"`
	Kind      ChangeKind `json:"kind"`
	Summary   string     `json:"summary"`
	Editorial string     `json:"editorial"`
}

// MarshalJSON encodes the empty optional strings (old_path, the heading of
// a file-level event, editorial) as null.
func (c AnswerChange) MarshalJSON() ([]byte, error) {
	type plain AnswerChange
	return json.Marshal(struct {
		plain
		OldPath   *string `json:"old_path"`
		Heading   *string `json:"heading"`
		Editorial *string `json:"editorial"`
	}{plain(c), nullable(c.OldPath), nullable(c.Heading), nullable(c.Editorial)})
}

// IsFile reports whether c is a file-level event. Events without a Level
// (from older producers) are file-level when they have no heading.
func (c AnswerChange) IsFile() bool {
	if c.Level != "" {
		return c.Level == LevelFile
	}
	return c.Heading == ""
}

// AnswerHeading is the heading an answer shows for a change event: ""
// for a file-level event, PreambleHeading for the text before the first
// heading, else the heading path.
func AnswerHeading(heading string, section bool) string {
	if section && heading == "" {
		return PreambleHeading
	}
	return heading
}

// ChangeOf converts a stored Change to its answer form.
func ChangeOf(c Change) AnswerChange {
	level := LevelFile
	if c.Section {
		level = LevelSection
	}
	return AnswerChange{
		Repo: c.Repo, Commit: c.Commit, Date: Time{c.Date}, Author: c.Author,
		Message: c.Message, Path: c.Path, OldPath: c.OldPath, Heading: AnswerHeading(c.Heading, c.Section),
		Level: level, Kind: c.Kind, Summary: c.Summary,
	}
}

// ChangeTotals counts the change events of a window, all of them, however
// many an answer lists: the files they touched, the section events (the
// file-level event of a file without section events counts as one), by
// kind, and the first-parent commits.
type ChangeTotals struct {
	Files    int `json:"files"`
	Sections int `json:"sections"`
	Commits  int `json:"commits"`
	Added    int `json:"added"`
	Modified int `json:"modified"`
	Removed  int `json:"removed"`
	Renamed  int `json:"renamed"`
}

// nullable is nil for "", else a pointer to s.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ModelInfo says which embedder and generator served an answer. Embedder is
// "none (BM25 only)" for a BM25-only index.
type ModelInfo struct {
	Embedder  string `json:"embedder"`
	Generator string `json:"generator"`
}

// Answer is the answer contract shared by the CLI (--json), the HTTP API and
// the Slack bot.
type Answer struct {
	Question string `json:"question"`
	Intent   Intent `json:"intent"`
	// Found is false when nothing in any version of the specs mentions
	// what the question asks about; the answer then says so plainly.
	Found bool `json:"found"`
	// Subjects are the documents the question was resolved to (by
	// identifier, title or file name), each with every path it had.
	Subjects []Subject `json:"subjects"`
	// FirstSeen is, for a timeline answer, where and when the subject
	// first appeared; nil otherwise or when it never did.
	FirstSeen *FirstSeen     `json:"first_seen"`
	Window    *Window        `json:"window"`
	AsOf      Time           `json:"as_of"`
	Answer    string         `json:"answer"`
	Citations []Citation     `json:"citations"`
	Changes   []AnswerChange `json:"changes"`
	// Facts are the lifecycle facts of a status answer (empty otherwise).
	Facts []AnswerFact `json:"facts"`
	// Totals counts every change of a changes answer's window, however
	// many Changes lists; nil for other intents.
	Totals *ChangeTotals `json:"totals,omitempty"`
	Model  ModelInfo     `json:"model"`
}

// Subject is a document a question is about, over its renames: Path is
// its latest path, Paths every path it had, oldest first.
type Subject struct {
	Repo  string   `json:"repo"`
	Path  string   `json:"path"`
	Title string   `json:"title"`
	Paths []string `json:"paths"`
}

// FirstSeen is where and when a subject first appeared: the commit that
// landed the first version mentioning it.
type FirstSeen struct {
	Commit  string `json:"commit"`
	Date    Time   `json:"date"`
	Path    string `json:"path"`
	Heading string `json:"heading"`
}

// MarshalJSON encodes the window bounds as RFC 3339 UTC (null when open).
func (w Window) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		From Time `json:"from"`
		To   Time `json:"to"`
	}{Time{w.From}, Time{w.To}})
}

// UnmarshalJSON decodes what MarshalJSON encodes.
func (w *Window) UnmarshalJSON(b []byte) error {
	var v struct {
		From Time `json:"from"`
		To   Time `json:"to"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	w.From, w.To = v.From.Time, v.To.Time
	return nil
}

// AskRequest is one question to the Assistant.
type AskRequest struct {
	Question string    `json:"question"`
	Now      time.Time `json:"now,omitzero"` // the clock for relative periods; zero: the real time
	Repos    []string  `json:"repos,omitempty"`
	// History holds earlier turns of a conversation (Slack threads), oldest
	// first, used as context for follow-up questions.
	History []Turn `json:"history,omitempty"`
}

// Turn is one earlier question and its answer.
type Turn struct {
	Question string  `json:"question"`
	Answer   *Answer `json:"answer,omitempty"`
}

// Asker answers questions. The CLI, the HTTP API and the Slack bot are thin
// layers over one Asker (retrieval.Assistant).
type Asker interface {
	// Ask answers req. When onToken is non-nil, the answer text is passed to
	// it piece by piece as the generator produces it; the returned Answer
	// holds the whole text. Errors are classified (EINVALID for an empty or
	// over-long question, EUNAVAILABLE when the store is down).
	Ask(ctx context.Context, req AskRequest, onToken func(string) error) (*Answer, error)
}
