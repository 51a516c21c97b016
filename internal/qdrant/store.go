package qdrant

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	qc "github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/limit"
)

// DefaultPort is Qdrant's gRPC port.
const DefaultPort = 6334

// minMinor is the oldest Qdrant 1.x minor version the store works with:
// the Query API (1.10), named sparse vectors with the IDF modifier (1.10)
// and the Facet API (1.12).
const minMinor = 12

// DefaultCollection is the collection name prefix when the URL names none.
const DefaultCollection = "livespec"

// APIKeyEnv is the environment variable Open reads the API key from when
// Options.APIKey is empty.
const APIKeyEnv = "LIVESPEC_QDRANT_API_KEY"

// Request sizing. Qdrant's gRPC server accepts messages up to 32 MiB by
// default (service.max_request_size_mb); upserts stay well under it.
const (
	maxBatchBytes  = 8 << 20
	maxBatchPoints = 256
	maxRecvBytes   = 256 << 20 // large scrolls and query results
	scrollPage     = 512
)

// Options configure Open. The collection settings only apply when Open
// creates the collections; existing collections keep theirs.
type Options struct {
	// APIKey authenticates to Qdrant; empty means LIVESPEC_QDRANT_API_KEY.
	APIKey string
	// TLSConfig overrides the default TLS settings when the URL says tls=1.
	TLSConfig *tls.Config

	// ShardNumber is the number of shards of each collection (0: Qdrant's
	// default, the number of nodes).
	ShardNumber uint32
	// ReplicationFactor is the number of copies of each shard (0: 1).
	ReplicationFactor uint32
	// WriteConsistencyFactor is how many replicas must confirm a write
	// before it succeeds (0: 1).
	WriteConsistencyFactor uint32

	// HealthTimeout bounds the health check of Open (0: 10 s).
	HealthTimeout time.Duration

	// NoCreate opens an existing index only, for commands that only read
	// it: the store creates no collection and no payload index, and Open
	// fails with ENOTFOUND when the index's collections are missing (an
	// empty Qdrant, or another collection name).
	NoCreate bool
}

// Config is a parsed store URL.
type Config struct {
	Host       string
	Port       int
	Collection string // prefix of the collection names
	TLS        bool
}

// ParseURL parses "qdrant://HOST[:PORT][?collection=NAME&tls=1]".
func ParseURL(rawURL string) (Config, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return Config{}, livespec.Errorf(livespec.EINVALID, "qdrant: bad store URL %q: %v", rawURL, err)
	}
	if u.Scheme != "qdrant" {
		return Config{}, livespec.Errorf(livespec.EINVALID, "qdrant: store URL %q: scheme must be qdrant://", rawURL)
	}
	c := Config{Host: u.Hostname(), Port: DefaultPort, Collection: DefaultCollection}
	if c.Host == "" {
		return Config{}, livespec.Errorf(livespec.EINVALID, "qdrant: store URL %q names no host", rawURL)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return Config{}, livespec.Errorf(livespec.EINVALID, "qdrant: store URL %q: bad port", rawURL)
		}
		c.Port = n
	}
	q := u.Query()
	for k := range q {
		if k != "collection" && k != "tls" {
			return Config{}, livespec.Errorf(livespec.EINVALID, "qdrant: store URL %q: unknown parameter %q (want collection, tls)", rawURL, k)
		}
	}
	if name := q.Get("collection"); name != "" {
		if strings.ContainsAny(name, "/ \t") {
			return Config{}, livespec.Errorf(livespec.EINVALID, "qdrant: store URL %q: bad collection name", rawURL)
		}
		c.Collection = name
	}
	switch strings.ToLower(q.Get("tls")) {
	case "", "0", "false", "no":
	case "1", "true", "yes":
		c.TLS = true
	default:
		return Config{}, livespec.Errorf(livespec.EINVALID, "qdrant: store URL %q: tls must be 0 or 1", rawURL)
	}
	return c, nil
}

// Store is a livespec.Store on a Qdrant server or cluster. It keeps no
// state of its own beyond a cache of the index info, so any number of API
// servers can share one Qdrant. Safe for concurrent use.
type Store struct {
	client *qc.Client
	cfg    Config
	opts   Options

	rrfK uint32 // rank constant of the fusion; 0: the server's default

	mu    sync.Mutex
	index indexRecord // cached; reloaded when a collection it names is gone

	writer *limit.Limiter // the writer lock (LockWrites)
}

var _ livespec.Store = (*Store)(nil)

// indexRecord is the index info and the physical collections it uses.
type indexRecord struct {
	livespec.IndexInfo
	// Sections is the collection of section versions; its name carries the
	// dense dimensions, since a collection's vectors are fixed at creation.
	Sections string `json:"sections"`
}

