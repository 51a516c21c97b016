package push

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/livespec/livespec"
)

// maxStatusDocs is how many documents a rendered digest lists under its
// status changes; the others are counted (--json lists every one).
const maxStatusDocs = 15

// StatusText sums up a digest's status changes in words, per field when
// several changed: "3 documents changed status: 2 now stable, 1 now
// withdrawn.", "3 documents changed status — stage: 1 now stable; status:
// 2 now implemented." ("" when none did).
func StatusText(d *livespec.Digest) string {
	if len(d.Status) == 0 {
		return ""
	}
	docs := map[[2]string]bool{}
	var fields []string
	values := map[string][]string{}
	count := map[[2]string]int{}
	for _, s := range d.Status {
		docs[[2]string{s.Repo, s.Path}] = true
		v := cmp.Or(s.Value, "no "+s.Field)
		if _, ok := values[s.Field]; !ok {
			fields = append(fields, s.Field)
		}
		if count[[2]string{s.Field, v}] == 0 {
			values[s.Field] = append(values[s.Field], v)
		}
		count[[2]string{s.Field, v}]++
	}
	perField := make([]string, len(fields))
	for i, f := range fields {
		vs := values[f]
		slices.SortFunc(vs, func(x, y string) int {
			return cmp.Or(cmp.Compare(count[[2]string{f, y}], count[[2]string{f, x}]), cmp.Compare(x, y))
		})
		parts := make([]string, len(vs))
		for j, v := range vs {
			parts[j] = fmt.Sprintf("%d now %s", count[[2]string{f, v}], v)
		}
		perField[i] = strings.Join(parts, ", ")
		if len(fields) > 1 {
			perField[i] = f + ": " + perField[i]
		}
	}
	sep := ": "
	if len(fields) > 1 {
		sep = " — "
	}
	return fmt.Sprintf("%s changed status%s%s.", livespec.Plural(len(docs), "document"), sep, strings.Join(perField, "; "))
}

// statusDoc is one document's status changes in a digest: its lifecycle
// fields told on one line.
type statusDoc struct {
	Title, URL, Path string
	fields           []livespec.DigestStatus
}

// moved reports whether a field of the document went from one value to
// another (rather than being set for the first time, or removed).
func (sd statusDoc) moved() bool {
	return slices.ContainsFunc(sd.fields, func(s livespec.DigestStatus) bool { return s.Previous != "" && s.Value != "" })
}

// statusDocs groups a digest's status changes by document: documents
// whose value moved from an earlier one first, furthest along first (see
// lifecycleDepth), then those whose fields were set for the first time or
// removed; the digest's order otherwise.
func statusDocs(d *livespec.Digest) []statusDoc {
	var out []statusDoc
	at := map[[2]string]int{}
	for _, s := range d.Status {
		k := [2]string{s.Repo, s.Path}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, statusDoc{Title: s.Title, URL: s.URL, Path: s.Path})
		}
		out[i].fields = append(out[i].fields, s)
	}
	depth := lifecycleDepth(d.Status)
	rank := func(sd statusDoc) int {
		if !sd.moved() {
			return 1 << 20
		}
		r := 0
		for _, s := range sd.fields {
			r = max(r, depth[[2]string{s.Field, s.Value}])
		}
		return -r
	}
	slices.SortStableFunc(out, func(x, y statusDoc) int { return cmp.Compare(rank(x), rank(y)) })
	return out
}

// lifecycleDepth orders each field's values as the digest's own moves
// order them: a value first set has depth 0, and a value moved to from
// another is one deeper than the deepest it was moved from (beta after
// alpha, stable after beta), so the documents furthest along come first
// with no list of values built in. Cycles stop at the number of values.
func lifecycleDepth(ss []livespec.DigestStatus) map[[2]string]int {
	depth := map[[2]string]int{}
	for range ss {
		changed := false
		for _, s := range ss {
			if s.Value == "" || s.Previous == "" {
				continue
			}
			to, from := [2]string{s.Field, s.Value}, [2]string{s.Field, s.Previous}
			if d := depth[from] + 1; d > depth[to] && d <= len(ss) {
				depth[to], changed = d, true
			}
		}
		if !changed {
			break
		}
	}
	return depth
}

// what tells the document's fields: "stage **stable** (was beta, 2025-04-10,
// 1a2b3c4)", or, when several changed in one commit, "stage **stable** (was
// beta), status **implemented** (was implementable) — 2025-04-10, 1a2b3c4".
// bold marks a value; esc escapes the other text (nil: none).
func (sd statusDoc) what(bold func(string) string, esc func(string) string) string {
	if esc == nil {
		esc = func(s string) string { return s }
	}
	when := func(s livespec.DigestStatus) string {
		return s.Date.UTC().Format(time.DateOnly) + ", " + livespec.ShortCommit(s.Commit)
	}
	shared := len(sd.fields) > 1
	for _, s := range sd.fields {
		shared = shared && s.Commit == sd.fields[0].Commit
	}
	parts := make([]string, len(sd.fields))
	for i, s := range sd.fields {
		was := "new"
		switch {
		case s.Value == "":
			was = "removed, was " + s.Previous
		case s.Previous != "":
			was = "was " + s.Previous
		}
		if !shared {
			was += ", " + when(s)
		}
		value := ""
		if s.Value != "" {
			value = " " + bold(s.Value)
		}
		parts[i] = esc(s.Field) + value + " (" + esc(was) + ")"
	}
	line := strings.Join(parts, ", ")
	if shared {
		line += " — " + esc(when(sd.fields[0]))
	}
	return line
}

// statusRest counts the documents a rendered digest does not list: "and 64
// more documents: 40 given a first value, 24 moved."
func statusRest(rest []statusDoc) string {
	moved := 0
	for _, sd := range rest {
		if sd.moved() {
			moved++
		}
	}
	var parts []string
	if moved > 0 {
		parts = append(parts, fmt.Sprintf("%d with a changed value", moved))
	}
	if n := len(rest) - moved; n > 0 {
		parts = append(parts, fmt.Sprintf("%d with a first value", n))
	}
	return fmt.Sprintf("and %d more %s: %s.", len(rest), livespec.PluralWord(len(rest), "document"), strings.Join(parts, ", "))
}
