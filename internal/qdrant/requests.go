package qdrant

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	qc "github.com/qdrant/go-client/qdrant"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/livespec/livespec"
)

// Vector names in the sections collection.
const (
	denseName   = "dense"        // the embedding of the text (only with an embedder)
	bm25Name    = "bm25"         // BM25 over every version ever stored
	currentName = "bm25_current" // BM25 over current versions only
)

// Payload keys shared by the collections.
const (
	fID        = "id"
	fRepo      = "repo"
	fPath      = "path"
	fOldPath   = "old_path"
	fHeading   = "heading"
	fPart      = "part"
	fHash      = "hash"
	fCurrent   = "current"
	fValidFrom = "valid_from"
	fValidTo   = "valid_to"
	fSeq       = "seq"
	fEndSeq    = "end_seq"
	fEndCommit = "end_commit"
	fDate      = "date"
	fSection   = "section"
	fKind      = "kind"
	fEmbedder  = "embedder"
	fBlob      = "blob"
	fDoc       = "doc" // the record as JSON, for a lossless round trip
)

var pointNS = uuid.MustParse("0b6f0d4e-3c1f-5a57-9e0b-71646a72616e")

// pointID maps a record id to a Qdrant point id. Ids that are already UUIDs
// (every id livespec makes is a UUIDv5) are used as they are; any other
// string is mapped to its UUIDv5, so point ids stay deterministic.
func pointID(id string) *qc.PointId {
	if u, err := uuid.Parse(id); err == nil && u.String() == id {
		return qc.NewID(id)
	}
	return qc.NewID(uuid.NewSHA1(pointNS, []byte(id)).String())
}

func pointIDs(ids []string) []*qc.PointId {
	out := make([]*qc.PointId, len(ids))
	for i, id := range ids {
		out[i] = pointID(id)
	}
	return out
}

func checkpointPointID(repo string) *qc.PointId { return pointID("checkpoint\x00" + repo) }
func indexPointID() *qc.PointId                 { return pointID("index") }
func vectorPointID(embedder, hash string) *qc.PointId {
	return pointID("vector\x00" + embedder + "\x00" + hash)
}

// ts formats t for a datetime payload field: RFC 3339 in UTC with as many
// fractional digits as needed.
func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// validityConditions returns the conditions (to be AND-ed) that select the
// versions passing v in a collection of versions (sections or files):
//
//	current: current = true
//	as_of T: valid_from <= T AND (current = true OR valid_to > T)
//	any:     nothing
func validityConditions(v livespec.Validity) []*qc.Condition {
	switch v.Mode {
	case livespec.ValidCurrent, "":
		return []*qc.Condition{qc.NewMatchBool(fCurrent, true)}
	case livespec.ValidAsOf:
		at := timestamppb.New(v.At)
		return []*qc.Condition{
			qc.NewDatetimeRange(fValidFrom, &qc.DatetimeRange{Lte: at}),
			qc.NewFilterAsCondition(&qc.Filter{Should: []*qc.Condition{
				qc.NewMatchBool(fCurrent, true),
				qc.NewDatetimeRange(fValidTo, &qc.DatetimeRange{Gt: at}),
			}}),
		}
	}
	return nil
}

// scopeConditions selects repos and exact paths; nil slices select all.
// paths are exact paths (globs are resolved before, see Store.resolvePaths).
// With oldPath, a path also matches the old_path field.
func scopeConditions(repos, paths []string, oldPath bool) []*qc.Condition {
	var cs []*qc.Condition
	if len(repos) > 0 {
		cs = append(cs, qc.NewMatchKeywords(fRepo, repos...))
	}
	if paths != nil {
		if oldPath {
			cs = append(cs, qc.NewFilterAsCondition(&qc.Filter{Should: []*qc.Condition{
				qc.NewMatchKeywords(fPath, paths...),
				qc.NewMatchKeywords(fOldPath, paths...),
			}}))
		} else {
			cs = append(cs, qc.NewMatchKeywords(fPath, paths...))
		}
	}
	return cs
}

