package ingest

import (
	"cmp"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"

	"github.com/livespec/livespec"
)

// SimilarityThreshold is the Jaccard similarity of word-bigram sets (heading
// lines excluded) from which DiffSections pairs an unmatched old section with
// an unmatched new one as renamed and edited.
const SimilarityThreshold = 0.5

// minMatchWords is the fewest words a body needs to pair two sections by
// their bodies alone (same body, or similar bodies): short bodies such as
// "TBD" or "N/A" recur under unrelated headings.
const minMatchWords = 4

// similarityMaxPosting caps the posting lists of the similarity index: a
// shingle shared by more leftover sections than this is too common to point
// at a candidate (the exact similarity of each candidate still counts it).
const similarityMaxPosting = 64

// similarityMaxCandidates is how many candidates, by shared shingles, each
// new section is scored against.
const similarityMaxCandidates = 8

// SectionDiff is one entry of DiffSections: a matched pair (Old and New set),
// an addition (Old nil) or a removal (New nil). Kind is "" for a matched pair
// whose text is unchanged.
type SectionDiff struct {
	Kind     livespec.ChangeKind
	Old, New *livespec.Section
	// Summary is a short human summary: "+2 −1 lines", "heading renamed
	// from \"Auth\"", "moved from \"Proposal\" to \"Design\"; +1 −1
	// lines"; "" for an unchanged pair.
	Summary string
}

// DiffSections matches the sections of two versions of a file (old nil for
// a new file, new nil for a deleted one) and returns one entry per section of
// either side: in the new file's order, then the removals in the old file's
// order. Sections are matched, in order of preference, by
//
//  1. the same heading path and part: unchanged ("") or Modified (a
//     repeated heading whose " (n)" suffix shifted, with its text unchanged,
//     is paired first: Renamed);
//  2. among the unmatched, the same text (the section moved under another
//     parent) or the same body under a renamed heading: Renamed;
//  3. among the rest, a body similarity of at least SimilarityThreshold,
//     best pairs first, a same-level pair preferred: Renamed, and the
//     summary counts the edit (bodies of fewer than 4 words, such as
//     "TBD", pair nothing in steps 2 and 3);
//
// and the rest are Added or Removed. Ties go to document order, so the
// result is deterministic. Only leftovers of steps 1 and 2 are compared for
// similarity, through an inverted index, so large files stay fast.
func DiffSections(old, new []livespec.Section) []SectionDiff {
	oldTo := make([]int, len(old)) // index in new, or -1
	newTo := make([]int, len(new)) // index in old, or -1
	for i := range oldTo {
		oldTo[i] = -1
	}
	for j := range newTo {
		newTo[j] = -1
	}
	match := func(i, j int) { oldTo[i], newTo[j] = j, i }

	// matchExact pairs unmatched sections with the same non-empty keyOf,
	// in document order.
	matchExact := func(keyOf func(*livespec.Section) string) {
		pending := map[string][]int{}
		for i := range old {
			if oldTo[i] < 0 {
				if k := keyOf(&old[i]); k != "" {
					pending[k] = append(pending[k], i)
				}
			}
		}
		if len(pending) == 0 {
			return
		}
		for j := range new {
			if newTo[j] >= 0 {
				continue
			}
			k := keyOf(&new[j])
			if q := pending[k]; k != "" && len(q) > 0 {
				match(q[0], j)
				pending[k] = q[1:]
			}
		}
	}

	// 1. Same key, same text first.
	type key struct {
		heading string
		part    int
	}
	byKey := make(map[key]int, len(old))
	for i := len(old) - 1; i >= 0; i-- {
		byKey[key{old[i].Heading, old[i].Part}] = i
	}
	sameKey := func(sameText bool) {
		for j := range new {
			if newTo[j] >= 0 {
				continue
			}
			i, ok := byKey[key{new[j].Heading, new[j].Part}]
			if ok && oldTo[i] < 0 && (!sameText || old[i].Hash == new[j].Hash) {
				match(i, j)
			}
		}
	}
	sameKey(true)
	// A repeated heading renumbered because an earlier twin was added or
	// removed ("Notes (2)" became "Notes (3)") keeps its text: pair those
	// before pairing same keys with different texts.
	if hasDuplicateSuffix(old) || hasDuplicateSuffix(new) {
		matchExact(func(s *livespec.Section) string {
			return s.Hash + "\x00" + undup(s.Heading)
		})
	}
	sameKey(false)

	// 2. Same text, then same non-empty body, among the unmatched.
	matchExact(func(s *livespec.Section) string { return s.Hash })
	matchExact(func(s *livespec.Section) string {
		_, b := splitSectionHead(s)
		if len(strings.Fields(b)) < minMatchWords {
			return "" // "TBD" under two headings is no rename
		}
		return b
	})

	// 3. Similar bodies.
	matchSimilar(old, new, oldTo, newTo, match)

	return sectionEntries(old, new, oldTo, newTo)
}

