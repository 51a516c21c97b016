// Package slackbottest is the harness of the Slack bot's tests: a fake
// Slack Web API (slacktest) that records what the bot posts and serves the
// thread and DM histories a test sets, a fake Asker, an in-memory feedback
// store, a response_url server, Slack's request signing, event bodies and
// checks of the Block Kit messages the bot renders. slackbot's own tests,
// the end-to-end tests in internal/e2e and cmd/livespec's serve test share
// it.
package slackbottest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/livespec/livespec"
	"github.com/livespec/livespec/slackbot"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"
)

// The workspace every Env's bot lives in.
const (
	Secret   = "8f742231b10e8888abcd99yyyzzz85a5" // the signing secret
	BotUser  = "UBOT"
	BotID    = "BBOT"
	Team     = "T1"
	Channel  = "C1" // a public channel
	DMChan   = "D1" // a direct-message channel
	Asker1   = "UALICE"
	Question = "does checkout support coupons?"
)

// Post is one message the bot sent to the Web API.
type Post struct {
	Method   string // chat.postMessage, chat.update, chat.postEphemeral
	Channel  string
	Thread   string
	TS       string // chat.update: the updated message
	User     string // chat.postEphemeral
	Text     string
	Blocks   []slack.Block
	Metadata slack.SlackMetadata
}

// Slack is a slacktest server speaking the parts of the Web API the bot
// uses, recording what the bot posts and serving the thread and DM
// histories the test sets.
type Slack struct {
	*slacktest.Server
	t testing.TB

	mu           sync.Mutex
	posts        []Post
	replies      map[string][]slack.Message // channel/thread_ts
	history      map[string][]slack.Message // channel, newest first
	nextTS       int
	onPost       func(p Post) // called for each post, outside the lock
	socket       func(c *websocket.Conn)
	limited      int           // answer this many posts with 429 first
	repliesCalls int           // conversations.replies calls
	authDelay    time.Duration // auth.test answers after this long
}

// NewSlack starts a fake Slack, stopped when the test ends.
func NewSlack(t testing.TB) *Slack {
	f := &Slack{t: t, replies: map[string][]slack.Message{}, history: map[string][]slack.Message{}}
	f.Server = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/auth.test", func(w http.ResponseWriter, r *http.Request) {
			f.mu.Lock()
			delay := f.authDelay
			f.mu.Unlock()
			time.Sleep(delay)
			writeJSON(w, map[string]any{"ok": true, "user_id": BotUser, "bot_id": BotID, "team_id": Team, "user": "livespec"})
		})
		c.Handle("/chat.postMessage", f.record("chat.postMessage"))
		c.Handle("/chat.update", f.record("chat.update"))
		c.Handle("/chat.postEphemeral", f.record("chat.postEphemeral"))
		c.Handle("/conversations.replies", func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			f.mu.Lock()
			f.repliesCalls++
			msgs := f.replies[r.Form.Get("channel")+"/"+r.Form.Get("ts")]
			f.mu.Unlock()
			if msgs == nil {
				writeJSON(w, map[string]any{"ok": false, "error": "thread_not_found"})
				return
			}
			writeJSON(w, map[string]any{"ok": true, "messages": msgs, "has_more": false})
		})
		c.Handle("/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer xapp-test" {
				writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
				return
			}
			writeJSON(w, map[string]any{"ok": true, "url": "ws://" + r.Host + "/socket"})
		})
		c.Handle("/socket", slacktest.Websocket(func(c *websocket.Conn) {
			f.mu.Lock()
			fn := f.socket
			f.mu.Unlock()
			if fn != nil {
				fn(c)
			}
		}))
		c.Handle("/conversations.history", func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			f.mu.Lock()
			msgs := f.history[r.Form.Get("channel")]
			f.mu.Unlock()
			writeJSON(w, map[string]any{"ok": true, "messages": msgs, "has_more": false})
		})
	})
	f.Start()
	t.Cleanup(f.Stop)
	return f
}

