package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/livespec/livespec"
)

// DestinationBody names where notifications go: an outgoing webhook
// (webhook_url, and secret, generated when empty) or a Slack channel.
type DestinationBody struct {
	WebhookURL   string `json:"webhook_url,omitempty"`
	Secret       string `json:"secret,omitempty"`
	SlackChannel string `json:"slack_channel,omitempty"`
}

func (b DestinationBody) destination() (livespec.Destination, error) {
	switch {
	case b.WebhookURL != "" && b.SlackChannel != "":
		return livespec.Destination{}, invalid("body", "give webhook_url or slack_channel, not both")
	case b.WebhookURL != "":
		return livespec.Destination{Kind: livespec.DestWebhook, URL: b.WebhookURL, Secret: b.Secret}, nil
	case b.SlackChannel != "":
		return livespec.Destination{Kind: livespec.DestSlack, Channel: b.SlackChannel}, nil
	}
	return livespec.Destination{}, invalid("body", "give webhook_url or slack_channel")
}

// SubscriptionBody is the body of POST /v1/subscriptions.
type SubscriptionBody struct {
	DestinationBody
	Schedule  string   `json:"schedule"`
	Repos     []string `json:"repos,omitempty"`
	Paths     []string `json:"paths,omitempty"`
	SendEmpty bool     `json:"send_empty,omitempty"`
}

// WatchBody is the body of POST /v1/watches.
type WatchBody struct {
	DestinationBody
	Target string   `json:"target"`
	Repos  []string `json:"repos,omitempty"`
}

// Created answers a POST of a subscription or a watch: it, and the
// webhook signing secret (shown this once).
type Created[T any] struct {
	Item   T      `json:"item"`
	Secret string `json:"secret,omitempty"`
}

// pushOrFail returns the configured Pusher, or answers 501.
func pushOrFail(c *gin.Context, p livespec.Pusher) bool {
	if p == nil {
		fail(c, livespec.Errorf(ENOTCONFIGURED, "digests and watches are not available on this server"))
		return false
	}
	return true
}

func idParam(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, invalid("id", "want a positive whole number")
	}
	return id, nil
}

// listSubscriptions serves GET /v1/subscriptions.
func listSubscriptions(p livespec.Pusher) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !pushOrFail(c, p) {
			return
		}
		subs, err := p.Subscriptions(c.Request.Context(), livespec.Destination{})
		if err != nil {
			fail(c, err)
			return
		}
		writeJSON(c, http.StatusOK, gin.H{"subscriptions": subs})
	}
}

// createSubscription serves POST /v1/subscriptions.
func createSubscription(p livespec.Pusher) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !pushOrFail(c, p) {
			return
		}
		var b SubscriptionBody
		if err := decodeJSON(c, &b, false); err != nil {
			fail(c, err)
			return
		}
		dest, err := b.destination()
		if err != nil {
			fail(c, err)
			return
		}
		s, err := p.Subscribe(c.Request.Context(), livespec.Subscription{Dest: dest, Schedule: b.Schedule, Repos: b.Repos, Paths: b.Paths, SendEmpty: b.SendEmpty})
		if err != nil {
			fail(c, err)
			return
		}
		writeJSON(c, http.StatusCreated, Created[livespec.Subscription]{Item: s, Secret: s.Dest.Secret})
	}
}

// deleteSubscription serves DELETE /v1/subscriptions/:id.
func deleteSubscription(p livespec.Pusher) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !pushOrFail(c, p) {
			return
		}
		id, err := idParam(c)
		if err == nil {
			err = p.Unsubscribe(c.Request.Context(), livespec.Destination{}, id)
		}
		if err != nil {
			fail(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	}
}

// listWatches serves GET /v1/watches.
func listWatches(p livespec.Pusher) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !pushOrFail(c, p) {
			return
		}
		ws, err := p.Watches(c.Request.Context(), livespec.Destination{})
		if err != nil {
			fail(c, err)
			return
		}
		writeJSON(c, http.StatusOK, gin.H{"watches": ws})
	}
}

// createWatch serves POST /v1/watches.
func createWatch(p livespec.Pusher) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !pushOrFail(c, p) {
			return
		}
		var b WatchBody
		if err := decodeJSON(c, &b, false); err != nil {
			fail(c, err)
			return
		}
		dest, err := b.destination()
		if err != nil {
			fail(c, err)
			return
		}
		w, err := p.Watch(c.Request.Context(), livespec.Watch{Dest: dest, Target: b.Target, Repos: b.Repos})
		if err != nil {
			fail(c, err)
			return
		}
		writeJSON(c, http.StatusCreated, Created[livespec.Watch]{Item: w, Secret: w.Dest.Secret})
	}
}

// deleteWatch serves DELETE /v1/watches/:id.
func deleteWatch(p livespec.Pusher) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !pushOrFail(c, p) {
			return
		}
		id, err := idParam(c)
		if err == nil {
			err = p.Unwatch(c.Request.Context(), livespec.Destination{}, id)
		}
		if err != nil {
			fail(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	}
}