// sectionEntries lists the diff of the pairing oldTo/newTo: the new
// file's order, then removals.
func sectionEntries(old, new []livespec.Section, oldTo, newTo []int) []SectionDiff {
	out := make([]SectionDiff, 0, len(new)+len(old))
	for j := range new {
		n := &new[j]
		i := newTo[j]
		if i < 0 {
			out = append(out, SectionDiff{Kind: livespec.Added, New: n, Summary: Summarize("", n.Text)})
			continue
		}
		o := &old[i]
		d := SectionDiff{Old: o, New: n}
		switch {
		case o.Heading != n.Heading || o.Part != n.Part:
			d.Kind = livespec.Renamed
			d.Summary = renameSummary(o, n)
		case o.Text != n.Text:
			d.Kind = livespec.Modified
			d.Summary = Summarize(o.Text, n.Text)
		}
		out = append(out, d)
	}
	for i := range old {
		if oldTo[i] < 0 {
			out = append(out, SectionDiff{Kind: livespec.Removed, Old: &old[i], Summary: Summarize(old[i].Text, "")})
		}
	}
	return out
}

// renameSummary describes a matched pair whose key changed.
func renameSummary(o, n *livespec.Section) string {
	op, ol := splitHeadingLast(o.Heading)
	np, nl := splitHeadingLast(n.Heading)
	var s string
	switch {
	case o.Heading == n.Heading:
		s = "part " + strconv.Itoa(o.Part) + " became part " + strconv.Itoa(n.Part)
	case undup(o.Heading) == undup(n.Heading):
		s = "repeated heading renumbered from " + quoteHeading(o.Heading)
	case o.Heading == "":
		s = "heading added over the text before the first heading"
	case n.Heading == "":
		s = "heading " + quoteHeading(o.Heading) + " removed"
	case op == np:
		s = "heading renamed from " + quoteHeading(ol)
	case ol == nl:
		s = moveSummary(op, np)
	default:
		// Name the old path from where it parts from the new one.
		oh, nh := livespec.SplitHeading(o.Heading), livespec.SplitHeading(n.Heading)
		k := 0
		for k < len(oh)-1 && k < len(nh) && oh[k] == nh[k] {
			k++
		}
		s = "renamed from " + quoteHeading(strings.Join(oh[k:], livespec.HeadingSep))
	}
	_, ob := splitSectionHead(o)
	_, nb := splitSectionHead(n)
	if ob != nb {
		s += "; " + Summarize(ob, nb)
	}
	return s
}

// moveSummary describes a change of parent by the headings that differ:
// "moved from \"Proposal\" to \"Design Details\"", "moved under
// \"Match Criteria\"", "moved out of \"API Capabilities\"".
func moveSummary(oldParent, newParent string) string {
	o, n := livespec.SplitHeading(oldParent), livespec.SplitHeading(newParent)
	p := 0
	for p < len(o) && p < len(n) && o[p] == n[p] {
		p++
	}
	q := 0
	for q < len(o)-p && q < len(n)-p && o[len(o)-1-q] == n[len(n)-1-q] {
		q++
	}
	om := strings.Join(o[p:len(o)-q], livespec.HeadingSep)
	nm := strings.Join(n[p:len(n)-q], livespec.HeadingSep)
	switch {
	case om == "":
		return "moved under " + quoteHeading(nm)
	case nm == "":
		return "moved out of " + quoteHeading(om)
	}
	return "moved from " + quoteHeading(om) + " to " + quoteHeading(nm)
}

func quoteHeading(s string) string { return "\"" + s + "\"" }

// splitHeadingLast splits a heading path into its parent path and last heading.
func splitHeadingLast(h string) (parent, last string) {
	if i := strings.LastIndex(h, livespec.HeadingSep); i >= 0 {
		return h[:i], h[i+len(livespec.HeadingSep):]
	}
	return "", h
}

// splitSectionHead splits a section text into its heading lines and its body. The
// preamble and front matter (Level 0) are all body. An ATX heading is the
// first line; a setext heading runs to its underline; otherwise (sidecar
// entries) the first line is the head.
func splitSectionHead(s *livespec.Section) (head, body string) {
	t := s.Text
	if s.Level == 0 {
		return "", t
	}
	first, rest, _ := strings.Cut(t, "\n")
	if isATXHeading([]byte(strings.TrimLeft(first, " "))) {
		return first, strings.TrimLeft(rest, "\n")
	}
	// Setext: the underline is the first line of only '=' or '-'.
	off := 0
	for n := 0; n < 16 && off < len(t); n++ {
		e := strings.IndexByte(t[off:], '\n')
		end := len(t)
		if e >= 0 {
			end = off + e
		}
		l := strings.TrimSpace(t[off:end])
		if l != "" && n > 0 && (strings.Trim(l, "=") == "" || strings.Trim(l, "-") == "") {
			return t[:end], strings.TrimLeft(t[min(end+1, len(t)):], "\n")
		}
		if l == "" || e < 0 {
			break
		}
		off = end + 1
	}
	return first, strings.TrimLeft(rest, "\n")
}

