// Command apiload is a loopback load generator for the livespec HTTP API.
// It measures throughput, latency percentiles and errors of POST /v1/ask
// (with the model-free extractive generator) and GET /v1/changes.
//
// Against an index, it starts `livespec serve` (the binary given by -bin,
// so the server is wired exactly as users run it) on 127.0.0.1 without a
// model, with the answer cache off unless -answer-cache N asks for one:
//
//	go build -o /tmp/livespec ./cmd/livespec
//	go run ./bench/apiload -bin /tmp/livespec -index /path/to/index
//
// The HTTP layer alone, over constant answers and changes:
//
//	go run ./bench/apiload -fake
//
// Against a running server (livespec serve):
//
//	go run ./bench/apiload -url http://127.0.0.1:8080 -token "$TOKEN"
//
// Each route runs until -n requests or -d elapsed, whichever comes first,
// with -c concurrent clients after a short warm-up. The question mix
// repeats: with -answer-cache N the server's answer cache serves most
// /v1/ask requests; by default every answer is computed afresh.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/api"
	"github.com/livespec/livespec/bench/internal/servebin"
	"github.com/livespec/livespec/retrieval"
)

func main() { servebin.Main("apiload", run) }

type options struct {
	index, bin, target, token, routes, now string
	cpuprofile                             string
	clients, n, inflight, queue            int
	answerCache                            int
	d                                      time.Duration
	jsonOut, fake                          bool
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	var o options
	fs := flag.NewFlagSet("apiload", flag.ContinueOnError)
	fs.StringVar(&o.index, "index", "", "SQLite index (its directory, or the livespec.db in it): serve it with -bin")
	fs.StringVar(&o.bin, "bin", "", "the livespec binary that serves -index")
	fs.StringVar(&o.target, "url", "", "base URL of a running server (instead of -index)")
	fs.StringVar(&o.token, "token", os.Getenv("LIVESPEC_API_TOKEN"), "bearer token for -url")
	fs.StringVar(&o.routes, "routes", "ask,changes", "routes to load, comma-separated: ask, changes")
	fs.StringVar(&o.now, "now", "", "clock for relative periods in questions (RFC 3339; default: the newest change in the index)")
	fs.IntVar(&o.clients, "c", 32, "concurrent clients")
	fs.IntVar(&o.n, "n", 20000, "requests per route at most")
	fs.DurationVar(&o.d, "d", 20*time.Second, "time per route at most")
	fs.IntVar(&o.inflight, "inflight", runtime.GOMAXPROCS(0)*2, "-index and -fake: answers generated at once")
	fs.IntVar(&o.queue, "queue", 1024, "-index and -fake: answers waiting")
	fs.IntVar(&o.answerCache, "answer-cache", -1, "-index: answers kept for repeated questions (-1: none; 0: serve's default)")
	fs.BoolVar(&o.jsonOut, "json", false, "print results as JSON")
	fs.BoolVar(&o.fake, "fake", false, "serve a constant answer and change list in-process: the cost of the HTTP layer alone")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the run (the server too with -fake) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if n := btoi(o.index != "") + btoi(o.target != "") + btoi(o.fake); n != 1 {
		return errors.New("give exactly one of -index, -url and -fake")
	}
	if o.index != "" && o.bin == "" {
		return errors.New("-index needs -bin, the livespec binary to serve it with")
	}
	base := strings.TrimRight(o.target, "/")
	if o.index != "" || o.fake {
		addr, stop, err := serveIndex(ctx, o)
		if err != nil {
			return err
		}
		defer stop()
		base = "http://" + addr
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: o.clients * 2, MaxIdleConnsPerHost: o.clients * 2}, Timeout: time.Minute}
	now, err := clock(ctx, client, base, o)
	if err != nil {
		return err
	}
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var results []result
	for r := range strings.SplitSeq(o.routes, ",") {
		var gen func(i int) *http.Request
		switch strings.TrimSpace(r) {
		case "ask":
			gen = askRequests(base, now)
		case "changes":
			gen = changeRequests(base, now)
		default:
			return fmt.Errorf("unknown route %q", r)
		}
		res := load(ctx, client, o, "/v1/"+strings.TrimSpace(r), gen)
		results = append(results, res)
		if !o.jsonOut {
			fmt.Fprintln(stdout, res)
		}
	}
	if o.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	return nil
}

// serveIndex starts the server: `livespec serve` over the index, or the
// API in-process over constant answers with -fake.
func serveIndex(ctx context.Context, o options) (addr string, stop func(), err error) {
	if o.fake {
		return serve(ctx, o, constAsker{}, constStore{}, func() {})
	}
	dir := o.index
	if fi, err := os.Stat(dir); err != nil {
		return "", nil, fmt.Errorf("index: %w", err)
	} else if !fi.IsDir() {
		dir = filepath.Dir(dir)
	}
	srv, err := servebin.Start(ctx, o.bin, "--index", dir, "--answer-cache", strconv.Itoa(o.answerCache),
		"--max-in-flight", strconv.Itoa(o.inflight), "--max-queue", strconv.Itoa(o.queue))
	if err != nil {
		return "", nil, err
	}
	return strings.TrimPrefix(srv.Base, "http://"), func() {
		if _, err := srv.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "apiload: stopping the server:", err)
		}
	}, nil
}