// Open connects to the Qdrant at rawURL, checks that it answers and creates
// the collections that are missing. An unreachable server gives an
// EUNAVAILABLE error.
func Open(ctx context.Context, rawURL string, opts Options) (*Store, error) {
	cfg, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if opts.APIKey == "" {
		opts.APIKey = os.Getenv(APIKeyEnv)
	}
	client, err := qc.NewClient(&qc.Config{
		Host:                   cfg.Host,
		Port:                   cfg.Port,
		APIKey:                 opts.APIKey,
		UseTLS:                 cfg.TLS,
		TLSConfig:              opts.TLSConfig,
		SkipCompatibilityCheck: true, // we call HealthCheck ourselves
		GrpcOptions: []grpc.DialOption{grpc.WithDefaultCallOptions(
			grpc.MaxCallRecvMsgSize(maxRecvBytes), grpc.MaxCallSendMsgSize(maxRecvBytes))},
	})
	if err != nil {
		return nil, livespec.WrapError(livespec.EINVALID, err, "qdrant: cannot connect to %s", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)))
	}
	s := &Store{client: client, cfg: cfg, opts: opts, writer: newWriteLock()}
	if err := s.open(ctx); err != nil {
		client.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) open(ctx context.Context) error {
	addr := net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
	hctx, cancel := context.WithTimeout(ctx, cmpDur(s.opts.HealthTimeout, 10*time.Second))
	defer cancel()
	reply, err := s.client.HealthCheck(hctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		code := livespec.EUNAVAILABLE
		if c := status.Code(errors.Unwrap(err)); c == codes.Unauthenticated || c == codes.PermissionDenied {
			code = livespec.EUNAUTHORIZED
		}
		return livespec.WrapError(code, err, "qdrant: cannot reach %s", addr)
	}
	if v, err := qc.ParseVersion(reply.GetVersion()); err == nil {
		if v.Major < 1 || v.Major == 1 && v.Minor < minMinor {
			return livespec.Errorf(livespec.EUNAVAILABLE, "qdrant: server %s runs Qdrant %s; livespec needs 1.%d or later", addr, reply.GetVersion(), minMinor)
		}
		if v.Major > 1 || v.Minor >= 16 {
			s.rrfK = rrfK
		}
	}
	if s.opts.NoCreate {
		ok, err := s.client.CollectionExists(ctx, s.metaColl())
		if err != nil {
			return s.classify(ctx, err, "qdrant: collection %s", s.metaColl())
		}
		if !ok {
			return livespec.Errorf(livespec.ENOTFOUND, "qdrant: no livespec index in collection %q at %s", s.cfg.Collection, addr)
		}
	}
	for _, c := range []struct {
		name   string
		fields map[string]qc.FieldType
	}{
		{s.metaColl(), map[string]qc.FieldType{fKind: qc.FieldType_FieldTypeKeyword, fRepo: qc.FieldType_FieldTypeKeyword}},
		{s.feedbackColl(), map[string]qc.FieldType{fDate: qc.FieldType_FieldTypeDatetime}},
		{s.filesColl(), versionIndexes()},
		{s.changesColl(), map[string]qc.FieldType{
			fRepo: qc.FieldType_FieldTypeKeyword, fPath: qc.FieldType_FieldTypeKeyword,
			fOldPath: qc.FieldType_FieldTypeKeyword, fDate: qc.FieldType_FieldTypeDatetime,
			fSection: qc.FieldType_FieldTypeBool, fSeq: qc.FieldType_FieldTypeInteger}},
	} {
		if err := s.ensureCollection(ctx, c.name, 0, c.fields); err != nil {
			return err
		}
	}
	_, err = s.loadIndex(ctx)
	return err
}