func (f *Slack) record(method string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		f.mu.Lock()
		limited := f.limited > 0
		if limited {
			f.limited--
		}
		f.mu.Unlock()
		if limited {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			writeJSON(w, map[string]any{"ok": false, "error": "ratelimited"})
			return
		}
		p := Post{
			Method: method, Channel: r.Form.Get("channel"), Thread: r.Form.Get("thread_ts"),
			TS: r.Form.Get("ts"), User: r.Form.Get("user"), Text: r.Form.Get("text"),
		}
		if b := r.Form.Get("blocks"); b != "" {
			var bs slack.Blocks
			if err := json.Unmarshal([]byte(b), &bs); err != nil {
				f.t.Errorf("%s: blocks do not parse: %v", method, err)
			}
			p.Blocks = bs.BlockSet
		}
		if m := r.Form.Get("metadata"); m != "" {
			if err := json.Unmarshal([]byte(m), &p.Metadata); err != nil {
				f.t.Errorf("%s: metadata does not parse: %v", method, err)
			}
		}
		f.mu.Lock()
		f.nextTS++
		ts := fmt.Sprintf("1700000500.%06d", f.nextTS)
		if p.TS != "" {
			ts = p.TS
		}
		f.posts = append(f.posts, p)
		hook := f.onPost
		f.mu.Unlock()
		if hook != nil {
			hook(p)
		}
		writeJSON(w, map[string]any{"ok": true, "channel": p.Channel, "ts": ts, "message_ts": ts})
	}
}

// Posts returns what the bot posted so far, in order.
func (f *Slack) Posts() []Post {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Post(nil), f.posts...)
}

// SetReplies sets the messages of a thread (conversations.replies).
func (f *Slack) SetReplies(channel, thread string, msgs ...slack.Message) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.replies[channel+"/"+thread] = msgs
}

// SetHistory sets the messages of a channel (conversations.history),
// newest first as Slack sends them.
func (f *Slack) SetHistory(channel string, msgs ...slack.Message) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.history[channel] = msgs
}

// OnPost makes the server call fn with each post, after recording it.
func (f *Slack) OnPost(fn func(Post)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onPost = fn
}

// OnSocket makes the Socket Mode endpoint hand each connection to fn.
func (f *Slack) OnSocket(fn func(*websocket.Conn)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.socket = fn
}

// RateLimit answers the next n posts with 429 (Retry-After 0).
func (f *Slack) RateLimit(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limited = n
}

// DelayAuth makes auth.test answer after d.
func (f *Slack) DelayAuth(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.authDelay = d
}

// RepliesCalls counts the conversations.replies calls so far.
func (f *Slack) RepliesCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.repliesCalls
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// Asker answers every question with AnswerFor, or with Answer when set
// (before the bot asks), recording the requests.
type Asker struct {
	Answer func(ctx context.Context, req livespec.AskRequest, onToken func(string) error) (*livespec.Answer, error)

	mu   sync.Mutex
	reqs []livespec.AskRequest
}

// Ask records req and answers it.
func (a *Asker) Ask(ctx context.Context, req livespec.AskRequest, onToken func(string) error) (*livespec.Answer, error) {
	a.mu.Lock()
	a.reqs = append(a.reqs, req)
	fn := a.Answer
	a.mu.Unlock()
	if fn != nil {
		return fn(ctx, req, onToken)
	}
	return AnswerFor(req.Question), nil
}

// Requests returns the requests asked so far.
func (a *Asker) Requests() []livespec.AskRequest {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]livespec.AskRequest(nil), a.reqs...)
}

// The dates of AnswerFor's citations.
var (
	March = time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	Sept  = time.Date(2025, 9, 10, 8, 0, 0, 0, time.UTC)
)

// AnswerFor is an answer to q with one current and one superseded
// citation (valid since March, superseded in Sept).
func AnswerFor(q string) *livespec.Answer {
	return &livespec.Answer{
		Question: q,
		Intent:   livespec.IntentCurrent,
		Answer:   "Yes: checkout accepts **one coupon** per order [1]. Stacking was dropped [2].",
		Citations: []livespec.Citation{
			{N: 1, Repo: "shop", Path: "specs/checkout.md", Heading: "Checkout > Coupons", Commit: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
				Date: livespec.Time{Time: March}, ValidFrom: livespec.Time{Time: March}, Current: true,
				URL: "https://git.example.com/shop/blob/a1b2c3d4e5f60718293a4b5c6d7e8f9012345678/specs/checkout.md#coupons", Excerpt: "One coupon per order."},
			{N: 2, Repo: "shop", Path: "specs/checkout.md", Heading: "Checkout > Stacking", Commit: "0123456789abcdef0123456789abcdef01234567",
				Date: livespec.Time{Time: March}, ValidFrom: livespec.Time{Time: March}, ValidTo: livespec.Time{Time: Sept},
				URL: "https://git.example.com/shop/blob/0123456789abcdef0123456789abcdef01234567/specs/checkout.md#stacking", Excerpt: "Coupons stack."},
		},
		Changes: []livespec.AnswerChange{},
		Model:   livespec.ModelInfo{Embedder: "none (BM25 only)", Generator: "extractive"},
	}
}

