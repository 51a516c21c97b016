package push

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/retrieval"
)

// maxNoticeSections caps the section changes one watch or stale message
// shows.
const maxNoticeSections = 6

// ProcessChanges turns the changes ingested since each repository's cursor
// into watch and stale-answer deliveries, and moves the cursor, atomically.
// A repository seen for the first time, or rebuilt after a force-push,
// starts at its checkpoint: its past is not news.
func (s *Service) ProcessChanges(ctx context.Context) error {
	// The checkpoints alone: Repos would count every version and change.
	cps, err := livespec.Checkpoints(ctx, s.cfg.Index)
	if err != nil {
		return err
	}
	for _, r := range cps {
		if err := s.processRepo(ctx, r); err != nil {
			return fmt.Errorf("push: %s: %w", r.Repo, err)
		}
	}
	return nil
}

func (s *Service) processRepo(ctx context.Context, cp livespec.Checkpoint) error {
	cur, ok, err := s.cfg.Store.Cursor(ctx, cp.Repo)
	if err != nil {
		return err
	}
	next := livespec.PushCursor{Repo: cp.Repo, Seq: cp.Seq, Time: cp.Time}
	if !ok && s.cfg.Ingesting != nil && s.cfg.Ingesting(cp.Repo) {
		return nil // its first ingest is still writing history
	}
	if !ok || cp.Seq < cur.Seq {
		return s.cfg.Store.EnqueueChanges(ctx, next, nil)
	}
	if cp.Seq == cur.Seq {
		return nil
	}
	all, err := s.cfg.Index.Changes(ctx, livespec.ChangeQuery{Repos: []string{cp.Repo}, From: cur.Time.Add(-lookback), Sections: true})
	if err != nil {
		return err
	}
	var cs []livespec.Change
	for _, c := range all {
		if c.Seq > cur.Seq && c.Seq <= cp.Seq {
			cs = append(cs, c)
		}
	}
	ds, err := s.watchDeliveries(ctx, cp.Repo, cs)
	if err != nil {
		return err
	}
	stale, err := s.staleDeliveries(ctx, cs)
	if err != nil {
		return err
	}
	return s.cfg.Store.EnqueueChanges(ctx, next, append(ds, stale...))
}

// byCommit splits events by commit, in order.
func byCommit(cs []livespec.Change) [][]livespec.Change {
	var out [][]livespec.Change
	idx := map[string]int{}
	for _, c := range cs {
		i, ok := idx[c.Commit]
		if !ok {
			i = len(out)
			idx[c.Commit] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], c)
	}
	return out
}

// watchDeliveries matches every watch against the new events of one
// repository: one delivery per watch and commit.
func (s *Service) watchDeliveries(ctx context.Context, repo string, cs []livespec.Change) ([]livespec.Delivery, error) {
	if len(cs) == 0 {
		return nil, nil
	}
	ws, err := s.cfg.Store.Watches(ctx)
	if err != nil {
		return nil, err
	}
	var out []livespec.Delivery
	for _, w := range ws {
		if len(w.Repos) > 0 && !slices.Contains(w.Repos, repo) || !s.allowed(ctx, w.Dest, repo) {
			continue
		}
		matched, err := s.cfg.Assistant.MatchChanges(s.as(ctx, w.Dest), w.Target, []string{repo}, cs)
		if err != nil {
			return nil, err
		}
		for _, group := range byCommit(matched) {
			n, err := s.notice(ctx, livespec.NoticeWatch, group)
			if err != nil {
				return nil, err
			}
			n.Key = fmt.Sprintf("watch:%d:%s:%s", w.ID, repo, group[0].Commit)
			n.Watch, n.Target = w.ID, w.Target
			n.Markdown = watchMarkdown(n)
			out = append(out, s.delivery(w.Dest, n))
		}
	}
	return out, nil
}

