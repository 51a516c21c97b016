// Command serveload starts a fresh `livespec serve` (the binary itself, so
// the server is wired exactly as users run it) on an existing index, with
// the answer cache off, and asks it many distinct questions at once:
// current, as-of, changes and timeline questions made from the index's own
// section headings. Optionally it lands new commits in the served
// repository and has the server ingest them while the questions run; the
// clone's directory must bear the name of the index's repository (serve
// names a repository by its directory), else it refuses to start.
//
//	go build -o /tmp/livespec ./cmd/livespec
//	go run ./bench/serveload -bin /tmp/livespec -index DIR -c 32 -n 3000
//	go run ./bench/serveload -bin /tmp/livespec -index DIR -repo CLONE -ingest 2s
//
// It reports every request's outcome: the latency percentiles (p50, p99,
// max) overall and per kind, the requests slower than -slow, transport
// errors, and 4xx and 5xx answers; then it stops the server with SIGTERM
// and reports how long the shutdown took and the CPU time the server used
// (from its start to its exit, ingests included) per request, which,
// unlike latency, other work on the machine hardly changes, and its peak
// resident memory. With -trace it writes one line per request (when it
// started, its kind, status and latency, and the server's Server-Timing:
// the wait for an answer slot, for a place at the running gate, and the
// answer's own time), and it always splits the light answers (current,
// as-of) slower than -light into those parts, with what else was in
// flight when they started, so that a slow light answer says where its
// time went. The exit status is 1 when a
// request failed, was answered with a 5xx or took longer than -slow.
package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/bench/internal/servebin"
	"github.com/livespec/livespec/internal/loadmix"
	"github.com/livespec/livespec/internal/sqlite"
)

func main() { servebin.Main("serveload", run) }

type options struct {
	bin, index, repo, now, trace string
	clients, n                   int
	slow, ingest, light          time.Duration
	keepAlive                    bool
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	var o options
	fs := flag.NewFlagSet("serveload", flag.ContinueOnError)
	fs.StringVar(&o.bin, "bin", "", "the livespec binary to serve with (required)")
	fs.StringVar(&o.index, "index", "", "index directory (required; --index of serve)")
	fs.StringVar(&o.repo, "repo", "", "git repository the server follows (--repo of serve); needed by -ingest")
	fs.StringVar(&o.now, "now", loadmix.Clock.Format(time.RFC3339), "clock of the questions (RFC 3339; BenchmarkAskMix's by default; empty: the newest change in the index)")
	fs.IntVar(&o.clients, "c", 32, "concurrent clients")
	fs.IntVar(&o.n, "n", 3000, "distinct questions, each asked once")
	fs.DurationVar(&o.slow, "slow", 2*time.Second, "a request slower than this counts as a failure")
	fs.BoolVar(&o.keepAlive, "keepalive", false, "keep one connection per client (default: Go's default client, which keeps 2 idle connections, so most requests open a new one)")
	fs.DurationVar(&o.light, "light", 60*time.Millisecond, "light answers (current, as-of) slower than this are split into their parts")
	fs.StringVar(&o.trace, "trace", "", "write one line per request to this file (start and latency in ms, kind, status, server timing)")
	fs.DurationVar(&o.ingest, "ingest", 0, "land a commit in -repo and ingest it every interval while the load runs (0: no ingest)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.bin == "" || o.index == "" || (o.ingest > 0 && o.repo == "") {
		return errors.New("want -bin and -index (and -repo with -ingest)")
	}
	qs, now, err := questions(ctx, o)
	if err != nil {
		return err
	}
	serveArgs := []string{"--index", o.index, "--answer-cache", "-1"}
	if o.repo != "" {
		serveArgs = append(serveArgs, "--repo", o.repo)
	}
	srv, err := servebin.Start(ctx, o.bin, serveArgs...)
	if err != nil {
		return err
	}
	defer srv.Kill()
	fmt.Fprintf(stdout, "server ready in %v; %d questions (now %s), %d clients\n", srv.Ready.Round(time.Millisecond), len(qs), now.Format(time.DateOnly), o.clients)

	loadCtx, stopIngest := context.WithCancel(ctx)
	var ing ingestStats
	var wg sync.WaitGroup
	if o.ingest > 0 {
		wg.Go(func() { ing = ingestLoop(loadCtx, srv.Base, o) })
	}
	start := time.Now()
	user0, sys0 := ownCPU()
	results := load(ctx, srv.Base, qs, now, o.clients, o.keepAlive)
	elapsed := time.Since(start)
	user1, sys1 := ownCPU()
	stopIngest()
	wg.Wait()
	shutdown, exitErr := srv.Stop()
	bad := report(stdout, results, elapsed, o.slow)
	slowLight(stdout, results, o.light)
	coldStart(stdout, results, coldSpan)
	if o.trace != "" {
		if err := writeTrace(o.trace, results); err != nil {
			return err
		}
	}
	if o.ingest > 0 {
		fmt.Fprintf(stdout, "ingest during the load: %d commits landed, jobs %v\n", ing.commits, ing.states)
	}
	fmt.Fprintf(stdout, "shutdown after SIGTERM: %v (%v)\n", shutdown.Round(time.Millisecond), cmp.Or[any](exitErr, "exit 0"))
	if user, sys := srv.CPU(); len(results) > 0 {
		fmt.Fprintf(stdout, "server CPU from start to exit: %v user + %v sys, %.1f ms per request\n",
			user.Round(time.Millisecond), sys.Round(time.Millisecond), float64((user+sys).Microseconds())/1000/float64(len(results)))
	}
	if rss := srv.MaxRSS(); rss > 0 {
		fmt.Fprintf(stdout, "server peak resident memory: %d MiB\n", rss>>20)
	}
	if minor, major := srv.Faults(); minor+major > 0 {
		fmt.Fprintf(stdout, "server page faults: %d minor, %d major\n", minor, major)
	}
	if user1+sys1 > 0 && len(results) > 0 {
		fmt.Fprintf(stdout, "serveload's own CPU during the load: %v user + %v sys, %.2f ms per request\n", (user1 - user0).Round(time.Millisecond),
			(sys1 - sys0).Round(time.Millisecond), float64((user1-user0+sys1-sys0).Microseconds())/1000/float64(len(results)))
	}
	if bad {
		return errors.New("some requests failed, answered 5xx or were slow")
	}
	return exitErr
}

