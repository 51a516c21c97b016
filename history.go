package livespec

import (
	"context"
	"time"
)

// TimelineQuery selects the sections whose history a Timeline tells: those
// matching a topic (searched across every version), or one path and,
// optionally, one heading path.
type TimelineQuery struct {
	Topic   string    `json:"topic,omitempty"`
	Repos   []string  `json:"repos,omitempty"`
	Path    string    `json:"path,omitempty"`
	Heading string    `json:"heading,omitempty"`
	Window  *Window   `json:"window,omitempty"` // only events in the window; nil: all history
	Now     time.Time `json:"-"`
}

// TimelineEvent is one step in the history of a section or file.
type TimelineEvent struct {
	Date       Time       `json:"date"`
	Commit     string     `json:"commit"`
	Author     string     `json:"author"`
	Message    string     `json:"message,omitempty"`
	Kind       ChangeKind `json:"kind"`
	Repo       string     `json:"repo"`
	Path       string     `json:"path"`
	OldPath    string     `json:"old_path,omitempty"`
	Heading    string     `json:"heading"`
	OldHeading string     `json:"old_heading,omitempty"`
	Level      string     `json:"level"` // LevelFile or LevelSection (Heading "" is then the text before the first heading)
	Summary    string     `json:"summary"`
	// VersionID is the version this event introduced (empty for removals).
	VersionID string `json:"version_id,omitempty"`
	// FirstMention marks the event whose text is the earliest to match the
	// topic.
	FirstMention bool `json:"first_mention,omitempty"`
	// Editorial is the change's Editorial kind: the event only changed the
	// form of the text.
	Editorial string `json:"editorial,omitempty"`
}

// Timeline is the history of the matching sections, oldest first.
type Timeline struct {
	Query  TimelineQuery   `json:"query"`
	Events []TimelineEvent `json:"events"`
}

// Feedback is one rating of one answer (a Slack button click, an API call).
type Feedback struct {
	ID       string    `json:"id"` // unique per rating; storing the same id twice keeps one
	Time     time.Time `json:"time"`
	Source   string    `json:"source"` // "slack", "api"
	User     string    `json:"user,omitempty"`
	Channel  string    `json:"channel,omitempty"`
	Thread   string    `json:"thread,omitempty"`
	Rating   int       `json:"rating"` // +1 or -1
	Question string    `json:"question"`
	Answer   *Answer   `json:"answer,omitempty"`
}

// FeedbackStore keeps answer ratings (every Store does).
type FeedbackStore interface {
	// AddFeedback stores f (upsert by f.ID).
	AddFeedback(ctx context.Context, f Feedback) error
	// EachFeedback calls fn for every stored rating, oldest first.
	EachFeedback(ctx context.Context, fn func(Feedback) error) error
}
