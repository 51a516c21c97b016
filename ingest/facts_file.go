package ingest

import "github.com/livespec/livespec"

// FileFacts returns the lifecycle facts ingest reads from one version of
// the file at path (content, parsed by ParseFile): for a sidecar of pairs
// (nil = DefaultSidecars), its top-level fields, describing the document
// beside it; for a Markdown document, its front matter and header fields.
// doc is the document the facts describe. Only the fields that say what
// was read are set (no commit, no validity).
func FileFacts(path string, content []byte, pf *ParsedFile, pairs []SidecarPair) (doc string, facts []livespec.Fact) {
	if pairs == nil {
		pairs = DefaultSidecars
	}
	var raw []rawFact
	doc, origin := path, livespec.FactHeader
	if d, ok := sidecarDoc(pairs, path); ok {
		doc, origin = d, livespec.FactSidecar
		if pf != nil {
			raw = metaFacts(pf.Meta, livespec.FactSidecar)
		}
	} else if isMarkdown(path) {
		var meta map[string]any
		if pf != nil {
			meta = pf.Meta
		}
		raw = markdownFacts(content, meta)
	}
	for _, f := range raw {
		o := f.origin
		if o == "" {
			o = origin
		}
		facts = append(facts, livespec.Fact{Path: doc, Source: path, Origin: o, Field: f.field,
			Name: f.name, Raw: f.raw, Value: f.value, Release: f.release})
	}
	return doc, facts
}
