package livespec

import (
	"context"
	"encoding/json"
	"time"
)

// DestinationKind says how a notification is delivered.
type DestinationKind string

const (
	DestSlack   DestinationKind = "slack"   // a Slack channel, DM or thread
	DestWebhook DestinationKind = "webhook" // an outgoing, signed HTTP POST
)

// Destination is where notifications go and who set them up.
type Destination struct {
	Kind    DestinationKind `json:"kind"`
	Team    string          `json:"team,omitempty"`
	Channel string          `json:"channel,omitempty"` // Slack channel or DM id
	Thread  string          `json:"thread,omitempty"`  // Slack thread ts
	User    string          `json:"user,omitempty"`    // who set it up
	URL     string          `json:"url,omitempty"`     // webhook URL
	// Secret signs webhook bodies (HMAC-SHA256); never shown back.
	Secret string `json:"-"`
}

// Subscription is a digest sent on a schedule.
type Subscription struct {
	ID       int64       `json:"id"`
	Dest     Destination `json:"destination"`
	Schedule string      `json:"schedule"` // "weekly mon 09:00 Europe/Berlin", "daily", a cron expression
	Repos    []string    `json:"repos,omitempty"`
	Paths    []string    `json:"paths,omitempty"`
	// SendEmpty sends a digest of a period with no changes too.
	SendEmpty bool      `json:"send_empty"`
	Created   time.Time `json:"created"`
	// Last is when the last digest was due (its period ended); Next when
	// the next one is.
	Last time.Time `json:"last,omitzero"`
	Next time.Time `json:"next"`
}

// Watch asks to be told of every new change matching Target: a topic, a
// document (by title, number or file name) or a path glob.
type Watch struct {
	ID      int64       `json:"id"`
	Dest    Destination `json:"destination"`
	Target  string      `json:"target"`
	Repos   []string    `json:"repos,omitempty"`
	Created time.Time   `json:"created"`
}

// CitedAnswer is an answer the bot gave in a thread, remembered with the
// section versions it cited so that a later change to one of them can be
// told in that thread.
type CitedAnswer struct {
	ID       string      `json:"id"`
	Dest     Destination `json:"destination"`
	Question string      `json:"question"`
	Versions []string    `json:"versions"` // cited version ids
	Time     time.Time   `json:"time"`
}

// Notification kinds.
const (
	NoticeDigest = "digest"
	NoticeWatch  = "watch"
	NoticeStale  = "stale"
)

// Notification is one message push sends: the body of an outgoing
// webhook, and what Slack messages are rendered from.
type Notification struct {
	Kind string `json:"kind"` // digest, watch or stale
	// Key identifies it: one notification per key is ever sent
	// ("watch:7:<commit>").
	Key          string            `json:"key"`
	Subscription int64             `json:"subscription,omitempty"`
	Watch        int64             `json:"watch,omitempty"`
	Target       string            `json:"target,omitempty"` // the watch's target
	Question     string            `json:"question,omitempty"`
	Digest       *Digest           `json:"digest,omitempty"`
	Commit       *DigestCommitInfo `json:"commit,omitempty"`
	Changes      []NoticeChange    `json:"changes,omitempty"`
	// Repos are the repositories its content comes from (checked against
	// the destination's access at send time).
	Repos []string `json:"repos"`
	// Markdown is the whole message in Markdown.
	Markdown string    `json:"markdown"`
	Time     time.Time `json:"time"`
}

// NoticeChange is one changed section in a watch or stale notification,
// with its text before and after.
type NoticeChange struct {
	Repo    string     `json:"repo"`
	Path    string     `json:"path"`
	OldPath string     `json:"old_path,omitempty"`
	Heading string     `json:"heading"`
	Level   string     `json:"level"` // file or section
	Kind    ChangeKind `json:"kind"`
	Before  string     `json:"before,omitempty"` // excerpt of the text before
	After   string     `json:"after,omitempty"`  // excerpt of the text now
	URL     string     `json:"url,omitempty"`
}

