package livespec

import "context"

// Embedder turns texts into vectors. Implementations are safe for
// concurrent use.
type Embedder interface {
	// ID names the model and its settings ("ollama/nomic-embed-text@768"); a
	// vector is only ever compared with vectors of the same ID.
	ID() string
	// Dimensions is the length of every vector it returns.
	Dimensions() int
	// EmbedDocuments returns one vector per text, in order. Texts longer
	// than the model's context are truncated, not dropped.
	EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error)
	// EmbedQuery returns the vector of a search query.
	EmbedQuery(ctx context.Context, text string) ([]float32, error)
}

// Generator phrases an answer from evidence. The facts (sources, changes,
// dates) are fixed before it runs; it only writes prose with [n] markers
// that refer to Evidence.Sources.
type Generator interface {
	// Name identifies the generator in Answer.Model ("extractive",
	// "ollama/llama3.2:3b").
	Name() string
	// Generate writes the answer text. When onToken is non-nil it is called
	// with each piece of text as it is produced; an error from onToken stops
	// generation and is returned. The returned text is the whole answer.
	Generate(ctx context.Context, ev *Evidence, onToken func(string) error) (string, error)
}

// Evidence is everything a Generator may use: the question understood, the
// numbered sources and, for change and timeline questions, the change events.
type Evidence struct {
	Question string         `json:"question"`
	Intent   Intent         `json:"intent"`
	Window   *Window        `json:"window,omitempty"`
	AsOf     *Time          `json:"as_of,omitempty"`
	Topic    string         `json:"topic,omitempty"`
	Sources  []Citation     `json:"sources"` // numbered from 1, in order
	Changes  []AnswerChange `json:"changes,omitempty"`
	Facts    []AnswerFact   `json:"facts,omitempty"`
	// Notes are facts the answer must state, e.g. that the period could not
	// be parsed or that nothing matched.
	Notes []string `json:"notes,omitempty"`
	// Totals counts every change of a changes question's window, however
	// many Changes lists.
	Totals *ChangeTotals `json:"totals,omitempty"`
	// Titles names the documents of Changes by their titles.
	Titles []DocTitle `json:"titles,omitempty"`
	// Quotes say what notable changes did to the text: what it says now
	// and, for a modification, what it said before.
	Quotes []ChangeQuote `json:"quotes,omitempty"`
	// Earlier holds the latest changes before the window when the window
	// holds none (a changes question over a quiet period).
	Earlier []AnswerChange `json:"earlier,omitempty"`
}

// DocTitle is a document's title: its front-matter title or first heading.
type DocTitle struct {
	Repo  string `json:"repo,omitempty"`
	Path  string `json:"path"`
	Title string `json:"title"`
}

// ChangeQuote is what one notable change did to a section's text: the
// sentences it says now that it did not before (Now), and the sentences it
// said before that it no longer does (Before, empty for an addition). N is
// the source citing the new text (0: none).
type ChangeQuote struct {
	Change AnswerChange `json:"change"`
	N      int          `json:"n,omitempty"`
	Now    string       `json:"now,omitempty"`
	Before string       `json:"before,omitempty"`
}
