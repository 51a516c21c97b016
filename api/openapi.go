package api

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

// openapiJSON is the hand-written OpenAPI 3.1 document of routes().
//
//go:embed openapi.json
var openapiJSON []byte

type mountedRoute struct{ method, path string }

// renderOpenAPI builds the served document: openapi.json plus an entry
// for every mounted route.
func (s *Server) renderOpenAPI() error {
	var doc map[string]any
	if err := json.Unmarshal(openapiJSON, &doc); err != nil {
		return fmt.Errorf("api: openapi.json: %w", err)
	}
	paths, _ := doc["paths"].(map[string]any)
	if paths == nil {
		return fmt.Errorf("api: openapi.json has no paths")
	}
	s.mu.Lock()
	mounted := append([]mountedRoute(nil), s.mounted...)
	pages := append([]mountedRoute(nil), s.pages...)
	s.mu.Unlock()
	for _, m := range pages {
		p := openapiPath(m.path)
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		item[strings.ToLower(m.method)] = pageOpenAPI(p)
	}
	for _, m := range mounted {
		p := openapiPath(m.path)
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		item[strings.ToLower(m.method)] = map[string]any{
			"summary":     "Mounted by an extension of the server (e.g. the Slack bot)",
			"description": "Authenticated by the extension itself (Slack request signatures), not by bearer tokens.",
			"tags":        []any{"extensions"},
			"security":    []any{},
			"responses":   withCommonErrors(map[string]any{"default": map[string]any{"description": "Defined by the extension."}}),
		}
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("api: openapi: %w", err)
	}
	s.openapi.Store(&b)
	return nil
}

// openapiPath turns a gin pattern into an OpenAPI path template:
// /v1/ingest/:id → /v1/ingest/{id}, /v1/specs/*path → /v1/specs/{path}.
func openapiPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if len(s) > 1 && (s[0] == ':' || s[0] == '*') {
			segs[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(segs, "/")
}

// withCommonErrors adds to the responses of an operation the errors every
// route can answer: 400 for a query string that does not parse, 405 for
// another method on its path.
func withCommonErrors(responses map[string]any) map[string]any {
	for _, code := range []string{"400", "405"} {
		responses[code] = map[string]any{"$ref": "#/components/responses/E" + code}
	}
	return responses
}
