package main

import (
	"context"
	"fmt"
	"os"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/eval"
	"github.com/livespec/livespec/retrieval"
)

func cmdEval(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "eval", "eval FILE.jsonl [--repo DIR | --index DIR] [--now DATE] [--json]")
	rf := addRepoFlags(f, "git repository the questions are about; what is new is ingested first")
	sf := addStoreFlags(f)
	mf := addModelFlags(f)
	now := f.string("now", "", "the clock for relative periods (default: the real time)")
	asJSON := f.bool("json", false, "print the per-question results as JSON")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return livespec.Errorf(livespec.EINVALID, "eval: want one question file (livespec eval FILE.jsonl --repo DIR)")
	}
	clock, err := parseNow(*now)
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
	m, err := mf.open(ctx, e, true)
	if err != nil {
		return err
	}
	st, repos, dir, err := rf.openFresh(ctx, e, sf, m.embedder)
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
	a := &retrieval.Assistant{Store: st, Embedder: m.embedder, Generator: m.generator}
	rep, err := eval.Run(ctx, scoped{a, repos}, dir, qs, clock)
	if err != nil {
		return err
	}
	if *asJSON {
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
