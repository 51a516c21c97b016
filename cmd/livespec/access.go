package main

import (
	"context"
	"log/slog"
	"slices"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/access"
	"github.com/livespec/livespec/retrieval"
)

// loadAccess reads the access file at path (none: nil, and every caller
// may read every repository, which it says once). It checks the
// repository names the file gives against those the index holds and the
// server follows, when there are any to check against.
func loadAccess(ctx context.Context, e *env, path string, st livespec.Store, following []string, log *slog.Logger) (*access.Policy, error) {
	if path == "" {
		log.Info("access: no access file: every API token and Slack channel may read every repository")
		return nil, nil
	}
	p, err := access.Load(path, e.getenv)
	if err != nil {
		return nil, err
	}
	known := slices.Clone(following)
	infos, err := st.Repos(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range infos {
		if !slices.Contains(known, r.Repo) {
			known = append(known, r.Repo)
		}
	}
	if len(known) > 0 {
		if err := p.Check(known); err != nil {
			return nil, err
		}
	} else {
		log.Warn("access: the index is empty and no repository is followed: repository names in the access file are not checked")
	}
	log.Info("access: rules loaded", "file", path, "tokens", p.TokenNames())
	return p, nil
}

// scopedAssistants answers with one Assistant per caller scope, so that
// nothing one scope's Assistant caches is served to another.
type scopedAssistants struct {
	per *access.PerScope[*retrieval.Assistant]
}

func (s scopedAssistants) Ask(ctx context.Context, req livespec.AskRequest, onToken func(string) error) (*livespec.Answer, error) {
	return s.per.For(ctx).Ask(ctx, req, onToken)
}

func (s scopedAssistants) Timeline(ctx context.Context, q livespec.TimelineQuery) (*livespec.Timeline, error) {
	return s.per.For(ctx).Timeline(ctx, q)
}
