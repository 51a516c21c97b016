package slackbot

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/access"
	"github.com/livespec/livespec/internal/cache"
	"github.com/livespec/livespec/internal/limit"
	"github.com/slack-go/slack"
)

// Defaults for Config's zero values.
const (
	DefaultRatePerUser    = 10  // questions per minute per user
	DefaultRatePerTeam    = 120 // questions per minute per workspace
	DefaultAskTimeout     = 2 * time.Minute
	DefaultStreamInterval = time.Second
	// DefaultHistoryTurns is how many earlier turns of a thread or DM are
	// passed to the Asker.
	DefaultHistoryTurns = 6
)

// Config configures a Bot.
type Config struct {
	// BotToken is the bot's xoxb- token (SLACK_BOT_TOKEN). Required.
	BotToken string
	// SigningSecret verifies Events API requests (SLACK_SIGNING_SECRET).
	// Required for the HTTP handlers; Socket Mode does without.
	SigningSecret string
	// AppToken is the app-level xapp- token for Socket Mode
	// (SLACK_APP_TOKEN). Empty: RunSocketMode refuses.
	AppToken string
	// APIURL is the Slack Web API base URL (LIVESPEC_SLACK_API_URL), for
	// tests, Enterprise Grid or GovSlack. Empty: slack.APIURL.
	APIURL string

	// Asker answers the questions. Required.
	Asker livespec.Asker
	// Feedback stores the 👍/👎 ratings. Nil: answers carry no buttons.
	Feedback livespec.FeedbackStore
	// Push sets up digests and watches (/spec digest, watch, watches,
	// unwatch) and remembers answers for stale-answer notices. Nil: those
	// commands say they are not set up.
	Push livespec.Pusher
	// Queue bounds concurrent answers; share the HTTP API's. Nil: a
	// Limiter of 4 slots and 32 waiters.
	Queue *limit.Limiter
	// HeavyQueue bounds heavy answers (timelines, change reports) apart
	// from Queue when the Asker weighs questions (livespec.Weigher); share
	// the HTTP API's. Nil: heavy answers wait in Queue.
	HeavyQueue *limit.Limiter
	// Gate bounds the answers computed at once, light ones let in before
	// waiting heavy ones; share the HTTP API's (api.Server.Gate), so that
	// Slack answers and the API's take turns at the CPU by the same rule.
	// Nil: no bound beyond the queues'.
	Gate *limit.Gate
	// Logger receives the bot's logs (nil: discard).
	Logger *slog.Logger

	// RatePerUser and RatePerTeam are how many questions a user and a
	// workspace may ask per minute, with a burst of as many (0: the
	// defaults; negative: unlimited).
	RatePerUser int
	RatePerTeam int

	// PublicURL is the livespec HTTP API's public base URL, linked when an
	// answer is too long for Slack. Empty: no link.
	PublicURL string
	// Repos restricts answers to these repositories (nil: all).
	Repos []string
	// Access says which repositories an answer may read, by channel, DM
	// and user group; the caller goes in the Asker's context
	// (livespec.WithCaller), whose store applies it. Nil: every
	// repository. OnDenied, when set, is called for each question asked
	// where the rules allow no repository.
	Access   *access.SlackRules
	OnDenied func()

	// HTTPClient calls the Web API and response_url (nil: a client with a
	// 30 s timeout).
	HTTPClient *http.Client
	// Now is the clock for rate limits and feedback times (nil: time.Now).
	Now func() time.Time
	// AskTimeout bounds one answer, its wait in the queue included
	// (0: DefaultAskTimeout).
	AskTimeout time.Duration
	// StreamInterval is how often a streamed answer's message is updated
	// (0: DefaultStreamInterval).
	StreamInterval time.Duration
	// HistoryTurns is how many earlier turns a follow-up carries
	// (0: DefaultHistoryTurns).
	HistoryTurns int
}

// Bot answers questions in Slack. Build it with New, serve its handlers
// (Mount) or RunSocketMode, and Close it when done.
type Bot struct {
	cfg   Config
	api   *slack.Client
	http  *http.Client
	log   *slog.Logger
	queue *limit.Limiter

	users, teams *keyedLimiter
	// seen holds the events and commands handled lately, so that a
	// redelivered one is handled once.
	seen *cache.TTL[string]
	// answers holds the recent answers by id, so that a rating is stored
	// with the whole answer and its citations.
	answers *cache.LRU[string, *livespec.Answer]
	// quiet holds the threads the bot had not answered in when last
	// read, so that busy threads cost one conversations.replies call a
	// minute, not one per reply.
	quiet *cache.TTL[string]
	// groups caches the members of the access rules' user groups.
	groups groupCache

	ctx    context.Context
	cancel context.CancelFunc
	tasks  limit.Group // the answers in progress

	selfMu sync.Mutex
	self   identity
}

// identity is who the bot is in its workspace (auth.test).
type identity struct {
	userID, botID string
}

