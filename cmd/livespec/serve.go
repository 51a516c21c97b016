package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/access"
	"github.com/livespec/livespec/api"
	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/internal/ollama"
	"github.com/livespec/livespec/retrieval"
	"github.com/livespec/livespec/slackbot"
)

// serveFlags are the flags of serve.
type serveFlags struct {
	store                                *storeFlags
	models                               *modelFlags
	dirs, urls, include, exclude         *listValue
	addr, cloneDir, branch, poll         *string
	ingestDefer                          *string
	tokens, tokenFile, ghSecret, glToken *string
	maxInFlight, maxQueue, answerCache   *string
	maxRunning                           *string
	permalink, publicURL                 *string
	accessFile, statusWords              *string
	allowOpen                            *bool
	push                                 *pushFlags
}

func serveCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "serve [--addr 127.0.0.1:8080] [--index DIR | --store URL] [--repo DIR]... [--repo-url URL]...",
		Short: "serve the HTTP API (and the Slack bot when configured)",
		Long: `Serve the HTTP API: answers (JSON or streamed), changes, timelines, the spec as of a
date, ingest jobs and push webhooks. With SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or
SLACK_APP_TOKEN) set, the same server runs the Slack bot. Without API tokens it listens
on loopback only.`,
		Example: `  livespec serve --repo ~/src/product-specs                  # http://127.0.0.1:8080
  LIVESPEC_API_TOKENS=tok1,tok2 livespec serve --addr 0.0.0.0:8080 --repo-url https://github.com/ORG/specs.git --poll 5m
  livespec serve --index ~/indexes/team`,
	}
	f := newFlags(e, c)
	r := f.in(groupRepo)
	o := &serveFlags{
		addr:        f.string("addr", "127.0.0.1:8080", "`address` to listen on"),
		store:       addStoreFlags(f),
		models:      addModelFlags(f),
		dirs:        r.list("repo", nil, "git repository to serve and keep ingested"),
		urls:        r.list("repo-url", nil, "git URL to clone and keep ingested (wins over --repo)"),
		cloneDir:    r.string("clone-dir", "", "where --repo-url clones live (`DIR`; default: under the user cache directory)"),
		branch:      r.string("branch", "", "tracked `branch` (default: the branch HEAD points to)"),
		include:     r.list("include", ingest.DefaultInclude, "glob of spec files"),
		exclude:     r.list("exclude", ingest.DefaultExclude, excludeUsage),
		poll:        r.string("poll", "0", "ingest the repositories every `interval`, e.g. 5m (0: only on request or webhook)"),
		ingestDefer: r.string("ingest-defer", api.DefaultIngestDefer.String(), "longest an ingest waits for queued answers (`duration`; 0: none)"),
		tokens:      f.string("api-tokens", "", "accepted bearer `tokens`, comma-separated (none: loopback only)"),
		tokenFile:   f.string("api-token-file", "", "`file` of accepted bearer tokens, one per line"),
		allowOpen:   f.bool("allow-open", false, "serve without tokens on a non-loopback address"),
		accessFile:  f.string("access", "", "access `file` (YAML): named API tokens and Slack channels, each with the repositories it may read (spec/access.md)"),
		ghSecret:    f.string("github-secret", "", "GitHub push webhook `secret`"),
		glToken:     f.string("gitlab-token", "", "GitLab push webhook `token`"),
		maxInFlight: f.string("max-in-flight", "0", "answers generated at once (`n`; 0: the default)"),
		maxQueue:    f.string("max-queue", "0", "answers waiting for a slot before 429 (`n`; 0: the default)"),
		maxRunning:  f.string("max-running", "0", "answers computed at once, light ones let in before heavy ones (`n`; 0: one more than the CPUs; -1: no bound but --max-in-flight's)"),
		answerCache: f.string("answer-cache", "0", "answers kept for questions asked again (`n`; 0: the default, -1: none)"),
		permalink:   f.string("permalink", "", "citation URL `template`, e.g. https://github.com/ORG/REPO/blob/{commit}/{path}#{anchor}"),
		publicURL:   f.string("public-url", "", "this server's public base `URL`, linked from Slack when an answer is too long"),
		push:        addPushFlags(f),
	}
	o.statusWords = statusWordsFlag(f)
	c.RunE = func(c *cobra.Command, pos []string) error { return cmdServe(c.Context(), e, o, pos) }
	return c
}

