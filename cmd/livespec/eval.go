package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/eval"
	"github.com/livespec/livespec/ingest"
)

// evalFlags are the flags of eval.
type evalFlags struct {
	repo   *repoFlags
	store  *storeFlags
	models *modelFlags
	now    *string
	asJSON *bool
	// statusWords names the status words file (--status-words).
	statusWords *string
}

func evalCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "eval FILE.jsonl [--repo DIR | --index DIR]",
		Short: "score answers against a question set (JSON Lines)",
		Long: `Score livespec's answers against a question set: JSON Lines with kinds current,
introduced, as_of, evolution and changes. Prints per-kind scores; --json prints every
question's result. Change questions are checked against git itself.`,
		Example: `  livespec eval eval/testdata/livespec-spec.jsonl --repo .
  livespec eval questions.jsonl --repo /tmp/oas --now 2026-08-21 --json`,
	}
	f := newFlags(e, c)
	o := &evalFlags{
		repo:   addRepoFlags(f, "git repository `DIR` the questions are about; what is new is ingested first"),
		store:  addStoreFlags(f),
		models: addModelFlags(f),
		now:    f.string("now", "", "the clock for relative periods (`DATE`; default: the real time)"),
		asJSON: f.bool("json", false, "print the per-question results as JSON"),
	}
	o.statusWords = statusWordsFlag(f)
	c.RunE = func(c *cobra.Command, pos []string) error { return runEval(c.Context(), e, o, pos) }
	return c
}

func runEval(ctx context.Context, e *env, o *evalFlags, pos []string) error {
	if len(pos) != 1 {
		return livespec.Errorf(livespec.EINVALID, "eval: want one question file (livespec eval FILE.jsonl --repo DIR)")
	}
	clock, err := parseNow(*o.now)
	if err != nil {
		return err
	}
	in, err := os.Open(pos[0])
	if err != nil {
		return livespec.WrapError(livespec.ENOTFOUND, err, "eval: question file")
	}
	qs, err := eval.Load(in)
	in.Close()
	if err != nil {
		return err
	}
	a, st, repos, dir, err := openAssistant(ctx, e, o.repo, o.store, o.models, *o.statusWords)
	if err != nil {
		return err
	}
	defer st.Close()
	if dir == "" {
		// The changes questions compare with git: use the directory the
		// index was built from.
		infos, err := st.Repos(ctx)
		if err != nil {
			return err
		}
		if len(infos) != 1 {
			return livespec.Errorf(livespec.EINVALID, "eval: the index holds %d repositories; pass --repo DIR", len(infos))
		}
		dir, repos = infos[0].Source, []string{infos[0].Repo}
	}
	// The changes questions count the files the index reads: its spec
	// globs and sidecars, as the repository flags give them.
	opt, err := o.repo.options(dir)
	if err != nil {
		return err
	}
	reads, err := ingest.Reads(opt)
	if err != nil {
		return err
	}
	rep, err := eval.RunReading(ctx, scoped{a, repos}, dir, reads, qs, clock)
	if err != nil {
		return err
	}
	if *o.asJSON {
		b, err := rep.JSON()
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(e.stdout, "%s\n", b)
		return err
	}
	_, err = fmt.Fprint(e.stdout, rep.Text())
	return err
}

// scoped limits every question to the given repositories.
type scoped struct {
	livespec.Asker
	repos []string
}

func (s scoped) Ask(ctx context.Context, req livespec.AskRequest, onToken func(string) error) (*livespec.Answer, error) {
	if len(req.Repos) == 0 {
		req.Repos = s.repos
	}
	return s.Asker.Ask(ctx, req, onToken)
}
