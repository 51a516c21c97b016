package livespec

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/bmatcuk/doublestar/v4"
)

// Scope is the set of repositories a caller may read: every one, or those
// whose name matches one of its patterns (names or doublestar globs:
// "public-*", "acme/**"). The zero Scope allows nothing.
type Scope struct {
	all      bool
	patterns []string
}

// AllRepos is the scope of a server without access rules: every
// repository.
func AllRepos() Scope { return Scope{all: true} }

// NoRepos allows nothing.
func NoRepos() Scope { return Scope{} }

// ScopeOf returns the scope of patterns, EINVALID naming the first one
// that is not a valid glob. "**" (or "*" alone) allows every repository.
func ScopeOf(patterns ...string) (Scope, error) {
	var s Scope
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		switch {
		case p == "":
			return Scope{}, Errorf(EINVALID, "an empty repository pattern")
		case !doublestar.ValidatePattern(p):
			return Scope{}, Errorf(EINVALID, "%q is not a valid repository name or glob", p)
		case p == "**" || p == "*":
			s.all = true
		}
		if !slices.Contains(s.patterns, p) {
			s.patterns = append(s.patterns, p)
		}
	}
	slices.Sort(s.patterns)
	return s, nil
}

// Allows reports whether the scope may read repo.
func (s Scope) Allows(repo string) bool {
	if s.all {
		return true
	}
	for _, p := range s.patterns {
		if p == repo {
			return true
		}
		if ok, _ := doublestar.Match(p, repo); ok {
			return true
		}
	}
	return false
}

// Empty reports whether the scope allows no repository.
func (s Scope) Empty() bool { return !s.all && len(s.patterns) == 0 }

// All reports whether the scope allows every repository.
func (s Scope) All() bool { return s.all }

// Filter returns the repos the scope allows, in their order.
func (s Scope) Filter(repos []string) []string {
	if s.all {
		return repos
	}
	out := make([]string, 0, len(repos))
	for _, r := range repos {
		if s.Allows(r) {
			out = append(out, r)
		}
	}
	return out
}

// Union returns the scope allowing what s or o allows.
func (s Scope) Union(o Scope) Scope {
	u := Scope{all: s.all || o.all, patterns: slices.Clone(s.patterns)}
	for _, p := range o.patterns {
		if !slices.Contains(u.patterns, p) {
			u.patterns = append(u.patterns, p)
		}
	}
	slices.Sort(u.patterns)
	return u
}

// Key identifies the scope, for keying caches: two scopes with the same
// key allow the same repositories.
func (s Scope) Key() string {
	if s.all {
		return "*all*"
	}
	return strings.Join(s.patterns, "\x00")
}

// String describes the scope for logs.
func (s Scope) String() string {
	switch {
	case s.all:
		return "all repositories"
	case len(s.patterns) == 0:
		return "no repository"
	}
	return strings.Join(s.patterns, ", ")
}

// Caller is who asks: an API token or a Slack user in a channel, with the
// repositories it may read and what else it may do. Surfaces put it in the
// request's context (WithCaller); the store a server reads through
// (access.Store) filters every read by its Scope, so no surface can forget
// it; push code checks Scope.Allows for its destination when it sends.
type Caller struct {
	// Name identifies the caller in logs: a token's name, or
	// "slack:U123@C456".
	Name  string
	Scope Scope
	// Ingest: may start ingests. Subscribe: may manage subscriptions
	// (digests, watches).
	Ingest, Subscribe bool

	reads *readSet
}

type callerKey struct{}

// WithCaller returns ctx carrying c. Reads through an access.Store under
// this context are limited to c.Scope and recorded for ReadRepos.
func WithCaller(ctx context.Context, c Caller) context.Context {
	c.reads = &readSet{}
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller ctx carries, if any.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}

// ScopeFrom returns the scope of the caller ctx carries; without one,
// none (reads under a context that names no caller find nothing).
func ScopeFrom(ctx context.Context) Scope {
	if c, ok := CallerFrom(ctx); ok {
		return c.Scope
	}
	return NoRepos()
}

// NoteRead records that the caller of ctx read repos (the audit log
// lists them).
func NoteRead(ctx context.Context, repos ...string) {
	if c, ok := CallerFrom(ctx); ok && c.reads != nil {
		c.reads.add(repos)
	}
}

// ReadRepos returns the repositories read so far under ctx's caller,
// sorted.
func ReadRepos(ctx context.Context) []string {
	if c, ok := CallerFrom(ctx); ok && c.reads != nil {
		return c.reads.list()
	}
	return nil
}

type readSet struct {
	mu sync.Mutex
	m  map[string]bool
}

func (r *readSet) add(repos []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[string]bool{}
	}
	for _, x := range repos {
		r.m[x] = true
	}
}

func (r *readSet) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.m))
	for x := range r.m {
		out = append(out, x)
	}
	slices.Sort(out)
	return out
}