// Feedback is an in-memory livespec.FeedbackStore.
type Feedback struct {
	mu  sync.Mutex
	all []livespec.Feedback
}

// AddFeedback stores f, replacing the feedback of the same ID.
func (m *Feedback) AddFeedback(ctx context.Context, f livespec.Feedback) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.all {
		if m.all[i].ID == f.ID {
			m.all[i] = f
			return nil
		}
	}
	m.all = append(m.all, f)
	return nil
}

// EachFeedback calls fn with each stored feedback.
func (m *Feedback) EachFeedback(ctx context.Context, fn func(livespec.Feedback) error) error {
	m.mu.Lock()
	all := append([]livespec.Feedback(nil), m.all...)
	m.mu.Unlock()
	for _, f := range all {
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// All returns the stored feedback.
func (m *Feedback) All() []livespec.Feedback {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]livespec.Feedback(nil), m.all...)
}

// Env is a bot wired to a fake Slack, a fake Asker, an in-memory feedback
// store and a response_url server.
type Env struct {
	Bot      *slackbot.Bot
	Slack    *Slack
	Asker    *Asker
	Feedback *Feedback
	Hooks    *Hooks
}

// NewEnv builds an Env whose bot has the configuration tweak adjusts; the
// bot is closed when the test ends.
func NewEnv(t testing.TB, tweak ...func(*slackbot.Config)) *Env {
	t.Helper()
	e := &Env{Slack: NewSlack(t), Asker: &Asker{}, Feedback: &Feedback{}, Hooks: NewHooks(t)}
	cfg := slackbot.Config{
		BotToken: "xoxb-test", SigningSecret: Secret, APIURL: e.Slack.GetAPIURL(),
		Asker: e.Asker, Feedback: e.Feedback, PublicURL: "https://livespec.example.com",
	}
	for _, f := range tweak {
		f(&cfg)
	}
	b, err := slackbot.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.Bot = b
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := b.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return e
}

// Hooks stands for Slack's response_url endpoints.
type Hooks struct {
	*httptest.Server
	mu   sync.Mutex
	msgs []slack.WebhookMessage
}

// NewHooks starts a response_url server, closed when the test ends.
func NewHooks(t testing.TB) *Hooks {
	h := &Hooks{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m slack.WebhookMessage
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			t.Errorf("response_url: %v", err)
			http.Error(w, err.Error(), 400)
			return
		}
		h.mu.Lock()
		h.msgs = append(h.msgs, m)
		h.mu.Unlock()
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(h.Close)
	return h
}

// Messages returns the messages posted to the server so far.
func (h *Hooks) Messages() []slack.WebhookMessage {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]slack.WebhookMessage(nil), h.msgs...)
}

// Signed builds a request signed with key as Slack signs them, at time at.
func Signed(t testing.TB, path, contentType string, body []byte, at time.Time, key string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	ts, sig := Sign(key, at, body)
	r.Header.Set("X-Slack-Request-Timestamp", ts)
	r.Header.Set("X-Slack-Signature", sig)
	return r
}

// Sign returns the X-Slack-Request-Timestamp and X-Slack-Signature headers
// of body signed with key at time at.
func Sign(key string, at time.Time, body []byte) (ts, sig string) {
	ts = strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(key))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	return ts, "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// Serve sends a request to h and returns the recorded response.
func Serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// EventBody is an Events API callback envelope around inner.
func EventBody(eventID string, inner map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{
		"token": "legacy", "team_id": Team, "api_app_id": "A1", "type": "event_callback",
		"event_id": eventID, "event_time": 1700000000, "event": inner,
	})
	return b
}

