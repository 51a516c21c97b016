package sqlite

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/storetest"
)

// schema11Changes turns the changes table of the index at path back into
// that of schema 11: no editorial column, changes_order without it (and
// the versions' text index of schema 12 and older, no stored postings).
const schema11Changes = `
DROP TABLE postings;
DROP INDEX versions_valid;
CREATE INDEX versions_text ON versions (text_id);
DROP INDEX changes_order;
ALTER TABLE changes DROP COLUMN editorial;
CREATE INDEX changes_order ON changes (date, repo, seq, section, path, heading, part, id,
	commit_, author_date, author, message, old_path, old_heading, kind, before, after, summary);
PRAGMA user_version = 11;`

// TestMigrateClassifiesEdits writes a history, turns the index back into
// schema 11 (changes without their editorial kinds), and checks that opening
// it classifies every stored change: a typo fix, a change of substance and
// a repository-wide edit.
func TestMigrateClassifiesEdits(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	day := func(d int) time.Time { return time.Date(2025, 3, d, 12, 0, 0, 0, time.UTC) }
	doc := func(expiry, refresh string) []livespec.Section {
		return []livespec.Section{storetest.Sec("Tokens", "# Tokens\n\n"+expiry+"\n"), storetest.Sec("Refresh", "# Refresh\n\n"+refresh+"\n")}
	}
	others := func(word string) map[string][]livespec.Section {
		files := map[string][]livespec.Section{}
		for i := range 8 {
			files[fmt.Sprintf("f%d.md", i)] = []livespec.Section{storetest.Sec("Part", fmt.Sprintf("# Part\n\nPart %d is %s.\n", i, word))}
		}
		return files
	}
	h := storetest.NewHistory("r")
	first := others("new")
	first["auth.md"] = doc("Teh token expires after 30 minutes.", "Refresh tokens last a day.")
	commits := []storetest.Commit{
		{SHA: "add", Time: day(1), Files: first},
		{SHA: "typo", Time: day(2), Files: map[string][]livespec.Section{"auth.md": doc("The token expires after 30 minutes.", "Refresh tokens last a day.")}},
		{SHA: "rule", Time: day(3), Files: map[string][]livespec.Section{"auth.md": doc("The token expires after 30 minutes.", "Refresh tokens last a week.")}},
		{SHA: "sweep", Time: day(4), Files: others("rewritten")},
	}
	for _, c := range commits {
		if err := s.Apply(ctx, h.Commit(c)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.w.ExecContext(ctx, schema11Changes); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = openMigrated(t, path)
	cs, err := s.Changes(ctx, livespec.ChangeQuery{From: day(2), Sections: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range cs {
		got[c.Commit+" "+c.Path+"#"+c.Heading] = c.Editorial
	}
	want := map[string]string{
		"typo auth.md#": livespec.EditTypo, "typo auth.md#Tokens": livespec.EditTypo,
		"rule auth.md#": "", "rule auth.md#Refresh": "",
	}
	for i := range 8 {
		want[fmt.Sprintf("sweep f%d.md#", i)] = livespec.EditSweep
		want[fmt.Sprintf("sweep f%d.md#Part", i)] = livespec.EditSweep
	}
	if !maps.Equal(got, want) {
		t.Errorf("editorial kinds after migration = %v\nwant %v", got, want)
	}
}
