// Package api serves livespec over HTTP with Gin: questions (JSON or
// Server-Sent Events), change ledgers, section timelines, the spec tree and
// file texts as of a date, ingest jobs and push webhooks, health, readiness,
// Prometheus metrics and an OpenAPI 3.1 document of the whole surface.
//
// routes.go lists every route. Errors are JSON objects
// {"error":{"code","message"}} whose status is chosen in one place
// (errors.go) from the livespec error kinds. Every route but /healthz,
// /readyz, /openapi.json, the webhooks (which carry their own signatures)
// and routes added with Mount requires a bearer token when tokens are
// configured; without tokens the server must listen on loopback only
// (CheckBind).
//
// A minimal server (what `livespec serve` does):
//
//	srv, err := api.New(api.Config{Asker: assistant, Store: store, Tokens: tokens, Logger: logger})
//	if err != nil { ... }
//	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
//	defer stop()
//	err = srv.Run(ctx, "127.0.0.1:8080", 0) // until SIGTERM, then a graceful shutdown
package api
