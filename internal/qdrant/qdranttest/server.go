package qdranttest

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	qc "github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// Server is an in-process Qdrant speaking the real gRPC services on
// loopback, with the semantics livespec's Qdrant store relies on: named
// dense and sparse vectors (IDF modifier), payload filters (keyword,
// keywords, bool, integer, datetime range, has_id, nested filters with
// must/should/must_not), scroll pages ordered by id, count, facet, set
// payload, delete vectors, and the Query API (nearest dense or sparse,
// prefetch + RRF). It is strict where Qdrant is: point ids must be UUIDs or
// numbers, vectors must be configured in the collection with the configured
// size. It also enforces what the store promises: every write waits
// (wait = true) and uses medium ordering. Its methods are safe for
// concurrent use.
type Server struct {
	addr string

	mu    sync.Mutex
	colls map[string]*fakeColl
	calls map[string]int // method name → number of calls
	// failAfter, when > 0, makes the write with that number fail (counting
	// writes from 1), to simulate a crash mid-Apply.
	failAfter int
	writes    int
	// apiKey, when set, is required in the "api-key" metadata of every call.
	apiKey string
	// version is the server version the health check reports ("": 1.17.0).
	version  string
	grpcOpts []grpc.ServerOption
}

type fakeColl struct {
	dense   map[string]int  // dense vector name → size
	sparse  map[string]bool // sparse vector names
	create  *qc.CreateCollection
	indexes map[string]qc.FieldType
	points  map[string]*fakePoint
}

type sparseVector struct {
	Indices []uint32
	Values  []float32
}

type fakePoint struct {
	id      *qc.PointId
	payload map[string]*qc.Value
	dense   map[string][]float32
	sparse  map[string]sparseVector
}

// An Option configures a Server started by Start.
type Option func(*Server)

// WithAPIKey makes the server require key in the "api-key" metadata of
// every call, as Qdrant does with service.api_key set.
func WithAPIKey(key string) Option { return func(s *Server) { s.apiKey = key } }

// WithVersion sets the version the health check reports (default 1.17.0).
// Below 1.16 the server refuses parametrized RRF, as Qdrant does.
func WithVersion(v string) Option { return func(s *Server) { s.version = v } }

// WithServerOptions adds gRPC server options, e.g. grpc.Creds for TLS.
func WithServerOptions(opts ...grpc.ServerOption) Option {
	return func(s *Server) { s.grpcOpts = append(s.grpcOpts, opts...) }
}

// New starts a Server for the duration of tb and returns a store URL for
// it, qdrant://127.0.0.1:PORT?collection=livespec, ready for qdrant.Open or
// the CLI's --store flag.
func New(tb testing.TB) string {
	tb.Helper()
	return Start(tb).URL("livespec")
}

// Start serves a Server on a loopback port until tb ends.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	f := &Server{colls: map[string]*fakeColl{}, calls: map[string]int{}}
	for _, o := range opts {
		o(f)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	f.addr = lis.Addr().String()
	srv := grpc.NewServer(append(f.grpcOpts, grpc.MaxRecvMsgSize(32<<20), grpc.ChainUnaryInterceptor(
		func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			f.mu.Lock()
			f.calls[info.FullMethod[strings.LastIndex(info.FullMethod, "/")+1:]]++
			key := f.apiKey
			f.mu.Unlock()
			if key != "" {
				md, _ := metadata.FromIncomingContext(ctx)
				if got := md.Get("api-key"); len(got) != 1 || got[0] != key {
					return nil, status.Error(codes.Unauthenticated, "Invalid api-key")
				}
			}
			return h(ctx, req)
		}))...)
	qc.RegisterPointsServer(srv, fakePoints{f: f})
	qc.RegisterCollectionsServer(srv, fakeCollections{f: f})
	qc.RegisterQdrantServer(srv, fakeService{f: f})
	go srv.Serve(lis)
	tb.Cleanup(srv.Stop)
	return f
}

// Addr is the server's qdrant://HOST:PORT address, without a collection.
func (f *Server) Addr() string { return "qdrant://" + f.addr }

