package retrieval

import (
	"context"

	"github.com/livespec/livespec"
)

// FileVersions returns the versions of the spec file at exactly path (in
// repos; empty: every repository) that pass v, ordered by repo and
// ValidFrom.
func FileVersions(ctx context.Context, st livespec.Store, repos []string, path string, v livespec.Validity) ([]livespec.FileVersion, error) {
	files, err := st.Files(ctx, livespec.FileQuery{Repos: repos, Paths: []string{escapeGlob(path)}, Validity: v})
	if err != nil {
		return nil, err
	}
	out := files[:0]
	for _, f := range files {
		if f.Path == path {
			out = append(out, f)
		}
	}
	return out, nil
}

// FileSections returns the section versions of file version fv that pass
// v (the validity fv itself was read with), in the order of fv's outline,
// and the outline entries that have none (a damaged index; callers log
// them). Joined by blank lines, their texts are the file's text.
func FileSections(ctx context.Context, st livespec.Store, fv *livespec.FileVersion, v livespec.Validity) ([]livespec.Version, []livespec.SectionRef, error) {
	vs, err := st.Versions(ctx, livespec.VersionQuery{Repos: []string{fv.Repo}, Paths: []string{escapeGlob(fv.Path)}, Validity: v})
	if err != nil {
		return nil, nil, err
	}
	byRef := make(map[livespec.SectionRef]int, len(vs))
	for i, sv := range vs {
		if sv.Path == fv.Path {
			byRef[livespec.SectionRef{Heading: sv.Heading, Part: sv.Part}] = i
		}
	}
	out := make([]livespec.Version, 0, len(fv.Outline))
	var missing []livespec.SectionRef
	for _, ref := range fv.Outline {
		i, ok := byRef[ref]
		if !ok {
			missing = append(missing, ref)
			continue
		}
		out = append(out, vs[i])
	}
	return out, missing, nil
}

// LiteralGlob quotes the glob metacharacters of a path, so a Paths filter
// matches exactly that path.
func LiteralGlob(path string) string { return escapeGlob(path) }

// EditKind says whether changing a section's text from before to after
// was editorial, and how (livespec.EditWhitespace, EditHeading, EditLinks,
// EditTypo), or "" for a change of substance: the classification answers
// use, for the web page's document history.
func EditKind(before, after string) string { return editKind(before, after) }
