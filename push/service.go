package push

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/google/uuid"
	"github.com/slack-go/slack"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/retrieval"
)

// Defaults for Config's zero values.
const (
	DefaultRetention   = 90 * 24 * time.Hour // remembered answers
	DefaultInterval    = 30 * time.Second    // how often Run looks for work
	DefaultMaxAttempts = 6
	DefaultBackoff     = 30 * time.Second // first retry; doubles, at most MaxBackoff
	MaxBackoff         = time.Hour
	lease              = 2 * time.Minute
	claimBatch         = 20
	// lookback is how far before the cursor's landing time new changes
	// are read: committer times need not grow along the first-parent
	// chain; the sequence number decides what is new.
	lookback = 30 * 24 * time.Hour
)

// SlackPoster posts Slack messages; *slack.Client is one. Build it without
// slack.OptionRetry so that rate limits reach the Service, which waits as
// Slack asks.
type SlackPoster interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
}

// AllowFunc says whether a destination may be sent content from a
// repository (access scopes); it is asked at send time.
type AllowFunc func(ctx context.Context, dest livespec.Destination, repo string) bool

// Config configures a Service.
type Config struct {
	Store     livespec.PushStore   // required
	Index     livespec.Store       // required: the changes
	Assistant *retrieval.Assistant // required: digests and watch matching
	Slack     SlackPoster          // nil: Slack deliveries fail, logged
	HTTP      *http.Client         // outgoing webhooks (nil: 15 s timeout)
	Logger    *slog.Logger
	Now       func() time.Time                                 // nil: time.Now
	Sleep     func(ctx context.Context, d time.Duration) error // nil: a timer
	// Owner names this process in delivery leases (default: random).
	Owner       string
	Retention   time.Duration
	Interval    time.Duration
	MaxAttempts int
	Backoff     time.Duration
	// Ingesting reports whether an ingest of repo is running (nil: never).
	// A repository seen for the first time gets its cursor only once no
	// ingest of it runs, so that a first ingest's history, written batch
	// by batch, is not taken for news.
	Ingesting func(repo string) bool
	// Allow filters destinations by repository at send time (nil: all).
	Allow AllowFunc
	// Caller is who a destination reads as when its digest or watch
	// matches are computed (livespec.WithCaller; access scopes). Nil:
	// the context is left as it is.
	Caller    func(dest livespec.Destination) livespec.Caller
	Permalink string
}

// Service turns new changes and schedules into notifications and delivers
// them. It implements livespec.Pusher for the Slack bot and the HTTP API.
type Service struct {
	cfg  Config
	log  *slog.Logger
	kick chan struct{}
}

var _ livespec.Pusher = (*Service)(nil)

// New checks cfg and builds a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Index == nil || cfg.Assistant == nil {
		return nil, livespec.Errorf(livespec.EINVALID, "push: a push store, an index and an assistant are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 15 * time.Second}
	}
	if cfg.Owner == "" {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		cfg.Owner = hex.EncodeToString(b)
	}
	cfg.Retention = cmp.Or(cfg.Retention, DefaultRetention)
	cfg.Interval = cmp.Or(cfg.Interval, DefaultInterval)
	cfg.MaxAttempts = cmp.Or(cfg.MaxAttempts, DefaultMaxAttempts)
	cfg.Backoff = cmp.Or(cfg.Backoff, DefaultBackoff)
	return &Service{cfg: cfg, log: cfg.Logger, kick: make(chan struct{}, 1)}, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Kick asks Run to look for work now (after an ingest).
func (s *Service) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Run does Step every Interval and whenever kicked, until ctx ends. Its
// caller owns and joins it.
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		if err := s.Step(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("push: step failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-s.kick:
		}
	}
}

// Step does one round of work: forgets answers older than the retention,
// turns new changes into watch and stale notices, fires due digests, and
// delivers what is due. Errors of one part do not stop the others; the
// first is returned.
func (s *Service) Step(ctx context.Context) error {
	var first error
	keep := func(err error) {
		if err != nil && first == nil {
			first = err
		}
	}
	if _, err := s.cfg.Store.ForgetAnswers(ctx, s.cfg.Now().Add(-s.cfg.Retention)); err != nil {
		keep(err)
	}
	keep(s.ProcessChanges(ctx))
	keep(s.FireDigests(ctx))
	keep(s.Deliver(ctx))
	return first
}

// sameOwner reports whether d belongs to owner: the same Slack channel, or
// the same webhook URL; a zero owner owns everything.
func sameOwner(d, owner livespec.Destination) bool {
	switch {
	case owner.Kind == "":
		return true
	case owner.Kind != d.Kind:
		return false
	case owner.Kind == livespec.DestSlack:
		return d.Channel == owner.Channel && (owner.Team == "" || d.Team == owner.Team)
	}
	return d.URL == owner.URL
}

