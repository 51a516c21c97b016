package review

import "context"

// codeIndex holds the identifiers of the code at both ends of the range.
type codeIndex struct{}

// specSection is one section of a spec file at head.
type specSection struct{}

// drift finds where code and spec disagree.
func (rv *reviewer) drift(ctx context.Context, docs []Document) ([]Finding, error) {
	return nil, nil
}
