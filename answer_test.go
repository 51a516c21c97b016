package livespec_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
)

// refCitation and refChange encode as the contract says, by reflection:
// the fields in order, the nullable strings last as null when empty.
type refCitation struct {
	N         int           `json:"n"`
	Repo      string        `json:"repo"`
	Path      string        `json:"path"`
	Heading   string        `json:"heading"`
	Commit    string        `json:"commit"`
	Date      livespec.Time `json:"date"`
	ValidFrom livespec.Time `json:"valid_from"`
	ValidTo   livespec.Time `json:"valid_to"`
	Current   bool          `json:"current"`
	Excerpt   string        `json:"excerpt"`
	VersionID string        `json:"version_id,omitempty"`
	URL       *string       `json:"url"`
}

type refChange struct {
	Repo      string              `json:"repo,omitempty"`
	Commit    string              `json:"commit"`
	Date      livespec.Time       `json:"date"`
	Author    string              `json:"author"`
	Message   string              `json:"message,omitempty"`
	Path      string              `json:"path"`
	Level     string              `json:"level"`
	Kind      livespec.ChangeKind `json:"kind"`
	Summary   string              `json:"summary"`
	OldPath   *string             `json:"old_path"`
	Heading   *string             `json:"heading"`
	Editorial *string             `json:"editorial"`
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func TestContractJSONEncodesAsTheContractSays(t *testing.T) {
	at := livespec.Time{Time: time.Date(2025, 3, 1, 12, 30, 0, 0, time.FixedZone("X", 3600))}
	texts := []struct{ name, s string }{
		{"plain", "Design Details > Test Plan"},
		{"empty", ""},
		{"quotes and backslashes", `a "quoted" \ path`},
		{"HTML characters", "<b> & </b>"},
		{"non-ASCII", "Ann Ö … naïve › ok"},
		{"control characters", "line\nbreak\ttab\x01\x7f"},
		{"line separators", "a\u2028b\u2029c"},
		{"invalid UTF-8", "bad \xff byte"},
	}
	for _, tt := range texts {
		t.Run(tt.name, func(t *testing.T) {
			c := livespec.Citation{N: 3, Repo: "r" + tt.s, Path: tt.s, Heading: tt.s, Commit: "abc", Date: at, ValidFrom: at,
				Current: tt.s == "", URL: tt.s, Excerpt: tt.s, VersionID: tt.s, Text: "not encoded"}
			want := refCitation{c.N, c.Repo, c.Path, c.Heading, c.Commit, c.Date, c.ValidFrom, c.ValidTo, c.Current, c.Excerpt,
				c.VersionID, orNull(c.URL)}
			sameJSON(t, c, want)
			ch := livespec.AnswerChange{Repo: tt.s, Commit: "abc", Date: at, Author: tt.s, Message: tt.s, Path: "p/" + tt.s,
				OldPath: tt.s, Heading: tt.s, Level: livespec.LevelSection, Kind: "modified", Summary: tt.s, Editorial: tt.s}
			sameJSON(t, ch, refChange{ch.Repo, ch.Commit, ch.Date, ch.Author, ch.Message, ch.Path, ch.Level, ch.Kind, ch.Summary,
				orNull(ch.OldPath), orNull(ch.Heading), orNull(ch.Editorial)})
		})
	}
	t.Run("window", func(t *testing.T) {
		w := livespec.Window{From: at.Time}
		sameJSON(t, w, struct {
			From livespec.Time `json:"from"`
			To   livespec.Time `json:"to"`
		}{at, livespec.Time{}})
	})
}

// sameJSON checks that v encodes as want does within a list, HTML
// characters escaped (as they always are within these objects: an
// encoder keeps what a MarshalJSON wrote).
func sameJSON(t *testing.T, v, want any) {
	t.Helper()
	got, err := json.Marshal([]any{v})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := json.Marshal([]any{want})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, ref) {
		t.Errorf("\n got %s\nwant %s", got, ref)
	}
}

func TestCitationEncodesInOneAllocation(t *testing.T) {
	at := livespec.Time{Time: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)}
	c := livespec.Citation{N: 1, Repo: "repo", Path: "keps/README.md", Heading: "Summary", Commit: "0123456789abcdef",
		Date: at, ValidFrom: at, Current: true, Excerpt: "The excerpt of the section.", VersionID: "v1"}
	if n := testing.AllocsPerRun(100, func() { _, _ = c.MarshalJSON() }); n > 1 {
		t.Errorf("Citation.MarshalJSON: %.0f allocations, want 1", n)
	}
}

