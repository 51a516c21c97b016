// Command livespec answers questions about a product from its living
// specification: the Markdown files of a git repository and their history.
//
// Usage:
//
//	livespec ingest  --repo DIR [--index DIR] ...      read history into an index
//	livespec changes --since DATE --until DATE ...     what changed in a period
//	livespec digest  --period "last week" ...           a period's report for a reader with one minute
//	livespec ask     [--repo DIR | --index DIR] "question"
//	livespec eval    FILE.jsonl --repo DIR             score a question set
//	livespec serve   [--addr 127.0.0.1:8080]           HTTP API and Slack bot
//	livespec feedback export                           answer ratings as JSON Lines
//
// Run "livespec help COMMAND" for a command's flags. Every flag has a
// LIVESPEC_* environment equivalent.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/livespec/livespec"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode reports err on stderr in one line and maps its kind to an exit
// status: 0 ok, 2 usage or invalid input, 3 not found, 4 backend unavailable,
// 1 anything else.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "livespec: interrupted")
		return 130
	}
	fmt.Fprintln(stderr, "livespec:", err)
	switch livespec.ErrorCode(err) {
	case livespec.EINVALID, livespec.EMISMATCH:
		return 2
	case livespec.ENOTFOUND:
		return 3
	case livespec.EUNAVAILABLE:
		return 4
	}
	return 1
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"ingest", "read a repository's spec history into an index", cmdIngest},
		{"changes", "list what changed in the spec between two dates", cmdChanges},
		{"digest", "a period's report: totals, notable changes by document, the rest in counts", cmdDigest},
		{"ask", "answer a question about the spec, now or at any date", cmdAsk},
		{"eval", "score answers against a question set (JSON Lines)", cmdEval},
		{"serve", "serve the HTTP API (and the Slack bot when configured)", cmdServe},
		{"feedback", "export answer feedback as JSON Lines (feedback export)", cmdFeedback},
	}
}

// env is what a command may touch of the outside world.
type env struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
}

// run is the whole program: main only calls it, and tests call it too.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		usage(stderr)
		return livespec.Errorf(livespec.EINVALID, "no command given")
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 {
			return run(ctx, []string{rest[0], "-h"}, getenv, stdin, stdout, stderr)
		}
		usage(stdout)
		return nil
	case "version", "--version":
		fmt.Fprintln(stdout, "livespec", version())
		return nil
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, e, rest)
		}
	}
	usage(stderr)
	return livespec.Errorf(livespec.EINVALID, "unknown command %q", name)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "livespec answers questions about a product from its living spec and its git history.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: livespec COMMAND [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "livespec help COMMAND" for a command's flags.`)
}
