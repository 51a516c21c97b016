package slackbot_test

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

const (
	secret   = "8f742231b10e8888abcd99yyyzzz85a5"
	botUser  = "UBOT"
	botID    = "BBOT"
	team     = "T1"
	channel  = "C1"
	dmChan   = "D1"
	asker1   = "UALICE"
	question = "does checkout support coupons?"
)

// posted is one message the bot sent to the Web API.
type posted struct {
	Method   string // chat.postMessage, chat.update, chat.postEphemeral
	Channel  string
	Thread   string
	TS       string // chat.update: the updated message
	User     string // chat.postEphemeral
	Text     string
	Blocks   []slack.Block
	Metadata slack.SlackMetadata
}

// fakeSlack is a slacktest server speaking the parts of the Web API the
// bot uses, recording what the bot posts and serving thread and DM
// histories the test sets.
type fakeSlack struct {
	*slacktest.Server
	t testing.TB

	mu           sync.Mutex
	posts        []posted
	replies      map[string][]slack.Message // channel/thread_ts
	history      map[string][]slack.Message // channel, newest first
	nextTS       int
	onPost       func(p posted) // called for each post, outside the lock
	socket       func(c *websocket.Conn)
	limited      int           // answer this many posts with 429 first
	repliesCalls int           // conversations.replies calls
	authDelay    time.Duration // auth.test answers after this long
}

func newFakeSlack(t testing.TB) *fakeSlack {
	f := &fakeSlack{t: t, replies: map[string][]slack.Message{}, history: map[string][]slack.Message{}}
	f.Server = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/auth.test", func(w http.ResponseWriter, r *http.Request) {
			f.mu.Lock()
			delay := f.authDelay
			f.mu.Unlock()
			time.Sleep(delay)
			writeJSON(w, map[string]any{"ok": true, "user_id": botUser, "bot_id": botID, "team_id": team, "user": "livespec"})
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

func (f *fakeSlack) record(method string) http.HandlerFunc {
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
		p := posted{
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

func (f *fakeSlack) Posts() []posted {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]posted(nil), f.posts...)
}

func (f *fakeSlack) SetReplies(channel, thread string, msgs ...slack.Message) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.replies[channel+"/"+thread] = msgs
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// fakeAsker answers every question with answerFor, recording requests.
type fakeAsker struct {
	mu   sync.Mutex
	reqs []livespec.AskRequest
	fn   func(ctx context.Context, req livespec.AskRequest, onToken func(string) error) (*livespec.Answer, error)
}

func (a *fakeAsker) Ask(ctx context.Context, req livespec.AskRequest, onToken func(string) error) (*livespec.Answer, error) {
	a.mu.Lock()
	a.reqs = append(a.reqs, req)
	fn := a.fn
	a.mu.Unlock()
	if fn != nil {
		return fn(ctx, req, onToken)
	}
	return answerFor(req.Question), nil
}

func (a *fakeAsker) Requests() []livespec.AskRequest {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]livespec.AskRequest(nil), a.reqs...)
}

var (
	march = time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	sept  = time.Date(2025, 9, 10, 8, 0, 0, 0, time.UTC)
)

// answerFor is an answer with one current and one superseded citation.
func answerFor(q string) *livespec.Answer {
	return &livespec.Answer{
		Question: q,
		Intent:   livespec.IntentCurrent,
		Answer:   "Yes: checkout accepts **one coupon** per order [1]. Stacking was dropped [2].",
		Citations: []livespec.Citation{
			{N: 1, Repo: "shop", Path: "specs/checkout.md", Heading: "Checkout > Coupons", Commit: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
				Date: livespec.Time{Time: march}, ValidFrom: livespec.Time{Time: march}, Current: true,
				URL: "https://git.example.com/shop/blob/a1b2c3d4e5f60718293a4b5c6d7e8f9012345678/specs/checkout.md#coupons", Excerpt: "One coupon per order."},
			{N: 2, Repo: "shop", Path: "specs/checkout.md", Heading: "Checkout > Stacking", Commit: "0123456789abcdef0123456789abcdef01234567",
				Date: livespec.Time{Time: march}, ValidFrom: livespec.Time{Time: march}, ValidTo: livespec.Time{Time: sept},
				URL: "https://git.example.com/shop/blob/0123456789abcdef0123456789abcdef01234567/specs/checkout.md#stacking", Excerpt: "Coupons stack."},
		},
		Changes: []livespec.AnswerChange{},
		Model:   livespec.ModelInfo{Embedder: "none (BM25 only)", Generator: "extractive"},
	}
}

// memFeedback is an in-memory livespec.FeedbackStore.
type memFeedback struct {
	mu  sync.Mutex
	all []livespec.Feedback
}

func (m *memFeedback) AddFeedback(ctx context.Context, f livespec.Feedback) error {
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

func (m *memFeedback) EachFeedback(ctx context.Context, fn func(livespec.Feedback) error) error {
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

func (m *memFeedback) All() []livespec.Feedback {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]livespec.Feedback(nil), m.all...)
}

// env is a bot wired to a fake Slack, a fake Asker and an in-memory
// feedback store.
type env struct {
	bot      *slackbot.Bot
	slack    *fakeSlack
	asker    *fakeAsker
	feedback *memFeedback
	hooks    *hookServer
}

