package access

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/livespec/livespec"
)

// Policy is a loaded access file: the named API tokens and the Slack
// rules.
type Policy struct {
	tokens []token
	// Slack maps Slack channels, user groups and DMs to repositories.
	Slack SlackRules
	// patterns are every repository pattern the file names, for Check.
	patterns []string
}

type token struct {
	hash   [32]byte
	caller livespec.Caller
}

// SlackRules says which repositories an answer in Slack may read: in a
// channel, its rule (Other for a channel without one); in a DM, DM and the
// rules of the user groups the user belongs to.
type SlackRules struct {
	Channels map[string]livespec.Scope
	Groups   map[string]livespec.Scope
	DM       livespec.Scope
	Other    livespec.Scope
}

// file is the YAML shape of an access file.
type file struct {
	Tokens []struct {
		Name      string    `yaml:"name"`
		Token     string    `yaml:"token"`
		Repos     *[]string `yaml:"repos"`
		Ingest    bool      `yaml:"ingest"`
		Subscribe bool      `yaml:"subscribe"`
	} `yaml:"tokens"`
	Slack struct {
		Channels map[string][]string `yaml:"channels"`
		Groups   map[string][]string `yaml:"groups"`
		DM       []string            `yaml:"dm"`
		Default  []string            `yaml:"default"`
	} `yaml:"slack"`
}

// Load reads the access file at path; getenv expands ${NAME} in it.
// Every fault is EINVALID, naming the file and the rule.
func Load(path string, getenv func(string) string) (*Policy, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, livespec.WrapError(livespec.EINVALID, err, "access file %s cannot be read", path)
	}
	p, err := Parse(b, getenv)
	if err != nil {
		return nil, livespec.WrapError(livespec.EINVALID, err, "access file %s: %s", path, livespec.ErrorMessage(err))
	}
	return p, nil
}

var (
	envRef    = regexp.MustCompile(`\$\{([^}]*)\}`)
	envName   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	channelID = regexp.MustCompile(`^[CGD][A-Z0-9]{2,20}$`)
	groupID   = regexp.MustCompile(`^S[A-Z0-9]{2,20}$`)
)

