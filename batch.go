package livespec

import "time"

// Validate rejects a batch that a store would keep wrongly, before anything
// is written: every record needs its id, the batch's repo, a path, the
// commit and time it starts at; a closed record needs its end time; hashes
// are 64 hex characters; change kinds are known; and every time lies within
// what 64-bit nanoseconds since 1970 can hold (years 1678 to 2261). Every
// Store's Apply calls it; the error is an EINVALID naming the record.
func (b *Batch) Validate() error {
	if b == nil {
		return Errorf(EINVALID, "no batch")
	}
	if b.Repo == "" {
		return Errorf(EINVALID, "batch without a repo")
	}
	for _, check := range []func() error{b.validateVersions, b.validateFiles, b.validateCloses,
		b.validateChanges, b.validateVectors, b.validateCheckpoint, b.validateFacts, b.validateFactChanges, b.validateLinks} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (b *Batch) bad(format string, args ...any) error {
	return Errorf(EINVALID, "batch for %s: "+format, append([]any{b.Repo}, args...)...)
}

func (b *Batch) validateVersions() error {
	for i := range b.Versions {
		v := &b.Versions[i]
		switch {
		case v.ID == "":
			return b.bad("version %d has no id", i)
		case v.Repo != b.Repo:
			return b.bad("version %s belongs to repo %q", v.ID, v.Repo)
		case v.Path == "":
			return b.bad("version %s has no path", v.ID)
		case v.Commit == "" || v.ValidFrom.IsZero():
			return b.bad("version %s has no commit or valid_from", v.ID)
		case v.EndCommit != "" && v.ValidTo.IsZero():
			return b.bad("version %s is closed without valid_to", v.ID)
		case v.Hash != "" && len(v.Hash) != 64:
			return b.bad("version %s has a malformed hash %q", v.ID, v.Hash)
		}
		if err := CheckTimes(v.ID, v.ValidFrom, v.ValidTo); err != nil {
			return err
		}
	}
	return nil
}

func (b *Batch) validateFiles() error {
	for i := range b.Files {
		f := &b.Files[i]
		switch {
		case f.ID == "":
			return b.bad("file version %d has no id", i)
		case f.Repo != b.Repo:
			return b.bad("file version %s belongs to repo %q", f.ID, f.Repo)
		case f.Path == "":
			return b.bad("file version %s has no path", f.ID)
		case f.Commit == "" || f.ValidFrom.IsZero():
			return b.bad("file version %s has no commit or valid_from", f.ID)
		case f.EndCommit != "" && f.ValidTo.IsZero():
			return b.bad("file version %s is closed without valid_to", f.ID)
		}
		if err := CheckTimes(f.ID, f.ValidFrom, f.ValidTo); err != nil {
			return err
		}
	}
	return nil
}

func (b *Batch) validateCloses() error {
	for i, c := range b.Closes {
		switch {
		case c.ID == "":
			return b.bad("close %d has no id", i)
		case c.Commit == "" || c.ValidTo.IsZero():
			return b.bad("close of %s has no commit or valid_to", c.ID)
		}
		if err := CheckTimes("close of "+c.ID, c.ValidTo); err != nil {
			return err
		}
	}
	return nil
}

func (b *Batch) validateChanges() error {
	for i := range b.Changes {
		c := &b.Changes[i]
		switch {
		case c.ID == "":
			return b.bad("change %d has no id", i)
		case c.Repo != b.Repo:
			return b.bad("change %s belongs to repo %q", c.ID, c.Repo)
		case c.Commit == "" || c.Date.IsZero():
			return b.bad("change %s has no commit or date", c.ID)
		}
		switch c.Kind {
		case Added, Modified, Removed, Renamed:
		default:
			return b.bad("change %s has an unknown kind %q", c.ID, c.Kind)
		}
		if err := CheckTimes(c.ID, c.Date, c.AuthorDate); err != nil {
			return err
		}
	}
	return nil
}

func (b *Batch) validateVectors() error {
	for i, v := range b.Vectors {
		switch {
		case v.Embedder == "":
			return b.bad("vector %d has no embedder", i)
		case len(v.Hash) != 64:
			return b.bad("vector %d has a malformed hash %q", i, v.Hash)
		case len(v.Values) == 0:
			return b.bad("vector of %s is empty", v.Hash)
		}
	}
	return nil
}

func (b *Batch) validateCheckpoint() error {
	cp := b.Checkpoint
	if cp == nil {
		return nil
	}
	switch {
	case cp.Repo != "" && cp.Repo != b.Repo:
		return b.bad("checkpoint belongs to repo %q", cp.Repo)
	case cp.Commit == "":
		return b.bad("checkpoint has no commit")
	}
	return CheckTimes("checkpoint", cp.Time, cp.UpdatedAt)
}

func (b *Batch) validateFacts() error {
	for i := range b.Facts {
		f := &b.Facts[i]
		switch {
		case f.ID == "":
			return b.bad("fact %d has no id", i)
		case f.Repo != b.Repo:
			return b.bad("fact %s belongs to repo %q", f.ID, f.Repo)
		case f.Path == "" || f.Field == "":
			return b.bad("fact %s has no path or field", f.ID)
		case f.Commit == "" || f.ValidFrom.IsZero():
			return b.bad("fact %s has no commit or valid_from", f.ID)
		case f.EndCommit != "" && f.ValidTo.IsZero():
			return b.bad("fact %s is closed without valid_to", f.ID)
		}
		if err := CheckTimes(f.ID, f.ValidFrom, f.ValidTo, f.Since); err != nil {
			return err
		}
	}
	return nil
}

// validateFactChanges checks fact changes, then fact closes.
func (b *Batch) validateFactChanges() error {
	for i := range b.FactChanges {
		c := &b.FactChanges[i]
		switch {
		case c.ID == "":
			return b.bad("fact change %d has no id", i)
		case c.Repo != b.Repo:
			return b.bad("fact change %s belongs to repo %q", c.ID, c.Repo)
		case c.Date.IsZero():
			return b.bad("fact change %s has no date", c.ID)
		}
		if err := CheckTimes(c.ID, c.Date); err != nil {
			return err
		}
	}
	for _, c := range b.FactCloses {
		if c.ID == "" || c.ValidTo.IsZero() {
			return b.bad("fact close without id or valid_to")
		}
		if err := CheckTimes(c.ID, c.ValidTo); err != nil {
			return err
		}
	}
	return nil
}

// CheckTimes rejects, as EINVALID naming what, a time that 64-bit
// nanoseconds since 1970 cannot hold (years before 1678 or after 2261). The
// zero time means "none" and passes.
func CheckTimes(what string, ts ...time.Time) error {
	for _, t := range ts {
		if t.IsZero() {
			continue
		}
		if y := t.Year(); y < 1678 || y > 2261 {
			return Errorf(EINVALID, "%s %s is out of range (years 1678-2261)", what, t.Format(time.RFC3339))
		}
	}
	return nil
}

// validateLinks checks links, then link closes.
func (b *Batch) validateLinks() error {
	for i := range b.Links {
		l := &b.Links[i]
		switch {
		case l.ID == "":
			return b.bad("link %d has no id", i)
		case l.Repo != b.Repo:
			return b.bad("link %s belongs to repo %q", l.ID, l.Repo)
		case l.Path == "" || l.Target == "":
			return b.bad("link %s has no path or target", l.ID)
		case l.Kind != LinkCovers && l.Kind != LinkSpec:
			return b.bad("link %s has an unknown kind %q", l.ID, l.Kind)
		case l.Commit == "" || l.ValidFrom.IsZero():
			return b.bad("link %s has no commit or valid_from", l.ID)
		case l.EndCommit != "" && l.ValidTo.IsZero():
			return b.bad("link %s is closed without valid_to", l.ID)
		}
		if err := CheckTimes(l.ID, l.ValidFrom, l.ValidTo); err != nil {
			return err
		}
	}
	for _, c := range b.LinkCloses {
		if c.ID == "" || c.Commit == "" || c.ValidTo.IsZero() {
			return b.bad("link close without id, commit or valid_to")
		}
		if err := CheckTimes(c.ID, c.ValidTo); err != nil {
			return err
		}
	}
	return nil
}
