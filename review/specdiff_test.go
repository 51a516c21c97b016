package review_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/review"
)

var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const authBase = `---
status: draft
---
# Authentication

## Tokens

Access tokens expire after one hour. Clients refresh them with the refresh token.

## Sessions

A session lasts until the browser is closed and never longer than one day.

## Legacy keys

API keys are accepted on every endpoint for old clients that cannot use tokens.

## Audit

Every login is recorded with the time, the address and the user agent.
`

// authHead changes Tokens in substance, fixes a typo in Sessions, drops
// Legacy keys, adds Lockout and moves the status on.
const authHead = `---
status: accepted
---
# Authentication

## Tokens

Access tokens expire after fifteen minutes. Clients refresh them with the refresh token.

## Sessions

A sesion lasts until the browser is closed and never longer than one day.

## Audit

Every login is recorded with the time, the address and the user agent.

## Lockout

Five failed logins in a row lock the account for ten minutes.
`

// featureRepo is a repository whose branch feature changes spec/auth.md
// (and code no spec names) on top of main.
func featureRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	r := gittest.New(t, start, gittest.Step{Msg: "auth spec", Write: map[string]string{
		"spec/auth.md": authBase, "spec/billing.md": "# Billing\n\nInvoices are sent monthly.\n", "main.go": "package main\n\nfunc main() {}\n"}})
	r.Checkout("feature")
	r.Do(gittest.Step{Msg: "shorter tokens", Write: map[string]string{"spec/auth.md": authHead, "main.go": "package main\n\nfunc main() { println() }\n"}})
	return r
}

