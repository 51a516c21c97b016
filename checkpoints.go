package livespec

import "context"

// CheckpointLister is implemented by stores that list the repositories of
// the index with their checkpoints without counting what each holds, as
// Repos does: the cheap listing a question needs to know whether the
// index moved.
type CheckpointLister interface {
	// Checkpoints returns the checkpoint of every repository Repos lists,
	// in the same order (a repository without one has only its name).
	Checkpoints(ctx context.Context) ([]Checkpoint, error)
}

// Checkpoints lists the repositories of st with their checkpoints, by
// repo: through CheckpointLister when st implements it, else from Repos.
func Checkpoints(ctx context.Context, st Store) ([]Checkpoint, error) {
	if cl, ok := st.(CheckpointLister); ok {
		return cl.Checkpoints(ctx)
	}
	infos, err := st.Repos(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Checkpoint, len(infos))
	for i, ri := range infos {
		out[i] = ri.Checkpoint
	}
	return out, nil
}