// URL is the store URL of the collections prefixed with collection.
func (f *Server) URL(collection string) string {
	return f.Addr() + "?collection=" + url.QueryEscape(collection)
}

// SetVersion changes the version the health check reports.
func (f *Server) SetVersion(v string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.version = v
}

// CrashAtWrite makes the n-th write from now (counting from 1) and every
// later one fail with codes.Unavailable, as a server dying mid-batch would;
// n <= 0 lets writes succeed again.
func (f *Server) CrashAtWrite(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes, f.failAfter = 0, max(n, 0)
}

// Calls is the number of calls of a gRPC method by its short name
// ("Upsert", "Query", "Create", ...).
func (f *Server) Calls(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

// Collection describes one collection of the server.
type Collection struct {
	Dense   map[string]int          // dense vector name → size
	Sparse  []string                // sparse vector names, sorted
	Create  *qc.CreateCollection    // the request that created it
	Indexes map[string]qc.FieldType // payload indexes by field
	Points  int
	// Vectors counts the points carrying each named vector.
	Vectors map[string]int
}

// Collections lists the names of the server's collections, sorted.
func (f *Server) Collections() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Sorted(maps.Keys(f.colls))
}

// Collection describes the collection name, if it exists.
func (f *Server) Collection(name string) (Collection, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.colls[name]
	if !ok {
		return Collection{}, false
	}
	out := Collection{Dense: maps.Clone(c.dense), Create: proto.Clone(c.create).(*qc.CreateCollection),
		Indexes: maps.Clone(c.indexes), Points: len(c.points), Vectors: map[string]int{}}
	for n := range c.sparse {
		out.Sparse = append(out.Sparse, n)
	}
	slices.Sort(out.Sparse)
	for _, p := range c.points {
		for n := range p.dense {
			out.Vectors[n]++
		}
		for n := range p.sparse {
			out.Vectors[n]++
		}
	}
	return out, true
}

// DropIndex removes a payload index, as a creation interrupted between a
// collection and its indexes leaves it.
func (f *Server) DropIndex(collection, field string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.colls[collection]; ok {
		delete(c.indexes, field)
	}
}

func (s fakeService) HealthCheck(context.Context, *qc.HealthCheckRequest) (*qc.HealthCheckReply, error) {
	f := s.f
	f.mu.Lock()
	defer f.mu.Unlock()
	return &qc.HealthCheckReply{Title: "fake qdrant", Version: cmp.Or(f.version, "1.17.0")}, nil
}

func (s fakeCollections) CollectionExists(_ context.Context, r *qc.CollectionExistsRequest) (*qc.CollectionExistsResponse, error) {
	f := s.f
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.colls[r.GetCollectionName()]
	return &qc.CollectionExistsResponse{Result: &qc.CollectionExists{Exists: ok}}, nil
}

func (s fakeCollections) Create(_ context.Context, r *qc.CreateCollection) (*qc.CollectionOperationResponse, error) {
	f := s.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.colls[r.GetCollectionName()]; ok {
		return nil, status.Errorf(codes.AlreadyExists, "Collection `%s` already exists!", r.GetCollectionName())
	}
	c := &fakeColl{dense: map[string]int{}, sparse: map[string]bool{}, create: r, indexes: map[string]qc.FieldType{}, points: map[string]*fakePoint{}}
	if r.GetVectorsConfig().GetParams() != nil {
		return nil, status.Error(codes.InvalidArgument, "fake: only named vectors are supported")
	}
	for name, p := range r.GetVectorsConfig().GetParamsMap().GetMap() {
		c.dense[name] = int(p.GetSize())
	}
	for name, p := range r.GetSparseVectorsConfig().GetMap() {
		if p.GetModifier() != qc.Modifier_Idf {
			return nil, status.Error(codes.InvalidArgument, "fake: sparse vectors must use the IDF modifier")
		}
		c.sparse[name] = true
	}
	f.colls[r.GetCollectionName()] = c
	return &qc.CollectionOperationResponse{Result: true}, nil
}