func TestSpecDiffDocument(t *testing.T) {
	r := featureRepo(t)
	rep, err := review.Run(context.Background(), review.Options{Dir: r.Dir}) // default: merge base with main
	if err != nil {
		t.Fatal(err)
	}
	if rep.Commits != 1 || len(rep.Documents) != 1 {
		t.Fatalf("want 1 commit and 1 document (billing unchanged), got %d commits, documents %+v", rep.Commits, rep.Documents)
	}
	d := rep.Documents[0]
	if d.Path != "spec/auth.md" || d.Title != "Authentication" || d.Kind != livespec.Modified {
		t.Errorf("document = %s %q %s", d.Path, d.Title, d.Kind)
	}
	got := map[string]review.SectionChange{}
	for _, s := range d.Sections {
		got[s.Heading] = s
	}
	tok := got["Authentication > Tokens"]
	if tok.Kind != livespec.Modified || !strings.Contains(tok.Before, "one hour") || !strings.Contains(tok.Now, "fifteen minutes") {
		t.Errorf("Tokens: %+v", tok)
	}
	if s := got["Authentication > Lockout"]; s.Kind != livespec.Added || !strings.Contains(s.Now, "Five failed logins") {
		t.Errorf("Lockout: %+v", s)
	}
	if s := got["Authentication > Legacy keys"]; s.Kind != livespec.Removed || !strings.Contains(s.Before, "API keys") {
		t.Errorf("Legacy keys: %+v", s)
	}
	if _, ok := got["Authentication > Sessions"]; ok {
		t.Errorf("a typo fix is listed as a change: %+v", got["Authentication > Sessions"])
	}
	if d.Editorial[livespec.EditTypo] != 1 {
		t.Errorf("editorial = %v, want one typo", d.Editorial)
	}
	if len(d.Facts) != 1 || d.Facts[0].Field != "status" || d.Facts[0].Before != "draft" || d.Facts[0].After != "accepted" {
		t.Errorf("facts = %+v, want status draft → accepted", d.Facts)
	}
	if rep.Totals.Added != 1 || rep.Totals.Removed != 1 || rep.Totals.Editorial != 1 {
		t.Errorf("totals = %+v", rep.Totals)
	}

	md := review.Markdown(rep, review.MarkdownOptions{Permalink: "https://example.com/{commit}/{path}#{anchor}"})
	for _, want := range []string{
		"1 spec document changed", "Authentication", "`draft` → `accepted`",
		"“Access tokens expire after one hour.", "→ “Access tokens expire after fifteen minutes.",
		"1 editorial edit (typo 1)", "https://example.com/" + rep.Head.Hash + "/spec/auth.md#lockout",
		"https://example.com/" + rep.Base.Hash + "/spec/auth.md#legacy-keys",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestSidecarFacts(t *testing.T) {
	r := gittest.New(t, start, gittest.Step{Msg: "kep", Write: map[string]string{
		"keps/1234-fast/README.md": "# KEP-1234: Fast mode\n\nMake it fast.\n",
		"keps/1234-fast/kep.yaml":  "title: Fast mode\nstage: alpha\nstatus: implementable\n"}})
	r.Checkout("promote").Do(gittest.Step{Msg: "beta", Write: map[string]string{
		"keps/1234-fast/kep.yaml": "title: Fast mode\nstage: beta\nstatus: implementable\n"}})
	rep, err := review.Run(context.Background(), review.Options{Dir: r.Dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Documents) != 1 {
		t.Fatalf("documents = %+v", rep.Documents)
	}
	d := rep.Documents[0]
	if d.Path != "keps/1234-fast/README.md" || d.Title != "KEP-1234: Fast mode" || len(d.Sections) != 0 {
		t.Errorf("the sidecar's document = %s %q, sections %+v", d.Path, d.Title, d.Sections)
	}
	if len(d.Facts) != 1 || d.Facts[0].Field != "stage" || d.Facts[0].Before != "alpha" || d.Facts[0].After != "beta" {
		t.Errorf("facts = %+v, want stage alpha → beta", d.Facts)
	}
}

func TestSpecDiffRanges(t *testing.T) {
	r := featureRepo(t)
	feature := r.Head()
	r.Checkout("main")
	r.Do(gittest.Step{Msg: "billing on main", Write: map[string]string{"spec/billing.md": "# Billing\n\nInvoices are sent every week from now on.\n"}})
	for _, tc := range []struct {
		name, rng string
		docs      []string
	}{
		{"two trees", "main.." + feature, []string{"spec/auth.md", "spec/billing.md"}},
		{"merge base", "main..." + feature, []string{"spec/auth.md"}},
		{"base alone is BASE..HEAD", feature, []string{"spec/auth.md", "spec/billing.md"}},
		{"nothing between", "main..main", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := review.Run(context.Background(), review.Options{Dir: r.Dir, Range: tc.rng})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range rep.Documents {
				got = append(got, d.Path)
			}
			if strings.Join(got, ",") != strings.Join(tc.docs, ",") {
				t.Errorf("documents = %v, want %v", got, tc.docs)
			}
		})
	}
}

func TestDefaultRangeInAClone(t *testing.T) {
	src := featureRepo(t).Checkout("main")
	c := gittest.Clone(t, src.Dir)
	c.Checkout("work").Do(gittest.Step{Msg: "billing weekly", Write: map[string]string{"spec/billing.md": "# Billing\n\nInvoices are sent every week.\n"}})
	rep, err := review.Run(context.Background(), review.Options{Dir: c.Dir}) // origin/HEAD is main
	if err != nil {
		t.Fatal(err)
	}
	if rep.Commits != 1 || len(rep.Documents) != 1 || rep.Documents[0].Path != "spec/billing.md" {
		t.Errorf("review of work against origin/main: %d commits, %+v", rep.Commits, rep.Documents)
	}
	rep, err = review.Run(context.Background(), review.Options{Dir: c.Dir, Branch: "origin/feature"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Documents) != 1 || rep.Documents[0].Path != "spec/billing.md" || rep.Commits != 1 {
		t.Errorf("--branch origin/feature: %d commits, %+v", rep.Commits, rep.Documents)
	}
}

func TestRunErrors(t *testing.T) {
	r := featureRepo(t)
	for _, tc := range []struct {
		name string
		opt  review.Options
	}{
		{"not a repository", review.Options{Dir: t.TempDir()}},
		{"unknown revision", review.Options{Dir: r.Dir, Range: "nosuch..HEAD"}},
		{"bad glob", review.Options{Dir: r.Dir, Include: []string{"[a"}}},
		{"no tracked branch", review.Options{Dir: gittest.New(t, start, gittest.Step{Msg: "x"}).Checkout("solo").Dir, Branch: "gone"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := review.Run(context.Background(), tc.opt)
			if livespec.ErrorCode(err) != livespec.EINVALID {
				t.Fatalf("error %v (kind %q), want invalid", err, livespec.ErrorCode(err))
			}
		})
	}
}