func cmdServe(ctx context.Context, e *env, o *serveFlags, pos []string) error {
	if len(pos) > 0 {
		return livespec.Errorf(livespec.EINVALID, "serve: unexpected argument %q", pos[0])
	}
	set, err := o.settings(e)
	if err != nil {
		return err
	}
	// The repositories this server follows, and the index they go to.
	srcs, err := repoSources(e, o.dirs.vals, o.urls.vals, *o.cloneDir)
	if err != nil {
		return err
	}
	st, root, err := o.openIndex(ctx, e, srcs)
	if err != nil {
		return err
	}
	r := &running{store: st, log: set.logger, addr: *o.addr, every: set.every}
	defer r.abandon() // closes what was opened when serve fails to start
	var following []string
	for _, s := range srcs {
		following = append(following, s.name)
	}
	if err := checkAccess(ctx, set.policy, st, following, set.logger); err != nil {
		return err
	}
	a, err := o.answers(ctx, e, set, st)
	if err != nil {
		return err
	}
	in := &ingester{e: e, store: st, embedder: a.models.embedder, logger: set.logger, sources: map[string]*repoSource{},
		base:  ingest.Options{Branch: *o.branch, Include: o.include.vals, Exclude: globs(o.exclude.vals)},
		reuse: !o.include.given() && !o.exclude.given()}
	for _, s := range srcs {
		in.sources[s.name] = s
	}
	// Push: digests, watches and stale-answer notices, from the changes
	// each ingest adds.
	scfg, on, err := slackbot.ConfigFromEnv(e.getenv)
	if err != nil {
		return err
	}
	ps, err := o.push.open(ctx, e, o.store, root, st, a.asst, scfg.BotToken, scfg.APIURL, set.logger, in.ingesting, set.policy)
	if err != nil {
		return err
	}
	if ps != nil {
		in.after = ps.svc.Kick
		r.push = ps
	}
	srv, err := api.New(o.apiConfig(set, a, in, srcs, ps))
	if err != nil {
		return err
	}
	if on {
		if err := o.startSlack(r, scfg, set, a, srv, ps, st); err != nil {
			return err
		}
	}
	r.api = srv
	if set.policy == nil {
		// With access rules, each scope's Assistant computes its own
		// statistics on first use: nothing to warm up.
		r.asst, r.warm = a.asst, a.warm
	}
	if len(srcs) > 0 && set.every == 0 {
		// Catch up once at start; webhooks and POST /v1/ingest do the rest.
		if err := srv.IngestAll(); err != nil {
			return err
		}
	}
	return r.run(ctx)
}

// serveSettings are serve's flags read and checked.
type serveSettings struct {
	every                  time.Duration // --poll
	ingestDefer            time.Duration // --ingest-defer; negative: none
	inFlight, queue, cache int
	running                int // --max-running
	words                  *retrieval.StatusWords
	tokens                 []string
	logger                 *slog.Logger
	policy                 *access.Policy // nil without --access
}

