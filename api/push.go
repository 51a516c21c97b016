package api

import (
	"context"
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

func idParam(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, invalid("id", "want a positive whole number")
	}
	return id, nil
}

// pushHandler answers with fn's status and value, or its error; 501
// without a Pusher.
func pushHandler(p livespec.Pusher, fn func(c *gin.Context) (int, any, error)) gin.HandlerFunc {
	return handler(func(c *gin.Context) error {
		if p == nil {
			return livespec.Errorf(ENOTCONFIGURED, "digests and watches are not available on this server")
		}
		if caller, ok := livespec.CallerFrom(c.Request.Context()); ok && !caller.Subscribe {
			return livespec.Errorf(EFORBIDDEN, "this token may not manage digests and watches")
		}
		status, v, err := fn(c)
		switch {
		case err != nil:
			return err
		case v == nil:
			c.Status(status)
		default:
			writeJSON(c, status, v)
		}
		return nil
	})
}

// listSubscriptions serves GET /v1/subscriptions.
func listSubscriptions(p livespec.Pusher) gin.HandlerFunc {
	return pushHandler(p, func(c *gin.Context) (int, any, error) {
		subs, err := p.Subscriptions(c.Request.Context(), livespec.Destination{})
		return http.StatusOK, gin.H{"subscriptions": mine(c, subs, func(s *livespec.Subscription) livespec.Destination { return s.Dest })}, err
	})
}

// createSubscription serves POST /v1/subscriptions.
func createSubscription(p livespec.Pusher) gin.HandlerFunc {
	return pushHandler(p, func(c *gin.Context) (int, any, error) {
		var b SubscriptionBody
		dest, err := decodeOwned(c, &b, &b.DestinationBody, &b.Repos)
		if err != nil {
			return 0, nil, err
		}
		s, err := p.Subscribe(c.Request.Context(), livespec.Subscription{Dest: dest, Schedule: b.Schedule, Repos: b.Repos, Paths: b.Paths, SendEmpty: b.SendEmpty})
		return http.StatusCreated, Created[livespec.Subscription]{Item: s, Secret: s.Dest.Secret}, err
	})
}

// deleteSubscription serves DELETE /v1/subscriptions/:id.
func deleteSubscription(p livespec.Pusher) gin.HandlerFunc {
	return pushHandler(p, func(c *gin.Context) (int, any, error) {
		err := deleteOwned(c, "subscription", p.Subscriptions, p.Unsubscribe,
			func(s *livespec.Subscription) (int64, livespec.Destination) { return s.ID, s.Dest })
		return http.StatusNoContent, nil, err
	})
}

// listWatches serves GET /v1/watches.
func listWatches(p livespec.Pusher) gin.HandlerFunc {
	return pushHandler(p, func(c *gin.Context) (int, any, error) {
		ws, err := p.Watches(c.Request.Context(), livespec.Destination{})
		return http.StatusOK, gin.H{"watches": mine(c, ws, func(w *livespec.Watch) livespec.Destination { return w.Dest })}, err
	})
}

// createWatch serves POST /v1/watches.
func createWatch(p livespec.Pusher) gin.HandlerFunc {
	return pushHandler(p, func(c *gin.Context) (int, any, error) {
		var b WatchBody
		dest, err := decodeOwned(c, &b, &b.DestinationBody, &b.Repos)
		if err != nil {
			return 0, nil, err
		}
		w, err := p.Watch(c.Request.Context(), livespec.Watch{Dest: dest, Target: b.Target, Repos: b.Repos})
		return http.StatusCreated, Created[livespec.Watch]{Item: w, Secret: w.Dest.Secret}, err
	})
}

// deleteWatch serves DELETE /v1/watches/:id.
func deleteWatch(p livespec.Pusher) gin.HandlerFunc {
	return pushHandler(p, func(c *gin.Context) (int, any, error) {
		err := deleteOwned(c, "watch", p.Watches, p.Unwatch,
			func(w *livespec.Watch) (int64, livespec.Destination) { return w.ID, w.Dest })
		return http.StatusNoContent, nil, err
	})
}

// decodeOwned decodes the request's body into b and returns the
// destination dest names, set up as the caller's for the repositories
// repos names (owned); dest and repos point into b.
func decodeOwned(c *gin.Context, b any, dest *DestinationBody, repos *[]string) (livespec.Destination, error) {
	if err := decodeJSON(c, b, false); err != nil {
		return livespec.Destination{}, err
	}
	d, err := dest.destination()
	if err == nil {
		err = owned(c, &d, *repos)
	}
	return d, err
}

// deleteOwned deletes the item the :id parameter names with del, unless
// it is another token's (notMine, over the items list returns).
func deleteOwned[T any](c *gin.Context, what string,
	list func(context.Context, livespec.Destination) ([]T, error),
	del func(context.Context, livespec.Destination, int64) error,
	of func(*T) (int64, livespec.Destination)) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	items, err := list(c.Request.Context(), livespec.Destination{})
	if err == nil {
		err = notMine(c, items, id, what, of)
	}
	if err != nil {
		return err
	}
	return del(c.Request.Context(), livespec.Destination{}, id)
}

// owned marks dest as set up by the request's caller (whose scope is
// checked again when anything is sent to it) and checks the repositories
// it asks for are in that scope (outside: the same 404 as unknown).
func owned(c *gin.Context, dest *livespec.Destination, repos []string) error {
	caller, ok := livespec.CallerFrom(c.Request.Context())
	if !ok {
		return nil
	}
	for _, r := range repos {
		if !caller.Scope.Allows(r) {
			return errNoRepo(r)
		}
	}
	dest.User = caller.Name
	return nil
}

// mine keeps the items set up by the request's caller, when its scope is
// limited: one token never sees another's subscriptions.
func mine[T any](c *gin.Context, items []T, dest func(*T) livespec.Destination) []T {
	caller, ok := livespec.CallerFrom(c.Request.Context())
	if !ok || caller.Scope.All() {
		return items
	}
	out := items[:0:0]
	for i := range items {
		if dest(&items[i]).User == caller.Name {
			out = append(out, items[i])
		}
	}
	return out
}

// notMine refuses, as not found, deleting an item another token set up,
// when the caller's scope is limited.
func notMine[T any](c *gin.Context, items []T, id int64, what string, of func(*T) (int64, livespec.Destination)) error {
	caller, ok := livespec.CallerFrom(c.Request.Context())
	if !ok || caller.Scope.All() {
		return nil
	}
	for i := range items {
		if n, d := of(&items[i]); n == id && d.User != caller.Name {
			return livespec.Errorf(livespec.ENOTFOUND, "there is no %s %d here", what, id)
		}
	}
	return nil
}
