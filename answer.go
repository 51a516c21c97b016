package livespec

import (
	"context"
	"encoding/json"
	"strconv"
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
func (t Time) MarshalJSON() ([]byte, error) { return appendTime(make([]byte, 0, 22), t.Time), nil }

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

// MarshalJSON encodes an empty URL as null, last.
func (c Citation) MarshalJSON() ([]byte, error) {
	// Its keys, times and punctuation take at most 240 bytes.
	n := 240 + len(c.Repo) + len(c.Path) + len(c.Heading) + len(c.Commit) + len(c.Excerpt) + len(c.VersionID) + len(c.URL)
	return c.appendJSON(make([]byte, 0, n)), nil
}

// appendJSON appends c as MarshalJSON encodes it.
func (c *Citation) appendJSON(b []byte) []byte {
	b = strconv.AppendInt(append(b, `{"n":`...), int64(c.N), 10)
	b = appendString(append(b, `,"repo":`...), c.Repo)
	b = appendString(append(b, `,"path":`...), c.Path)
	b = appendString(append(b, `,"heading":`...), c.Heading)
	b = appendString(append(b, `,"commit":`...), c.Commit)
	b = appendTime(append(b, `,"date":`...), c.Date.Time)
	b = appendTime(append(b, `,"valid_from":`...), c.ValidFrom.Time)
	b = appendTime(append(b, `,"valid_to":`...), c.ValidTo.Time)
	b = strconv.AppendBool(append(b, `,"current":`...), c.Current)
	b = appendString(append(b, `,"excerpt":`...), c.Excerpt)
	if c.VersionID != "" {
		b = appendString(append(b, `,"version_id":`...), c.VersionID)
	}
	b = appendNullable(append(b, `,"url":`...), c.URL)
	return append(b, '}')
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
// a file-level event, editorial) as null, last.
func (c AnswerChange) MarshalJSON() ([]byte, error) {
	// Its keys, date and punctuation take at most 180 bytes.
	n := 180 + len(c.Repo) + len(c.Commit) + len(c.Author) + len(c.Message) + len(c.Path) + len(c.OldPath) +
		len(c.Heading) + len(c.Level) + len(c.Kind) + len(c.Summary) + len(c.Editorial)
	return c.appendJSON(make([]byte, 0, n)), nil
}

// appendJSON appends c as MarshalJSON encodes it.
func (c *AnswerChange) appendJSON(b []byte) []byte {
	b = append(b, '{')
	if c.Repo != "" {
		b = appendString(append(b, `"repo":`...), c.Repo)
		b = append(b, ',')
	}
	b = appendString(append(b, `"commit":`...), c.Commit)
	b = appendTime(append(b, `,"date":`...), c.Date.Time)
	b = appendString(append(b, `,"author":`...), c.Author)
	if c.Message != "" {
		b = appendString(append(b, `,"message":`...), c.Message)
	}
	b = appendString(append(b, `,"path":`...), c.Path)
	b = appendString(append(b, `,"level":`...), c.Level)
	b = appendString(append(b, `,"kind":`...), string(c.Kind))
	b = appendString(append(b, `,"summary":`...), c.Summary)
	b = appendNullable(append(b, `,"old_path":`...), c.OldPath)
	b = appendNullable(append(b, `,"heading":`...), c.Heading)
	b = appendNullable(append(b, `,"editorial":`...), c.Editorial)
	return append(b, '}')
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

// appendTime appends t as Time encodes it: an RFC 3339 UTC string, or
// null when zero.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, "null"...)
	}
	b = t.UTC().AppendFormat(append(b, '"'), time.RFC3339)
	return append(b, '"')
}

// appendNullable appends s as a JSON string, or null when empty.
func appendNullable(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return appendString(b, s)
}

// appendString appends s as json.Marshal encodes a string (HTML
// characters escaped).
func appendString(b []byte, s string) []byte { return appendJSONString(b, s, true) }

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
func (w Window) MarshalJSON() ([]byte, error) { return w.appendJSON(make([]byte, 0, 56)), nil }

// appendJSON appends w as MarshalJSON encodes it.
func (w *Window) appendJSON(b []byte) []byte {
	b = appendTime(append(b, `{"from":`...), w.From)
	b = appendTime(append(b, `,"to":`...), w.To)
	return append(b, '}')
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