// versionFilter is the filter of a search or a listing of versions.
func versionFilter(repos, paths []string, v livespec.Validity) *qc.Filter {
	return &qc.Filter{Must: append(scopeConditions(repos, paths, false), validityConditions(v)...)}
}

// changeFilter selects change events by repo, path (or old path), date
// window [from, to) and, unless sections, file-level events only.
func changeFilter(repos, paths []string, from, to time.Time, sections bool) *qc.Filter {
	must := scopeConditions(repos, paths, true)
	if !from.IsZero() || !to.IsZero() {
		r := &qc.DatetimeRange{}
		if !from.IsZero() {
			r.Gte = timestamppb.New(from)
		}
		if !to.IsZero() {
			r.Lt = timestamppb.New(to)
		}
		must = append(must, qc.NewDatetimeRange(fDate, r))
	}
	if !sections {
		must = append(must, qc.NewMatchBool(fSection, false))
	}
	return &qc.Filter{Must: must}
}

// prefetchLimit is how many candidates each arm of a hybrid query brings to
// the fusion: a few times the final limit, never less than it.
func prefetchLimit(limit int) uint64 { return uint64(max(4*limit, 50)) }

// rrfK is the rank constant of the fusion, 1/(k+rank): the usual 60, so a
// section that both rankings place well beats one that only one ranking
// places first. Qdrant's plain RRF fusion uses k = 2; a k of its own needs
// Qdrant 1.16.
const rrfK = 60

// searchRequest builds the Query API request of a search: a sparse BM25
// query on sparseName, a dense query on "dense", or both as prefetches
// fused by reciprocal rank (with rank constant k, or Qdrant's default when
// k is 0). It returns nil when there is nothing to search with (no terms
// and no vector).
func searchRequest(coll string, sparse SparseVector, sparseName string, dense []float32, filter *qc.Filter, limit int, k uint32) *qc.QueryPoints {
	q := &qc.QueryPoints{
		CollectionName: coll,
		Filter:         filter,
		Limit:          qc.PtrOf(uint64(limit)),
		WithPayload:    qc.NewWithPayload(true),
	}
	hasSparse := len(sparse.Indices) > 0
	switch {
	case hasSparse && dense != nil:
		q.Prefetch = []*qc.PrefetchQuery{
			{Query: qc.NewQueryDense(dense), Using: qc.PtrOf(denseName), Filter: filter, Limit: qc.PtrOf(prefetchLimit(limit))},
			{Query: qc.NewQuerySparse(sparse.Indices, sparse.Values), Using: qc.PtrOf(sparseName), Filter: filter, Limit: qc.PtrOf(prefetchLimit(limit))},
		}
		q.Query = qc.NewQueryFusion(qc.Fusion_RRF)
		if k > 0 {
			q.Query = qc.NewQueryRRF(&qc.Rrf{K: qc.PtrOf(k)})
		}
		q.Filter = nil // the prefetches filter
	case hasSparse:
		q.Query = qc.NewQuerySparse(sparse.Indices, sparse.Values)
		q.Using = qc.PtrOf(sparseName)
	case dense != nil:
		q.Query = qc.NewQueryDense(dense)
		q.Using = qc.PtrOf(denseName)
	default:
		return nil
	}
	return q
}

