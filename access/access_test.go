package access_test

import (
	"strings"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/access"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParse(t *testing.T) {
	p, err := access.Parse([]byte(`
tokens:
  - name: docs-site
    token: ${DOCS_TOKEN}
    repos: [public-api]
  - name: staff
    token: literal-token
    repos: ["public-*", platform]
    ingest: true
    subscribe: true
slack:
  channels:
    C012AB3CD: [public-api, platform]
  groups:
    S0614TZR7: [roadmap]
  dm: [public-api]
`), env(map[string]string{"DOCS_TOKEN": "from-env"}))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		token, name string
		allows      []string
		denies      []string
		ingest      bool
	}{
		{"from-env", "docs-site", []string{"public-api"}, []string{"platform", "public-web", "roadmap"}, false},
		{"literal-token", "staff", []string{"public-api", "public-web", "platform"}, []string{"roadmap"}, true},
	} {
		c, ok := p.Caller(tt.token)
		if !ok || c.Name != tt.name || c.Ingest != tt.ingest {
			t.Fatalf("Caller(%q) = %+v, %v", tt.token, c, ok)
		}
		for _, r := range tt.allows {
			if !c.Scope.Allows(r) {
				t.Errorf("%s may not read %s", tt.name, r)
			}
		}
		for _, r := range tt.denies {
			if c.Scope.Allows(r) {
				t.Errorf("%s may read %s", tt.name, r)
			}
		}
	}
	for _, bad := range []string{"", "from-en", "from-env2", "${DOCS_TOKEN}", "literal-token "[:12]} {
		if _, ok := p.Caller(bad); ok {
			t.Errorf("token %q accepted", bad)
		}
	}
	ch := p.Slack.Caller("U1", "C012AB3CD", false, nil)
	if !ch.Scope.Allows("platform") || ch.Scope.Allows("roadmap") || ch.Name != "slack:U1@C012AB3CD" {
		t.Errorf("channel caller %+v", ch)
	}
	if other := p.Slack.Caller("U1", "C0OTHER", false, nil); !other.Scope.Empty() {
		t.Errorf("a channel without a rule reads %v", other.Scope)
	}
	dm := p.Slack.Caller("U1", "D1", true, func() []string { return []string{"S0614TZR7"} })
	if !dm.Scope.Allows("roadmap") || !dm.Scope.Allows("public-api") || dm.Scope.Allows("platform") {
		t.Errorf("DM of a group member: %v", dm.Scope)
	}
	if err := p.Check([]string{"public-api", "platform", "roadmap"}); err != nil {
		t.Errorf("Check with every repository known: %v", err)
	}
	if err := p.Check([]string{"public-api"}); livespec.ErrorCode(err) != livespec.EINVALID ||
		!strings.Contains(livespec.ErrorMessage(err), `"platform"`) || !strings.Contains(livespec.ErrorMessage(err), `"roadmap"`) {
		t.Errorf("Check with unknown repositories: %v", err)
	}
}

func TestParseRefusesMalformedRules(t *testing.T) {
	for _, tt := range []struct {
		name, yaml, want string
	}{
		{"unknown field", "tokens:\n  - name: a\n    token: t\n    repos: [x]\n    admin: true\n", "admin"},
		{"token without a name", "tokens:\n  - token: t\n    repos: [x]\n", "needs a name"},
		{"token without repos", "tokens:\n  - name: a\n    token: t\n", "needs repos"},
		{"empty token", "tokens:\n  - name: a\n    token: \"\"\n    repos: [x]\n", "empty token"},
		{"two tokens named alike", "tokens:\n  - {name: a, token: t1, repos: [x]}\n  - {name: a, token: t2, repos: [x]}\n", "two tokens"},
		{"one token twice", "tokens:\n  - {name: a, token: t1, repos: [x]}\n  - {name: b, token: t1, repos: [x]}\n", "twice"},
		{"unset variable", "tokens:\n  - {name: a, token: '${NOPE}', repos: [x]}\n", "${NOPE} is not set"},
		{"bad glob", "tokens:\n  - {name: a, token: t, repos: ['pub[']}\n", "not a valid"},
		{"bad channel id", "slack:\n  channels:\n    general: [x]\n", "not a Slack channel id"},
		{"bad group id", "slack:\n  groups:\n    C123: [x]\n", "not a Slack user group id"},
		{"not YAML", "tokens: [\n", "not a valid access file"},
		{"repos not a list", "slack:\n  dm: public\n", "not a valid access file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := access.Parse([]byte(tt.yaml), env(nil))
			if livespec.ErrorCode(err) != livespec.EINVALID || !strings.Contains(livespec.ErrorMessage(err), tt.want) {
				t.Fatalf("err = %v, want EINVALID mentioning %q", err, tt.want)
			}
		})
	}
}

func TestScope(t *testing.T) {
	s, err := livespec.ScopeOf("acme/*", "docs")
	if err != nil {
		t.Fatal(err)
	}
	if !s.Allows("acme/shop") || !s.Allows("docs") || s.Allows("acme/shop/sub") || s.Allows("other") {
		t.Errorf("scope %v", s)
	}
	all, _ := livespec.ScopeOf("**")
	if !all.All() || !all.Allows("x/y/z") || livespec.NoRepos().Allows("x") || !livespec.NoRepos().Empty() {
		t.Error("all / none")
	}
	a, _ := livespec.ScopeOf("b", "a")
	b, _ := livespec.ScopeOf("a", "b", "a")
	if a.Key() != b.Key() || a.Key() == s.Key() {
		t.Error("Key does not identify the allowed set")
	}
	if got := s.Filter([]string{"acme/shop", "other", "docs"}); strings.Join(got, ",") != "acme/shop,docs" {
		t.Errorf("Filter = %v", got)
	}
}
