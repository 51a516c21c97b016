package push

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/livespec/livespec"
)

// Webhook headers.
const (
	HeaderSignature = "X-Livespec-Signature" // "sha256=" + hex HMAC-SHA256 of timestamp + "." + body
	HeaderTimestamp = "X-Livespec-Timestamp" // unix seconds
	HeaderDelivery  = "X-Livespec-Delivery"  // the notification key: receivers drop a key seen before
	HeaderEvent     = "X-Livespec-Event"     // digest, watch or stale
)

// maxRateWaits is how many times one Slack post waits out a rate limit
// before the delivery is retried later.
const maxRateWaits = 3

// Sign returns the signature header value of body sent at ts.
func Sign(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(ts, 10) + "."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a webhook request's signature, and that its timestamp is
// within tolerance of now: what a receiver does.
func Verify(secret string, header http.Header, body []byte, now time.Time, tolerance time.Duration) bool {
	ts, err := strconv.ParseInt(header.Get(HeaderTimestamp), 10, 64)
	if err != nil {
		return false
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return false
	}
	return hmac.Equal([]byte(Sign(secret, ts, body)), []byte(header.Get(HeaderSignature)))
}

// permanent marks a failure that retrying cannot fix.
type permanent struct{ error }

// denied marks a delivery the destination may not receive.
var errDenied = errors.New("the destination may not see a repository of this notification")

// Deliver sends the due deliveries this process can claim, and records
// each outcome: sent; retried later with a doubling backoff; or, after the
// last attempt or a permanent failure, failed and logged with its cause.
func (s *Service) Deliver(ctx context.Context) error {
	for {
		ds, err := s.cfg.Store.Claim(ctx, s.cfg.Owner, s.cfg.Now(), lease, claimBatch)
		if err != nil || len(ds) == 0 {
			return err
		}
		for _, d := range ds {
			if err := s.deliverOne(ctx, d); err != nil {
				return err
			}
		}
		if len(ds) < claimBatch {
			return nil
		}
	}
}

func (s *Service) deliverOne(ctx context.Context, d livespec.Delivery) error {
	var n livespec.Notification
	err := json.Unmarshal(d.Payload, &n)
	if err == nil {
		err = s.send(ctx, d, &n)
	}
	if ctx.Err() != nil {
		return ctx.Err() // shutting down: the lease expires and it is sent later
	}
	d.Attempts++
	now := s.cfg.Now().UTC()
	var rl *slack.RateLimitedError
	var perm permanent
	switch {
	case err == nil:
		d.State, d.LastError = livespec.DeliverySent, ""
		s.log.Info("push: delivered", "key", d.Key, "kind", n.Kind, "to", d.Dest.Kind)
	case errors.Is(err, errDenied):
		d.State, d.LastError = livespec.DeliveryDenied, err.Error()
		s.log.Warn("push: not delivered: access denied", "key", d.Key, "to", d.Dest.Kind)
	case errors.As(err, &perm) || d.Attempts >= s.cfg.MaxAttempts:
		d.State, d.LastError = livespec.DeliveryFailed, err.Error()
		s.log.Error("push: delivery failed; giving up", "key", d.Key, "to", d.Dest.Kind, "attempts", d.Attempts, "err", err)
	default:
		d.LastError = err.Error()
		wait := s.backoff(d.Attempts)
		if errors.As(err, &rl) && rl.RetryAfter > wait {
			wait = rl.RetryAfter
		}
		d.NextTry = now.Add(wait)
		s.log.Warn("push: delivery failed; will retry", "key", d.Key, "to", d.Dest.Kind, "attempts", d.Attempts, "retry_in", wait, "err", err)
	}
	return s.cfg.Store.Finish(ctx, d)
}

// backoff is the wait before attempt n+1: Backoff doubling, at most MaxBackoff.
func (s *Service) backoff(n int) time.Duration {
	w := s.cfg.Backoff
	for i := 1; i < n && w < MaxBackoff; i++ {
		w *= 2
	}
	return min(w, MaxBackoff)
}

func (s *Service) send(ctx context.Context, d livespec.Delivery, n *livespec.Notification) error {
	if s.cfg.Allow != nil {
		for _, r := range n.Repos {
			if !s.cfg.Allow(ctx, d.Dest, r) {
				return errDenied
			}
		}
	}
	switch d.Dest.Kind {
	case livespec.DestSlack:
		return s.sendSlack(ctx, d.Dest, n)
	case livespec.DestWebhook:
		return s.sendWebhook(ctx, d, n)
	}
	return permanent{fmt.Errorf("push: unknown destination kind %q", d.Dest.Kind)}
}

// sendSlack posts to the channel (in the thread, for a stale notice),
// waiting out rate limits as Slack asks.
func (s *Service) sendSlack(ctx context.Context, dest livespec.Destination, n *livespec.Notification) error {
	if s.cfg.Slack == nil {
		return permanent{errors.New("push: Slack is not configured")}
	}
	text, blocks := SlackMessage(n)
	opts := []slack.MsgOption{slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...), slack.MsgOptionDisableLinkUnfurl()}
	if dest.Thread != "" {
		opts = append(opts, slack.MsgOptionTS(dest.Thread))
	}
	for i := 0; ; i++ {
		_, _, err := s.cfg.Slack.PostMessageContext(ctx, dest.Channel, opts...)
		var rl *slack.RateLimitedError
		if !errors.As(err, &rl) || i == maxRateWaits {
			if err != nil {
				if se := (slack.SlackErrorResponse{}); errors.As(err, &se) && permanentSlack[se.Err] {
					return permanent{fmt.Errorf("push: slack: %w", err)}
				}
				return fmt.Errorf("push: slack: %w", err)
			}
			return nil
		}
		if err := s.cfg.Sleep(ctx, max(rl.RetryAfter, time.Second)); err != nil {
			return err
		}
	}
}

// permanentSlack are Slack errors a retry cannot fix.
var permanentSlack = map[string]bool{
	"channel_not_found": true, "not_in_channel": true, "is_archived": true, "invalid_auth": true,
	"account_inactive": true, "token_revoked": true, "missing_scope": true, "thread_not_found": true,
}

// sendWebhook POSTs the notification as JSON, signed.
func (s *Service) sendWebhook(ctx context.Context, d livespec.Delivery, n *livespec.Notification) error {
	body := []byte(d.Payload)
	ts := s.cfg.Now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Dest.URL, bytes.NewReader(body))
	if err != nil {
		return permanent{fmt.Errorf("push: webhook: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "livespec-push")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(d.Dest.Secret, ts, body))
	req.Header.Set(HeaderDelivery, d.Key)
	req.Header.Set(HeaderEvent, n.Kind)
	res, err := s.cfg.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("push: webhook: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	switch {
	case res.StatusCode/100 == 2:
		return nil
	case res.StatusCode == http.StatusTooManyRequests || res.StatusCode == http.StatusRequestTimeout || res.StatusCode >= 500:
		return fmt.Errorf("push: webhook: the endpoint answered %d", res.StatusCode)
	}
	return permanent{fmt.Errorf("push: webhook: the endpoint answered %d", res.StatusCode)}
}