// staleDeliveries finds the remembered answers citing a version the new
// events replaced or removed: one delivery per answer and commit.
func (s *Service) staleDeliveries(ctx context.Context, cs []livespec.Change) ([]livespec.Delivery, error) {
	var ids []string
	for _, c := range cs {
		if c.Section && c.Before != "" {
			ids = append(ids, c.Before)
		}
	}
	answers, err := s.cfg.Store.AnswersCiting(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []livespec.Delivery
	for _, a := range answers {
		var hit []livespec.Change
		for _, c := range cs {
			if c.Section && c.Before != "" && slices.Contains(a.Versions, c.Before) && s.allowed(ctx, a.Dest, c.Repo) {
				hit = append(hit, c)
			}
		}
		for _, group := range byCommit(hit) {
			n, err := s.notice(ctx, livespec.NoticeStale, group)
			if err != nil {
				return nil, err
			}
			n.Key = fmt.Sprintf("stale:%s:%s", a.ID, group[0].Commit)
			n.Question = a.Question
			n.Markdown = staleMarkdown(n)
			out = append(out, s.delivery(a.Dest, n))
		}
	}
	return out, nil
}

func (s *Service) delivery(dest livespec.Destination, n *livespec.Notification) livespec.Delivery {
	body, _ := json.Marshal(n)
	now := s.cfg.Now().UTC()
	return livespec.Delivery{Key: n.Key, Dest: dest, Payload: body, State: livespec.DeliveryPending, NextTry: now, Created: now}
}

// notice builds the notification of one commit's events, with the text
// before and after each changed section.
func (s *Service) notice(ctx context.Context, kind string, group []livespec.Change) (*livespec.Notification, error) {
	c0 := group[0]
	n := &livespec.Notification{
		Kind: kind, Repos: []string{c0.Repo}, Time: s.cfg.Now().UTC(),
		Commit: &livespec.DigestCommitInfo{Repo: c0.Repo, Commit: c0.Commit, Date: livespec.Time{Time: c0.Date}, Author: c0.Author, Message: c0.Message},
	}
	sections := 0
	for _, c := range group {
		nc := livespec.NoticeChange{Repo: c.Repo, Path: c.Path, OldPath: c.OldPath, Heading: c.Heading, Level: "file", Kind: c.Kind}
		if c.Section {
			nc.Level = "section"
			if sections == maxNoticeSections {
				continue
			}
			sections++
			before, err := s.excerpt(ctx, c.Before)
			if err != nil {
				return nil, err
			}
			after, err := s.excerpt(ctx, c.After)
			if err != nil {
				return nil, err
			}
			nc.Before, nc.After = before, after
		}
		nc.URL = retrieval.Permalink(s.cfg.Permalink, c.Repo, c.Commit, c.Path, c.Heading)
		if c.Kind == livespec.Removed {
			nc.URL = ""
		}
		n.Changes = append(n.Changes, nc)
	}
	return n, nil
}

// excerpt is a short excerpt of a version's text ("" for none).
func (s *Service) excerpt(ctx context.Context, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	v, err := s.cfg.Index.Version(ctx, id)
	if livespec.ErrorCode(err) == livespec.ENOTFOUND {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return clip(strings.Join(strings.Fields(retrieval.Excerpt(v.Text, "")), " "), 280), nil
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// FireDigests enqueues the digests that are due: for each subscription
// whose Next has come, one digest of the period since its last one (a
// long outage gives one digest covering all of it), unless it is empty
// and the subscription did not ask for empty ones.
func (s *Service) FireDigests(ctx context.Context) error {
	subs, err := s.cfg.Store.Subscriptions(ctx)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	for _, sub := range subs {
		if sub.Next.IsZero() || sub.Next.After(now) {
			continue
		}
		if err := s.fire(ctx, sub, now); err != nil {
			return fmt.Errorf("push: digest %d: %w", sub.ID, err)
		}
	}
	return nil
}

func (s *Service) fire(ctx context.Context, sub livespec.Subscription, now time.Time) error {
	sched, err := ParseSchedule(sub.Schedule)
	if err != nil {
		return err
	}
	due := sub.Next
	for i := 0; i < 10000; i++ { // the latest due time not after now
		n := sched.Next(due)
		if n.After(now) || n.IsZero() {
			break
		}
		due = n
	}
	w := period(sched, sub.Last, due)
	d, err := s.cfg.Assistant.Digest(s.as(ctx, sub.Dest), livespec.DigestQuery{Window: w, Repos: sub.Repos, Paths: sub.Paths, Permalink: s.cfg.Permalink})
	if err != nil {
		return err
	}
	next := sched.Next(due).UTC()
	if d.Empty() && !sub.SendEmpty {
		return s.cfg.Store.EnqueueDigest(ctx, sub.ID, due, next, nil)
	}
	n := &livespec.Notification{
		Kind: livespec.NoticeDigest, Key: fmt.Sprintf("digest:%d:%d", sub.ID, due.Unix()),
		Subscription: sub.ID, Digest: d, Repos: digestRepos(d, sub.Repos), Markdown: Markdown(d), Time: now.UTC(),
	}
	dl := s.delivery(sub.Dest, n)
	return s.cfg.Store.EnqueueDigest(ctx, sub.ID, due, next, &dl)
}

// digestRepos are the repositories a digest's content comes from.
func digestRepos(d *livespec.Digest, asked []string) []string {
	var out []string
	for _, c := range d.Commits {
		if !slices.Contains(out, c.Repo) {
			out = append(out, c.Repo)
		}
	}
	for _, st := range d.Status {
		if !slices.Contains(out, st.Repo) {
			out = append(out, st.Repo)
		}
	}
	if len(out) == 0 {
		out = append(out, asked...)
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// watchMarkdown renders a watch notification.
func watchMarkdown(n *livespec.Notification) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** changed in %s\n\n", n.Target, commitLine(n.Commit))
	changesMarkdown(&b, n.Changes)
	return b.String()
}

// staleMarkdown renders a stale-answer notice.
func staleMarkdown(n *livespec.Notification) string {
	var b strings.Builder
	fmt.Fprintf(&b, "A source of this answer changed in %s\n\n", commitLine(n.Commit))
	changesMarkdown(&b, n.Changes)
	if n.Question != "" {
		fmt.Fprintf(&b, "\nAsk again: “%s”\n", n.Question)
	}
	return b.String()
}

func commitLine(c *livespec.DigestCommitInfo) string {
	s := fmt.Sprintf("`%s` on %s", livespec.ShortCommit(c.Commit), c.Date.UTC().Format("2006-01-02 15:04 UTC"))
	if c.Author != "" {
		s += " by " + c.Author
	}
	if c.Message != "" {
		s += ": “" + clip(c.Message, 100) + "”"
	}
	return s
}

func changesMarkdown(b *strings.Builder, cs []livespec.NoticeChange) {
	for _, c := range cs {
		where := "`" + c.Path + "`"
		if c.Level == "section" {
			where += " › " + headingText(c.Heading)
		}
		if c.URL != "" {
			where = "[" + where + "](" + c.URL + ")"
		}
		line := fmt.Sprintf("- %s %s", where, c.Kind)
		if c.Kind == livespec.Renamed && c.OldPath != "" && c.Level == "file" {
			line += " from `" + c.OldPath + "`"
		}
		b.WriteString(line + "\n")
		if c.Before != "" && c.Kind != livespec.Added {
			fmt.Fprintf(b, "  - before: “%s”\n", c.Before)
		}
		if c.After != "" {
			fmt.Fprintf(b, "  - now: “%s”\n", c.After)
		}
	}
}

// allowed reports whether dest may see repo now (Config.Allow): a watch
// or stale notice is not even queued for a destination that may not, so
// the outbox holds no text it may not see; send checks again.
func (s *Service) allowed(ctx context.Context, dest livespec.Destination, repo string) bool {
	return s.cfg.Allow == nil || s.cfg.Allow(ctx, dest, repo)
}

// as returns ctx reading as dest (Config.Caller).
func (s *Service) as(ctx context.Context, dest livespec.Destination) context.Context {
	if s.cfg.Caller == nil {
		return ctx
	}
	return livespec.WithCaller(ctx, s.cfg.Caller(dest))
}