// versionPoint is the point of a section version: its payload, its BM25
// vectors (bm25_current only while the version is current) and its dense
// vector when given.
func versionPoint(v *livespec.Version, dense []float32) (*qc.PointStruct, error) {
	doc, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	p := map[string]any{
		fID: v.ID, fRepo: v.Repo, fPath: v.Path, fHeading: v.Heading, fPart: v.Part,
		fHash: v.Hash, fCurrent: v.Current(), fValidFrom: ts(v.ValidFrom), fSeq: v.Seq,
		fDoc: string(doc),
	}
	if !v.Current() {
		p[fValidTo], p[fEndSeq], p[fEndCommit] = ts(v.ValidTo), v.EndSeq, v.EndCommit
	}
	payload, err := qc.TryValueMap(p)
	if err != nil {
		return nil, err
	}
	sv := DocumentVector(v.Text)
	vecs := map[string]*qc.Vector{}
	if len(sv.Indices) > 0 {
		vecs[bm25Name] = qc.NewVectorSparse(sv.Indices, sv.Values)
		if v.Current() {
			vecs[currentName] = qc.NewVectorSparse(sv.Indices, sv.Values)
		}
	}
	if dense != nil {
		vecs[denseName] = qc.NewVectorDense(dense)
	}
	return &qc.PointStruct{Id: pointID(v.ID), Payload: payload, Vectors: qc.NewVectorsMap(vecs)}, nil
}

// filePoint is the point of a file version (no vectors).
func filePoint(f *livespec.FileVersion) (*qc.PointStruct, error) {
	doc, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	p := map[string]any{
		fID: f.ID, fRepo: f.Repo, fPath: f.Path, fBlob: f.Blob, fCurrent: f.Current(),
		fValidFrom: ts(f.ValidFrom), fSeq: f.Seq, fDoc: string(doc),
	}
	if !f.Current() {
		p[fValidTo], p[fEndSeq], p[fEndCommit] = ts(f.ValidTo), f.EndSeq, f.EndCommit
	}
	return payloadPoint(f.ID, p)
}

// changePoint is the point of a change event (no vectors).
func changePoint(c *livespec.Change) (*qc.PointStruct, error) {
	doc, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	return payloadPoint(c.ID, map[string]any{
		fID: c.ID, fRepo: c.Repo, fPath: c.Path, fOldPath: c.OldPath, fHeading: c.Heading,
		fDate: ts(c.Date), fSeq: c.Seq, fSection: c.Section, fKind: string(c.Kind), fDoc: string(doc),
	})
}

// metaPoint is a record of the meta collection: a checkpoint or the index info.
func metaPoint(id *qc.PointId, kind, repo string, v any) (*qc.PointStruct, error) {
	doc, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	payload, err := qc.TryValueMap(map[string]any{fKind: kind, fRepo: repo, fDoc: string(doc)})
	if err != nil {
		return nil, err
	}
	return &qc.PointStruct{Id: id, Payload: payload, Vectors: qc.NewVectorsMap(map[string]*qc.Vector{})}, nil
}

// vectorPoint is the point of one embedding in the vectors collection.
func vectorPoint(v *livespec.Vector) (*qc.PointStruct, error) {
	payload, err := qc.TryValueMap(map[string]any{fEmbedder: v.Embedder, fHash: v.Hash})
	if err != nil {
		return nil, err
	}
	return &qc.PointStruct{
		Id:      vectorPointID(v.Embedder, v.Hash),
		Payload: payload,
		Vectors: qc.NewVectorsMap(map[string]*qc.Vector{denseName: qc.NewVectorDense(v.Values)}),
	}, nil
}

// payloadPoint is a point with payload p and no vectors (an empty map of
// named vectors: a nil Vectors is not accepted by the server).
func payloadPoint(id string, p map[string]any) (*qc.PointStruct, error) {
	payload, err := qc.TryValueMap(p)
	if err != nil {
		return nil, err
	}
	return &qc.PointStruct{Id: pointID(id), Payload: payload, Vectors: qc.NewVectorsMap(map[string]*qc.Vector{})}, nil
}

// closePayload is what a Close sets on a version (section or file).
func closePayload(c livespec.Close) map[string]*qc.Value {
	return map[string]*qc.Value{
		fCurrent:   qc.NewValueBool(false),
		fValidTo:   qc.NewValueString(ts(c.ValidTo)),
		fEndSeq:    qc.NewValueInt(c.Seq),
		fEndCommit: qc.NewValueString(c.Commit),
	}
}

