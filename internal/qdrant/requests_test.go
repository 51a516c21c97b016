package qdrant

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	qc "github.com/qdrant/go-client/qdrant"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/livespec/livespec"
)

// js renders a request message as compact JSON for assertions.
func js(t *testing.T, m proto.Message) string {
	t.Helper()
	b, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	json.Unmarshal(b, &v)
	out, _ := json.Marshal(v) // canonical key order, no spaces
	return string(out)
}

func TestValidityFilters(t *testing.T) {
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		v    livespec.Validity
		want string
	}{
		{"current", livespec.Current(), `{"must":[{"field":{"key":"current","match":{"boolean":true}}}]}`},
		{"empty mode is current", livespec.Validity{}, `{"must":[{"field":{"key":"current","match":{"boolean":true}}}]}`},
		{"as of", livespec.AsOf(at), `{"must":[` +
			`{"field":{"datetime_range":{"lte":"2025-03-01T12:00:00Z"},"key":"valid_from"}},` +
			`{"filter":{"should":[{"field":{"key":"current","match":{"boolean":true}}},` +
			`{"field":{"datetime_range":{"gt":"2025-03-01T12:00:00Z"},"key":"valid_to"}}]}}]}`},
		{"any", livespec.AnyVersion(), `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := js(t, &qc.Filter{Must: validityConditions(tt.v)}); got != tt.want {
				t.Errorf("filter:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestScopeAndChangeFilters(t *testing.T) {
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		f    *qc.Filter
		want string
	}{
		{"versions of repos and paths", versionFilter([]string{"shop"}, []string{"a.md", "b.md"}, livespec.AnyVersion()),
			`{"must":[{"field":{"key":"repo","match":{"keywords":{"strings":["shop"]}}}},` +
				`{"field":{"key":"path","match":{"keywords":{"strings":["a.md","b.md"]}}}}]}`},
		{"everything", versionFilter(nil, nil, livespec.AnyVersion()), `{}`},
		{"changes in a window, file level", changeFilter(nil, nil, from, to, false),
			`{"must":[{"field":{"datetime_range":{"gte":"2025-01-01T00:00:00Z","lt":"2025-04-01T00:00:00Z"},"key":"date"}},` +
				`{"field":{"key":"section","match":{"boolean":false}}}]}`},
		{"changes by path or old path", changeFilter([]string{"shop"}, []string{"a.md"}, time.Time{}, time.Time{}, true),
			`{"must":[{"field":{"key":"repo","match":{"keywords":{"strings":["shop"]}}}},` +
				`{"filter":{"should":[{"field":{"key":"path","match":{"keywords":{"strings":["a.md"]}}}},` +
				`{"field":{"key":"old_path","match":{"keywords":{"strings":["a.md"]}}}}]}}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := js(t, tt.f); got != tt.want {
				t.Errorf("filter:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestSearchRequest(t *testing.T) {
	f := versionFilter([]string{"shop"}, nil, livespec.Current())
	sparse := SparseVector{Indices: []uint32{7, 9}, Values: []float32{1, 1}}
	dense := []float32{0.5, 0.25}

	hybrid := searchRequest("c_sections_d2", sparse, currentName, dense, f, 10, 60)
	if hybrid.GetQuery().GetRrf().GetK() != 60 || hybrid.Filter != nil || hybrid.GetLimit() != 10 {
		t.Errorf("hybrid: want RRF (k=60) of the prefetches, limit 10, filter only in prefetches: %s", js(t, hybrid))
	}
	if old := searchRequest("c_sections_d2", sparse, currentName, dense, f, 10, 0); old.GetQuery().GetFusion() != qc.Fusion_RRF {
		t.Errorf("hybrid on Qdrant < 1.16: want plain RRF fusion: %s", js(t, old))
	}
	if len(hybrid.Prefetch) != 2 {
		t.Fatalf("hybrid: %d prefetches, want 2", len(hybrid.Prefetch))
	}
	for i, want := range []string{denseName, currentName} {
		p := hybrid.Prefetch[i]
		if p.GetUsing() != want || p.GetLimit() < 10 || js(t, p.GetFilter()) != js(t, f) {
			t.Errorf("prefetch %d = %s, want using %s, limit >= 10 and the filter", i, js(t, p), want)
		}
	}
	if got := hybrid.Prefetch[0].GetQuery().GetNearest().GetDense().GetData(); !slices.Equal(got, dense) {
		t.Errorf("dense prefetch vector = %v", got)
	}
	if got := hybrid.Prefetch[1].GetQuery().GetNearest().GetSparse(); !slices.Equal(got.GetIndices(), sparse.Indices) {
		t.Errorf("sparse prefetch vector = %v", got)
	}

	bm25 := searchRequest("c_sections", sparse, bm25Name, nil, f, 5, 60)
	if bm25.Prefetch != nil || bm25.GetUsing() != bm25Name || bm25.GetQuery().GetNearest().GetSparse() == nil || js(t, bm25.GetFilter()) != js(t, f) {
		t.Errorf("BM25 only: %s", js(t, bm25))
	}
	denseOnly := searchRequest("c_sections_d2", SparseVector{}, currentName, dense, f, 5, 60)
	if denseOnly.Prefetch != nil || denseOnly.GetUsing() != denseName {
		t.Errorf("dense only: %s", js(t, denseOnly))
	}
	if r := searchRequest("c", SparseVector{}, currentName, nil, f, 5, 60); r != nil {
		t.Errorf("nothing to search with: %s, want nil", js(t, r))
	}
	if got := prefetchLimit(40); got != 160 {
		t.Errorf("prefetchLimit(40) = %d, want 160", got)
	}
}

func TestVersionPoint(t *testing.T) {
	v := livespec.Version{
		ID:  livespec.VersionID(livespec.Key{Repo: "shop", Path: "a.md", Heading: "A > B", Part: 1}, "c1"),
		Key: livespec.Key{Repo: "shop", Path: "a.md", Heading: "A > B", Part: 1}, Level: 2,
		Text: "## B\nCoupons stack.", Hash: livespec.ContentHash("## B\nCoupons stack."), Links: []string{"b.md"},
		Commit: "c1", Seq: 4, ValidFrom: time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600)), Author: "Ann",
	}
	p, err := versionPoint(&v, []float32{1, 0})
	if err != nil {
		t.Fatal(err)
	}
	if p.GetId().GetUuid() != v.ID {
		t.Errorf("point id %v, want the version id %s", p.GetId(), v.ID)
	}
	pl := p.GetPayload()
	for k, want := range map[string]string{
		fRepo: "shop", fPath: "a.md", fHeading: "A > B", fHash: v.Hash, fValidFrom: "2025-01-02T02:04:05Z",
	} {
		if got := pl[k].GetStringValue(); got != want {
			t.Errorf("payload %s = %q, want %q", k, got, want)
		}
	}
	if !pl[fCurrent].GetBoolValue() || pl[fPart].GetIntegerValue() != 1 || pl[fSeq].GetIntegerValue() != 4 {
		t.Errorf("payload current/part/seq = %v", pl)
	}
	if _, ok := pl[fValidTo]; ok {
		t.Error("a current version has valid_to")
	}
	vecs := p.GetVectors().GetVectors().GetVectors()
	if vecs[denseName] == nil || vecs[bm25Name] == nil || vecs[currentName] == nil {
		t.Errorf("vectors %v, want dense, bm25 and bm25_current", vecs)
	}
	back, err := decodeVersion(pl)
	if err != nil {
		t.Fatal(err)
	}
	v.ValidFrom = v.ValidFrom.UTC()
	if js1, js2 := mustJSON(t, back), mustJSON(t, v); js1 != js2 {
		t.Errorf("round trip:\n got %s\nwant %s", js1, js2)
	}

	// A closed version: no current-only BM25 vector, end of validity in the payload.
	v.EndCommit, v.EndSeq, v.ValidTo = "c2", 5, time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	p, err = versionPoint(&v, nil)
	if err != nil {
		t.Fatal(err)
	}
	vecs = p.GetVectors().GetVectors().GetVectors()
	if vecs[currentName] != nil || vecs[denseName] != nil || vecs[bm25Name] == nil {
		t.Errorf("closed version vectors %v, want bm25 only", vecs)
	}
	if p.GetPayload()[fValidTo].GetStringValue() != "2025-02-01T00:00:00Z" || p.GetPayload()[fCurrent].GetBoolValue() {
		t.Errorf("closed version payload %v", p.GetPayload())
	}
	if back, _ := decodeVersion(p.GetPayload()); back.EndCommit != "c2" || back.EndSeq != 5 || !back.ValidTo.Equal(v.ValidTo) {
		t.Errorf("closed round trip = %+v", back)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPointID(t *testing.T) {
	u := livespec.VersionID(livespec.Key{Repo: "r"}, "c")
	if got := pointID(u).GetUuid(); got != u {
		t.Errorf("pointID(uuid) = %s, want it unchanged", got)
	}
	a, b := pointID("doc1").GetUuid(), pointID("doc1").GetUuid()
	if a != b || a == "doc1" || len(a) != 36 {
		t.Errorf("pointID(doc1) = %s, %s: want one stable UUID", a, b)
	}
	if pointID("doc2").GetUuid() == a {
		t.Error("two ids map to one point")
	}
	if checkpointPointID("a").GetUuid() == checkpointPointID("b").GetUuid() ||
		vectorPointID("e", "h1").GetUuid() == vectorPointID("e2", "h1").GetUuid() {
		t.Error("distinct records share a point id")
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"When does the hangar open?", []string{"hangar", "open"}},
		{"The zeppelin hangar opens at dawn.", []string{"zeppelin", "hangar", "open", "dawn"}},
		{"Discounts: discount, DISCOUNTED!", []string{"discount", "discount", "discount"}},
		{`coupons: "x" AND NOT (checkout*) - OR`, []string{"coupon", "checkout"}},
		{"Größe über 10 MB", []string{"größe", "über", "10", "mb"}},
		{"what is the", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := Tokens(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestSparseVectors(t *testing.T) {
	doc := DocumentVector("Coupons coupons coupons and one checkout")
	if !slices.IsSorted(doc.Indices) || len(doc.Indices) != 3 || len(doc.Values) != 3 {
		t.Fatalf("document vector %+v: want 3 sorted distinct terms", doc)
	}
	weight := map[uint32]float32{}
	for i, ix := range doc.Indices {
		weight[ix] = doc.Values[i]
	}
	c, one := weight[TermIndex("coupon")], weight[TermIndex("one")]
	if !(c > one) || c >= bm25K1+1 {
		t.Errorf("weights coupon %v, one %v: want tf saturating below k1+1 and above a single use", c, one)
	}
	// Longer documents weigh a term less (length normalisation).
	long := DocumentVector("coupons " + strings.Repeat("filler ", 500))
	if lw := long.Values[slices.Index(long.Indices, TermIndex("coupon"))]; !(lw < one) {
		t.Errorf("one use in a long document weighs %v, in a short one %v", lw, one)
	}
	q := QueryVector("coupons Coupons checkout?")
	if len(q.Indices) != 2 || q.Values[0] != 1 || q.Values[1] != 1 {
		t.Errorf("query vector %+v, want two terms of weight 1", q)
	}
	if TermIndex("coupon") != 0xa613196b { // FNV-1a 32 of "coupon", computed independently
		// The hash is part of the stored data: changing it silently breaks
		// every existing index.
		t.Errorf("TermIndex(coupon) = %#x: the term hash changed", TermIndex("coupon"))
	}
}

func TestSplitBatches(t *testing.T) {
	pt := func(n int) *qc.PointStruct {
		p, _ := payloadPoint("x", map[string]any{"doc": strings.Repeat("a", n)})
		return p
	}
	var pts []*qc.PointStruct
	for range 10 {
		pts = append(pts, pt(1000))
	}
	size := proto.Size(pts[0]) + 8
	tests := []struct {
		name      string
		pts       []*qc.PointStruct
		maxBytes  int
		maxPoints int
		want      []int
	}{
		{"by count", pts, 1 << 20, 4, []int{4, 4, 2}},
		{"by size", pts, 3 * size, 100, []int{3, 3, 3, 1}},
		{"oversized point alone", append([]*qc.PointStruct{pt(5000)}, pts[:2]...), 2 * size, 100, []int{1, 2}},
		{"empty", nil, 100, 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int
			total := 0
			for _, b := range splitBatches(tt.pts, tt.maxBytes, tt.maxPoints) {
				got = append(got, len(b))
				total += len(b)
				bytes := 0
				for _, p := range b {
					bytes += proto.Size(p) + 8
				}
				if len(b) > 1 && bytes > tt.maxBytes {
					t.Errorf("batch of %d points has %d bytes > %d", len(b), bytes, tt.maxBytes)
				}
			}
			if !slices.Equal(got, tt.want) || total != len(tt.pts) {
				t.Errorf("batch sizes %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		url  string
		want Config
		err  bool
	}{
		{"qdrant://qdrant:6334", Config{Host: "qdrant", Port: 6334, Collection: "livespec"}, false},
		{"qdrant://db.example.com?collection=specs&tls=1", Config{Host: "db.example.com", Port: 6334, Collection: "specs", TLS: true}, false},
		{"qdrant://[::1]:7000?tls=0", Config{Host: "::1", Port: 7000, Collection: "livespec"}, false},
		{"http://qdrant:6334", Config{}, true},
		{"qdrant://:6334", Config{}, true},
		{"qdrant://h:port", Config{}, true},
		{"qdrant://h?tls=maybe", Config{}, true},
		{"qdrant://h?colection=x", Config{}, true},
		{"qdrant://h?collection=a/b", Config{}, true},
	}
	for _, tt := range tests {
		got, err := ParseURL(tt.url)
		if tt.err {
			if livespec.ErrorCode(err) != livespec.EINVALID {
				t.Errorf("ParseURL(%q) = %+v, %v; want EINVALID", tt.url, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", tt.url, got, err, tt.want)
		}
	}
}

func TestSortChanges(t *testing.T) {
	d1 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	d2 := d1.Add(time.Hour)
	cs := []livespec.Change{
		{ID: "6", Date: d2, Repo: "a", Seq: 1},
		{ID: "5", Date: d1, Repo: "b", Seq: 1},
		{ID: "4", Date: d1, Repo: "a", Seq: 2},
		{ID: "3", Date: d1, Repo: "a", Seq: 1, Section: true, Path: "x", Heading: "B"},
		{ID: "2", Date: d1, Repo: "a", Seq: 1, Section: true, Path: "x", Heading: "A"},
		{ID: "1", Date: d1, Repo: "a", Seq: 1, Section: false, Path: "z"},
	}
	sortChanges(cs)
	var got []string
	for _, c := range cs {
		got = append(got, c.ID)
	}
	if want := []string{"1", "2", "3", "4", "5", "6"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

// BenchmarkDocumentVector measures client-side BM25 weighting (tokenize,
// stem, hash) of a typical spec section of about 2 KB.
func BenchmarkDocumentVector(b *testing.B) {
	text := strings.Repeat("## Token expiry\nAccess tokens expire after 15 minutes; refresh tokens are rotated on every use and revoked when the user signs out. ", 16)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		DocumentVector(text)
	}
}
