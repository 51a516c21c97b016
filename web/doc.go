// Package web is livespec's web page, served by `livespec serve` at "/":
// Ask (a question box whose answer streams from /v1/ask), Changes (a
// period's changes as a chart and a report), Document (one spec file at
// any date, its history, and the diff between two dates) and Browse (the
// tree of spec files at a date, and a search box).
//
// Pages are rendered on the server with html/template; the project's own
// small script (static/app.js, embedded) only streams answers, so every
// page but streaming works with JavaScript off. Each handler is built by a
// constructor taking just its dependencies; package api mounts them in its
// routes.go, behind the API's authentication and metrics.
package web
