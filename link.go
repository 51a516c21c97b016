package livespec

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// LinkKind says how an explicit link between spec and code is declared.
type LinkKind string

const (
	// LinkCovers is a spec section's `<!-- livespec: covers GLOB -->`
	// comment: the section specifies the code its glob matches.
	LinkCovers LinkKind = "covers"
	// LinkSpec is a code comment `spec: FILE.md#anchor`: the code is
	// specified by that section (by the whole document without an anchor).
	LinkSpec LinkKind = "spec"
)

// Link is one version of one explicit link between spec and code, valid
// over [ValidFrom, ValidTo) like a section Version: from the commit that
// wrote it to the commit that removed it (or removed the file or section
// declaring it). A link is keyed by (Repo, Kind, Path, Heading, Target,
// Anchor). Markdown links from a section to a file are not Links: they are
// the section version's Links.
type Link struct {
	ID      string   `json:"id"` // LinkID(Repo, Kind, Path, Heading, Target, Anchor, Commit)
	Repo    string   `json:"repo"`
	Kind    LinkKind `json:"kind"`
	Path    string   `json:"path"`              // the file declaring it: the spec file (covers), the code file (spec)
	Heading string   `json:"heading,omitempty"` // the section declaring it (covers); "" for a code comment
	// Target is a doublestar glob or path of code (covers), or the
	// repository path of the spec file a code comment names (spec).
	Target string `json:"target"`
	Anchor string `json:"anchor,omitempty"` // the section anchor a code comment names; "" for the whole document

	Commit    string    `json:"commit"` // the commit that wrote it
	Seq       int64     `json:"seq"`
	ValidFrom time.Time `json:"valid_from"`
	EndCommit string    `json:"end_commit,omitempty"`
	EndSeq    int64     `json:"end_seq,omitempty"`
	ValidTo   time.Time `json:"valid_to"` // zero while current
}

// Current reports whether the link still stands.
func (l *Link) Current() bool { return l.EndCommit == "" }

// ValidAt reports whether the link stood at t.
func (l *Link) ValidAt(t time.Time) bool {
	if t.Before(l.ValidFrom) {
		return false
	}
	return l.Current() || t.Before(l.ValidTo)
}

// LinkID is the deterministic id of the version of a link written by commit.
func LinkID(repo string, kind LinkKind, path, heading, target, anchor, commit string) string {
	return uuid.NewSHA1(idNamespace, []byte("l\x00"+repo+"\x00"+string(kind)+"\x00"+path+"\x00"+heading+
		"\x00"+target+"\x00"+anchor+"\x00"+commit)).String()
}

// LinkQuery selects link versions, ordered by repo, path, heading, kind,
// target, anchor, then ValidFrom.
type LinkQuery struct {
	Repos    []string
	Paths    []string   // doublestar globs on Path (the declaring file)
	Kinds    []LinkKind // empty: any
	Validity Validity
	Limit    int
}

// LinkStore keeps the explicit links between spec and code with their
// history (every Store does): Batch.Links are new link versions,
// Batch.LinkCloses end open ones, DeleteRepo removes a repository's.
type LinkStore interface {
	// Links returns the link versions matching q.
	Links(ctx context.Context, q LinkQuery) ([]Link, error)
}