// ownCPU returns the CPU time this process has used so far, its waited
// children (the server) left out: over the load, the load client's own
// cost, which the machine's cores share with the server.
func ownCPU() (user, sys time.Duration) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}

// question is one request of the load.
type question = loadmix.Question

// questions makes o.n distinct questions from the headings of the
// index's current sections (see loadmix.Questions).
func questions(ctx context.Context, o options) ([]question, time.Time, error) {
	st, err := sqlite.Open(ctx, filepath.Join(o.index, "livespec.db"))
	if err != nil {
		return nil, time.Time{}, err
	}
	defer st.Close()
	if o.repo != "" {
		cps, err := livespec.Checkpoints(ctx, st)
		if err != nil {
			return nil, time.Time{}, err
		}
		if err := followsIndexed(cps, o.repo); err != nil {
			return nil, time.Time{}, err
		}
	}
	var now time.Time
	if o.now != "" {
		if now, err = time.Parse(time.RFC3339, o.now); err != nil {
			return nil, now, fmt.Errorf("-now: %w", err)
		}
	}
	return loadmix.Questions(ctx, st, o.n, now)
}

// followsIndexed checks that the server, following the repository in
// dir, ingests into one of the indexed repositories (cps): serve names a
// repository by its directory (without .git), so a clone in a directory of
// another name would be ingested as a new repository, its whole history
// at once, instead of the load's few commits.
func followsIndexed(cps []livespec.Checkpoint, dir string) error {
	name := strings.TrimSuffix(filepath.Base(filepath.Clean(dir)), ".git")
	var names []string
	for _, cp := range cps {
		if cp.Repo == name {
			return nil
		}
		names = append(names, cp.Repo)
	}
	return fmt.Errorf("-repo %s: the index has no repository named %q, so the server would ingest its whole history as a new one; clone it into a directory named %s", dir, name, strings.Join(names, " or "))
}

// result is one request's outcome.
type result struct {
	kind    string
	text    string        // the question
	status  int           // 0: transport error
	start   time.Duration // since the load began
	latency time.Duration
	err     string
	timing  timing // the server's Server-Timing
	// inFlight is how many requests of each kind were in flight when
	// this one started (itself excluded).
	inFlight map[string]int
}

