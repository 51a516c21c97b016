package qdrant

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	qc "github.com/qdrant/go-client/qdrant"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/qdrant/qdranttest"
	"github.com/livespec/livespec/internal/storetest"
)

// openFake opens a Store on a fresh in-process fake Qdrant.
func openFake(tb testing.TB) (*Store, *qdranttest.Server) {
	tb.Helper()
	f := qdranttest.Start(tb)
	s, err := Open(context.Background(), f.URL("test"), Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, f
}

var (
	t0 = time.Date(2025, 1, 10, 9, 0, 0, 0, time.UTC)
	t1 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	t2 = time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
)

// checkoutHistory is a three-commit history of a checkout spec: coupons
// appear, change, and the payment file goes away.
func checkoutHistory() (*storetest.History, []*livespec.Batch) {
	h := storetest.NewHistory("shop")
	return h, []*livespec.Batch{
		h.Commit(storetest.Commit{SHA: strings.Repeat("a", 40), Time: t0, Author: "Ann", Message: "checkout spec",
			Files: map[string][]livespec.Section{
				"specs/checkout.md": {
					storetest.Sec("Checkout", "# Checkout\nThe cart is paid in one step."),
					storetest.Sec("Checkout > Coupons", "## Coupons\nCoupons are not supported."),
				},
				"specs/payment.md": {storetest.Sec("Payment", "# Payment\nCards only.")},
			}}),
		h.Commit(storetest.Commit{SHA: strings.Repeat("b", 40), Time: t1, Author: "Bob", Message: "coupons",
			Files: map[string][]livespec.Section{
				"specs/checkout.md": {
					storetest.Sec("Checkout", "# Checkout\nThe cart is paid in one step."),
					storetest.Sec("Checkout > Coupons", "## Coupons\nOne coupon per order; coupons stack with sales."),
				},
			}}),
		h.Commit(storetest.Commit{SHA: strings.Repeat("c", 40), Time: t2, Author: "Ann", Message: "drop payment",
			Deleted: []string{"specs/payment.md"}}),
	}
}

func applyAll(tb testing.TB, s livespec.Store, bs []*livespec.Batch) {
	tb.Helper()
	for _, b := range bs {
		if err := s.Apply(context.Background(), b); err != nil {
			tb.Fatalf("apply: %v", err)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := openFake(t)
	_, bs := checkoutHistory()
	applyAll(t, s, bs)

	cp, err := s.Checkpoint(ctx, "shop")
	if err != nil || cp.Commit != strings.Repeat("c", 40) || cp.Seq != 3 {
		t.Fatalf("checkpoint = %+v, %v", cp, err)
	}
	if _, err := s.Checkpoint(ctx, "other"); livespec.ErrorCode(err) != livespec.ENOTFOUND {
		t.Errorf("checkpoint of unknown repo: %v, want ENOTFOUND", err)
	}

	tests := []struct {
		name     string
		q        livespec.SearchQuery
		wantText string // first hit's text contains it
		wantNone bool
	}{
		{"current coupons", livespec.SearchQuery{Text: "coupons", Validity: livespec.Current()}, "One coupon per order", false},
		{"as of February", livespec.SearchQuery{Text: "coupons", Validity: livespec.AsOf(t0.AddDate(0, 1, 0))}, "not supported", false},
		{"removed file not current", livespec.SearchQuery{Text: "cards", Validity: livespec.Current()}, "", true},
		{"removed file as of April", livespec.SearchQuery{Text: "cards", Validity: livespec.AsOf(t1.AddDate(0, 1, 0))}, "Cards only", false},
		{"path glob", livespec.SearchQuery{Text: "cards payment", Validity: livespec.AnyVersion(), Paths: []string{"specs/pay*.md"}}, "Cards only", false},
		{"path glob excludes", livespec.SearchQuery{Text: "cards", Validity: livespec.AnyVersion(), Paths: []string{"**/checkout.md"}}, "", true},
		{"other repo", livespec.SearchQuery{Text: "coupons", Repos: []string{"other"}}, "", true},
		{"stopwords only", livespec.SearchQuery{Text: "what is the"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits, err := s.Search(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantNone {
				if len(hits) != 0 {
					t.Fatalf("got %d hits, first %q; want none", len(hits), hits[0].Version.Text)
				}
				return
			}
			if len(hits) == 0 || !strings.Contains(hits[0].Version.Text, tt.wantText) {
				t.Fatalf("hits = %+v, want first containing %q", hits, tt.wantText)
			}
			for _, h := range hits {
				if !tt.q.Validity.Matches(&h.Version) {
					t.Errorf("hit %s (%s..%s) fails the validity filter", h.Version.Key, h.Version.ValidFrom, h.Version.ValidTo)
				}
			}
		})
	}

	changes, err := s.Changes(ctx, livespec.ChangeQuery{Repos: []string{"shop"}, From: t1, Sections: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range changes {
		got = append(got, string(c.Kind)+" "+c.Path+"#"+c.Heading)
	}
	want := []string{
		"modified specs/checkout.md#", "modified specs/checkout.md#Checkout > Coupons",
		"removed specs/payment.md#", "removed specs/payment.md#Payment",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes since March:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Paging with After gives the same sequence.
	var paged []string
	after := ""
	for {
		page, err := s.Changes(ctx, livespec.ChangeQuery{Repos: []string{"shop"}, From: t1, Sections: true, After: after, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, string(page[0].Kind)+" "+page[0].Path+"#"+page[0].Heading)
		after = page[0].ID
	}
	if strings.Join(paged, "\n") != strings.Join(want, "\n") {
		t.Errorf("paged changes:\n%s\nwant\n%s", strings.Join(paged, "\n"), strings.Join(want, "\n"))
	}

	var open []string
	if err := s.OpenVersions(ctx, "shop", func(v livespec.OpenVersion) error {
		open = append(open, v.Key.String())
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(open) != 2 {
		t.Errorf("open versions = %v, want the two checkout sections", open)
	}
	st, err := s.Stats(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	if want := (livespec.Stats{Files: 2, FileVersions: 3, Versions: 4, Changes: 9, DistinctTexts: 4}); st != want {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
}

// TestReapplyConverges simulates a crash at every write of every Apply
// (the first batch carries vectors, the second closes versions, the third
// removes a file) and checks that re-applying the rest of the history gives
// the state of a clean run, and that the checkpoint never moves before the
// data.
func TestReapplyConverges(t *testing.T) {
	ctx := context.Background()
	history := func() []*livespec.Batch {
		_, bs := checkoutHistory()
		bs[0].Vectors = []livespec.Vector{{Embedder: "test/2d", Hash: bs[0].Versions[0].Hash, Values: []float32{1, 0}}}
		return bs
	}
	clean, cf := openFake(t)
	applyAll(t, clean, history())
	want := storetest.Snapshot(ctx, t, clean, "shop")
	wantRaw := cf.Snapshot()

	for k := range history() {
		for crashAt := 1; ; crashAt++ {
			s, f := openFake(t)
			bs := history()
			applyAll(t, s, bs[:k])
			f.CrashAtWrite(crashAt)
			err := s.Apply(ctx, bs[k])
			f.CrashAtWrite(0)
			if err == nil {
				// No write left to crash on. Each batch writes at least
				// files, versions, changes and the checkpoint.
				if crashAt < 5 {
					t.Fatalf("batch %d: Apply made only %d writes; the crash points were not exercised", k, crashAt-1)
				}
				t.Logf("batch %d: crashed at each of its %d writes", k, crashAt-1)
				break
			}
			if livespec.ErrorCode(err) != livespec.EUNAVAILABLE {
				t.Fatalf("batch %d, crash at write %d: error %v, want EUNAVAILABLE", k, crashAt, err)
			}
			cp, err := s.Checkpoint(ctx, "shop")
			if k == 0 && livespec.ErrorCode(err) != livespec.ENOTFOUND || k > 0 && (err != nil || cp.Seq != int64(k)) {
				t.Fatalf("batch %d, crash at write %d: checkpoint moved to %+v (%v) before the data", k, crashAt, cp, err)
			}
			applyAll(t, s, bs[k:])
			if got := storetest.Snapshot(ctx, t, s, "shop"); got != want {
				t.Fatalf("batch %d, crash at write %d, then re-apply:\n%s\nwant\n%s", k, crashAt, got, want)
			}
			// Also the raw points (vectors included) are identical.
			raw := f.Snapshot()
			for coll, pts := range wantRaw {
				if strings.HasSuffix(coll, "_meta") {
					continue // checkpoints carry their UpdatedAt; Snapshot compared them
				}
				for id, p := range pts {
					if raw[coll][id] != p {
						t.Fatalf("batch %d, crash at write %d: point %s/%s differs after re-apply", k, crashAt, coll, id)
					}
				}
				if len(raw[coll]) != len(pts) {
					t.Fatalf("batch %d, crash at write %d: %s has %d points, want %d", k, crashAt, coll, len(raw[coll]), len(pts))
				}
			}
		}
	}
}

func TestOpenUnreachable(t *testing.T) {
	_, err := Open(context.Background(), "qdrant://127.0.0.1:1", Options{HealthTimeout: 2 * time.Second})
	if livespec.ErrorCode(err) != livespec.EUNAVAILABLE {
		t.Fatalf("err = %v, want EUNAVAILABLE", err)
	}
	if msg := livespec.ErrorMessage(err); msg != "qdrant: cannot reach 127.0.0.1:1" {
		t.Errorf("message = %q", msg)
	}
}

func TestAPIKey(t *testing.T) {
	ctx := context.Background()
	u := qdranttest.Start(t, qdranttest.WithAPIKey("s3cret")).Addr()
	t.Setenv(APIKeyEnv, "")
	if _, err := Open(ctx, u, Options{}); livespec.ErrorCode(err) != livespec.EUNAUTHORIZED {
		t.Errorf("no key: %v, want EUNAUTHORIZED", err)
	}
	if _, err := Open(ctx, u, Options{APIKey: "wrong"}); livespec.ErrorCode(err) != livespec.EUNAUTHORIZED {
		t.Errorf("wrong key: %v, want EUNAUTHORIZED", err)
	}
	s, err := Open(ctx, u, Options{APIKey: "s3cret"})
	if err != nil {
		t.Fatalf("key from Options: %v", err)
	}
	s.Close()
	t.Setenv(APIKeyEnv, "s3cret")
	s, err = Open(ctx, u, Options{})
	if err != nil {
		t.Fatalf("key from %s: %v", APIKeyEnv, err)
	}
	applyAll(t, s, func() []*livespec.Batch { _, bs := checkoutHistory(); return bs }())
	s.Close()
}

// TestLargeTexts stores versions whose texts add up to far more than gRPC's
// default 4 MiB message size, and reads them back in one query.
func TestLargeTexts(t *testing.T) {
	ctx := context.Background()
	s, f := openFake(t)
	h := storetest.NewHistory("big")
	secs := map[string][]livespec.Section{}
	for i := range 60 {
		// ~320 KB in few words, so the test measures transport, not tokenizing.
		text := fmt.Sprintf("# Part %d\nlorem %s ipsum", i, strings.Repeat("x", 320000))
		secs[fmt.Sprintf("specs/big%02d.md", i)] = []livespec.Section{storetest.Sec(fmt.Sprintf("Part %d", i), text)}
	}
	applyAll(t, s, []*livespec.Batch{h.Commit(storetest.Commit{SHA: strings.Repeat("d", 40), Time: t0, Files: secs})})
	if n := f.Calls("Upsert"); n < 4 {
		t.Errorf("%d upserts for ~19 MB of versions: batches are not split by size", n)
	}
	vs, err := s.Versions(ctx, livespec.VersionQuery{Repos: []string{"big"}, Validity: livespec.AnyVersion()})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 60 || len(vs[59].Text) < 300000 {
		t.Errorf("read back %d versions", len(vs))
	}
}

// TestSetIndexMovesSections records an embedder over a BM25-only index: the
// versions move to a collection with dense vectors, and a second server
// opened before the move (a stateless API replica) follows it.
func TestSetIndexMovesSections(t *testing.T) {
	ctx := context.Background()
	f := qdranttest.Start(t)
	u := f.Addr()
	writer, err := Open(ctx, u, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	reader, err := Open(ctx, u, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	_, bs := checkoutHistory()
	applyAll(t, writer, bs)

	info := livespec.IndexInfo{Embedder: "test/2d", Dimensions: 2}
	if err := writer.SetIndex(ctx, info); err != nil {
		t.Fatal(err)
	}
	_, oldLeft := f.Collection("livespec_sections")
	moved, ok := f.Collection("livespec_sections_d2")
	if oldLeft || !ok || moved.Points != 4 {
		t.Fatalf("after SetIndex: old collection left %v, new one %v", oldLeft, moved)
	}
	if got, err := reader.Index(ctx); err != nil || got != info {
		t.Errorf("reader index = %+v, %v", got, err)
	}
	// The reader still has the old collection cached until it fails.
	reader.mu.Lock()
	reader.index = indexRecord{Sections: "livespec_sections"}
	reader.mu.Unlock()
	hits, err := reader.Search(ctx, livespec.SearchQuery{Text: "coupons", Validity: livespec.Current()})
	if err != nil || len(hits) == 0 || !strings.Contains(hits[0].Version.Text, "One coupon") {
		t.Fatalf("reader search after the move: %v, %v", hits, err)
	}

	// New texts now get dense vectors, and a dense query finds them.
	h := storetest.NewHistory("docs")
	b := h.Commit(storetest.Commit{SHA: strings.Repeat("e", 40), Time: t1, Files: map[string][]livespec.Section{
		"guide.md": {storetest.Sec("Guide", "# Guide\nRefunds take a week.")},
	}})
	b.Vectors = []livespec.Vector{{Embedder: "test/2d", Hash: b.Versions[0].Hash, Values: []float32{0, 1}}}
	applyAll(t, writer, []*livespec.Batch{b})
	hits, err = reader.Search(ctx, livespec.SearchQuery{Text: "money back", Vector: []float32{0, 1}, Embedder: "test/2d", Validity: livespec.Current()})
	if err != nil || len(hits) == 0 || hits[0].Version.Path != "guide.md" {
		t.Fatalf("dense search: %v, %v", hits, err)
	}
	if _, err := reader.Search(ctx, livespec.SearchQuery{Text: "x", Vector: []float32{0, 1, 0}, Embedder: "other/3d"}); livespec.ErrorCode(err) != livespec.EMISMATCH {
		t.Errorf("query vector of another embedder: %v, want EMISMATCH", err)
	}
}

func TestOldServer(t *testing.T) {
	u := qdranttest.Start(t, qdranttest.WithVersion("1.9.2")).Addr()
	_, err := Open(context.Background(), u, Options{})
	if livespec.ErrorCode(err) != livespec.EUNAVAILABLE || !strings.Contains(livespec.ErrorMessage(err), "needs 1.12 or later") {
		t.Errorf("Qdrant 1.9: %v, want EUNAVAILABLE naming the version needed", err)
	}
}

// TestIndexesRepaired reopens a store whose collections lost a payload
// index (a creation interrupted between the collection and its indexes).
func TestIndexesRepaired(t *testing.T) {
	ctx := context.Background()
	f := qdranttest.Start(t)
	u := f.Addr()
	s, err := Open(ctx, u, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	f.DropIndex("livespec_changes", fOldPath)
	s, err = Open(ctx, u, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ch, _ := f.Collection("livespec_changes")
	typ, ok := ch.Indexes[fOldPath]
	if !ok || typ != qc.FieldType_FieldTypeKeyword {
		t.Errorf("old_path index after reopening: %v %v", typ, ok)
	}
}

func TestTLS(t *testing.T) {
	// Borrow httptest's self-signed certificate for 127.0.0.1.
	ts := httptest.NewTLSServer(http.NotFoundHandler())
	defer ts.Close()
	cert := ts.TLS.Certificates[0]
	u := qdranttest.Start(t, qdranttest.WithAPIKey("k"), qdranttest.WithServerOptions(grpc.Creds(credentials.NewServerTLSFromCert(&cert)))).Addr()
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	ctx := context.Background()
	s, err := Open(ctx, u+"?tls=1", Options{APIKey: "k", TLSConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}})
	if err != nil {
		t.Fatalf("TLS with the server's CA: %v", err)
	}
	s.Close()
	if _, err := Open(ctx, u+"?tls=1", Options{APIKey: "k", HealthTimeout: 2 * time.Second}); livespec.ErrorCode(err) != livespec.EUNAVAILABLE {
		t.Errorf("TLS with an unknown CA: %v, want EUNAVAILABLE", err)
	}
	if _, err := Open(ctx, u, Options{APIKey: "k", HealthTimeout: 2 * time.Second}); livespec.ErrorCode(err) != livespec.EUNAVAILABLE {
		t.Errorf("plaintext to a TLS server: %v, want EUNAVAILABLE", err)
	}
}

// TestCollectionSettings checks what Open asks Qdrant to create: the
// cluster settings on every collection, the vectors of each.
func TestCollectionSettings(t *testing.T) {
	ctx := context.Background()
	f := qdranttest.Start(t)
	s, err := Open(ctx, f.URL("team"), Options{ShardNumber: 6, ReplicationFactor: 2, WriteConsistencyFactor: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SetIndex(ctx, livespec.IndexInfo{Embedder: "ollama/nomic-embed-text@768", Dimensions: 768}); err != nil {
		t.Fatal(err)
	}
	names := f.Collections()
	colls := map[string]qdranttest.Collection{}
	for _, name := range names {
		c, _ := f.Collection(name)
		colls[name] = c
		r := c.Create
		if r.GetShardNumber() != 6 || r.GetReplicationFactor() != 2 || r.GetWriteConsistencyFactor() != 1 {
			t.Errorf("%s created with shards %d, replicas %d, write consistency %d", name, r.GetShardNumber(), r.GetReplicationFactor(), r.GetWriteConsistencyFactor())
		}
	}
	if want := []string{"team_changes", "team_feedback", "team_files", "team_meta", "team_sections_d768"}; !slices.Equal(names, want) {
		t.Fatalf("collections %v, want %v (the BM25-only sections collection dropped)", names, want)
	}
	sec := colls["team_sections_d768"]
	if sec.Dense[denseName] != 768 || sec.Create.GetVectorsConfig().GetParamsMap().GetMap()[denseName].GetDistance() != qc.Distance_Cosine ||
		!slices.Equal(sec.Sparse, []string{bm25Name, currentName}) {
		t.Errorf("sections vectors: dense %v, sparse %v", sec.Dense, sec.Sparse)
	}
	for field, typ := range map[string]qc.FieldType{
		fRepo: qc.FieldType_FieldTypeKeyword, fPath: qc.FieldType_FieldTypeKeyword, fHeading: qc.FieldType_FieldTypeKeyword,
		fCurrent: qc.FieldType_FieldTypeBool, fValidFrom: qc.FieldType_FieldTypeDatetime, fValidTo: qc.FieldType_FieldTypeDatetime,
	} {
		if got, ok := sec.Indexes[field]; !ok || got != typ {
			t.Errorf("sections index on %s: %v, want %v", field, got, typ)
		}
	}
	ch := colls["team_changes"]
	for field, typ := range map[string]qc.FieldType{
		fDate: qc.FieldType_FieldTypeDatetime, fRepo: qc.FieldType_FieldTypeKeyword,
		fPath: qc.FieldType_FieldTypeKeyword, fOldPath: qc.FieldType_FieldTypeKeyword,
	} {
		if got, ok := ch.Indexes[field]; !ok || got != typ {
			t.Errorf("changes index on %s: %v, want %v", field, got, typ)
		}
	}
	if len(colls["team_meta"].Dense)+len(colls["team_files"].Dense) != 0 {
		t.Error("payload-only collections have vectors")
	}
}

func TestBadFeedback(t *testing.T) {
	ctx := context.Background()
	s, _ := openFake(t)
	for name, f := range map[string]livespec.Feedback{
		"no id":     {Time: t0, Rating: 1},
		"rating 0":  {ID: "a", Time: t0},
		"rating 2":  {ID: "a", Time: t0, Rating: 2},
		"zero time": {ID: "a", Rating: -1},
	} {
		if err := s.AddFeedback(ctx, f); livespec.ErrorCode(err) != livespec.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
	n := 0
	if err := s.EachFeedback(ctx, func(livespec.Feedback) error { n++; return nil }); err != nil || n != 0 {
		t.Errorf("after rejected ratings: %d stored, %v", n, err)
	}
}