// Mention is an app_mention event by Asker1 in Channel (in thread when
// not empty).
func Mention(ts, thread, text string) map[string]any {
	m := map[string]any{"type": "app_mention", "user": Asker1, "text": text, "ts": ts, "channel": Channel, "event_ts": ts}
	if thread != "" {
		m["thread_ts"] = thread
	}
	return m
}

// Message is a message event by Asker1 in ch of type chType (in thread
// when not empty).
func Message(ch, chType, ts, thread, text string) map[string]any {
	m := map[string]any{"type": "message", "user": Asker1, "text": text, "ts": ts, "channel": ch, "channel_type": chType, "event_ts": ts}
	if thread != "" {
		m["thread_ts"] = thread
	}
	return m
}

// SendEvent posts a signed event (a retry when retry > 0) and checks it
// is acknowledged with 200.
func (e *Env) SendEvent(t testing.TB, body []byte, retry int) {
	t.Helper()
	r := Signed(t, "/slack/events", "application/json", body, time.Now(), Secret)
	if retry > 0 {
		r.Header.Set("X-Slack-Retry-Num", strconv.Itoa(retry))
		r.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	if w := Serve(e.Bot.EventsHandler(), r); w.Code != http.StatusOK {
		t.Fatalf("event: status %d, body %q", w.Code, w.Body.String())
	}
}

// WantSilence waits for the bot's work and fails the test, naming what,
// if the bot asked a question or posted anything.
func (e *Env) WantSilence(t testing.TB, what string) {
	t.Helper()
	e.Bot.Wait()
	if n := len(e.Asker.Requests()); n != 0 {
		t.Errorf("%s: asked %d questions", what, n)
	}
	if posts := e.Slack.Posts(); len(posts) != 0 {
		t.Errorf("%s: posted %+v", what, posts)
	}
}

// BlockText gathers every text of the blocks.
func BlockText(bs []slack.Block) string {
	var b strings.Builder
	for _, bl := range bs {
		switch x := bl.(type) {
		case *slack.SectionBlock:
			if x.Text != nil {
				b.WriteString(x.Text.Text + "\n")
			}
		case *slack.ContextBlock:
			for _, el := range x.ContextElements.Elements {
				if tx, ok := el.(*slack.TextBlockObject); ok {
					b.WriteString(tx.Text + "\n")
				}
			}
		case *slack.HeaderBlock:
			b.WriteString(x.Text.Text + "\n")
		}
	}
	return b.String()
}

// ValidateBlocks checks Slack's limits on a message's blocks: at most 50,
// each text object valid (1 to 3,000 characters).
func ValidateBlocks(t testing.TB, bs []slack.Block) {
	t.Helper()
	if len(bs) == 0 || len(bs) > slackbot.MaxBlocks {
		t.Fatalf("%d blocks, want 1 to %d", len(bs), slackbot.MaxBlocks)
	}
	for i, bl := range bs {
		switch x := bl.(type) {
		case *slack.SectionBlock:
			if x.Text == nil {
				t.Errorf("block %d: section without text", i)
			}
			if x.Text != nil {
				if err := x.Text.Validate(); err != nil {
					t.Errorf("block %d text: %v (%d chars)", i, err, len([]rune(x.Text.Text)))
				}
				CheckMrkdwn(t, x.Text.Text)
			}
		case *slack.ContextBlock:
			if n := len(x.ContextElements.Elements); n == 0 || n > 10 {
				t.Errorf("block %d: context with %d elements", i, n)
			}
			for _, el := range x.ContextElements.Elements {
				if tx, ok := el.(*slack.TextBlockObject); ok {
					if err := tx.Validate(); err != nil {
						t.Errorf("block %d context text: %v", i, err)
					}
					CheckMrkdwn(t, tx.Text)
				}
			}
		case *slack.ActionBlock:
			for _, el := range x.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok && len(btn.Value) > 2000 {
					t.Errorf("block %d: button value of %d bytes", i, len(btn.Value))
				}
			}
		case *slack.DividerBlock:
		default:
			t.Errorf("block %d: unexpected %T", i, bl)
		}
	}
}

