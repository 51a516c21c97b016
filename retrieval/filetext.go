package retrieval

import (
	"context"
	"strings"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/edit"
)

// FileVersions returns the versions of the spec file at exactly path (in
// repos; empty: every repository) that pass v, ordered by repo and
// ValidFrom.
func FileVersions(ctx context.Context, st livespec.Store, repos []string, path string, v livespec.Validity) ([]livespec.FileVersion, error) {
	files, err := st.Files(ctx, livespec.FileQuery{Repos: repos, Paths: []string{livespec.LiteralGlob(path)}, Validity: v})
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
// them). JoinSections rebuilds the file's text from them.
func FileSections(ctx context.Context, st livespec.Store, fv *livespec.FileVersion, v livespec.Validity) ([]livespec.Version, []livespec.SectionRef, error) {
	vs, err := st.Versions(ctx, livespec.VersionQuery{Repos: []string{fv.Repo}, Paths: []string{livespec.LiteralGlob(fv.Path)}, Validity: v})
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
		i, ok := byRef[livespec.SectionRef{Heading: ref.Heading, Part: ref.Part}]
		if !ok {
			missing = append(missing, ref)
			continue
		}
		out = append(out, vs[i])
	}
	return out, missing, nil
}

// JoinSections rebuilds the text of file version fv from its sections
// (FileSections' result): sections joined by blank lines, and each later
// part of a long section joined to the part before it by what separated
// them in the file (the outline's PartJoin), without the heading lines
// the part repeats.
func JoinSections(fv *livespec.FileVersion, secs []livespec.Version) string {
	joins := make(map[livespec.SectionRef]livespec.PartJoin, len(fv.Outline))
	for _, r := range fv.Outline {
		if r.Part > 0 {
			joins[livespec.SectionRef{Heading: r.Heading, Part: r.Part}] = r.Join
		}
	}
	var b strings.Builder
	head := "" // the heading lines of the section whose parts are being joined
	for i, v := range secs {
		text := v.Text
		switch {
		case i > 0 && v.Part > 0 && secs[i-1].Heading == v.Heading && secs[i-1].Part == v.Part-1:
			text = strings.TrimPrefix(text, head)
			b.WriteString(joins[livespec.SectionRef{Heading: v.Heading, Part: v.Part}].Sep())
		case i > 0:
			b.WriteString("\n\n")
		}
		if v.Part == 0 {
			head = partHead(v)
		}
		b.WriteString(text)
	}
	return b.String()
}

// partHead returns the prefix every later part of v's section repeats:
// its heading lines and the blank line after them ("" for the text
// before the first heading, whose parts repeat nothing).
func partHead(v livespec.Version) string {
	if v.Heading == "" || v.Level == 0 {
		return ""
	}
	if i := strings.Index(v.Text, "\n\n"); i >= 0 {
		return v.Text[:i+2]
	}
	return v.Text
}

// EditKind says whether changing a section's text from before to after
// was editorial, and how (livespec.EditWhitespace, EditHeading, EditLinks,
// EditTypo), or "" for a change of substance: the classification answers
// use, for the web page's document history.
func EditKind(before, after string) string { return edit.Kind(before, after) }

// editKind and linkFree are the edit package's Kind and LinkFree, as
// retrieval's files name them.
var (
	editKind = edit.Kind
	linkFree = edit.LinkFree
)