// splitBatches cuts points into consecutive batches of at most maxPoints
// points and at most maxBytes encoded bytes (a single larger point gets a
// batch of its own), so no request exceeds the server's message limit.
func splitBatches(points []*qc.PointStruct, maxBytes, maxPoints int) [][]*qc.PointStruct {
	var out [][]*qc.PointStruct
	start, size := 0, 0
	for i, p := range points {
		n := proto.Size(p) + 8 // field tag and length prefix, generously
		if i > start && (size+n > maxBytes || i-start >= maxPoints) {
			out = append(out, points[start:i])
			start, size = i, 0
		}
		size += n
	}
	if start < len(points) {
		out = append(out, points[start:])
	}
	return out
}

// docOf returns the "doc" payload field.
func docOf(payload map[string]*qc.Value) (string, error) {
	v, ok := payload[fDoc]
	if !ok {
		return "", fmt.Errorf("point without %q payload", fDoc)
	}
	return v.GetStringValue(), nil
}

// decodeVersion rebuilds a Version from a point's payload: the immutable
// record from "doc", the end of validity from the fields a Close sets.
func decodeVersion(payload map[string]*qc.Value) (livespec.Version, error) {
	var v livespec.Version
	doc, err := docOf(payload)
	if err == nil {
		err = json.Unmarshal([]byte(doc), &v)
	}
	if err != nil {
		return v, fmt.Errorf("decode version: %w", err)
	}
	v.EndCommit, v.EndSeq, v.ValidTo, err = decodeEnd(payload)
	v.ValidFrom = v.ValidFrom.UTC()
	return v, err
}

// decodeFile rebuilds a FileVersion like decodeVersion.
func decodeFile(payload map[string]*qc.Value) (livespec.FileVersion, error) {
	var f livespec.FileVersion
	doc, err := docOf(payload)
	if err == nil {
		err = json.Unmarshal([]byte(doc), &f)
	}
	if err != nil {
		return f, fmt.Errorf("decode file version: %w", err)
	}
	f.EndCommit, f.EndSeq, f.ValidTo, err = decodeEnd(payload)
	f.ValidFrom = f.ValidFrom.UTC()
	return f, err
}

func decodeEnd(payload map[string]*qc.Value) (commit string, seq int64, to time.Time, err error) {
	if payload[fCurrent].GetBoolValue() {
		return "", 0, time.Time{}, nil
	}
	if s := payload[fValidTo].GetStringValue(); s != "" {
		if to, err = time.Parse(time.RFC3339Nano, s); err != nil {
			return "", 0, to, fmt.Errorf("decode valid_to: %w", err)
		}
	}
	return payload[fEndCommit].GetStringValue(), payload[fEndSeq].GetIntegerValue(), to.UTC(), nil
}

// decodeChange rebuilds a Change.
func decodeChange(payload map[string]*qc.Value) (livespec.Change, error) {
	var c livespec.Change
	doc, err := docOf(payload)
	if err == nil {
		err = json.Unmarshal([]byte(doc), &c)
	}
	if err != nil {
		return c, fmt.Errorf("decode change: %w", err)
	}
	c.Date, c.AuthorDate = c.Date.UTC(), c.AuthorDate.UTC()
	return c, nil
}

// decodeDoc unmarshals the "doc" payload field into v.
func decodeDoc(payload map[string]*qc.Value, v any) error {
	doc, err := docOf(payload)
	if err == nil {
		err = json.Unmarshal([]byte(doc), v)
	}
	return err
}

// sortChanges orders changes as Store.Changes promises: Date, Repo, Seq,
// file-level before section-level, Path, Heading, Part, ID.
func sortChanges(cs []livespec.Change) {
	slices.SortFunc(cs, livespec.CompareChanges)
}
