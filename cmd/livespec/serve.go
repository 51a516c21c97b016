package main

import (
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
	tokens, tokenFile, ghSecret, glToken *string
	maxInFlight, maxQueue, answerCache   *string
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
		tokens:      f.string("api-tokens", "", "accepted bearer `tokens`, comma-separated (none: loopback only)"),
		tokenFile:   f.string("api-token-file", "", "`file` of accepted bearer tokens, one per line"),
		allowOpen:   f.bool("allow-open", false, "serve without tokens on a non-loopback address"),
		accessFile:  f.string("access", "", "access `file` (YAML): named API tokens and Slack channels, each with the repositories it may read (spec/access.md)"),
		ghSecret:    f.string("github-secret", "", "GitHub push webhook `secret`"),
		glToken:     f.string("gitlab-token", "", "GitLab push webhook `token`"),
		maxInFlight: f.string("max-in-flight", "0", "answers generated at once (`n`; 0: the default)"),
		maxQueue:    f.string("max-queue", "0", "answers waiting for a slot before 429 (`n`; 0: the default)"),
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
	addr, sf, mf, dirs, urls, cloneDir, branch := o.addr, o.store, o.models, o.dirs, o.urls, o.cloneDir, o.branch
	include, exclude, poll, tokens, tokenFile, allowOpen := o.include, o.exclude, o.poll, o.tokens, o.tokenFile, o.allowOpen
	ghSecret, glToken, maxInFlight, maxQueue, permalink, publicURL := o.ghSecret, o.glToken, o.maxInFlight, o.maxQueue, o.permalink, o.publicURL
	if len(pos) > 0 {
		return livespec.Errorf(livespec.EINVALID, "serve: unexpected argument %q", pos[0])
	}
	every, err := time.ParseDuration(*poll)
	if err != nil || every < 0 {
		return livespec.Errorf(livespec.EINVALID, "--poll %q: want a duration such as 5m", *poll)
	}
	inFlight, err1 := strconv.Atoi(*maxInFlight)
	queue, err2 := strconv.Atoi(*maxQueue)
	cache, err3 := strconv.Atoi(*o.answerCache)
	if err1 != nil || err2 != nil || err3 != nil {
		return livespec.Errorf(livespec.EINVALID, "--max-in-flight, --max-queue and --answer-cache want whole numbers")
	}
	words, err := loadStatusWords(*o.statusWords)
	if err != nil {
		return err
	}
	toks := api.ParseTokens(*tokens)
	if *tokenFile != "" {
		more, err := api.ReadTokenFile(*tokenFile)
		if err != nil {
			return err
		}
		toks = append(toks, more...)
	}
	if *o.accessFile != "" && len(toks) > 0 {
		return livespec.Errorf(livespec.EINVALID, "serve: with --access, API tokens are named in the access file; drop --api-tokens and --api-token-file")
	}
	logger := api.NewLogger(e.stderr, slog.LevelInfo)
	policy, err := loadAccess(e, *o.accessFile, logger)
	if err != nil {
		return err
	}
	if err := api.CheckBind(*addr, toks, *allowOpen || (policy != nil && policy.HasTokens())); err != nil {
		return err
	}

	// The repositories this server follows.
	srcs, err := repoSources(e, dirs.vals, urls.vals, *cloneDir)
	if err != nil {
		return err
	}
	root := ""
	if len(srcs) == 1 && srcs[0].url == "" {
		root = srcs[0].dir // its default index, as `ingest --repo` uses
	}
	if root == "" && *sf.index == "" && (*sf.store == "" || *sf.store == "sqlite") {
		return livespec.Errorf(livespec.EINVALID, "serve: pass --index DIR (or one --repo DIR, or --store qdrant://...)")
	}
	open := sf.open
	if len(srcs) == 0 {
		open = sf.openExisting // nothing to ingest: serve an index that exists
	}
	st, err := open(ctx, e, root)
	if err != nil {
		return err
	}
	r := &running{store: st, log: logger, addr: *addr, every: every}
	defer r.abandon() // closes what was opened when serve fails to start
	var following []string
	for _, s := range srcs {
		following = append(following, s.name)
	}
	if err := checkAccess(ctx, policy, st, following, logger); err != nil {
		return err
	}
	// Every surface reads through read: with access rules, each read is
	// limited to the caller its context carries. Ingest writes to st.
	read := st
	if policy != nil {
		read = access.Store(st)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics, err := api.NewMetrics(reg)
	if err != nil {
		return err
	}
	m, err := mf.open(ctx, e, true)
	if err != nil {
		return err
	}
	newAssistant := func() *retrieval.Assistant {
		return &retrieval.Assistant{Store: read, Embedder: metrics.Embedder(m.embedder), Generator: metrics.Generator(m.generator), Permalink: *permalink, Logger: logger, AnswerCache: cache, StatusWords: words}
	}
	asst := newAssistant()
	var asker interface {
		livespec.Asker
		api.Historian
	} = asst
	if policy != nil {
		asker = scopedAssistants{access.NewPerScope(newAssistant)}
	}
	var ready []api.ReadyCheck
	if !isNone(*mf.ollama) {
		c := ollama.New(*mf.ollama, nil)
		ready = append(ready, api.ReadyCheck{Name: "ollama", Check: func(ctx context.Context) error { return c.Check(ctx) }})
	}

	in := &ingester{e: e, store: st, embedder: m.embedder, logger: logger, sources: map[string]*repoSource{},
		base:  ingest.Options{Branch: *branch, Include: include.vals, Exclude: globs(exclude.vals)},
		reuse: !include.given() && !exclude.given()}
	// Push: digests, watches and stale-answer notices, from the changes
	// each ingest adds.
	scfg, on, err := slackbot.ConfigFromEnv(e.getenv)
	if err != nil {
		return err
	}
	ps, err := o.push.open(ctx, e, sf, root, st, asst, scfg.BotToken, scfg.APIURL, logger, in.ingesting, policy)
	if err != nil {
		return err
	}
	if ps != nil {
		in.after = ps.svc.Kick
		r.push = ps
	}
	var repos []api.RepoSource
	for _, s := range srcs {
		in.sources[s.name] = s
		rs := api.RepoSource{Name: s.name, Branch: *branch}
		if s.url != "" {
			rs.URLs = []string{s.url}
		} else {
			rs.URLs = remoteURLs(s.dir)
		}
		repos = append(repos, rs)
	}
	cfg := api.Config{
		Asker: asker, Historian: asker, Store: read, ParsePeriod: retrieval.ParsePeriod,
		Repos: repos, Tokens: toks, AllowUnauthenticated: *allowOpen,
		Logger: logger, Registry: reg, Metrics: metrics,
		MaxInFlight: inFlight, MaxQueue: queue,
		Webhooks:    api.Webhooks{GitHubSecret: *ghSecret, GitLabToken: *glToken},
		ReadyChecks: ready,
	}
	if ps != nil {
		cfg.Push = ps.svc
	}
	if len(srcs) > 0 {
		cfg.Ingester = in
	}
	if policy != nil && policy.HasTokens() {
		cfg.Callers = policy.Caller
	}
	srv, err := api.New(cfg)
	if err != nil {
		return err
	}

	// The Slack bot, when its tokens are set, shares the answer queue.
	if on {
		if ps != nil {
			scfg.Push = ps.svc
		}
		scfg.Asker, scfg.Queue, scfg.Logger, scfg.PublicURL = asker, srv.Limiter(), logger, *publicURL
		scfg.HeavyQueue = srv.HeavyLimiter()
		if policy != nil {
			scfg.Access = &policy.Slack
			scfg.OnDenied = func() { metrics.Denied("slack", "scope") }
		}
		scfg.Feedback = st
		bot, err := slackbot.New(scfg)
		if err != nil {
			return err
		}
		r.bot, r.socket = bot, scfg.AppToken != ""
		if scfg.SigningSecret != "" {
			if err := bot.Mount(srv.Mount); err != nil {
				return err
			}
			logger.Info("slack: Events API on /slack/events, /slack/commands, /slack/interactive")
		}
		if r.socket {
			logger.Info("slack: Socket Mode")
		}
	}
	r.api = srv
	if policy == nil {
		// With access rules, each scope's Assistant computes its own
		// statistics on first use: nothing to warm up.
		r.asst = asst
	}
	if len(srcs) > 0 && every == 0 {
		// Catch up once at start; webhooks and POST /v1/ingest do the rest.
		if err := srv.IngestAll(); err != nil {
			return err
		}
	}
	return r.run(ctx)
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
			// Term statistics for topic questions, so the first one is quick.
			if err := r.asst.Warm(gctx); err != nil && gctx.Err() == nil {
				r.log.Warn("retrieval: warm-up failed", "err", err.Error())
			}
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