// checkDest validates a destination.
func checkDest(d *livespec.Destination) error {
	switch d.Kind {
	case livespec.DestSlack:
		if d.Channel == "" {
			return livespec.Errorf(livespec.EINVALID, "a Slack destination needs a channel")
		}
	case livespec.DestWebhook:
		u, err := url.Parse(d.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return livespec.Errorf(livespec.EINVALID, "a webhook needs an http(s) URL")
		}
		if d.Secret == "" {
			b := make([]byte, 24)
			_, _ = rand.Read(b)
			d.Secret = hex.EncodeToString(b)
		}
	default:
		return livespec.Errorf(livespec.EINVALID, "a destination is %q or %q", livespec.DestSlack, livespec.DestWebhook)
	}
	return nil
}

// Subscribe validates and stores a digest subscription.
func (s *Service) Subscribe(ctx context.Context, sub livespec.Subscription) (livespec.Subscription, error) {
	sched, err := ParseSchedule(sub.Schedule)
	if err != nil {
		return sub, err
	}
	if err := checkDest(&sub.Dest); err != nil {
		return sub, err
	}
	if err := checkGlobs(sub.Paths); err != nil {
		return sub, err
	}
	now := s.cfg.Now().UTC()
	sub.Created, sub.Last, sub.Next = now, time.Time{}, sched.Next(now).UTC()
	return s.cfg.Store.AddSubscription(ctx, sub)
}

func checkGlobs(gs []string) error {
	for _, g := range gs {
		if !doublestar.ValidatePattern(g) {
			return livespec.Errorf(livespec.EINVALID, "%q is not a path glob", g)
		}
	}
	return nil
}

// Subscriptions lists owner's subscriptions.
func (s *Service) Subscriptions(ctx context.Context, owner livespec.Destination) ([]livespec.Subscription, error) {
	all, err := s.cfg.Store.Subscriptions(ctx)
	if err != nil {
		return nil, err
	}
	out := []livespec.Subscription{}
	for _, x := range all {
		if sameOwner(x.Dest, owner) {
			out = append(out, x)
		}
	}
	return out, nil
}

// Unsubscribe removes one of owner's subscriptions.
func (s *Service) Unsubscribe(ctx context.Context, owner livespec.Destination, id int64) error {
	subs, err := s.Subscriptions(ctx, owner)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(subs, func(x livespec.Subscription) bool { return x.ID == id }) {
		return livespec.Errorf(livespec.ENOTFOUND, "there is no subscription %d here", id)
	}
	return s.cfg.Store.DeleteSubscription(ctx, id)
}

// Watch validates and stores a watch.
func (s *Service) Watch(ctx context.Context, w livespec.Watch) (livespec.Watch, error) {
	w.Target = strings.TrimSpace(w.Target)
	if w.Target == "" {
		return w, livespec.Errorf(livespec.EINVALID, "a watch needs a topic, a document or a path glob")
	}
	if len(w.Target) > 200 {
		return w, livespec.Errorf(livespec.EINVALID, "a watch target is at most 200 characters")
	}
	if retrieval.IsPathGlob(w.Target) {
		if err := checkGlobs([]string{w.Target}); err != nil {
			return w, err
		}
	}
	if err := checkDest(&w.Dest); err != nil {
		return w, err
	}
	w.Created = s.cfg.Now().UTC()
	return s.cfg.Store.AddWatch(ctx, w)
}

// Watches lists owner's watches.
func (s *Service) Watches(ctx context.Context, owner livespec.Destination) ([]livespec.Watch, error) {
	all, err := s.cfg.Store.Watches(ctx)
	if err != nil {
		return nil, err
	}
	out := []livespec.Watch{}
	for _, w := range all {
		if sameOwner(w.Dest, owner) {
			out = append(out, w)
		}
	}
	return out, nil
}

// Unwatch removes one of owner's watches.
func (s *Service) Unwatch(ctx context.Context, owner livespec.Destination, id int64) error {
	ws, err := s.Watches(ctx, owner)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(ws, func(w livespec.Watch) bool { return w.ID == id }) {
		return livespec.Errorf(livespec.ENOTFOUND, "there is no watch %d here", id)
	}
	return s.cfg.Store.DeleteWatch(ctx, id)
}

// RememberAnswer keeps an answer given at dest with its cited versions.
func (s *Service) RememberAnswer(ctx context.Context, dest livespec.Destination, a *livespec.Answer) error {
	var ids []string
	for _, c := range a.Citations {
		if c.VersionID != "" && !slices.Contains(ids, c.VersionID) {
			ids = append(ids, c.VersionID)
		}
	}
	if len(ids) == 0 || dest.Channel == "" {
		return nil
	}
	return s.cfg.Store.RememberAnswer(ctx, livespec.CitedAnswer{
		ID: uuid.NewString(), Dest: dest, Question: a.Question, Versions: ids, Time: s.cfg.Now().UTC(),
	})
}