// TestEncodersKeepEveryField sets every field of the types that encode
// their JSON by hand and checks that each field with a JSON key has that
// key in what they write, so that a field added later is not left out
// of the encoder.
func TestEncodersKeepEveryField(t *testing.T) {
	tests := []struct {
		name string
		v    any // a pointer to a zero value
	}{
		{"Citation", &livespec.Citation{}},
		{"AnswerChange", &livespec.AnswerChange{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := reflect.ValueOf(tt.v).Elem()
			fillEvery(t, v, "")
			b, err := json.Marshal(v.Interface())
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			for i := range v.NumField() {
				f := v.Type().Field(i)
				key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				if key == "-" || !f.IsExported() {
					continue
				}
				if key == "" {
					key = f.Name
				}
				if got[key] == nil {
					t.Errorf("field %s: no %q (or null) in %s", f.Name, key, b)
				}
			}
		})
	}
}

// TestAnswerAppendJSONWritesWhatEncodingJSONWrites fills every field of
// an answer (a field added later is filled too) with texts that need
// escaping and checks that AppendJSON writes the bytes encoding/json
// writes by reflection, with and without HTML escaping, and for the
// answers of every shape: empty lists, nil lists and pointers.
func TestAnswerAppendJSONWritesWhatEncodingJSONWrites(t *testing.T) {
	texts := []string{"plain", "", `a "quoted" \ path`, "<b> & </b>", "Ann Ö … naïve › ok",
		"line\nbreak\r\ttab\x01\x7f\b\f", "a\u2028b\u2029c", "bad \xff byte \xe2\x80"}
	for _, s := range texts {
		full := &livespec.Answer{}
		fillEvery(t, reflect.ValueOf(full).Elem(), s)
		answers := map[string]*livespec.Answer{
			"every field":      full,
			"zero":             {},
			"empty lists":      {Subjects: []livespec.Subject{{Paths: []string{}}}, Citations: []livespec.Citation{}, Changes: []livespec.AnswerChange{}, Facts: []livespec.AnswerFact{}},
			"open window":      {Window: &livespec.Window{}, Totals: &livespec.ChangeTotals{}, Answer: s},
			"file-level event": {Changes: []livespec.AnswerChange{{Commit: "c", Path: s, Level: livespec.LevelFile}}},
		}
		for name, a := range answers {
			t.Run(name+"/"+strings.ToValidUTF8(s, "?"), func(t *testing.T) {
				for _, escapeHTML := range []bool{true, false} {
					var want bytes.Buffer
					enc := json.NewEncoder(&want)
					enc.SetEscapeHTML(escapeHTML)
					if err := enc.Encode(a); err != nil {
						t.Fatal(err)
					}
					got := append(a.AppendJSON([]byte("prefix"), escapeHTML), '\n')
					if !bytes.Equal(got[len("prefix"):], want.Bytes()) {
						t.Errorf("escapeHTML %v:\n got %s\nwant %s", escapeHTML, got[len("prefix"):], want.Bytes())
					}
				}
			})
		}
	}
}

// fillEvery sets every exported field of v, recursively, to a value
// that is not zero: strings to s (or s and a suffix), lists to two
// elements, pointers to a filled value, times to a date.
func fillEvery(t *testing.T, v reflect.Value, s string) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		v.SetString(s + "x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int:
		v.SetInt(7)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillEvery(t, v.Elem(), s)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fillEvery(t, v.Index(i), s+strings.Repeat("y", i))
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2025, 3, 1, 12, 30, 0, 0, time.FixedZone("X", 3600))))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillEvery(t, v.Field(i), s)
			}
		}
	default:
		t.Fatalf("%s: set no value of kind %s", v.Type(), v.Kind())
	}
}

func TestAnswerAppendJSONAllocatesNothingInAFullBuffer(t *testing.T) {
	a := &livespec.Answer{}
	fillEvery(t, reflect.ValueOf(a).Elem(), "text <b>\n")
	buf := make([]byte, 0, 64<<10)
	if n := testing.AllocsPerRun(100, func() { _ = a.AppendJSON(buf, false) }); n != 0 {
		t.Errorf("AppendJSON: %.0f allocations, want 0", n)
	}
}