// timing is what the server says of an answer's time (Server-Timing):
// its wait for a slot, for a place at the running gate, its own time and
// the server's whole time.
type timing struct {
	queue, gate, answer time.Duration
	// total is how long the server had the request until its answer was
	// ready to be written (0: not said).
	total time.Duration
	ok    bool
}

// parseTiming reads a Server-Timing header ("queue;dur=1.2, gate;dur=0,
// answer;dur=4.5, total;dur=6.1").
func parseTiming(h string) timing {
	var t timing
	for part := range strings.SplitSeq(h, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		v, found := strings.CutPrefix(strings.TrimSpace(params), "dur=")
		ms, err := strconv.ParseFloat(v, 64)
		if !found || err != nil {
			continue
		}
		d := time.Duration(ms * float64(time.Millisecond))
		switch name {
		case "queue":
			t.queue, t.ok = d, true
		case "gate":
			t.gate = d
		case "answer":
			t.answer = d
		case "total":
			t.total = d
		}
	}
	return t
}

// load asks every question once with clients concurrent clients, which
// keep a connection each when keepAlive is set.
func load(ctx context.Context, base string, qs []question, now time.Time, clients int, keepAlive bool) []result {
	work := make(chan question)
	out := make([]result, 0, len(qs))
	var mu sync.Mutex
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 60 * time.Second}
	if keepAlive {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = clients
		client.Transport = t
	}
	begin := time.Now()
	flying := map[string]int{}
	for range clients {
		wg.Go(func() {
			var answer bytes.Buffer // reused: each client reads its answers into one buffer
			for q := range work {
				mu.Lock()
				others := maps.Clone(flying)
				flying[q.Kind]++
				start := time.Since(begin)
				mu.Unlock()
				r := ask(ctx, client, base, q, now, &answer)
				r.start, r.inFlight = start, others
				mu.Lock()
				flying[q.Kind]--
				out = append(out, r)
				mu.Unlock()
			}
		})
	}
	for _, q := range qs {
		work <- q
	}
	close(work)
	wg.Wait()
	return out
}

// ask asks q and reads the answer into answer, whose bytes it keeps for
// the next answer: the load client reads every answer whole, as a real
// one does, without a new buffer for each.
func ask(ctx context.Context, client *http.Client, base string, q question, now time.Time, answer *bytes.Buffer) result {
	body, _ := json.Marshal(map[string]string{"question": q.Text, "now": now.Format(time.RFC3339)})
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/v1/ask", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return result{kind: q.Kind, text: q.Text, latency: time.Since(start), err: err.Error()}
	}
	answer.Reset()
	_, err = answer.ReadFrom(resp.Body)
	resp.Body.Close()
	r := result{kind: q.Kind, text: q.Text, status: resp.StatusCode, latency: time.Since(start), timing: parseTiming(resp.Header.Get("Server-Timing"))}
	if err != nil {
		r.status, r.err = 0, err.Error()
	} else if resp.StatusCode != 200 {
		r.err = strings.TrimSpace(answer.String())
	}
	return r
}

// report prints the outcome and reports whether any request failed, was
// answered 5xx or was slower than slow.
func report(w io.Writer, rs []result, elapsed, slow time.Duration) bool {
	var failed, s5, s4, slowN int
	byKind := map[string][]time.Duration{}
	var all []time.Duration
	firstErr := ""
	for _, r := range rs {
		all = append(all, r.latency)
		byKind[r.kind] = append(byKind[r.kind], r.latency)
		switch {
		case r.status == 0:
			failed++
		case r.status >= 500:
			s5++
		case r.status >= 400:
			s4++
		}
		if r.latency > slow {
			slowN++
		}
		if r.err != "" && firstErr == "" {
			firstErr = fmt.Sprintf("%d %s", r.status, r.err)
		}
	}
	fmt.Fprintf(w, "%d requests in %v (%.1f/s): %d answered 200, %d transport errors, %d 4xx, %d 5xx, %d slower than %v\n",
		len(rs), elapsed.Round(time.Millisecond), float64(len(rs))/elapsed.Seconds(), len(rs)-failed-s5-s4, failed, s4, s5, slowN, slow)
	fmt.Fprintf(w, "latency all: %s\n", percentiles(all))
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		fmt.Fprintf(w, "latency %s (%d): %s\n", k, len(byKind[k]), percentiles(byKind[k]))
	}
	if firstErr != "" {
		fmt.Fprintf(w, "first error: %.300s\n", firstErr)
	}
	return failed > 0 || s5 > 0 || slowN > 0
}