// CheckMrkdwn checks that s has balanced links and code fences and no
// unescaped & outside entities.
func CheckMrkdwn(t testing.TB, s string) {
	t.Helper()
	depth := 0
	for _, r := range s {
		switch r {
		case '<':
			depth++
		case '>':
			depth--
		}
		if depth < 0 || depth > 1 {
			// A stray > begins a quote only at a line start; elsewhere it
			// must be escaped.
			if r == '>' && depth < 0 {
				depth = 0
				continue
			}
			t.Errorf("unbalanced < > in %q", clip(s))
			return
		}
	}
	if depth != 0 {
		t.Errorf("unclosed < in %q", clip(s))
	}
	if strings.Count(s, "```")%2 != 0 {
		t.Errorf("unbalanced code fence in %q", clip(s))
	}
	for i := strings.IndexByte(s, '&'); i >= 0; {
		rest := s[i:]
		if !(strings.HasPrefix(rest, "&amp;") || strings.HasPrefix(rest, "&lt;") || strings.HasPrefix(rest, "&gt;")) {
			t.Errorf("unescaped & in %q", clip(s))
			return
		}
		j := strings.IndexByte(s[i+1:], '&')
		if j < 0 {
			break
		}
		i += j + 1
	}
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:100] + " … " + s[len(s)-100:]
	}
	return s
}

// FormBody encodes values for a slash command or an interaction.
func FormBody(v url.Values) []byte { return []byte(v.Encode()) }

// SlashBody is a /spec command with text by Asker1 in Channel, answered at
// responseURL.
func SlashBody(text, responseURL string) []byte {
	return FormBody(url.Values{
		"token": {"legacy"}, "team_id": {Team}, "channel_id": {Channel}, "user_id": {Asker1},
		"command": {"/spec"}, "text": {text}, "response_url": {responseURL}, "trigger_id": {"trig-" + text},
	})
}

// NoBotGoroutines fails when a goroutine of package slackbot is still
// running (see NoGoroutines).
func NoBotGoroutines(t testing.TB) {
	t.Helper()
	NoGoroutines(t, "livespec/slackbot.(*")
}

// NoGoroutines fails when a goroutine whose stack names marker, and no
// test code, is still running. A goroutine that has just signalled it is
// done may still be on its way out, so it looks again for up to five
// seconds before failing.
func NoGoroutines(t testing.TB, marker string) {
	t.Helper()
	var left []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		left = left[:0]
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		for _, g := range strings.Split(string(buf[:n]), "\n\n") {
			if strings.Contains(g, marker) && !strings.Contains(g, "_test.") {
				left = append(left, g)
			}
		}
		if len(left) == 0 {
			return
		}
	}
	t.Errorf("goroutines left running:\n%s", strings.Join(left, "\n\n"))
}

// HasFeedbackButtons reports whether the blocks carry the feedback buttons.
func HasFeedbackButtons(bs []slack.Block) bool {
	return FeedbackValue(bs) != ""
}

// FeedbackValue is the value of the blocks' thumbs-up button ("" when none).
func FeedbackValue(bs []slack.Block) string {
	for _, b := range bs {
		if a, ok := b.(*slack.ActionBlock); ok {
			for _, el := range a.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok && btn.ActionID == slackbot.ActionFeedbackUp {
					return btn.Value
				}
			}
		}
	}
	return ""
}

// ClickBody is the interaction payload of a click by UCAROL on the button
// action with value, on a message of messageText in a thread of Channel.
func ClickBody(t testing.TB, action, value, messageText, responseURL string) []byte {
	t.Helper()
	payload, err := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]any{"id": Team}, "user": map[string]any{"id": "UCAROL"},
		"channel":      map[string]any{"id": Channel},
		"container":    map[string]any{"type": "message", "message_ts": "1700000500.000001", "channel_id": Channel, "thread_ts": "1700000000.000100"},
		"message":      map[string]any{"type": "message", "ts": "1700000500.000001", "text": messageText, "thread_ts": "1700000000.000100"},
		"response_url": responseURL, "trigger_id": "t1",
		"actions": []map[string]any{{"type": "button", "action_id": action, "block_id": "livespec_feedback", "value": value, "action_ts": "1700000600.000001"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return FormBody(url.Values{"payload": {string(payload)}})
}
