package e2e_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/retrieval"
)

func TestParseStatusWords(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		lifecycle []string // fields that must hold a lifecycle
		not       []string // fields that must not
		synonym   string   // a word and
		values    []string // the values it must stand for
		absent    string   // a default word the file must have dropped
	}{
		{
			name:      "empty file: the defaults",
			file:      "",
			lifecycle: []string{"status", "stage", "release status"},
			not:       []string{"readiness", "owner"},
			synonym:   "ga", values: retrieval.DefaultSynonyms["ga"],
		},
		{
			name:      "added to the defaults",
			file:      "fields: [Readiness, \"**Rollout-Phase**\"]\nsynonyms:\n  GA: [production, generally available]\n  Went  Live: [production]\n",
			lifecycle: []string{"status", "readiness", "rollout phase", "service readiness"},
			not:       []string{"owner"},
			synonym:   "went live", values: []string{"production"},
		},
		{
			name:      "a file's entry replaces the default one",
			file:      "synonyms:\n  ga: [production]\n",
			lifecycle: []string{"status"},
			synonym:   "ga", values: []string{"production"},
		},
		{
			name:      "without the defaults",
			file:      "defaults: false\nfields: [readiness]\nsynonyms:\n  live: [production, ' production ']\n",
			lifecycle: []string{"readiness"},
			not:       []string{"status", "stage"},
			synonym:   "live", values: []string{"production"},
			absent: "ga",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := retrieval.ParseStatusWords(strings.NewReader(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range tt.lifecycle {
				if !w.Lifecycle(f) {
					t.Errorf("%q is no lifecycle field; want one", f)
				}
			}
			for _, f := range tt.not {
				if w.Lifecycle(f) {
					t.Errorf("%q is a lifecycle field; want none", f)
				}
			}
			if got := w.Synonyms[tt.synonym]; !slices.Equal(got, tt.values) {
				t.Errorf("synonyms of %q = %q, want %q", tt.synonym, got, tt.values)
			}
			if _, ok := w.Synonyms[tt.absent]; tt.absent != "" && ok {
				t.Errorf("%q kept without the defaults", tt.absent)
			}
		})
	}
}

func TestParseStatusWordsErrors(t *testing.T) {
	tests := []struct{ name, file, msg string }{
		{"unknown key", "fields: [a]\nsynonym:\n  ga: [b]\n", `line 2: unknown key "synonym"`},
		{"fields not a list", "fields: status\n", "line 1: cannot unmarshal !!str `status` where another kind of value is expected"},
		{"synonym without values", "synonyms:\n  ga: []\n", `synonym "ga" lists no values`},
		{"synonym of punctuation", "synonyms:\n  '--': [x]\n", `synonym "--" has no letters or digits`},
		{"field of punctuation", "fields: ['**']\n", `field "**" has no letters or digits`},
		{"no fields at all", "defaults: false\nsynonyms:\n  a: [b]\n", "no lifecycle fields (list fields, or keep the defaults)"},
		{"broken YAML", "fields: [a\n", "line 1: did not find expected ',' or ']'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := retrieval.ParseStatusWords(strings.NewReader(tt.file))
			if livespec.ErrorCode(err) != livespec.EINVALID || livespec.ErrorMessage(err) != tt.msg {
				t.Errorf("error %v (%s), want EINVALID %q", err, livespec.ErrorCode(err), tt.msg)
			}
		})
	}
}

// TestStatusWordsConfigured: a repository whose lifecycle field and values
// the defaults do not know ("Readiness: Production") answers status
// questions once a status words file names them, and not before.
func TestStatusWordsConfigured(t *testing.T) {
	svc := func(title, readiness string) string {
		return "# " + title + "\n\n- Owner: platform team\n- Readiness: " + readiness + "\n\nThe " + strings.ToLower(title) + " service.\n"
	}
	r := gittest.New(t, day("2025-01-06T10:00:00Z"))
	r.Do(
		gittest.Step{Date: "2025-01-06T10:00:00Z", Msg: "services", Write: map[string]string{
			"services/queue.md": svc("Queue", "Pilot"),
			"services/cache.md": svc("Cache", "Pilot"),
		}},
		gittest.Step{Date: "2025-05-12T10:00:00Z", Msg: "queue live", Write: map[string]string{"services/queue.md": svc("Queue", "Production")}},
	)
	st := openIndex(t, r.Dir, nil)
	now := day("2025-06-20T00:00:00Z")
	const q = "Which services went GA this quarter?"
	if ans := ask(t, &retrieval.Assistant{Store: st}, q, now); ans.Intent == livespec.IntentStatus {
		t.Fatalf("%q is a status question without the words file: %s", q, ans.Answer)
	}
	w, err := retrieval.ParseStatusWords(strings.NewReader("fields: [readiness]\nsynonyms:\n  ga: [production]\n"))
	if err != nil {
		t.Fatal(err)
	}
	a := &retrieval.Assistant{Store: st, StatusWords: &w}
	checkStatus(t, a, q, now, "services/queue.md readiness=Production since 2025-05-12 prev=Pilot")
	checkStatus(t, a, "Which services are still pilot?", now, "services/cache.md readiness=Pilot since 2025-01-06 prev=")
	// The digest reads the same fields.
	d, err := a.Digest(context.Background(), livespec.DigestQuery{Window: livespec.Window{From: day("2025-04-01T00:00:00Z"), To: day("2025-07-01T00:00:00Z")}})
	if err != nil {
		t.Fatal(err)
	}
	if got := statusLines(d); !slices.Equal(got, []string{"services/queue.md Queue readiness: Pilot → Production 2025-05-12"}) {
		t.Errorf("digest status = %q", got)
	}
}

// statusLines renders a digest's status changes for comparison.
func statusLines(d *livespec.Digest) []string {
	var out []string
	for _, s := range d.Status {
		out = append(out, fmt.Sprintf("%s %s %s: %s → %s %s", s.Path, s.Title, s.Field, s.Previous, s.Value, s.Date.UTC().Format("2006-01-02")))
	}
	return out
}
