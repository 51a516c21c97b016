package main

import (
	"bytes"
	"os"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/retrieval"
)

// statusWordsFlag defines --status-words, for the commands that answer
// status questions or write digests.
func statusWordsFlag(f *flags) *string {
	return f.string("status-words", "", "status words `file` (YAML): lifecycle field names and synonyms of status values, added to the defaults (spec/facts.md)")
}

// loadStatusWords reads the status words file named by --status-words
// (nil, the defaults, when none is named).
func loadStatusWords(file string) (*retrieval.StatusWords, error) {
	if file == "" {
		return nil, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, livespec.WrapError(livespec.EINVALID, err, "status words file %s cannot be read", file)
	}
	w, err := retrieval.ParseStatusWords(bytes.NewReader(b))
	if err != nil {
		return nil, livespec.WrapError(livespec.EINVALID, err, "status words file %s: %s", file, livespec.ErrorMessage(err))
	}
	return &w, nil
}
