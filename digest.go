package livespec

// DigestQuery selects the period and the part of the index a Digest
// reports on.
type DigestQuery struct {
	Window Window   `json:"window"`
	Repos  []string `json:"repos,omitempty"` // empty: every repository
	Paths  []string `json:"paths,omitempty"` // doublestar globs on the new or old path; empty: every path
	// Notable is how many documents the digest tells in detail (0: the
	// default); the others are folded into counts.
	Notable int `json:"notable,omitempty"`
	// Sections is how many changed sections a notable document shows
	// (0: the default).
	Sections int `json:"sections,omitempty"`
	// Permalink is the citation URL template (see retrieval.Permalink).
	Permalink string `json:"-"`
}

// Digest is a period's report for a reader with one minute: totals first,
// then the notable changes grouped by document with what the text now
// says, then the rest folded into counts. Its totals count exactly what
// `livespec changes` lists for the same window and filters.
type Digest struct {
	Window Window       `json:"window"`
	Repos  []string     `json:"repos,omitempty"`
	Paths  []string     `json:"paths,omitempty"`
	Totals DigestTotals `json:"totals"`
	// Events counts the window's events as change answers do (sections
	// by kind, files, commits).
	Events ChangeTotals `json:"events"`
	// Status lists the documents whose lifecycle field (status, stage ...)
	// changed value in the window, told before the prose changes.
	Status    []DigestStatus     `json:"status"`
	Documents []DigestDocument   `json:"documents"` // the notable documents, most changed first
	Rest      DigestRest         `json:"rest"`      // the changed documents not told in detail
	Commits   []DigestCommitInfo `json:"commits"`   // every commit of the window, oldest first
}

// Empty reports whether nothing changed in the digest's window: no text
// and no lifecycle field (a sidecar that is not a spec file changes only
// facts).
func (d *Digest) Empty() bool { return d.Totals.Commits == 0 && len(d.Status) == 0 }

// DigestStatus is one document's lifecycle field (status, stage ...) whose
// value changed in a digest's window: its value at the end of the window
// and the value before it.
type DigestStatus struct {
	Repo  string `json:"repo"`
	Path  string `json:"path"`
	Title string `json:"title"`
	Field string `json:"field"`
	// Value is the value at the end of the window ("" when the field was
	// removed); Previous the value before the window ("" when the field
	// was added).
	Value    string `json:"value"`
	Previous string `json:"previous"`
	Commit   string `json:"commit"` // the window's last commit that changed it
	Date     Time   `json:"date"`
	URL      string `json:"url,omitempty"` // permalink of the file it was read from at that commit
}

// DigestTotals counts the window's change events. FileChanges splits into
// Added + Modified + Removed + Renamed; Documents is the number of distinct
// files with a file-level event.
type DigestTotals struct {
	Commits        int `json:"commits"`
	Documents      int `json:"documents"`
	FileChanges    int `json:"file_changes"`
	Added          int `json:"added"`
	Modified       int `json:"modified"`
	Removed        int `json:"removed"`
	Renamed        int `json:"renamed"`
	SectionChanges int `json:"section_changes"`
}

// DigestDocument is one changed document told in detail.
type DigestDocument struct {
	Repo    string `json:"repo"`
	Path    string `json:"path"`
	OldPath string `json:"old_path,omitempty"` // the path before a rename in the window
	Title   string `json:"title"`              // its first heading, or its file name
	// Status is what the window did to the document as a whole: added,
	// removed, renamed or modified.
	Status         ChangeKind      `json:"status"`
	Commits        int             `json:"commits"`
	SectionChanges int             `json:"section_changes"`
	Sections       []DigestSection `json:"sections"`      // the notable changed sections
	MoreSections   int             `json:"more_sections"` // changed sections not listed
	URL            string          `json:"url,omitempty"` // permalink at the window's last commit of it
	Authors        []string        `json:"authors,omitempty"`
}

// DigestSection is one changed section of a notable document and what its
// text says at the end of the window.
type DigestSection struct {
	Heading string     `json:"heading"` // "" for the text before the first heading
	Kind    ChangeKind `json:"kind"`    // the net change: added, modified, removed or renamed
	Changes int        `json:"changes"` // events on the section in the window
	Commit  string     `json:"commit"`  // the last commit that changed it
	Date    Time       `json:"date"`
	Summary string     `json:"summary,omitempty"`
	// Editorial is one of the Edit kinds when the change only touched the
	// text's form (such sections are shown after those changed in substance).
	Editorial string `json:"editorial,omitempty"`
	// Now is an excerpt of the text at the end of the window; for a
	// removed section, Before is what it said before it went.
	Now    string `json:"now,omitempty"`
	Before string `json:"before,omitempty"`
	URL    string `json:"url,omitempty"`
}

// DigestRest counts the changed documents a digest does not tell in detail.
type DigestRest struct {
	Documents      int      `json:"documents"`
	SectionChanges int      `json:"section_changes"`
	Paths          []string `json:"paths"` // their paths, most changed first
}

// DigestCommitInfo is one commit of a digest's window.
type DigestCommitInfo struct {
	Repo    string `json:"repo"`
	Commit  string `json:"commit"`
	Date    Time   `json:"date"`
	Author  string `json:"author"`
	Message string `json:"message"`
}
