package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/livespec/livespec/web"
)

// access says how a route authenticates its callers.
type access int

const (
	public        access = iota // anyone: probes and the API description
	bearer                      // a configured bearer token, when tokens are configured
	signed                      // the request's own signature (webhooks)
	mountedAccess               // the mounted handler's own (Slack signatures)
	page                        // like bearer, or the web page's token cookie; browsers without one go to /login
)

// route is one entry of the surface.
type route struct {
	method, path string // gin pattern: ":id" and "*path" become {id} and {path} in OpenAPI
	access       access
	// bodyLimit caps the request body: 0 is MaxBodyBytes, -1 none (the
	// handler's own).
	bodyLimit int64
	ask       bool // bounded by AskTimeout instead of RequestTimeout
	web       bool // part of the web page (HTML), documented as such in OpenAPI
	handler   gin.HandlerFunc
}

func (r route) timeout(cfg Config) time.Duration {
	if r.ask {
		return cfg.AskTimeout
	}
	return cfg.RequestTimeout
}

// routes is the whole HTTP surface. openapi.json documents exactly these
// (TestOpenAPIMatchesRoutes checks both ways), plus whatever Mount adds at
// run time (the Slack bot's /slack/* routes), which the served document
// lists too.
func (s *Server) routes() []route {
	pageErr := pageError(s.log)
	return []route{
		{method: "GET", path: "/healthz", access: public, handler: healthz},
		{method: "GET", path: "/readyz", access: public, handler: readyzHandler(s.readyChecks(), s.log, s.auth.validRequest)},
		{method: "GET", path: "/metrics", access: bearer, handler: s.metricsHandler()},
		{method: "GET", path: "/openapi.json", access: public, handler: openapiHandler(&s.openapi)},

		{method: "POST", path: "/v1/ask", access: bearer, ask: true, handler: askHandler(s.answers, s.queries())},
		{method: "GET", path: "/v1/changes", access: bearer, handler: changesHandler(s.cfg.Store, s.queries())},
		{method: "GET", path: "/v1/facts", access: bearer, handler: factsHandler(s.cfg.Store, s.queries())},
		{method: "GET", path: "/v1/timeline", access: bearer, handler: timelineHandler(s.historian, s.cfg.Store, s.queries())},
		{method: "GET", path: "/v1/specs", access: bearer, handler: specTreeHandler(s.cfg.Store, s.queries())},
		{method: "GET", path: "/v1/specs/*path", access: bearer, handler: specFileHandler(s.cfg.Store, s.queries(), s.log)},

		{method: "POST", path: "/v1/ingest", access: bearer, handler: startIngestHandler(s.cfg.Ingester, s.jobs, s.cfg.Repos, s.metrics)},
		{method: "GET", path: "/v1/ingest/:id", access: bearer, handler: ingestJobHandler(s.jobs)},
		{method: "POST", path: "/v1/webhooks/github", access: signed, bodyLimit: MaxWebhookBytes, handler: githubHook(s.hooks)},
		{method: "POST", path: "/v1/webhooks/gitlab", access: signed, bodyLimit: MaxWebhookBytes, handler: gitlabHook(s.hooks)},

		// The web page (package web); its script streams answers from POST /v1/ask.
		{method: "GET", path: "/", access: page, web: true, ask: true, handler: gin.WrapH(web.Ask(askPage(s.answers), s.cfg.Now, pageErr))},
		{method: "POST", path: "/ui/answer", access: page, web: true, bodyLimit: -1, handler: gin.WrapH(web.Answer(pageErr))},
		{method: "GET", path: "/changes", access: page, web: true, handler: gin.WrapH(web.Changes(s.cfg.Store, periodParser(s.cfg.ParsePeriod), s.cfg.Now, pageErr))},
		{method: "GET", path: "/doc/*path", access: page, web: true, handler: gin.WrapH(web.Document(s.cfg.Store, pageErr))},
		{method: "GET", path: "/browse", access: page, web: true, handler: gin.WrapH(web.Browse(s.cfg.Store, pageErr))},
		{method: "GET", path: "/login", access: public, web: true, handler: gin.WrapH(web.Login(s.auth.valid))},
		{method: "POST", path: "/login", access: public, web: true, handler: gin.WrapH(web.Login(s.auth.valid))},
		{method: "GET", path: "/static/*file", access: public, web: true, handler: gin.WrapH(web.Static())},

		{method: "GET", path: "/v1/subscriptions", access: bearer, handler: listSubscriptions(s.cfg.Push)},
		{method: "POST", path: "/v1/subscriptions", access: bearer, handler: createSubscription(s.cfg.Push)},
		{method: "DELETE", path: "/v1/subscriptions/:id", access: bearer, handler: deleteSubscription(s.cfg.Push)},
		{method: "GET", path: "/v1/watches", access: bearer, handler: listWatches(s.cfg.Push)},
		{method: "POST", path: "/v1/watches", access: bearer, handler: createWatch(s.cfg.Push)},
		{method: "DELETE", path: "/v1/watches/:id", access: bearer, handler: deleteWatch(s.cfg.Push)},
	}
}