// settings reads and checks serve's flags, the token file and the access
// file.
func (o *serveFlags) settings(e *env) (serveSettings, error) {
	var set serveSettings
	every, err := time.ParseDuration(*o.poll)
	if err != nil || every < 0 {
		return set, livespec.Errorf(livespec.EINVALID, "--poll %q: want a duration such as 5m", *o.poll)
	}
	set.every = every
	d, err := time.ParseDuration(*o.ingestDefer)
	if err != nil || d < 0 {
		return set, livespec.Errorf(livespec.EINVALID, "--ingest-defer %q: want a duration such as 10s (0: none)", *o.ingestDefer)
	}
	set.ingestDefer = cmp.Or(d, -1)
	var err1, err2, err3, err4 error
	set.inFlight, err1 = strconv.Atoi(*o.maxInFlight)
	set.queue, err2 = strconv.Atoi(*o.maxQueue)
	set.cache, err3 = strconv.Atoi(*o.answerCache)
	set.running, err4 = strconv.Atoi(*o.maxRunning)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		return set, livespec.Errorf(livespec.EINVALID, "--max-in-flight, --max-queue, --max-running and --answer-cache want whole numbers")
	}
	if set.words, err = loadStatusWords(*o.statusWords); err != nil {
		return set, err
	}
	set.tokens = api.ParseTokens(*o.tokens)
	if *o.tokenFile != "" {
		more, err := api.ReadTokenFile(*o.tokenFile)
		if err != nil {
			return set, err
		}
		set.tokens = append(set.tokens, more...)
	}
	if *o.accessFile != "" && len(set.tokens) > 0 {
		return set, livespec.Errorf(livespec.EINVALID, "serve: with --access, API tokens are named in the access file; drop --api-tokens and --api-token-file")
	}
	set.logger = api.NewLogger(e.stderr, slog.LevelInfo)
	if set.policy, err = loadAccess(e, *o.accessFile, set.logger); err != nil {
		return set, err
	}
	if err := api.CheckBind(*o.addr, set.tokens, *o.allowOpen || (set.policy != nil && set.policy.HasTokens())); err != nil {
		return set, err
	}
	return set, nil
}

// openIndex opens the index the server reads and ingests into: the one
// --index or --store names, or the default index of a single --repo DIR.
// With no repository to follow, the index must exist. root is that
// single repository's directory, or "".
func (o *serveFlags) openIndex(ctx context.Context, e *env, srcs []*repoSource) (st livespec.Store, root string, err error) {
	sf := o.store
	if len(srcs) == 1 && srcs[0].url == "" {
		root = srcs[0].dir // its default index, as `ingest --repo` uses
	}
	if root == "" && *sf.index == "" && (*sf.store == "" || *sf.store == "sqlite") {
		return nil, "", livespec.Errorf(livespec.EINVALID, "serve: pass --index DIR (or one --repo DIR, or --store qdrant://...)")
	}
	open := sf.open
	if len(srcs) == 0 {
		open = sf.openExisting // nothing to ingest: serve an index that exists
	}
	st, err = open(ctx, e, root)
	return st, root, err
}

// serveAnswers is what answers questions on every surface of serve.
type serveAnswers struct {
	read    livespec.Store // what every surface reads: scoped with access rules
	models  models
	metrics *api.Metrics
	reg     *prometheus.Registry
	asst    *retrieval.Assistant // unscoped (push, warm-up)
	asker   interface {
		livespec.Asker
		api.Historian
	}
	ready []api.ReadyCheck
	warm  *warmGate // nil with access rules: nothing is warmed up
}

// answers builds the assistant(s) over st, with the models, the metrics
// that measure them and the readiness checks of the models' server.
func (o *serveFlags) answers(ctx context.Context, e *env, set serveSettings, st livespec.Store) (*serveAnswers, error) {
	// Every surface reads through read: with access rules, each read is
	// limited to the caller its context carries. Ingest writes to st.
	a := &serveAnswers{read: st, reg: prometheus.NewRegistry()}
	if set.policy != nil {
		a.read = access.Store(st)
	}
	a.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	var err error
	if a.metrics, err = api.NewMetrics(a.reg); err != nil {
		return nil, err
	}
	if a.models, err = o.models.open(ctx, e, true); err != nil {
		return nil, err
	}
	newAssistant := func() *retrieval.Assistant {
		return &retrieval.Assistant{Store: a.read, Embedder: a.metrics.Embedder(a.models.embedder), Generator: a.metrics.Generator(a.models.generator),
			Permalink: *o.permalink, Logger: set.logger, AnswerCache: set.cache, StatusWords: set.words}
	}
	a.asst = newAssistant()
	a.asker = a.asst
	if set.policy != nil {
		a.asker = scopedAssistants{access.NewPerScope(newAssistant)}
	}
	if set.policy == nil {
		a.warm = newWarmGate()
		a.ready = append(a.ready, a.warm.readyCheck())
	}
	if !isNone(*o.models.ollama) {
		c := ollama.New(*o.models.ollama, nil)
		a.ready = append(a.ready, api.ReadyCheck{Name: "ollama", Check: func(ctx context.Context) error { return c.Check(ctx) }})
	}
	return a, nil
}

