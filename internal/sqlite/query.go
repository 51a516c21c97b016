package sqlite

import (
	"encoding/json"
	"math"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/livespec/livespec"
)

// where builds a conjunction of SQL conditions with their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// in adds "col IN (values)" with the values as one JSON parameter, so any
// number of values fits. Nothing is added for no values.
func (w *where) in(col string, values []string) {
	if len(values) == 0 {
		return
	}
	if len(values) == 1 {
		w.add(col+" = ?", values[0])
		return
	}
	b, _ := json.Marshal(values)
	w.add(col+" IN (SELECT value FROM json_each(?))", string(b))
}

// validity adds the conditions of f on the table alias t.
func (w *where) validity(t string, f livespec.Validity) error {
	switch f.Mode {
	case livespec.ValidCurrent, "":
		w.add(t + ".end_commit = ''")
	case livespec.ValidAsOf:
		if f.At.IsZero() {
			return livespec.Errorf(livespec.EINVALID, "an as-of filter needs a time")
		}
		at := clampNanos(f.At)
		w.add(t+".valid_from <= ? AND ("+t+".end_commit = '' OR "+t+".valid_to > ?)", at, at)
	case livespec.ValidAny:
	default:
		return livespec.Errorf(livespec.EINVALID, "unknown validity mode %q", f.Mode)
	}
	return nil
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// pathFilter matches paths against doublestar globs. Literal patterns are
// pushed into SQL; the rest are matched in Go.
type pathFilter struct {
	globs []string
}

// newPathFilter validates globs and adds what SQL can check to w (on the
// columns cols, any of which may match).
func newPathFilter(globs []string, w *where, cols ...string) (*pathFilter, error) {
	if len(globs) == 0 {
		return nil, nil
	}
	literal := true
	for _, g := range globs {
		if !doublestar.ValidatePattern(g) {
			return nil, livespec.Errorf(livespec.EINVALID, "bad path pattern %q", g)
		}
		if strings.ContainsAny(g, `*?[{\`) {
			literal = false
		}
	}
	if literal {
		b, _ := json.Marshal(globs)
		var or []string
		for i, c := range cols {
			cond := c + " IN (SELECT value FROM json_each(?))"
			if i > 0 {
				// The other columns (a change's old path) are mostly
				// empty: an index on them may leave the empty ones out.
				cond = "(" + c + " <> '' AND " + cond + ")"
			}
			or = append(or, cond)
			w.args = append(w.args, string(b))
		}
		w.conds = append(w.conds, "("+strings.Join(or, " OR ")+")")
		return nil, nil
	}
	// Every path a glob matches starts with the glob's literal prefix,
	// less a final slash ("a/**" matches "a"): SQL drops the rest.
	var or []string
	var args []any
	for _, g := range globs {
		i := strings.IndexAny(g, `*?[{\`)
		if i < 0 {
			i = len(g) // a literal path is its own prefix
		}
		prefix := strings.TrimSuffix(g[:i], "/")
		if prefix == "" {
			return &pathFilter{globs: globs}, nil
		}
		for _, c := range cols {
			or = append(or, "substr(CAST("+c+" AS BLOB), 1, ?) = CAST(? AS BLOB)")
			args = append(args, len(prefix), prefix)
		}
	}
	w.add("("+strings.Join(or, " OR ")+")", args...)
	return &pathFilter{globs: globs}, nil
}

// match reports whether any of paths matches a glob; a nil filter matches all.
func (f *pathFilter) match(paths ...string) bool {
	if f == nil {
		return true
	}
	for _, p := range paths {
		if p == "" {
			continue
		}
		for _, g := range f.globs {
			if ok, _ := doublestar.Match(g, p); ok {
				return true
			}
		}
	}
	return false
}

func checkLimit(n int) error {
	if n < 0 {
		return livespec.Errorf(livespec.EINVALID, "negative limit %d", n)
	}
	return nil
}

// clampNanos returns t as unix nanoseconds, clamped to what int64 holds, for
// comparisons with stored times.
func clampNanos(t time.Time) int64 {
	switch y := t.Year(); {
	case y < 1678:
		return math.MinInt64
	case y > 2261:
		return math.MaxInt64
	}
	return t.UnixNano()
}
