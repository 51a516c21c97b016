package review

// FindingKind says what kind of drift a finding is.
type FindingKind string

const (
	// Stale: the code no longer has an identifier a spec section names.
	Stale FindingKind = "stale"
	// Undocumented: the change adds an identifier to a public surface
	// that no spec section names.
	Undocumented FindingKind = "undocumented"
	// Uncovered: code changed whose explicitly linked spec section did
	// not change in the range.
	Uncovered FindingKind = "uncovered"
)

// IdentKind is the family of an identifier.
type IdentKind string

const (
	Flag      IdentKind = "flag"       // a command-line flag: --name
	EnvVar    IdentKind = "env"        // an environment variable
	Route     IdentKind = "route"      // an HTTP route: /v1/ask
	ConfigKey IdentKind = "config"     // a configuration key (yaml, toml ... struct tags)
	Exported  IdentKind = "exported"   // an exported Go, TypeScript or Python name
	ErrorCode IdentKind = "error_code" // an error code
)

// Finding is one disagreement between code and spec.
type Finding struct {
	Kind  FindingKind `json:"kind"`
	Ident *Ident      `json:"ident,omitempty"`
	// RenamedTo is the identifier that replaced a stale one, when the
	// change renamed it.
	RenamedTo string `json:"renamed_to,omitempty"`
	// Code is where the identifier was (stale: at base) or is (at head).
	Code CodeRef `json:"code"`
	// Spec is the section that names the identifier (stale) or covers the
	// code (uncovered); nil for an undocumented identifier.
	Spec *SpecRef `json:"spec,omitempty"`
	Why  string   `json:"why"`
}

// Ident is one identifier of the code.
type Ident struct {
	Kind IdentKind `json:"kind"`
	Name string    `json:"name"` // as a spec would write it: "--repo", "LIVESPEC_INDEX", "/v1/ask", "ingest.Run"
}

// CodeRef is a line of code at a commit.
type CodeRef struct {
	Path   string `json:"path"`
	Line   int    `json:"line,omitempty"`
	Commit string `json:"commit"`
}

// SpecRef is a spec section at a commit.
type SpecRef struct {
	Path    string `json:"path"`
	Heading string `json:"heading"`
	Commit  string `json:"commit"`
}