// Parse reads an access file's content (see Load).
func Parse(data []byte, getenv func(string) string) (*Policy, error) {
	var bad error
	data = envRef.ReplaceAllFunc(data, func(m []byte) []byte {
		name := string(m[2 : len(m)-1])
		v := ""
		switch {
		case !envName.MatchString(name):
			bad = cmpErr(bad, livespec.Errorf(livespec.EINVALID, "${%s} is not an environment variable name", name))
		default:
			if v = getenv(name); v == "" {
				bad = cmpErr(bad, livespec.Errorf(livespec.EINVALID, "${%s} is not set", name))
			}
		}
		return []byte(v)
	})
	if bad != nil {
		return nil, bad
	}
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, livespec.WrapError(livespec.EINVALID, err, "not a valid access file: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return build(&f)
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func build(f *file) (*Policy, error) {
	p := &Policy{}
	scope := func(what string, pats []string) (livespec.Scope, error) {
		s, err := livespec.ScopeOf(pats...)
		if err != nil {
			return s, livespec.Errorf(livespec.EINVALID, "%s: %s", what, livespec.ErrorMessage(err))
		}
		p.patterns = append(p.patterns, pats...)
		return s, nil
	}
	names, hashes := map[string]bool{}, map[[32]byte]bool{}
	for i, t := range f.Tokens {
		what := fmt.Sprintf("tokens[%d]", i)
		switch {
		case t.Name == "":
			return nil, livespec.Errorf(livespec.EINVALID, "%s: a token needs a name (it is what the logs show)", what)
		case names[t.Name]:
			return nil, livespec.Errorf(livespec.EINVALID, "%s: two tokens are named %q", what, t.Name)
		case strings.TrimSpace(t.Token) == "":
			return nil, livespec.Errorf(livespec.EINVALID, "token %q: empty token", t.Name)
		case t.Repos == nil:
			return nil, livespec.Errorf(livespec.EINVALID, "token %q: needs repos (names or globs; [\"**\"] for every repository)", t.Name)
		}
		names[t.Name] = true
		sc, err := scope("token "+t.Name+": repos", *t.Repos)
		if err != nil {
			return nil, err
		}
		h := sha256.Sum256([]byte(strings.TrimSpace(t.Token)))
		if hashes[h] {
			return nil, livespec.Errorf(livespec.EINVALID, "token %q: the same token is given twice", t.Name)
		}
		hashes[h] = true
		p.tokens = append(p.tokens, token{hash: h, caller: livespec.Caller{Name: t.Name, Scope: sc, Ingest: t.Ingest, Subscribe: t.Subscribe}})
	}
	var err error
	p.Slack.Channels = map[string]livespec.Scope{}
	for id, pats := range f.Slack.Channels {
		if !channelID.MatchString(id) {
			return nil, livespec.Errorf(livespec.EINVALID, "slack.channels: %q is not a Slack channel id (like C012AB3CD)", id)
		}
		if p.Slack.Channels[id], err = scope("slack.channels."+id, pats); err != nil {
			return nil, err
		}
	}
	p.Slack.Groups = map[string]livespec.Scope{}
	for id, pats := range f.Slack.Groups {
		if !groupID.MatchString(id) {
			return nil, livespec.Errorf(livespec.EINVALID, "slack.groups: %q is not a Slack user group id (like S0614TZR7)", id)
		}
		if p.Slack.Groups[id], err = scope("slack.groups."+id, pats); err != nil {
			return nil, err
		}
	}
	if p.Slack.DM, err = scope("slack.dm", f.Slack.DM); err != nil {
		return nil, err
	}
	if p.Slack.Other, err = scope("slack.default", f.Slack.Default); err != nil {
		return nil, err
	}
	return p, nil
}

// Named returns the caller of the token called name (a webhook
// subscription remembers the token that set it up by name).
func (p *Policy) Named(name string) (livespec.Caller, bool) {
	for _, t := range p.tokens {
		if t.caller.Name == name {
			return t.caller, true
		}
	}
	return livespec.Caller{}, false
}

// Destination returns who a push destination reads as: a Slack channel or
// DM by its rule (user groups are not consulted: they only add), a webhook
// by the token that set it up (none: nothing).
func (p *Policy) Destination(d livespec.Destination) livespec.Caller {
	if d.Kind == livespec.DestSlack {
		return p.Slack.Caller(d.User, d.Channel, strings.HasPrefix(d.Channel, "D"), nil)
	}
	if c, ok := p.Named(d.User); ok {
		return c
	}
	return livespec.Caller{Name: "webhook", Scope: livespec.NoRepos()}
}

// HasTokens reports whether the file names API tokens.
func (p *Policy) HasTokens() bool { return len(p.tokens) > 0 }

// TokenNames lists the tokens' names.
func (p *Policy) TokenNames() []string {
	out := make([]string, len(p.tokens))
	for i, t := range p.tokens {
		out[i] = t.caller.Name
	}
	return out
}

// Caller returns the caller a bearer token names, comparing it with every
// token of the file in constant time (the time taken does not depend on
// which token matched, or how much of one).
func (p *Policy) Caller(tok string) (livespec.Caller, bool) {
	given := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	found := -1
	for i, t := range p.tokens {
		found = subtle.ConstantTimeSelect(subtle.ConstantTimeCompare(given[:], t.hash[:]), i, found)
	}
	if found < 0 || tok == "" {
		return livespec.Caller{}, false
	}
	return p.tokens[found].caller, true
}

// Check returns an EINVALID error listing the repository names the file
// gives (patterns without glob characters) that are not among known.
// Call it at start when the known repositories can be listed.
func (p *Policy) Check(known []string) error {
	var unknown []string
	for _, pat := range p.patterns {
		if strings.ContainsAny(pat, `*?[{\`) || slices.Contains(known, pat) || slices.Contains(unknown, pat) {
			continue
		}
		unknown = append(unknown, pat)
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	k := slices.Clone(known)
	sort.Strings(k)
	return livespec.Errorf(livespec.EINVALID, "access file names unknown repositories %s (known: %s)", quoteAll(unknown), quoteAll(k))
}

func quoteAll(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

// Caller returns the Slack caller asking in channel (dm when it is a
// direct message) as user; groups lists the user groups the user belongs
// to and is only called for DMs.
func (r *SlackRules) Caller(user, channel string, dm bool, groups func() []string) livespec.Caller {
	c := livespec.Caller{Name: "slack:" + user + "@" + channel}
	switch {
	case dm:
		c.Scope = r.DM
		if len(r.Groups) > 0 && groups != nil {
			for _, g := range groups() {
				if s, ok := r.Groups[g]; ok {
					c.Scope = c.Scope.Union(s)
				}
			}
		}
	default:
		s, ok := r.Channels[channel]
		if !ok {
			s = r.Other
		}
		c.Scope = s
	}
	return c
}