// slowLight splits the light answers (current, as-of) slower than limit
// into the server's parts (median of each): the wait for a slot, for a
// place at the running gate, the answer's own time and the rest (HTTP,
// JSON, the scheduler), and says what was in flight when they started.
func slowLight(w io.Writer, rs []result, limit time.Duration) {
	var queue, gate, answer, rest, server, outside []time.Duration
	var flying []float64
	light, timed := 0, 0
	for _, r := range rs {
		if r.kind != "current" && r.kind != "as_of" {
			continue
		}
		light++
		if r.latency <= limit || r.status != 200 {
			continue
		}
		flying = append(flying, float64(r.inFlight["changes"]+r.inFlight["timeline"]))
		if !r.timing.ok {
			continue
		}
		timed++
		t := r.timing
		queue, gate, answer = append(queue, t.queue), append(gate, t.gate), append(answer, t.answer)
		rest = append(rest, r.latency-t.queue-t.gate-t.answer)
		if t.total > 0 {
			server = append(server, t.total-t.queue-t.gate-t.answer)
			outside = append(outside, r.latency-t.total)
		}
	}
	fmt.Fprintf(w, "light answers started after the first second (past the start burst): %s\n", percentiles(lightAfter(rs, time.Second)))
	if len(flying) == 0 {
		fmt.Fprintf(w, "light answers slower than %v: none of %d\n", limit, light)
		return
	}
	slices.Sort(flying)
	fmt.Fprintf(w, "light answers slower than %v: %d of %d, with a median %.0f heavy requests in flight at their start\n", limit, len(flying), light, flying[len(flying)/2])
	if timed > 0 {
		med := func(ds []time.Duration) string { return fmt.Sprintf("%.1fms", float64(median(ds).Microseconds())/1000) }
		fmt.Fprintf(w, "  their parts (median; %d with Server-Timing): slot wait %s, gate wait %s, answer %s, rest (HTTP, JSON, scheduler) %s\n",
			timed, med(queue), med(gate), med(answer), med(rest))
		if len(server) > 0 {
			fmt.Fprintf(w, "  the rest (median): in the server around the answer %s, outside it (network, this client) %s\n", med(server), med(outside))
		}
	}
}

// coldSpan is how long after the load's start an answer counts as one of
// the start burst's (see coldStart).
const coldSpan = 1500 * time.Millisecond

// coldStart says what the answers of the start burst (started within
// span of the load's start, every client asking at once on a fresh
// server) cost the server against the later ones: the mean of their own
// time (Server-Timing's answer), heavy and light apart. A fresh server's
// first answers read what later ones find in its caches, and they, not
// the steady queue, are the slowest of the load.
func coldStart(w io.Writer, rs []result, span time.Duration) {
	for _, heavy := range []bool{true, false} {
		var first, later []time.Duration
		for _, r := range rs {
			if !r.timing.ok || r.timing.answer <= 0 || (r.kind == "changes" || r.kind == "timeline") != heavy {
				continue
			}
			if r.start < span {
				first = append(first, r.timing.answer)
			} else {
				later = append(later, r.timing.answer)
			}
		}
		if len(first) == 0 || len(later) == 0 {
			continue
		}
		name := "light (current, as-of)"
		if heavy {
			name = "heavy (changes, timeline)"
		}
		f, l := mean(first), mean(later)
		fmt.Fprintf(w, "%s answers' own time: %.1fms mean in the first %v (%d), %.1fms after (%d): %.1fx\n", name,
			float64(f.Microseconds())/1000, span, len(first), float64(l.Microseconds())/1000, len(later), float64(f)/float64(l))
	}
}

func mean(ds []time.Duration) time.Duration {
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}

// lightAfter returns the latencies of the light answers (current, as-of)
// that started after skip: at the start every client asks at once, on
// cold caches, and the light questions of that burst queue for the few
// places light answers get while heavy ones wait.
func lightAfter(rs []result, skip time.Duration) []time.Duration {
	var out []time.Duration
	for _, r := range rs {
		if (r.kind == "current" || r.kind == "as_of") && r.start >= skip {
			out = append(out, r.latency)
		}
	}
	return out
}

