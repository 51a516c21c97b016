package main

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/access"
	"github.com/livespec/livespec/retrieval"
)

// loadAccess reads the access file at path (none: nil, and every caller
// may read every repository, which it says once).
func loadAccess(e *env, path string, log *slog.Logger) (*access.Policy, error) {
	if path == "" {
		log.Info("access: no access file: every API token and Slack channel may read every repository")
		return nil, nil
	}
	return access.Load(path, e.getenv)
}

// checkAccess checks the repository names the access file gives against
// those the index holds and the server follows, when there are any to
// check against.
func checkAccess(ctx context.Context, p *access.Policy, st livespec.Store, following []string, log *slog.Logger) error {
	if p == nil {
		return nil
	}
	known := slices.Clone(following)
	infos, err := st.Repos(ctx)
	if err != nil {
		return err
	}
	for _, r := range infos {
		if !slices.Contains(known, r.Repo) {
			known = append(known, r.Repo)
		}
	}
	if len(known) > 0 {
		if err := p.Check(known); err != nil {
			return err
		}
	} else {
		log.Warn("access: the index is empty and no repository is followed: repository names in the access file are not checked")
	}
	log.Info("access: rules loaded", "tokens", p.TokenNames())
	return nil
}

// scopedAssistants answers with one Assistant per caller scope, so that
// nothing one scope's Assistant caches is served to another.
type scopedAssistants struct {
	per *access.PerScope[*retrieval.Assistant]
}

func (s scopedAssistants) Ask(ctx context.Context, req livespec.AskRequest, onToken func(string) error) (*livespec.Answer, error) {
	return s.per.For(ctx).Ask(ctx, req, onToken)
}

// Heavy weighs a question as every scope's Assistant does.
func (s scopedAssistants) Heavy(req livespec.AskRequest) bool {
	now := req.Now
	if now.IsZero() {
		now = time.Now()
	}
	return retrieval.HeavyQuestion(req.Question, now)
}

func (s scopedAssistants) Timeline(ctx context.Context, q livespec.TimelineQuery) (*livespec.Timeline, error) {
	return s.per.For(ctx).Timeline(ctx, q)
}