// Delivery states.
const (
	DeliveryPending = "pending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed" // gave up after the last attempt
	DeliveryDenied  = "denied" // the destination may not see a repository of it
)

// Delivery is one notification in the outbox, for one destination.
type Delivery struct {
	ID        int64           `json:"id"`
	Key       string          `json:"key"` // unique: enqueuing a key twice keeps the first
	Dest      Destination     `json:"destination"`
	Payload   json.RawMessage `json:"payload"` // a Notification
	State     string          `json:"state"`
	Attempts  int             `json:"attempts"`
	NextTry   time.Time       `json:"next_try"`
	LastError string          `json:"last_error,omitempty"`
	Created   time.Time       `json:"created"`
}

// PushCursor is how far a repository's changes have been turned into
// notifications: the first-parent position and landing time of the last
// commit looked at.
type PushCursor struct {
	Repo string    `json:"repo"`
	Seq  int64     `json:"seq"`
	Time time.Time `json:"time"`
}

// PushStore keeps subscriptions, watches, remembered answers and the
// outbox of notifications, durably (they survive restarts). Enqueuing is
// idempotent by Delivery.Key, and a claimed delivery is leased to one
// claimant at a time, so several processes may share one store.
type PushStore interface {
	AddSubscription(ctx context.Context, s Subscription) (Subscription, error)
	Subscriptions(ctx context.Context) ([]Subscription, error)
	// DeleteSubscription removes one (ENOTFOUND when there is none).
	DeleteSubscription(ctx context.Context, id int64) error

	AddWatch(ctx context.Context, w Watch) (Watch, error)
	Watches(ctx context.Context) ([]Watch, error)
	DeleteWatch(ctx context.Context, id int64) error

	RememberAnswer(ctx context.Context, a CitedAnswer) error
	// AnswersCiting returns the remembered answers citing any of ids.
	AnswersCiting(ctx context.Context, ids []string) ([]CitedAnswer, error)
	// ForgetAnswers drops the answers remembered before t and returns
	// how many.
	ForgetAnswers(ctx context.Context, before time.Time) (int, error)

	// Cursor returns a repository's cursor (ok false when it has none).
	Cursor(ctx context.Context, repo string) (c PushCursor, ok bool, err error)
	// EnqueueChanges stores ds and moves the cursor, atomically.
	EnqueueChanges(ctx context.Context, c PushCursor, ds []Delivery) error
	// EnqueueDigest stores d (nil: none) and moves the subscription's Last
	// and Next, atomically; it is a no-op when the subscription's Next is
	// no longer due (another process fired it).
	EnqueueDigest(ctx context.Context, subID int64, due, next time.Time, d *Delivery) error

	// Claim leases up to limit pending deliveries whose NextTry is not
	// after now to owner until now+lease, oldest first.
	Claim(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]Delivery, error)
	// Finish records a claimed delivery's outcome: its state, attempts,
	// next try and last error.
	Finish(ctx context.Context, d Delivery) error
	// Deliveries lists the outbox (newest first, at most limit).
	Deliveries(ctx context.Context, limit int) ([]Delivery, error)

	Close() error
}

// Pusher is what the surfaces (Slack commands, the HTTP API) ask of push:
// set up and list digests and watches, and remember answers.
type Pusher interface {
	// Subscribe validates s (its schedule above all) and stores it.
	Subscribe(ctx context.Context, s Subscription) (Subscription, error)
	// Subscriptions lists those whose destination has owner's kind and
	// channel (or URL); a zero owner lists all.
	Subscriptions(ctx context.Context, owner Destination) ([]Subscription, error)
	// Unsubscribe removes one of owner's subscriptions (zero owner: any).
	Unsubscribe(ctx context.Context, owner Destination, id int64) error
	Watch(ctx context.Context, w Watch) (Watch, error)
	Watches(ctx context.Context, owner Destination) ([]Watch, error)
	Unwatch(ctx context.Context, owner Destination, id int64) error
	// RememberAnswer keeps an answer given in a thread and its cited
	// versions for the retention period.
	RememberAnswer(ctx context.Context, dest Destination, a *Answer) error
}