func newEnv(t testing.TB, tweak ...func(*slackbot.Config)) *env {
	t.Helper()
	e := &env{slack: newFakeSlack(t), asker: &fakeAsker{}, feedback: &memFeedback{}, hooks: newHookServer(t)}
	cfg := slackbot.Config{
		BotToken: "xoxb-test", SigningSecret: secret, APIURL: e.slack.GetAPIURL(),
		Asker: e.asker, Feedback: e.feedback, PublicURL: "https://livespec.example.com",
	}
	for _, f := range tweak {
		f(&cfg)
	}
	b, err := slackbot.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.bot = b
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := b.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return e
}

// hookServer stands for Slack's response_url endpoints.
type hookServer struct {
	*httptest.Server
	mu   sync.Mutex
	msgs []slack.WebhookMessage
}

func newHookServer(t testing.TB) *hookServer {
	h := &hookServer{}
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

func (h *hookServer) Messages() []slack.WebhookMessage {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]slack.WebhookMessage(nil), h.msgs...)
}

// signed builds a request signed like Slack signs them, at time at.
func signed(t testing.TB, path, contentType string, body []byte, at time.Time, key string) *http.Request {
	t.Helper()
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(key))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	r.Header.Set("X-Slack-Request-Timestamp", ts)
	r.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return r
}

// serve sends a request to h and returns the recorded response.
func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// eventBody is an Events API callback envelope around inner.
func eventBody(eventID string, inner map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{
		"token": "legacy", "team_id": team, "api_app_id": "A1", "type": "event_callback",
		"event_id": eventID, "event_time": 1700000000, "event": inner,
	})
	return b
}

func mention(ts, thread, text string) map[string]any {
	m := map[string]any{"type": "app_mention", "user": asker1, "text": text, "ts": ts, "channel": channel, "event_ts": ts}
	if thread != "" {
		m["thread_ts"] = thread
	}
	return m
}

func message(ch, chType, ts, thread, text string) map[string]any {
	m := map[string]any{"type": "message", "user": asker1, "text": text, "ts": ts, "channel": ch, "channel_type": chType, "event_ts": ts}
	if thread != "" {
		m["thread_ts"] = thread
	}
	return m
}

// sendEvent posts a signed event and checks it is acknowledged with 200.
func (e *env) sendEvent(t testing.TB, body []byte, retry int) {
	t.Helper()
	r := signed(t, "/slack/events", "application/json", body, time.Now(), secret)
	if retry > 0 {
		r.Header.Set("X-Slack-Retry-Num", strconv.Itoa(retry))
		r.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	if w := serve(e.bot.EventsHandler(), r); w.Code != http.StatusOK {
		t.Fatalf("event: status %d, body %q", w.Code, w.Body.String())
	}
}

// wantSilence waits for the bot's work and fails the test, naming what,
// if the bot asked a question or posted anything.
func (e *env) wantSilence(t testing.TB, what string) {
	t.Helper()
	e.bot.Wait()
	if n := len(e.asker.Requests()); n != 0 {
		t.Errorf("%s: asked %d questions", what, n)
	}
	if posts := e.slack.Posts(); len(posts) != 0 {
		t.Errorf("%s: posted %+v", what, posts)
	}
}

// blockText gathers every text of the blocks.
func blockText(bs []slack.Block) string {
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

// validateBlocks checks Slack's limits on a message's blocks: at most 50,
// each text object valid (1 to 3,000 characters).
func validateBlocks(t testing.TB, bs []slack.Block) {
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
				checkMrkdwn(t, x.Text.Text)
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
					checkMrkdwn(t, tx.Text)
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

// checkMrkdwn checks that text has balanced links and code fences and no
// unescaped & outside entities.
func checkMrkdwn(t testing.TB, s string) {
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
			t.Errorf("unbalanced < > in %q", clipForLog(s))
			return
		}
	}
	if depth != 0 {
		t.Errorf("unclosed < in %q", clipForLog(s))
	}
	if strings.Count(s, "```")%2 != 0 {
		t.Errorf("unbalanced code fence in %q", clipForLog(s))
	}
	for i := strings.IndexByte(s, '&'); i >= 0; {
		rest := s[i:]
		if !(strings.HasPrefix(rest, "&amp;") || strings.HasPrefix(rest, "&lt;") || strings.HasPrefix(rest, "&gt;")) {
			t.Errorf("unescaped & in %q", clipForLog(s))
			return
		}
		j := strings.IndexByte(s[i+1:], '&')
		if j < 0 {
			break
		}
		i += j + 1
	}
}

func clipForLog(s string) string {
	if len(s) > 200 {
		return s[:100] + " … " + s[len(s)-100:]
	}
	return s
}

// formBody encodes values for a slash command or an interaction.
func formBody(v url.Values) []byte { return []byte(v.Encode()) }

// noBotGoroutines fails when a goroutine of package slackbot is still
// running. A goroutine that has just signalled it is done may still be
// on its way out, so it looks a few times before failing.
func noBotGoroutines(t testing.TB) {
	t.Helper()
	var left []string
	for range 200 {
		left = left[:0]
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		for _, g := range strings.Split(string(buf[:n]), "\n\n") {
			if strings.Contains(g, "livespec/slackbot.(*") && !strings.Contains(g, "_test.") {
				left = append(left, g)
			}
		}
		if len(left) == 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Errorf("goroutines left running:\n%s", strings.Join(left, "\n\n"))
}
