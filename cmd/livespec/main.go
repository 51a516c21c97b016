// Command livespec answers questions about a product from its living
// specification: the Markdown files of a git repository and their history.
//
// Usage:
//
//	livespec ingest  --repo DIR [--index DIR] ...      read history into an index
//	livespec changes --since DATE --until DATE ...     what changed in a period
//	livespec ask     [--repo DIR | --index DIR] "question"
//	livespec eval    FILE.jsonl --repo DIR             score a question set
//	livespec digest  --period "last week" ...           a period's report for a reader with one minute
//	livespec serve   [--addr 127.0.0.1:8080]           HTTP API and Slack bot
//	livespec feedback export                           answer ratings as JSON Lines
//	livespec completion bash|zsh|fish                  shell completion script
//	livespec version                                   version and commit
//
// Run "livespec COMMAND --help" for a command's flags and examples. Every
// flag has a LIVESPEC_* environment equivalent.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/pflag"

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
	if errors.Is(err, pflag.ErrHelp) {
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

// env is what a command may touch of the outside world.
type env struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
}

// run is the whole program: main only calls it, and tests call it too.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	root := rootCmd(e)
	root.SetArgs(args)
	return root.ExecuteContext(ctx)
}
