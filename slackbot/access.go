package slackbot

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/livespec/livespec"
)

// groupsTTL is how long the members of a user group are reused.
const groupsTTL = 5 * time.Minute

// caller is who asks q, with the repositories an answer where q was asked
// may read (Config.Access; every repository without it).
func (b *Bot) caller(ctx context.Context, q question) livespec.Caller {
	if b.cfg.Access == nil {
		return livespec.Caller{Name: "slack:" + q.user + "@" + q.channel, Scope: livespec.AllRepos()}
	}
	dm := q.dm || strings.HasPrefix(q.channel, "D")
	return b.cfg.Access.Caller(q.user, q.channel, dm, func() []string { return b.groupsOf(ctx, q.user) })
}

// groupsOf returns the user groups of the access rules that user belongs
// to. A group whose members cannot be read counts as not containing the
// user (the lookup fails closed) and is logged.
func (b *Bot) groupsOf(ctx context.Context, user string) []string {
	var out []string
	for id := range b.cfg.Access.Groups {
		members, err := b.groups.members(ctx, id, func(ctx context.Context, id string) ([]string, error) {
			return b.api.GetUserGroupMembersContext(ctx, id)
		})
		if err != nil {
			b.log.Warn("slack: cannot read a user group's members", "group", id, "err", err)
			continue
		}
		for _, m := range members {
			if m == user {
				out = append(out, id)
				break
			}
		}
	}
	return out
}

// groupCache keeps user group members for groupsTTL.
type groupCache struct {
	mu sync.Mutex
	m  map[string]groupEntry
}

type groupEntry struct {
	members []string
	at      time.Time
}

func (g *groupCache) members(ctx context.Context, id string, read func(context.Context, string) ([]string, error)) ([]string, error) {
	g.mu.Lock()
	e, ok := g.m[id]
	g.mu.Unlock()
	if ok && time.Since(e.at) < groupsTTL {
		return e.members, nil
	}
	members, err := read(ctx, id)
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	if g.m == nil {
		g.m = map[string]groupEntry{}
	}
	g.m[id] = groupEntry{members, time.Now()}
	g.mu.Unlock()
	return members, nil
}

// noAccess is what the bot says where its rules allow no repository.
const noAccess = ":lock: I can't answer here: this conversation has no access to any spec repository. Ask whoever runs livespec to add it to the access file."