func cmpDur(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Collection names.
func (s *Store) metaColl() string    { return s.cfg.Collection + "_meta" }
func (s *Store) filesColl() string   { return s.cfg.Collection + "_files" }
func (s *Store) changesColl() string { return s.cfg.Collection + "_changes" }

// sectionsColl names the sections collection for dense vectors of dims
// (0: none); vectorsColl the collection of embeddings of that size.
func (s *Store) sectionsColl(dims int) string {
	if dims == 0 {
		return s.cfg.Collection + "_sections"
	}
	return fmt.Sprintf("%s_sections_d%d", s.cfg.Collection, dims)
}
func (s *Store) vectorsColl(dims int) string {
	return fmt.Sprintf("%s_vectors_d%d", s.cfg.Collection, dims)
}

// versionIndexes are the payload indexes of a collection of versions.
func versionIndexes() map[string]qc.FieldType {
	return map[string]qc.FieldType{
		fRepo: qc.FieldType_FieldTypeKeyword, fPath: qc.FieldType_FieldTypeKeyword,
		fHeading: qc.FieldType_FieldTypeKeyword, fHash: qc.FieldType_FieldTypeKeyword,
		fCurrent: qc.FieldType_FieldTypeBool, fValidFrom: qc.FieldType_FieldTypeDatetime,
		fValidTo: qc.FieldType_FieldTypeDatetime, fPart: qc.FieldType_FieldTypeInteger,
	}
}

// createRequest is the CreateCollection request of a collection: with
// dims > 0 a "dense" cosine vector of that size; for sections collections
// the two BM25 sparse vectors with the IDF modifier; none otherwise.
func (s *Store) createRequest(name string, dims int, sparse bool) *qc.CreateCollection {
	dense := map[string]*qc.VectorParams{}
	if dims > 0 {
		dense[denseName] = &qc.VectorParams{Size: uint64(dims), Distance: qc.Distance_Cosine}
	}
	req := &qc.CreateCollection{CollectionName: name, VectorsConfig: qc.NewVectorsConfigMap(dense)}
	if sparse {
		req.SparseVectorsConfig = qc.NewSparseVectorsConfig(map[string]*qc.SparseVectorParams{
			bm25Name:    {Modifier: qc.Modifier_Idf.Enum()},
			currentName: {Modifier: qc.Modifier_Idf.Enum()},
		})
	}
	if s.opts.ShardNumber > 0 {
		req.ShardNumber = qc.PtrOf(s.opts.ShardNumber)
	}
	if s.opts.ReplicationFactor > 0 {
		req.ReplicationFactor = qc.PtrOf(s.opts.ReplicationFactor)
	}
	if s.opts.WriteConsistencyFactor > 0 {
		req.WriteConsistencyFactor = qc.PtrOf(s.opts.WriteConsistencyFactor)
	}
	return req
}

// ensureCollection creates the collection name unless it exists (nothing
// with NoCreate), with its
// payload indexes. Sections collections (name has the sections prefix)
// carry the sparse vectors.
func (s *Store) ensureCollection(ctx context.Context, name string, dims int, fields map[string]qc.FieldType) error {
	if s.opts.NoCreate {
		return nil // a read-only store leaves Qdrant as it is
	}
	ok, err := s.client.CollectionExists(ctx, name)
	if err != nil {
		return s.classify(ctx, err, "qdrant: collection %s", name)
	}
	if !ok {
		sparse := strings.HasPrefix(name, s.cfg.Collection+"_sections")
		if err := s.client.CreateCollection(ctx, s.createRequest(name, dims, sparse)); err != nil {
			// Another server may have created it meanwhile.
			if ok, err2 := s.client.CollectionExists(ctx, name); err2 != nil || !ok {
				return s.classify(ctx, err, "qdrant: create collection %s", name)
			}
		}
	}
	// Create the payload indexes that are missing: all of them for a new
	// collection, and any an interrupted creation left out.
	info, err := s.client.GetCollectionInfo(ctx, name)
	if err != nil {
		return s.classify(ctx, err, "qdrant: collection %s", name)
	}
	for field, typ := range fields {
		if _, ok := info.GetPayloadSchema()[field]; ok {
			continue
		}
		if _, err := s.client.CreateFieldIndex(ctx, &qc.CreateFieldIndexCollection{
			CollectionName: name, FieldName: field, FieldType: typ.Enum(), Wait: qc.PtrOf(true),
		}); err != nil {
			return s.classify(ctx, err, "qdrant: index %s.%s", name, field)
		}
	}
	return nil
}

// classify turns a client error into a classified livespec error: the
// context's error when it is done, EUNAVAILABLE when the server cannot be
// reached, EUNAUTHORIZED for a refused key, EINTERNAL otherwise.
func (s *Store) classify(ctx context.Context, err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf(format+": %w", append(args, ctx.Err())...)
	}
	code := livespec.EINTERNAL
	switch status.Code(unwrapAll(err)) {
	case codes.Unavailable, codes.DeadlineExceeded:
		code = livespec.EUNAVAILABLE
	case codes.Unauthenticated, codes.PermissionDenied:
		code = livespec.EUNAUTHORIZED
	case codes.ResourceExhausted:
		code = livespec.ERATELIMIT
	case codes.Canceled:
		return fmt.Errorf(format+": %w", append(args, context.Canceled)...)
	}
	return livespec.WrapError(code, err, format, args...)
}

// unwrapAll returns the innermost error that carries a gRPC status.
func unwrapAll(err error) error {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if _, ok := status.FromError(e); ok {
			return e
		}
	}
	return err
}

// isNotFound reports whether err says a collection does not exist.
func isNotFound(err error) bool {
	return status.Code(unwrapAll(err)) == codes.NotFound
}

// Close releases the connections.
func (s *Store) Close() error { return s.client.Close() }