func (s fakeCollections) Delete(_ context.Context, r *qc.DeleteCollection) (*qc.CollectionOperationResponse, error) {
	f := s.f
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.colls[r.GetCollectionName()]
	delete(f.colls, r.GetCollectionName())
	return &qc.CollectionOperationResponse{Result: ok}, nil
}

func (s fakeCollections) List(context.Context, *qc.ListCollectionsRequest) (*qc.ListCollectionsResponse, error) {
	f := s.f
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*qc.CollectionDescription
	for name := range f.colls {
		out = append(out, &qc.CollectionDescription{Name: name})
	}
	return &qc.ListCollectionsResponse{Collections: out}, nil
}

func (f *Server) coll(name string) (*fakeColl, error) {
	c, ok := f.colls[name]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "Not found: Collection `%s` doesn't exist!", name)
	}
	return c, nil
}

// write checks the write discipline and counts writes; the caller holds mu.
func (f *Server) write(wait *bool, ordering *qc.WriteOrdering) error {
	if wait == nil || !*wait {
		return status.Error(codes.InvalidArgument, "fake: write without wait=true")
	}
	if ordering.GetType() != qc.WriteOrderingType_Medium {
		return status.Error(codes.InvalidArgument, "fake: write without medium ordering")
	}
	f.writes++
	if f.failAfter > 0 && f.writes >= f.failAfter {
		return status.Error(codes.Unavailable, "fake: crashed")
	}
	return nil
}

func okResponse() *qc.PointsOperationResponse {
	return &qc.PointsOperationResponse{Result: &qc.UpdateResult{Status: qc.UpdateStatus_Completed}}
}

func idKey(id *qc.PointId) (string, error) {
	switch {
	case id.GetUuid() != "":
		u, err := uuid.Parse(id.GetUuid())
		if err != nil {
			return "", status.Errorf(codes.InvalidArgument, "Unable to parse UUID: %s", id.GetUuid())
		}
		return u.String(), nil
	case id.GetPointIdOptions() != nil:
		return fmt.Sprintf("%020d", id.GetNum()), nil
	}
	return "", status.Error(codes.InvalidArgument, "empty point id")
}

func (s fakePoints) CreateFieldIndex(_ context.Context, r *qc.CreateFieldIndexCollection) (*qc.PointsOperationResponse, error) {
	c, unlock, err := s.f.lockColl(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	defer unlock()
	c.indexes[r.GetFieldName()] = r.GetFieldType()
	return okResponse(), nil
}

func (s fakePoints) Upsert(_ context.Context, r *qc.UpsertPoints) (*qc.PointsOperationResponse, error) {
	f := s.f
	c, unlock, err := f.lockColl(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := f.write(r.Wait, r.Ordering); err != nil {
		return nil, err
	}
	var pts []*fakePoint
	for _, p := range r.GetPoints() {
		k, err := idKey(p.GetId())
		if err != nil {
			return nil, err
		}
		if p.GetVectors().GetVectors() == nil {
			return nil, status.Error(codes.InvalidArgument, "fake: point without a map of named vectors")
		}
		fp := &fakePoint{id: p.GetId(), payload: p.GetPayload(), dense: map[string][]float32{}, sparse: map[string]sparseVector{}}
		for name, v := range p.GetVectors().GetVectors().GetVectors() {
			switch {
			case v.GetDense() != nil:
				size, ok := c.dense[name]
				if !ok {
					return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Not existing vector name error: %s", name)
				}
				if len(v.GetDense().GetData()) != size {
					return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Vector dimension error: expected dim: %d, got %d", size, len(v.GetDense().GetData()))
				}
				fp.dense[name] = v.GetDense().GetData()
			case v.GetSparse() != nil:
				if !c.sparse[name] {
					return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Not existing vector name error: %s", name)
				}
				sv := v.GetSparse()
				if len(sv.GetIndices()) != len(sv.GetValues()) {
					return nil, status.Error(codes.InvalidArgument, "sparse vector: indices and values differ in length")
				}
				fp.sparse[name] = sparseVector{Indices: sv.GetIndices(), Values: sv.GetValues()}
			default:
				return nil, status.Error(codes.InvalidArgument, "fake: unsupported vector kind")
			}
		}
		_ = k
		pts = append(pts, fp)
	}
	for _, fp := range pts {
		k, _ := idKey(fp.id)
		c.points[k] = fp
	}
	return okResponse(), nil
}

// selected returns the points of c a selector picks.
func (c *fakeColl) selected(sel *qc.PointsSelector) ([]*fakePoint, error) {
	var out []*fakePoint
	if ids := sel.GetPoints(); ids != nil {
		for _, id := range ids.GetIds() {
			k, err := idKey(id)
			if err != nil {
				return nil, err
			}
			if p, ok := c.points[k]; ok {
				out = append(out, p)
			}
		}
		return out, nil
	}
	for _, p := range c.sorted() {
		ok, err := matchFilter(sel.GetFilter(), p)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, p)
		}
	}
	return out, nil
}