// apiConfig is the HTTP API's configuration.
func (o *serveFlags) apiConfig(set serveSettings, a *serveAnswers, in *ingester, srcs []*repoSource, ps *pushSetup) api.Config {
	var repos []api.RepoSource
	for _, s := range srcs {
		rs := api.RepoSource{Name: s.name, Branch: *o.branch}
		if s.url != "" {
			rs.URLs = []string{s.url}
		} else {
			rs.URLs = remoteURLs(s.dir)
		}
		repos = append(repos, rs)
	}
	cfg := api.Config{
		Asker: a.asker, Historian: a.asker, Store: a.read, ParsePeriod: retrieval.ParsePeriod,
		Repos: repos, Tokens: set.tokens, AllowUnauthenticated: *o.allowOpen,
		Logger: set.logger, Registry: a.reg, Metrics: a.metrics,
		MaxInFlight: set.inFlight, MaxQueue: set.queue, MaxRunning: set.running, IngestDefer: set.ingestDefer,
		Webhooks:    api.Webhooks{GitHubSecret: *o.ghSecret, GitLabToken: *o.glToken},
		ReadyChecks: a.ready,
	}
	if ps != nil {
		cfg.Push = ps.svc
	}
	if len(srcs) > 0 {
		cfg.Ingester = in
	}
	if set.policy != nil && set.policy.HasTokens() {
		cfg.Callers = set.policy.Caller
	}
	return cfg
}

// startSlack builds the Slack bot, which shares the API's answer queues
// and running gate, mounts its Events API endpoints on srv when it has a
// signing secret, and records it in r.
func (o *serveFlags) startSlack(r *running, scfg slackbot.Config, set serveSettings, a *serveAnswers, srv *api.Server, ps *pushSetup, feedback livespec.FeedbackStore) error {
	if ps != nil {
		scfg.Push = ps.svc
	}
	scfg.Asker, scfg.Queue, scfg.Logger, scfg.PublicURL = a.asker, srv.Limiter(), set.logger, *o.publicURL
	scfg.HeavyQueue, scfg.Gate = srv.HeavyLimiter(), srv.Gate()
	if set.policy != nil {
		scfg.Access = &set.policy.Slack
		scfg.OnDenied = func() { a.metrics.Denied("slack", "scope") }
	}
	scfg.Feedback = feedback
	bot, err := slackbot.New(scfg)
	if err != nil {
		return err
	}
	r.bot, r.socket = bot, scfg.AppToken != ""
	if scfg.SigningSecret != "" {
		if err := bot.Mount(srv.Mount); err != nil {
			return err
		}
		set.logger.Info("slack: Events API on /slack/events, /slack/commands, /slack/interactive")
	}
	if r.socket {
		set.logger.Info("slack: Socket Mode")
	}
	return nil
}

// shutdownTimeout bounds how long serve waits, once the HTTP server has
// stopped, for the Slack bot's answers to end.
const shutdownTimeout = 30 * time.Second

// running is what `livespec serve` runs: the HTTP API (with its pollers,
// ingest jobs and answers), the Slack bot and the warm-up, over one store.
type running struct {
	api    *api.Server
	bot    *slackbot.Bot        // nil without Slack
	socket bool                 // the bot runs Socket Mode
	push   *pushSetup           // nil without push
	asst   *retrieval.Assistant // warmed up at start; nil: none
	warm   *warmGate            // keeps /readyz at 503 until asst is warm
	store  livespec.Store
	log    *slog.Logger
	addr   string
	every  time.Duration
	ran    bool
}

