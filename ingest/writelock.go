package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// DefaultLockWait is how long a run waits for another ingest on the same
// index to end before it gives up.
const DefaultLockWait = 10 * time.Minute

// lockWrites takes the store's writer lock, waiting at most LockWait for
// the run that holds it; the returned func releases it.
func (p *pipeline) lockWrites(ctx context.Context) (func(), error) {
	wait := p.opt.LockWait
	if wait <= 0 {
		wait = DefaultLockWait
	}
	lctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	unlock, err := p.store.LockWrites(lctx, func() {
		p.warn(fmt.Sprintf("another ingest is running on this index: waiting for it to end (at most %s)", wait))
	})
	switch {
	case err == nil:
		return unlock, nil
	case ctx.Err() != nil:
		return nil, fmt.Errorf("ingest: %w", ctx.Err())
	case errors.Is(err, context.DeadlineExceeded):
		return nil, fmt.Errorf("ingest: gave up after waiting %s: %w", wait, err)
	}
	return nil, fmt.Errorf("ingest: %w", err)
}