func (c *fakeColl) sorted() []*fakePoint {
	keys := make([]string, 0, len(c.points))
	for k := range c.points {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]*fakePoint, len(keys))
	for i, k := range keys {
		out[i] = c.points[k]
	}
	return out
}

// lockColl takes f.mu and returns the collection name with the unlock
// to defer; on an error, f.mu is released already.
func (f *Server) lockColl(name string) (*fakeColl, func(), error) {
	f.mu.Lock()
	c, err := f.coll(name)
	if err != nil {
		f.mu.Unlock()
		return nil, nil, err
	}
	return c, f.mu.Unlock, nil
}

// lockTargets takes f.mu and returns targets with the unlock to defer; on
// an error, f.mu is released already.
func (f *Server) lockTargets(coll string, wait *bool, ordering *qc.WriteOrdering, sel *qc.PointsSelector) (*fakeColl, []*fakePoint, func(), error) {
	f.mu.Lock()
	c, pts, err := f.targets(coll, wait, ordering, sel)
	if err != nil {
		f.mu.Unlock()
		return nil, nil, nil, err
	}
	return c, pts, f.mu.Unlock, nil
}

// targets is the start of a write to selected points: the collection, the
// write options checked, and the points selected. f.mu must be held.
func (f *Server) targets(coll string, wait *bool, ordering *qc.WriteOrdering, sel *qc.PointsSelector) (*fakeColl, []*fakePoint, error) {
	c, err := f.coll(coll)
	if err != nil {
		return nil, nil, err
	}
	if err := f.write(wait, ordering); err != nil {
		return nil, nil, err
	}
	pts, err := c.selected(sel)
	if err != nil {
		return nil, nil, err
	}
	return c, pts, nil
}

func (s fakePoints) SetPayload(_ context.Context, r *qc.SetPayloadPoints) (*qc.PointsOperationResponse, error) {
	_, pts, unlock, err := s.f.lockTargets(r.GetCollectionName(), r.Wait, r.Ordering, r.GetPointsSelector())
	if err != nil {
		return nil, err
	}
	defer unlock()
	for _, p := range pts {
		np := make(map[string]*qc.Value, len(p.payload)+len(r.GetPayload()))
		for k, v := range p.payload {
			np[k] = v
		}
		for k, v := range r.GetPayload() {
			np[k] = v
		}
		p.payload = np
	}
	return okResponse(), nil
}

func (s fakePoints) DeleteVectors(_ context.Context, r *qc.DeletePointVectors) (*qc.PointsOperationResponse, error) {
	c, pts, unlock, err := s.f.lockTargets(r.GetCollectionName(), r.Wait, r.Ordering, r.GetPointsSelector())
	if err != nil {
		return nil, err
	}
	defer unlock()
	for _, name := range r.GetVectors().GetNames() {
		if _, ok := c.dense[name]; !ok && !c.sparse[name] {
			return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Not existing vector name error: %s", name)
		}
		for _, p := range pts {
			delete(p.dense, name)
			delete(p.sparse, name)
		}
	}
	return okResponse(), nil
}

