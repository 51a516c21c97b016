package ingest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/livespec/livespec"
)

// Settings are the options that decide which files an ingest reads and how:
// the checkpoint records them (after its Fingerprint in Checkpoint.Config),
// so that a later command that names none of them (`ask --repo`, `serve`)
// reuses those of the last ingest instead of its own defaults.
type Settings struct {
	Include      []string      `json:"include"`
	Exclude      []string      `json:"exclude"`
	Sidecars     []SidecarPair `json:"sidecars"`
	MaxFileBytes int64         `json:"max_file_bytes"`
}

// settingsOf returns the settings of opt (after its defaults).
func settingsOf(opt Options) Settings {
	opt = opt.withDefaults()
	return Settings{Include: slices.Clone(opt.Include), Exclude: slices.Clone(opt.Exclude),
		Sidecars: slices.Clone(opt.Sidecars), MaxFileBytes: opt.MaxFileBytes}
}

// Apply sets opt's include and exclude globs, sidecar pairs and file size
// limit to s.
func (s Settings) Apply(opt *Options) {
	opt.Include, opt.Exclude = slices.Clone(s.Include), slices.Clone(s.Exclude)
	opt.Sidecars, opt.MaxFileBytes = slices.Clone(s.Sidecars), s.MaxFileBytes
	if opt.Sidecars == nil {
		opt.Sidecars = []SidecarPair{} // none, not the defaults
	}
}

// configOf is the Checkpoint.Config an ingest with opt writes: the
// fingerprint (with shallowMark for a shallow history) on the first line,
// the settings as JSON on the second.
func configOf(fp string, shallow bool, opt Options) string {
	if shallow {
		fp += shallowMark
	}
	js, err := json.Marshal(settingsOf(opt))
	if err != nil {
		return fp
	}
	return fp + "\n" + string(js)
}

// splitConfig returns the fingerprint line of a Checkpoint.Config (without
// shallowMark), whether it carries shallowMark, and the settings line ("" in
// a checkpoint written before settings were recorded).
func splitConfig(config string) (fp string, shallow bool, settings string) {
	fp, settings, _ = strings.Cut(config, "\n")
	fp, shallow = strings.CutSuffix(fp, shallowMark)
	return fp, shallow, settings
}

// StoredSettings returns the settings the last ingest of cp's repository
// recorded; ok is false for a checkpoint written before livespec recorded
// them.
func StoredSettings(cp livespec.Checkpoint) (s Settings, ok bool) {
	_, _, line := splitConfig(cp.Config)
	if line == "" || json.Unmarshal([]byte(line), &s) != nil {
		return Settings{}, false
	}
	return s, true
}

// Diff describes how t differs from s, for the warning of a rebuild:
// "include **/*.md → docs/**; exclude (none) → **/vendor/**".
func (s Settings) Diff(t Settings) string {
	var parts []string
	list := func(name string, a, b []string) {
		if !slices.Equal(a, b) {
			parts = append(parts, fmt.Sprintf("%s %s → %s", name, globList(a), globList(b)))
		}
	}
	list("include", s.Include, t.Include)
	list("exclude", s.Exclude, t.Exclude)
	pairs := func(ps []SidecarPair) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = p.Sidecar + "=" + p.Document
		}
		return out
	}
	list("sidecars", pairs(s.Sidecars), pairs(t.Sidecars))
	if s.MaxFileBytes != t.MaxFileBytes {
		parts = append(parts, fmt.Sprintf("max file size %d → %d bytes", s.MaxFileBytes, t.MaxFileBytes))
	}
	return strings.Join(parts, "; ")
}

func globList(gs []string) string {
	if len(gs) == 0 {
		return "(none)"
	}
	return strings.Join(gs, ",")
}