// matchSimilar pairs leftover sections by the Jaccard similarity of their
// bodies' word bigrams.
func matchSimilar(old, new []livespec.Section, oldTo, newTo []int, match func(i, j int)) {
	var oldLeft, newLeft []int
	for i := range old {
		if oldTo[i] < 0 {
			oldLeft = append(oldLeft, i)
		}
	}
	for j := range new {
		if newTo[j] < 0 {
			newLeft = append(newLeft, j)
		}
	}
	if len(oldLeft) == 0 || len(newLeft) == 0 {
		return
	}
	seed := maphash.MakeSeed()
	oldSets := make(map[int][]uint64, len(oldLeft))
	index := map[uint64][]int{}
	for _, i := range oldLeft {
		set := shingles(&old[i], seed)
		if len(set) == 0 {
			continue
		}
		oldSets[i] = set
		for _, h := range set {
			index[h] = append(index[h], i)
		}
	}
	if len(oldSets) == 0 {
		return
	}
	type pair struct {
		i, j  int
		score float64
		same  bool
	}
	var pairs []pair
	shared := map[int]int{}
	for _, j := range newLeft {
		set := shingles(&new[j], seed)
		if len(set) == 0 {
			continue
		}
		clear(shared)
		for _, h := range set {
			if p := index[h]; len(p) <= similarityMaxPosting {
				for _, i := range p {
					shared[i]++
				}
			}
		}
		cands := make([]int, 0, len(shared))
		for i := range shared {
			cands = append(cands, i)
		}
		slices.SortFunc(cands, func(a, b int) int {
			return cmp.Or(cmp.Compare(shared[b], shared[a]), cmp.Compare(a, b))
		})
		if len(cands) > similarityMaxCandidates {
			cands = cands[:similarityMaxCandidates]
		}
		for _, i := range cands {
			if s := jaccard(oldSets[i], set); s >= SimilarityThreshold {
				pairs = append(pairs, pair{i: i, j: j, score: s, same: old[i].Level == new[j].Level})
			}
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		sa, sb := a.score, b.score
		if a.same {
			sa += 0.1
		}
		if b.same {
			sb += 0.1
		}
		return cmp.Or(cmp.Compare(sb, sa), cmp.Compare(a.j, b.j), cmp.Compare(a.i, b.i))
	})
	for _, p := range pairs {
		if oldTo[p.i] < 0 && newTo[p.j] < 0 {
			match(p.i, p.j)
		}
	}
}

// shingles returns the sorted, distinct hashes of the word bigrams of a
// section's body; none when the body has fewer than minMatchWords words.
func shingles(s *livespec.Section, seed maphash.Seed) []uint64 {
	_, body := splitSectionHead(s)
	words := strings.Fields(body)
	if len(words) < minMatchWords {
		return nil
	}
	set := make([]uint64, 0, len(words)-1)
	var h maphash.Hash
	h.SetSeed(seed)
	for k := 0; k+1 < len(words); k++ {
		h.Reset()
		h.WriteString(words[k])
		h.WriteByte(0)
		h.WriteString(words[k+1])
		set = append(set, h.Sum64())
	}
	slices.Sort(set)
	return slices.Compact(set)
}

// jaccard returns |a ∩ b| / |a ∪ b| of two sorted distinct sets.
func jaccard(a, b []uint64) float64 {
	inter := 0
	for x, y := 0, 0; x < len(a) && y < len(b); {
		switch {
		case a[x] == b[y]:
			inter++
			x++
			y++
		case a[x] < b[y]:
			x++
		default:
			y++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// hasDuplicateSuffix reports whether a heading path carries a " (n)"
// duplicate suffix.
func hasDuplicateSuffix(ss []livespec.Section) bool {
	for i := range ss {
		if undup(ss[i].Heading) != ss[i].Heading {
			return true
		}
	}
	return false
}

// undup removes the " (n)" duplicate suffixes from every heading of a path.
func undup(h string) string {
	if !strings.Contains(h, ")") {
		return h
	}
	parts := livespec.SplitHeading(h)
	for k, p := range parts {
		if i := strings.LastIndex(p, " ("); i > 0 && strings.HasSuffix(p, ")") {
			if n, err := strconv.Atoi(p[i+2 : len(p)-1]); err == nil && n >= 2 {
				parts[k] = p[:i]
			}
		}
	}
	return strings.Join(parts, livespec.HeadingSep)
}
