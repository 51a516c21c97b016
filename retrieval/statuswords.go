package retrieval

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/livespec/livespec"
	"gopkg.in/yaml.v3"
)

// DefaultLifecycleFields are the names of the fields that hold a
// document's lifecycle: a field is one when its normalised name is one of
// them or ends with one ("release status").
var DefaultLifecycleFields = []string{"status", "stage", "state", "phase", "maturity", "lifecycle"}

// StatusWords is the vocabulary status questions and digests read
// lifecycle facts with: which fields hold a document's lifecycle, and the
// synonyms of status words. The zero value means the defaults.
type StatusWords struct {
	// Fields are the lifecycle field names (see DefaultLifecycleFields).
	Fields []string
	// Synonyms maps a status word of a question (lower case, words
	// separated by one space) to the values it stands for where the index
	// holds no value with the word itself (see DefaultSynonyms).
	Synonyms map[string][]string
}

// DefaultStatusWords returns the built-in vocabulary.
func DefaultStatusWords() StatusWords {
	syn := make(map[string][]string, len(DefaultSynonyms))
	for k, v := range DefaultSynonyms {
		syn[k] = slices.Clone(v)
	}
	return StatusWords{Fields: slices.Clone(DefaultLifecycleFields), Synonyms: syn}
}

// Lifecycle reports whether the normalised field name holds a lifecycle.
func (w StatusWords) Lifecycle(field string) bool {
	fields := w.Fields
	if fields == nil {
		fields = DefaultLifecycleFields
	}
	for _, f := range fields {
		if field == f || strings.HasSuffix(field, " "+f) {
			return true
		}
	}
	return false
}

func (w StatusWords) synonyms() map[string][]string {
	if w.Synonyms == nil {
		return DefaultSynonyms
	}
	return w.Synonyms
}

// statusWords is the assistant's vocabulary.
func (a *Assistant) statusWords() StatusWords {
	if a.StatusWords == nil {
		return StatusWords{}
	}
	return *a.StatusWords
}

// statusWordsFile is the YAML form of a status words file.
type statusWordsFile struct {
	Defaults *bool               `yaml:"defaults"`
	Fields   []string            `yaml:"fields"`
	Synonyms map[string][]string `yaml:"synonyms"`
}

// ParseStatusWords reads a status words file (YAML):
//
//	fields: [status, readiness]        # lifecycle field names
//	synonyms:
//	  ga: [stable, generally available] # a question's word: the values it stands for
//	  live: [released]
//	defaults: true                      # false: only this file's words
//
// With defaults (the default) the file adds to the built-in vocabulary: its
// fields join the default ones and its synonyms replace the default entry
// of the same word. A malformed file is an EINVALID error saying what is wrong (and on
// which line).
func ParseStatusWords(r io.Reader) (StatusWords, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return StatusWords{}, fmt.Errorf("read status words: %w", err)
	}
	var f statusWordsFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return StatusWords{}, livespec.WrapError(livespec.EINVALID, err, "%s", yamlProblem(err))
	}
	w := StatusWords{Synonyms: map[string][]string{}}
	if f.Defaults == nil || *f.Defaults {
		w = DefaultStatusWords()
	}
	for _, name := range f.Fields {
		n := livespec.NormalizeField(name)
		if n == "" {
			return StatusWords{}, livespec.Errorf(livespec.EINVALID, "field %q has no letters or digits", name)
		}
		if !slices.Contains(w.Fields, n) {
			w.Fields = append(w.Fields, n)
		}
	}
	for _, word := range slices.Sorted(maps.Keys(f.Synonyms)) {
		key := strings.Join(wordRE.FindAllString(strings.ToLower(word), -1), " ")
		if key == "" {
			return StatusWords{}, livespec.Errorf(livespec.EINVALID, "synonym %q has no letters or digits", word)
		}
		var vals []string
		for _, v := range f.Synonyms[word] {
			if v = strings.TrimSpace(v); v != "" && !slices.Contains(vals, v) {
				vals = append(vals, v)
			}
		}
		if len(vals) == 0 {
			return StatusWords{}, livespec.Errorf(livespec.EINVALID, "synonym %q lists no values", word)
		}
		w.Synonyms[key] = vals
	}
	if len(w.Fields) == 0 {
		return StatusWords{}, livespec.Errorf(livespec.EINVALID, "no lifecycle fields (list fields, or keep the defaults)")
	}
	return w, nil
}

// yamlProblem says what is wrong in a YAML file in words without Go type
// names: "line 3: unknown key \"synonym\"".
func yamlProblem(err error) string {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return strings.TrimPrefix(err.Error(), "yaml: ")
	}
	var out []string
	for _, e := range te.Errors {
		if m := unknownKey.FindStringSubmatch(e); m != nil {
			e = m[1] + "unknown key " + strconv.Quote(m[2])
		} else if i := strings.Index(e, " into "); i >= 0 {
			e = e[:i] + " where another kind of value is expected"
		}
		out = append(out, e)
	}
	return strings.Join(out, "; ")
}

var unknownKey = regexp.MustCompile(`^(line \d+: )field (.*) not found in type`)