func (s fakePoints) Delete(_ context.Context, r *qc.DeletePoints) (*qc.PointsOperationResponse, error) {
	c, pts, unlock, err := s.f.lockTargets(r.GetCollectionName(), r.Wait, r.Ordering, r.GetPoints())
	if err != nil {
		return nil, err
	}
	defer unlock()
	for _, p := range pts {
		k, _ := idKey(p.id)
		delete(c.points, k)
	}
	return okResponse(), nil
}

// retrieved renders p as the server returns it.
func retrieved(p *fakePoint, wp *qc.WithPayloadSelector, wv *qc.WithVectorsSelector) *qc.RetrievedPoint {
	rp := &qc.RetrievedPoint{Id: p.id, Payload: selectPayload(p.payload, wp)}
	if wv != nil {
		named := map[string]*qc.VectorOutput{}
		want := func(n string) bool {
			if inc := wv.GetInclude(); inc != nil {
				return slices.Contains(inc.GetNames(), n)
			}
			return wv.GetEnable()
		}
		for n, d := range p.dense {
			if want(n) {
				named[n] = &qc.VectorOutput{Vector: &qc.VectorOutput_Dense{Dense: &qc.DenseVector{Data: d}}}
			}
		}
		for n, s := range p.sparse {
			if want(n) {
				named[n] = &qc.VectorOutput{Vector: &qc.VectorOutput_Sparse{Sparse: &qc.SparseVector{Indices: s.Indices, Values: s.Values}}}
			}
		}
		rp.Vectors = &qc.VectorsOutput{VectorsOptions: &qc.VectorsOutput_Vectors{Vectors: &qc.NamedVectorsOutput{Vectors: named}}}
	}
	return rp
}

func selectPayload(p map[string]*qc.Value, wp *qc.WithPayloadSelector) map[string]*qc.Value {
	switch {
	case wp == nil:
		return nil
	case wp.GetInclude() != nil:
		out := map[string]*qc.Value{}
		for _, k := range wp.GetInclude().GetFields() {
			if v, ok := p[k]; ok {
				out[k] = v
			}
		}
		return out
	case wp.GetEnable():
		return p
	}
	return nil
}