// run serves until ctx ends, then shuts down in order: the HTTP server
// (in-flight requests finish), the pollers and ingest jobs, every answer
// still running, the Slack bot's answers; each wait is bounded. The store
// is closed last, and only when every reader has ended: after a wait that
// timed out it is left to the process's exit.
func (r *running) run(ctx context.Context) error {
	r.ran = true
	g, gctx := errgroup.WithContext(ctx)
	if r.bot != nil && r.socket {
		g.Go(func() error {
			if err := r.bot.RunSocketMode(gctx); err != nil && gctx.Err() == nil {
				r.log.Error("slack: socket mode stopped", "err", err.Error())
			}
			return nil
		})
	}
	if r.push != nil {
		g.Go(func() error {
			if err := r.push.svc.Run(gctx); err != nil && gctx.Err() == nil {
				r.log.Error("push: stopped", "err", err.Error())
			}
			return nil
		})
	}
	if r.asst != nil {
		g.Go(func() error {
			// Term statistics for topic questions and the store's
			// caches, so the first questions are quick.
			r.warm.run(gctx, r.asst.Warm, r.log)
			return nil
		})
	}
	// Run returns once the HTTP server, the pollers, the ingest jobs and
	// the answers have ended (or its bounded waits ran out).
	g.Go(func() error { return r.api.Run(gctx, r.addr, r.every) })
	err := g.Wait()
	if r.bot != nil {
		bctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if berr := r.bot.Close(bctx); berr != nil {
			err = errors.Join(err, livespec.WrapError(livespec.EUNAVAILABLE, berr, "serve: Slack answers still running at shutdown"))
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		r.log.Error("serve: readers still running after the shutdown deadline; the store is left to the process exit", "err", err.Error())
		return err
	}
	return errors.Join(err, r.closeStores())
}

// closeStores closes the index and the push state.
func (r *running) closeStores() error {
	var err error
	if r.push != nil {
		err = r.push.store.Close()
	}
	return errors.Join(err, r.store.Close())
}

// abandon closes what cmdServe opened when it returns before run.
func (r *running) abandon() {
	if r.ran {
		return
	}
	if r.bot != nil {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		_ = r.bot.Close(ctx)
	}
	_ = r.closeStores()
}

// repoSource is a repository the server follows: a directory, or a URL
// cloned into dir.
type repoSource struct {
	name string
	dir  string
	url  string
}

// repoSources resolves --repo and --repo-url; URLs win over directories
// (the compose file mounts a directory and may also give a URL).
func repoSources(e *env, dirs, urls []string, cloneDir string) ([]*repoSource, error) {
	var out []*repoSource
	seen := map[string]bool{}
	add := func(s *repoSource) error {
		if seen[s.name] {
			return livespec.Errorf(livespec.EINVALID, "serve: two repositories are named %q", s.name)
		}
		seen[s.name] = true
		out = append(out, s)
		return nil
	}
	if len(urls) > 0 {
		if cloneDir == "" {
			c, err := cacheDir(e.getenv)
			if err != nil {
				return nil, err
			}
			cloneDir = filepath.Join(c, "repos")
		}
		for _, u := range urls {
			name := urlName(u)
			if err := add(&repoSource{name: name, url: u, dir: filepath.Join(cloneDir, name+".git")}); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	for _, d := range dirs {
		root, err := repoRoot(d)
		if err != nil {
			return nil, err
		}
		if err := add(&repoSource{name: repoName(root), dir: root}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// urlName is a repository's name from its URL: the last path element
// without ".git".
func urlName(u string) string {
	p := u
	if pu, err := url.Parse(u); err == nil && pu.Path != "" {
		p = pu.Path
	} else if i := strings.LastIndex(u, ":"); i >= 0 { // scp-like git@host:org/repo.git
		p = u[i+1:]
	}
	n := strings.TrimSuffix(path.Base(strings.TrimRight(p, "/")), ".git")
	if n == "" || n == "." || n == "/" {
		n = "repo"
	}
	return n
}

// remoteURLs lists a local repository's remote URLs, so pushes to them
// match it in webhooks.
func remoteURLs(dir string) []string {
	r, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return nil
	}
	rems, err := r.Remotes()
	if err != nil {
		return nil
	}
	var out []string
	for _, rm := range rems {
		out = append(out, rm.Config().URLs...)
	}
	return out
}

// ingester adapts package ingest to api.Ingester: it fetches URL sources
// first, then ingests incrementally.
type ingester struct {
	e        *env
	store    livespec.Store
	embedder livespec.Embedder
	logger   *slog.Logger
	base     ingest.Options
	reuse    bool // no glob given: ingest with the settings of each repo's last ingest
	sources  map[string]*repoSource
	mu       sync.Mutex // serialises clones of one URL
	after    func()     // called after each successful ingest (push looks for new changes)

	runMu   sync.Mutex
	running map[string]int // ingests in progress per repository
}

// ingesting reports whether an ingest of repo is in progress.
func (in *ingester) ingesting(repo string) bool {
	in.runMu.Lock()
	defer in.runMu.Unlock()
	return in.running[repo] > 0
}

func (in *ingester) track(repo string, d int) {
	in.runMu.Lock()
	defer in.runMu.Unlock()
	if in.running == nil {
		in.running = map[string]int{}
	}
	in.running[repo] += d
}

func (in *ingester) Ingest(ctx context.Context, repo string, progress func(done, total int)) (any, error) {
	s, ok := in.sources[repo]
	if !ok {
		return nil, livespec.Errorf(livespec.ENOTFOUND, "repository %q is not served here", repo)
	}
	if s.url != "" {
		if err := in.sync(ctx, s); err != nil {
			return nil, err
		}
	}
	opt := in.base
	opt.Repo, opt.Dir, opt.Embedder = s.name, s.dir, in.embedder
	if in.reuse {
		reuseSettings(ctx, in.store, &opt)
	}
	opt.Warn = func(msg string) { in.logger.Warn("ingest: "+msg, "repo", s.name) }
	if progress != nil {
		opt.Progress = func(p ingest.Progress) { progress(p.Done, p.Total) }
	}
	in.track(s.name, 1)
	res, err := ingest.Run(ctx, in.store, opt)
	in.track(s.name, -1)
	if err != nil {
		return nil, err
	}
	in.logger.Info("ingest: "+summaryLine(res), "repo", s.name)
	if in.after != nil {
		in.after()
	}
	return res, nil
}

// sync clones s.url as a mirror on first use and fetches it afterwards.
func (in *ingester) sync(ctx context.Context, s *repoSource) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if _, err := os.Stat(s.dir); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(s.dir), 0o755); err != nil {
			return fmt.Errorf("serve: clone %s: %w", livespec.RedactURL(s.url), err)
		}
		tmp := s.dir + ".tmp"
		os.RemoveAll(tmp)
		if _, err := git.PlainCloneContext(ctx, tmp, true, &git.CloneOptions{URL: s.url, Mirror: true, Tags: git.NoTags}); err != nil {
			os.RemoveAll(tmp)
			return livespec.WrapPublic(livespec.EUNAVAILABLE, err, "cannot clone the repository "+s.name, "clone %s", livespec.RedactURL(s.url))
		}
		return os.Rename(tmp, s.dir)
	}
	r, err := git.PlainOpen(s.dir)
	if err != nil {
		return livespec.WrapError(livespec.EINTERNAL, err, "open clone of %s", livespec.RedactURL(s.url))
	}
	err = r.FetchContext(ctx, &git.FetchOptions{
		RefSpecs: []gitconfig.RefSpec{"+refs/heads/*:refs/heads/*"},
		Force:    true, Prune: true, Tags: git.NoTags,
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return livespec.WrapPublic(livespec.EUNAVAILABLE, err, "cannot fetch the repository "+s.name, "fetch %s", livespec.RedactURL(s.url))
	}
	return nil
}

func feedbackCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "feedback",
		Short: "export answer feedback as JSON Lines (feedback export)",
		Args:  noArgs,
	}
	export := &cobra.Command{
		Use:     "export [--index DIR | --store URL]",
		Short:   "print the 👍/👎 ratings given to answers as JSON Lines",
		Example: "  livespec feedback export --index ~/indexes/team > feedback.jsonl",
		Args:    noArgs,
	}
	sf := addStoreFlags(newFlags(e, export))
	export.RunE = func(c *cobra.Command, _ []string) error { return cmdFeedback(c.Context(), e, sf) }
	c.AddCommand(export)
	return c
}

func cmdFeedback(ctx context.Context, e *env, sf *storeFlags) error {
	st, _, err := openForRead(ctx, e, sf, "")
	if err != nil {
		return err
	}
	defer st.Close()
	return slackbot.ExportFeedback(ctx, st, e.stdout)
}