// serve starts the API in-process on a loopback port (for -fake); stop
// shuts it down and calls closeStore.
func serve(ctx context.Context, o options, asker livespec.Asker, st livespec.Store, closeStore func()) (string, func(), error) {
	srv, err := api.New(api.Config{
		Asker:       asker,
		Store:       st,
		ParsePeriod: retrieval.ParsePeriod,
		MaxInFlight: o.inflight,
		MaxQueue:    o.queue,
	})
	if err != nil {
		closeStore()
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		closeStore()
		return "", nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- api.Serve(sctx, ln, srv.Handler(), slog.New(slog.DiscardHandler)) }()
	return ln.Addr().String(), func() {
		cancel()
		<-done
		_ = srv.Shutdown(context.Background())
		closeStore()
	}, nil
}

// clock picks "now" for the questions: -now, or the date of the newest
// change, so that "last quarter" finds changes in an old corpus.
func clock(ctx context.Context, c *http.Client, base string, o options) (time.Time, error) {
	if o.now != "" {
		return time.Parse(time.RFC3339, o.now)
	}
	var newest time.Time
	cursor := ""
	for range 1000 {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/v1/changes?sections=false&limit=2000&cursor="+url.QueryEscape(cursor), nil)
		auth(req, o.token)
		resp, err := c.Do(req)
		if err != nil {
			return time.Time{}, err
		}
		var page struct {
			Changes []struct {
				Date time.Time `json:"date"`
			} `json:"changes"`
			NextCursor string `json:"next_cursor"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			return time.Time{}, fmt.Errorf("reading the newest change: status %d: %v", resp.StatusCode, err)
		}
		for _, ch := range page.Changes {
			if ch.Date.After(newest) {
				newest = ch.Date
			}
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if newest.IsZero() {
		return time.Time{}, errors.New("the index holds no changes")
	}
	return newest.Add(24 * time.Hour), nil
}

func auth(r *http.Request, token string) {
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
}

// Questions of every intent about the Kubernetes KEPs; any corpus answers
// them (perhaps with nothing found), which is what the load needs.
var questions = []string{
	"What does the spec say about pod security admission?",
	"How are feature gates graduated from alpha to beta?",
	"What is the production readiness review?",
	"What changed last quarter?",
	"What changed in the last 30 days?",
	"When was sidecar containers first proposed?",
	"How did the graduation criteria for in-place pod resize evolve?",
	"What did the KEP template say as of January 1 2021?",
	"Which KEPs mention topology aware routing?",
	"What are the test plan requirements?",
	"What changed this year about API priority and fairness?",
	"How does kubelet handle swap memory?",
	"What is the deprecation policy for beta APIs?",
	"When did dynamic resource allocation appear?",
	"What changed in 2023?",
	"What are the risks and mitigations for structured logging?",
}

func askRequests(base string, now time.Time) func(int) *http.Request {
	bodies := make([]string, len(questions))
	for i, q := range questions {
		b, _ := json.Marshal(map[string]string{"question": q, "now": now.UTC().Format(time.RFC3339)})
		bodies[i] = string(b)
	}
	return func(i int) *http.Request {
		req, _ := http.NewRequest("POST", base+"/v1/ask", strings.NewReader(bodies[i%len(bodies)]))
		req.Header.Set("Content-Type", "application/json")
		return req
	}
}

func changeRequests(base string, now time.Time) func(int) *http.Request {
	n := now.UTC().Format(time.RFC3339)
	var targets []string
	for m := range 24 { // month windows over the last two years, first page of 100
		from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -m, 0)
		targets = append(targets, fmt.Sprintf("/v1/changes?since=%s&until=%s&limit=100",
			from.Format(time.DateOnly), from.AddDate(0, 1, -1).Format(time.DateOnly)))
	}
	targets = append(targets,
		"/v1/changes?period=last+quarter&now="+url.QueryEscape(n)+"&limit=100",
		"/v1/changes?period=last+30+days&now="+url.QueryEscape(n)+"&sections=false",
		"/v1/changes?path=keps/sig-node/**&limit=50",
	)
	return func(i int) *http.Request {
		req, _ := http.NewRequest("GET", base+targets[i%len(targets)], nil)
		return req
	}
}

type result struct {
	Route      string         `json:"route"`
	Requests   int            `json:"requests"`
	Seconds    float64        `json:"seconds"`
	Throughput float64        `json:"requests_per_second"`
	P50        float64        `json:"p50_ms"`
	P90        float64        `json:"p90_ms"`
	P99        float64        `json:"p99_ms"`
	Max        float64        `json:"max_ms"`
	Errors     int            `json:"errors"`
	Statuses   map[string]int `json:"statuses"`
	Clients    int            `json:"clients"`
	// CPU is the CPU time this process used during the run (server and
	// load generator with -index or -fake); on a shared machine the
	// requests per CPU second say more than the wall-clock throughput.
	CPU       float64 `json:"cpu_seconds"`
	PerCPUSec float64 `json:"requests_per_cpu_second"`
}

func (r result) String() string {
	return fmt.Sprintf("%-12s %6d req in %5.1fs  %7.0f req/s  p50 %6.1fms  p90 %6.1fms  p99 %6.1fms  max %6.1fms  errors %d  statuses %v  (c=%d; %.1f CPU s, %.0f req per CPU s)",
		r.Route, r.Requests, r.Seconds, r.Throughput, r.P50, r.P90, r.P99, r.Max, r.Errors, r.Statuses, r.Clients, r.CPU, r.PerCPUSec)
}

// load sends requests from o.clients workers until o.n are sent or o.d
// passes. An error is a transport failure or a non-2xx status.
func load(ctx context.Context, c *http.Client, o options, route string, gen func(int) *http.Request) result {
	for i := range min(o.clients, 16) { // warm-up: connections, caches, corpus statistics
		send(ctx, c, o.token, gen(i))
	}
	ctx, cancel := context.WithTimeout(ctx, o.d)
	defer cancel()
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	statuses := map[string]int{}
	errs := 0
	cpu0 := cpuTime()
	start := time.Now()
	var wg sync.WaitGroup
	for range o.clients {
		wg.Go(func() {
			var mine []time.Duration
			mineStatus := map[string]int{}
			mineErrs := 0
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= o.n {
					break
				}
				t0 := time.Now()
				status, err := send(ctx, c, o.token, gen(i))
				if ctx.Err() != nil && err != nil {
					break // the time limit, not the server
				}
				mine = append(mine, time.Since(t0))
				mineStatus[cmp.Or(status, "transport")]++
				if err != nil || status[0] != '2' {
					mineErrs++
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			for k, v := range mineStatus {
				statuses[k] += v
			}
			errs += mineErrs
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := (cpuTime() - cpu0).Seconds()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	return result{Route: route, Requests: len(lat), Seconds: elapsed.Seconds(), Throughput: float64(len(lat)) / elapsed.Seconds(),
		P50: pct(.50), P90: pct(.90), P99: pct(.99), Max: pct(1), Errors: errs, Statuses: statuses, Clients: o.clients,
		CPU: cpu, PerCPUSec: float64(len(lat)) / max(cpu, 1e-9)}
}

func send(ctx context.Context, c *http.Client, token string, req *http.Request) (string, error) {
	req = req.WithContext(ctx)
	auth(req, token)
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return fmt.Sprint(resp.StatusCode), nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// constAsker answers every question with the same short text in a few
// tokens, like the extractive generator without the retrieval.
type constAsker struct{}

func (constAsker) Ask(ctx context.Context, req livespec.AskRequest, onToken func(string) error) (*livespec.Answer, error) {
	toks := []string{"Checkout accepts ", "one coupon per order [1]", ".\n"}
	if onToken != nil {
		for _, t := range toks {
			if err := onToken(t); err != nil {
				return nil, err
			}
		}
	}
	d := livespec.Time{Time: time.Date(2025, 4, 2, 12, 0, 0, 0, time.UTC)}
	return &livespec.Answer{Question: req.Question, Intent: livespec.IntentCurrent, Answer: strings.Join(toks, ""),
		Citations: []livespec.Citation{{N: 1, Repo: "shop", Path: "spec/checkout.md", Heading: "Checkout > Coupons",
			Commit: strings.Repeat("c", 40), Date: d, ValidFrom: d, Current: true, Excerpt: "One coupon per order."}},
		Model: livespec.ModelInfo{Embedder: "none (BM25 only)", Generator: "extractive"}}, nil
}

// constStore serves a fixed list of changes; the load touches nothing else.
type constStore struct{ livespec.Store }

func (constStore) Changes(ctx context.Context, q livespec.ChangeQuery) ([]livespec.Change, error) {
	n := min(cmp.Or(q.Limit, 100), 100)
	out := make([]livespec.Change, n)
	for i := range out {
		out[i] = livespec.Change{ID: fmt.Sprint(i), Repo: "shop", Commit: strings.Repeat("c", 40), Seq: int64(i),
			Date: time.Date(2025, 4, 2, 12, 0, i, 0, time.UTC), Author: "Ann", Message: "allow one coupon",
			Path: "spec/checkout.md", Heading: "Checkout > Coupons", Section: true, Kind: livespec.Modified,
			Summary: "changed: one coupon per order"}
	}
	return out, nil
}

func (constStore) Repos(context.Context) ([]livespec.RepoInfo, error) {
	return []livespec.RepoInfo{{Checkpoint: livespec.Checkpoint{Repo: "shop"}}}, nil
}

// cpuTime is the user and system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