func (s fakePoints) Get(_ context.Context, r *qc.GetPoints) (*qc.GetResponse, error) {
	c, unlock, err := s.f.lockColl(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	defer unlock()
	var out []*qc.RetrievedPoint
	for _, id := range r.GetIds() {
		k, err := idKey(id)
		if err != nil {
			return nil, err
		}
		if p, ok := c.points[k]; ok {
			out = append(out, retrieved(p, r.GetWithPayload(), r.GetWithVectors()))
		}
	}
	return &qc.GetResponse{Result: out}, nil
}

func (s fakePoints) Scroll(_ context.Context, r *qc.ScrollPoints) (*qc.ScrollResponse, error) {
	c, unlock, err := s.f.lockColl(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	defer unlock()
	limit := int(cmp.Or(r.GetLimit(), 10))
	start := ""
	if r.Offset != nil {
		if start, err = idKey(r.GetOffset()); err != nil {
			return nil, err
		}
	}
	var out []*qc.RetrievedPoint
	var next *qc.PointId
	for _, p := range c.sorted() {
		k, _ := idKey(p.id)
		if k < start {
			continue
		}
		ok, err := matchFilter(r.GetFilter(), p)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if len(out) == limit {
			next = p.id
			break
		}
		out = append(out, retrieved(p, r.GetWithPayload(), r.WithVectors))
	}
	return &qc.ScrollResponse{Result: out, NextPageOffset: next}, nil
}

func (s fakePoints) Count(_ context.Context, r *qc.CountPoints) (*qc.CountResponse, error) {
	c, unlock, err := s.f.lockColl(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	defer unlock()
	n := 0
	for _, p := range c.points {
		ok, err := matchFilter(r.GetFilter(), p)
		if err != nil {
			return nil, err
		}
		if ok {
			n++
		}
	}
	return &qc.CountResponse{Result: &qc.CountResult{Count: uint64(n)}}, nil
}

func (s fakePoints) Facet(_ context.Context, r *qc.FacetCounts) (*qc.FacetResponse, error) {
	c, unlock, err := s.f.lockColl(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	defer unlock()
	if c.indexes[r.GetKey()] != qc.FieldType_FieldTypeKeyword {
		return nil, status.Errorf(codes.InvalidArgument, "Bad request: Index required but not found for %q", r.GetKey())
	}
	counts := map[string]uint64{}
	for _, p := range c.points {
		ok, err := matchFilter(r.GetFilter(), p)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		seen := map[string]bool{}
		for _, v := range values(p.payload[r.GetKey()]) {
			if s, ok := v.GetKind().(*qc.Value_StringValue); ok && !seen[s.StringValue] {
				seen[s.StringValue] = true
				counts[s.StringValue]++
			}
		}
	}
	var hits []*qc.FacetHit
	for v, n := range counts {
		hits = append(hits, &qc.FacetHit{Value: &qc.FacetValue{Variant: &qc.FacetValue_StringValue{StringValue: v}}, Count: n})
	}
	slices.SortFunc(hits, func(a, b *qc.FacetHit) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.GetValue().GetStringValue(), b.GetValue().GetStringValue()))
	})
	if l := int(cmp.Or(r.GetLimit(), 10)); len(hits) > l {
		hits = hits[:l]
	}
	return &qc.FacetResponse{Hits: hits}, nil
}

type scored struct {
	p     *fakePoint
	score float64
}

func (s fakePoints) Query(_ context.Context, r *qc.QueryPoints) (*qc.QueryResponse, error) {
	f := s.f
	c, unlock, err := f.lockColl(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	defer unlock()
	limit := int(cmp.Or(r.GetLimit(), 10))
	var res []scored
	if len(r.GetPrefetch()) > 0 {
		// Qdrant's RRF: 1/(k + rank), rank from 0, k = 2 unless given.
		k := 2.0
		switch v := r.GetQuery().GetVariant().(type) {
		case *qc.Query_Fusion:
			if v.Fusion != qc.Fusion_RRF {
				return nil, status.Error(codes.InvalidArgument, "fake: only RRF fusion")
			}
		case *qc.Query_Rrf:
			if f.version != "" && f.version < "1.16" {
				return nil, status.Error(codes.InvalidArgument, "fake: parametrized RRF needs 1.16")
			}
			if v.Rrf.K != nil {
				k = float64(v.Rrf.GetK())
			}
		default:
			return nil, status.Error(codes.InvalidArgument, "fake: prefetch needs RRF fusion")
		}
		fused := map[*fakePoint]float64{}
		for _, pf := range r.GetPrefetch() {
			if int(pf.GetLimit()) < limit {
				return nil, status.Error(codes.InvalidArgument, "prefetch limit below the query limit")
			}
			ranked, err := c.nearest(pf.GetQuery(), pf.GetUsing(), pf.GetFilter(), int(pf.GetLimit()))
			if err != nil {
				return nil, err
			}
			for i, s := range ranked {
				fused[s.p] += 1 / (k + float64(i))
			}
		}
		for p, s := range fused {
			if ok, err := matchFilter(r.GetFilter(), p); err != nil || !ok {
				continue
			}
			res = append(res, scored{p, s})
		}
		sortScored(res)
		if len(res) > limit {
			res = res[:limit]
		}
	} else if res, err = c.nearest(r.GetQuery(), r.GetUsing(), r.GetFilter(), limit); err != nil {
		return nil, err
	}
	out := make([]*qc.ScoredPoint, len(res))
	for i, s := range res {
		out[i] = &qc.ScoredPoint{Id: s.p.id, Payload: selectPayload(s.p.payload, r.GetWithPayload()), Score: float32(s.score)}
	}
	return &qc.QueryResponse{Result: out}, nil
}

func sortScored(res []scored) {
	slices.SortFunc(res, func(a, b scored) int {
		ka, _ := idKey(a.p.id)
		kb, _ := idKey(b.p.id)
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(ka, kb))
	})
}

// nearest ranks the points passing filter by a dense (cosine) or sparse
// (dot product with IDF over the points having that sparse vector) query.
func (c *fakeColl) nearest(q *qc.Query, using string, filter *qc.Filter, limit int) ([]scored, error) {
	in := q.GetNearest()
	if in == nil {
		return nil, status.Error(codes.InvalidArgument, "fake: only nearest queries are supported")
	}
	var res []scored
	switch {
	case in.GetDense() != nil:
		size, ok := c.dense[using]
		if !ok {
			return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Not existing vector name error: %s", using)
		}
		qv := in.GetDense().GetData()
		if len(qv) != size {
			return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Vector dimension error: expected dim: %d, got %d", size, len(qv))
		}
		for _, p := range c.sorted() {
			d, ok := p.dense[using]
			if !ok {
				continue
			}
			if m, err := matchFilter(filter, p); err != nil || !m {
				if err != nil {
					return nil, err
				}
				continue
			}
			res = append(res, scored{p, cosine(qv, d)})
		}
	case in.GetSparse() != nil:
		if !c.sparse[using] {
			return nil, status.Errorf(codes.InvalidArgument, "Wrong input: Not existing vector name error: %s", using)
		}
		df := map[uint32]int{}
		n := 0
		for _, p := range c.points {
			if sv, ok := p.sparse[using]; ok {
				n++
				for _, ix := range sv.Indices {
					df[ix]++
				}
			}
		}
		qs := in.GetSparse()
		for _, p := range c.sorted() {
			sv, ok := p.sparse[using]
			if !ok {
				continue
			}
			score, hit := 0.0, false
			for i, ix := range qs.GetIndices() {
				if j, found := slices.BinarySearch(sv.Indices, ix); found {
					idf := math.Log((float64(n)-float64(df[ix])+0.5)/(float64(df[ix])+0.5) + 1)
					score += idf * float64(qs.GetValues()[i]) * float64(sv.Values[j])
					hit = true
				}
			}
			if !hit {
				continue
			}
			if m, err := matchFilter(filter, p); err != nil || !m {
				if err != nil {
					return nil, err
				}
				continue
			}
			res = append(res, scored{p, score})
		}
	default:
		return nil, status.Error(codes.InvalidArgument, "fake: unsupported query vector")
	}
	sortScored(res)
	if len(res) > limit {
		res = res[:limit]
	}
	return res, nil
}

func cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// values flattens a payload value: a list gives its elements.
func values(v *qc.Value) []*qc.Value {
	if v == nil {
		return nil
	}
	if l, ok := v.GetKind().(*qc.Value_ListValue); ok {
		return l.ListValue.GetValues()
	}
	if _, ok := v.GetKind().(*qc.Value_NullValue); ok {
		return nil
	}
	return []*qc.Value{v}
}

func matchFilter(f *qc.Filter, p *fakePoint) (bool, error) {
	if f == nil {
		return true, nil
	}
	if f.MinShould != nil {
		return false, status.Error(codes.InvalidArgument, "fake: min_should is not supported")
	}
	for _, c := range f.GetMust() {
		ok, err := matchCond(c, p)
		if err != nil || !ok {
			return false, err
		}
	}
	for _, c := range f.GetMustNot() {
		ok, err := matchCond(c, p)
		if err != nil || ok {
			return false, err
		}
	}
	if len(f.GetShould()) == 0 {
		return true, nil
	}
	for _, c := range f.GetShould() {
		ok, err := matchCond(c, p)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

func matchCond(c *qc.Condition, p *fakePoint) (bool, error) {
	switch k := c.GetConditionOneOf().(type) {
	case *qc.Condition_Filter:
		return matchFilter(k.Filter, p)
	case *qc.Condition_HasId:
		pk, _ := idKey(p.id)
		for _, id := range k.HasId.GetHasId() {
			if ik, err := idKey(id); err != nil {
				return false, err
			} else if ik == pk {
				return true, nil
			}
		}
		return false, nil
	case *qc.Condition_IsEmpty:
		return len(values(p.payload[k.IsEmpty.GetKey()])) == 0, nil
	case *qc.Condition_Field:
		return matchField(k.Field, p)
	}
	return false, status.Errorf(codes.InvalidArgument, "fake: unsupported condition %T", c.GetConditionOneOf())
}

func matchField(fc *qc.FieldCondition, p *fakePoint) (bool, error) {
	vs := values(p.payload[fc.GetKey()])
	if fc.Range != nil {
		return false, status.Error(codes.InvalidArgument, "fake: numeric range is not used by this package")
	}
	for _, v := range vs {
		ok, err := matchValue(fc, v)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

func matchValue(fc *qc.FieldCondition, v *qc.Value) (bool, error) {
	if fc.GetMatch() != nil {
		switch m := fc.GetMatch().GetMatchValue().(type) {
		case *qc.Match_Keyword:
			s, ok := v.GetKind().(*qc.Value_StringValue)
			return ok && s.StringValue == m.Keyword, nil
		case *qc.Match_Keywords:
			s, ok := v.GetKind().(*qc.Value_StringValue)
			return ok && slices.Contains(m.Keywords.GetStrings(), s.StringValue), nil
		case *qc.Match_Boolean:
			b, ok := v.GetKind().(*qc.Value_BoolValue)
			return ok && b.BoolValue == m.Boolean, nil
		case *qc.Match_Integer:
			n, ok := v.GetKind().(*qc.Value_IntegerValue)
			return ok && n.IntegerValue == m.Integer, nil
		}
		return false, status.Errorf(codes.InvalidArgument, "fake: unsupported match %T", fc.GetMatch().GetMatchValue())
	}
	if r := fc.GetDatetimeRange(); r != nil {
		s, ok := v.GetKind().(*qc.Value_StringValue)
		if !ok {
			return false, nil
		}
		t, err := time.Parse(time.RFC3339Nano, s.StringValue)
		if err != nil {
			return false, nil // Qdrant ignores values it cannot parse as datetimes
		}
		if r.Lt != nil && !t.Before(r.Lt.AsTime()) ||
			r.Lte != nil && t.After(r.Lte.AsTime()) ||
			r.Gt != nil && !t.After(r.Gt.AsTime()) ||
			r.Gte != nil && t.Before(r.Gte.AsTime()) {
			return false, nil
		}
		return true, nil
	}
	return false, status.Error(codes.InvalidArgument, "fake: empty field condition")
}

// Snapshot renders every point of every collection (payload and vectors)
// as a string, by collection and point id, to compare states.
func (f *Server) Snapshot() map[string]map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]map[string]string{}
	for name, c := range f.colls {
		m := map[string]string{}
		for k, p := range c.points {
			pl := &qc.Struct{Fields: p.payload}
			var vecs []string
			for n, d := range p.dense {
				vecs = append(vecs, fmt.Sprint(n, d))
			}
			for n, s := range p.sparse {
				vecs = append(vecs, fmt.Sprint(n, s))
			}
			slices.Sort(vecs)
			b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(pl)
			m[k] = string(b) + "|" + strings.Join(vecs, ";")
		}
		out[name] = m
	}
	return out
}

// The three gRPC services, each a thin wrapper over Server (their
// method names clash: Points.Get and Collections.Get, Points.Delete and
// Collections.Delete).
type fakePoints struct {
	qc.UnimplementedPointsServer
	f *Server
}

type fakeCollections struct {
	qc.UnimplementedCollectionsServer
	f *Server
}

type fakeService struct {
	qc.UnimplementedQdrantServer
	f *Server
}

func (s fakeCollections) Get(_ context.Context, r *qc.GetCollectionInfoRequest) (*qc.GetCollectionInfoResponse, error) {
	c, unlock, err := s.f.lockColl(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	defer unlock()
	schema := map[string]*qc.PayloadSchemaInfo{}
	for field := range c.indexes {
		schema[field] = &qc.PayloadSchemaInfo{}
	}
	return &qc.GetCollectionInfoResponse{Result: &qc.CollectionInfo{PayloadSchema: schema, PointsCount: qc.PtrOf(uint64(len(c.points)))}}, nil
}