// New checks cfg and builds a Bot. It makes no network call: the bot learns
// its own user id from auth.test on first use.
func New(cfg Config) (*Bot, error) {
	switch {
	case cfg.BotToken == "":
		return nil, livespec.Errorf(livespec.EINVALID, "slackbot: a bot token (SLACK_BOT_TOKEN) is required")
	case cfg.SigningSecret == "" && cfg.AppToken == "":
		return nil, livespec.Errorf(livespec.EINVALID, "slackbot: a signing secret (SLACK_SIGNING_SECRET) or an app token for Socket Mode (SLACK_APP_TOKEN) is required")
	case cfg.Asker == nil:
		return nil, livespec.Errorf(livespec.EINVALID, "slackbot: Config needs an Asker")
	case cfg.AppToken != "" && !strings.HasPrefix(cfg.AppToken, "xapp-"):
		return nil, livespec.Errorf(livespec.EINVALID, "slackbot: SLACK_APP_TOKEN must be an app-level token starting with xapp-")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Queue == nil {
		cfg.Queue = limit.New(4, 32)
	}
	if cfg.AskTimeout <= 0 {
		cfg.AskTimeout = DefaultAskTimeout
	}
	if cfg.StreamInterval <= 0 {
		cfg.StreamInterval = DefaultStreamInterval
	}
	if cfg.HistoryTurns <= 0 {
		cfg.HistoryTurns = DefaultHistoryTurns
	}
	apiURL := cfg.APIURL
	if apiURL == "" {
		apiURL = slack.APIURL
	}
	if !strings.HasSuffix(apiURL, "/") {
		apiURL += "/"
	}
	if !strings.HasPrefix(apiURL, "https://") && !strings.HasPrefix(apiURL, "http://") {
		return nil, livespec.Errorf(livespec.EINVALID, "slackbot: the Slack API URL %q is not an http(s) URL", cfg.APIURL)
	}
	// Retry calls Slack refuses with 429 (rate limited), after the wait it
	// asks for; answers are bounded by AskTimeout anyway.
	retry := slack.DefaultRetryConfig()
	retry.MaxRetries, retry.RetryAfterJitter = 2, 200*time.Millisecond
	opts := []slack.Option{slack.OptionAPIURL(apiURL), slack.OptionHTTPClient(cfg.HTTPClient), slack.OptionRetryConfig(retry)}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	ctx, cancel := context.WithCancel(context.Background())
	b := &Bot{
		cfg:     cfg,
		api:     slack.New(cfg.BotToken, opts...),
		http:    cfg.HTTPClient,
		log:     cfg.Logger,
		queue:   cfg.Queue,
		users:   newKeyedLimiter(rateOr(cfg.RatePerUser, DefaultRatePerUser)),
		teams:   newKeyedLimiter(rateOr(cfg.RatePerTeam, DefaultRatePerTeam)),
		seen:    cache.NewTTL[string](20000, 10*time.Minute),
		answers: cache.NewLRU[string, *livespec.Answer](2000),
		quiet:   cache.NewTTL[string](20000, time.Minute),
		ctx:     ctx,
		cancel:  cancel,
	}
	return b, nil
}

func rateOr(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}

// Close stops answering: it cancels the answers in progress and waits for
// every goroutine the bot started to end, or for ctx.
// Events arriving meanwhile are acknowledged and not answered.
func (b *Bot) Close(ctx context.Context) error {
	b.cancel()
	return b.tasks.Close(ctx)
}

// Wait waits for the answers in progress to finish without cancelling them.
func (b *Bot) Wait() { _ = b.tasks.Wait(context.Background()) }

// Mount registers the bot's three HTTP endpoints with mount (for example
// api.Server.Mount): POST /slack/events, /slack/commands and
// /slack/interactive.
func (b *Bot) Mount(mount func(method, path string, h http.Handler) error) error {
	for _, r := range []struct {
		path string
		h    http.Handler
	}{
		{"/slack/events", b.EventsHandler()},
		{"/slack/commands", b.CommandsHandler()},
		{"/slack/interactive", b.InteractiveHandler()},
	} {
		if err := mount(http.MethodPost, r.path, r.h); err != nil {
			return err
		}
	}
	return nil
}

// spawn runs fn in a goroutine the bot waits for on Close, with a context
// cancelled on Close and bounded by the ask timeout.
func (b *Bot) spawn(fn func(ctx context.Context)) {
	started := b.tasks.Go(func() {
		ctx, cancel := context.WithTimeout(b.ctx, b.cfg.AskTimeout)
		defer cancel()
		fn(ctx)
	})
	if !started {
		b.log.Info("slack: closing; an event is not answered")
	}
}

// identityTimeout bounds the one auth.test call that tells the bot who it is.
const identityTimeout = 30 * time.Second

// whoami returns the bot's identity, asking auth.test the first time.
func (b *Bot) whoami(ctx context.Context) (identity, error) {
	b.selfMu.Lock()
	defer b.selfMu.Unlock()
	if b.self.userID != "" {
		return b.self, nil
	}
	res, err := b.api.AuthTestContext(ctx)
	if err != nil {
		return identity{}, livespec.WrapError(livespec.EUNAVAILABLE, err, "slackbot: auth.test")
	}
	b.self = identity{userID: res.UserID, botID: res.BotID}
	return b.self, nil
}