func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// writeTrace writes one line per request, in the order they started:
// start and latency in ms, kind, status, the server's queue, gate,
// answer and total times in ms (empty without Server-Timing), the heavy
// requests in flight at its start and the question.
func writeTrace(path string, rs []result) error {
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b result) int { return cmp.Compare(a.start, b.start) })
	var b bytes.Buffer
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) }
	b.WriteString("start_ms\tkind\tstatus\tlatency_ms\tqueue_ms\tgate_ms\tanswer_ms\ttotal_ms\theavy_in_flight\tquestion\n")
	for _, r := range rs {
		q, g, a, tot := "", "", "", ""
		if r.timing.ok {
			q, g, a, tot = ms(r.timing.queue), ms(r.timing.gate), ms(r.timing.answer), ms(r.timing.total)
		}
		fmt.Fprintf(&b, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", ms(r.start), r.kind, r.status, ms(r.latency), q, g, a, tot, r.inFlight["changes"]+r.inFlight["timeline"], r.text)
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

func percentiles(ds []time.Duration) string {
	if len(ds) == 0 {
		return "-"
	}
	slices.Sort(ds)
	at := func(p float64) time.Duration { return ds[min(len(ds)-1, int(p*float64(len(ds))))] }
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
	return fmt.Sprintf("p50 %s  p99 %s  max %s", ms(at(0.50)), ms(at(0.99)), ms(ds[len(ds)-1]))
}

// ingestStats is what the ingest loop did.
type ingestStats struct {
	commits int
	states  map[string]int
}

// ingestLoop lands a commit in o.repo every o.ingest and has the server
// ingest it, until ctx ends; then it waits (bounded) for the last job.
func ingestLoop(ctx context.Context, base string, o options) ingestStats {
	st := ingestStats{states: map[string]int{}}
	t := time.NewTicker(o.ingest)
	defer t.Stop()
	var jobs []string
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			for _, id := range jobs {
				st.states[waitJob(base, id)]++
			}
			return st
		case <-t.C:
		}
		if err := commit(o.repo, i); err != nil {
			st.states["commit failed: "+err.Error()]++
			continue
		}
		st.commits++
		resp, err := http.Post(base+"/v1/ingest", "application/json", strings.NewReader(`{}`))
		if err != nil {
			st.states["post failed"]++
			continue
		}
		var job struct{ ID string }
		_ = json.NewDecoder(resp.Body).Decode(&job)
		resp.Body.Close()
		if resp.StatusCode != 202 {
			st.states[fmt.Sprintf("post %d", resp.StatusCode)]++
			continue
		}
		jobs = append(jobs, job.ID)
	}
}

// commit lands commit i in repo: a new paragraph in one spec file.
func commit(repo string, i int) error {
	f := filepath.Join(repo, "serveload.md")
	fh, err := os.OpenFile(f, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(fh, "\n## Load step %d\n\nThe load test landed step %d.\n", i, i)
	fh.Close()
	for _, args := range [][]string{{"add", "serveload.md"}, {"commit", "-q", "-m", fmt.Sprintf("serveload step %d", i)}} {
		c := exec.Command("git", args...)
		c.Dir = repo
		c.Env = append(os.Environ(), "GIT_AUTHOR_NAME=serveload", "GIT_AUTHOR_EMAIL=load@example.com",
			"GIT_COMMITTER_NAME=serveload", "GIT_COMMITTER_EMAIL=load@example.com")
		if out, err := c.CombinedOutput(); err != nil {
			return fmt.Errorf("git %s: %v: %s", args[0], err, out)
		}
	}
	return nil
}

// waitJob polls an ingest job until it ends, for at most 5 minutes.
func waitJob(base, id string) string {
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := http.Get(base + "/v1/ingest/" + id)
		if err != nil {
			return "get failed"
		}
		var job struct{ State string }
		_ = json.NewDecoder(resp.Body).Decode(&job)
		resp.Body.Close()
		if job.State != "queued" && job.State != "running" {
			return job.State
		}
	}
	return "still running after 5 minutes"
}
