package retrieval

import (
	"context"
	"path"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/livespec/livespec"
)

// IsPathGlob reports whether a watch target names paths rather than a
// topic or document: it has a slash, a glob character, or a file
// extension and no spaces.
func IsPathGlob(target string) bool {
	t := strings.TrimSpace(target)
	if t == "" || strings.ContainsAny(t, " \t") {
		return false
	}
	return strings.ContainsAny(t, "/*?[{") || path.Ext(t) != ""
}

// MatchChanges keeps the change events of cs that a watch on target
// concerns, with the same matching as a changes question about it: a
// path glob matches the new or old path (a glob without a slash matches
// the file name in any directory); a document (by title, number or file
// name) keeps every event of its file; a topic keeps the events of the
// sections mentioning it and the file-level events of their commits. A
// target made only of corpus-common words matches nothing.
func (a *Assistant) MatchChanges(ctx context.Context, target string, repos []string, cs []livespec.Change) ([]livespec.Change, error) {
	target = strings.TrimSpace(target)
	if len(cs) == 0 || target == "" {
		return nil, nil
	}
	if IsPathGlob(target) {
		return matchGlob(target, cs), nil
	}
	generic, err := a.commonTopic(ctx, target)
	if err != nil || generic || !usefulTopic(target) {
		return nil, err
	}
	m, err := a.matchTopic(ctx, target, repos)
	if err != nil || m == nil {
		return nil, err
	}
	if err := a.matchInChanges(ctx, m, cs); err != nil {
		return nil, err
	}
	return narrow(cs, m), nil
}

func matchGlob(glob string, cs []livespec.Change) []livespec.Change {
	if !strings.Contains(glob, "/") {
		glob = "**/" + glob
	}
	var out []livespec.Change
	for _, c := range cs {
		if ok, _ := doublestar.Match(glob, c.Path); ok {
			out = append(out, c)
		} else if ok, _ := doublestar.Match(glob, c.OldPath); ok && c.OldPath != "" {
			out = append(out, c)
		}
	}
	return out
}
