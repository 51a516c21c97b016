package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec/internal/sqlite"
)

func TestMigrationProgress(t *testing.T) {
	t.Run("long migration", func(t *testing.T) {
		var w lockedWriter
		w.w = new(bytes.Buffer)
		p := &migrationProgress{w: &w, first: time.Millisecond, every: time.Millisecond}
		p.update(sqlite.Migration{From: 13, To: 14, Step: "postings"})
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(w.String(), "\n"); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("no progress line within 10s")
			}
		}
		p.update(sqlite.Migration{From: 13, To: 14, Done: true})
		p.end()
		out := w.String()
		if !strings.Contains(out, "migrating the index from schema 13 to 14 (postings): ") {
			t.Errorf("progress lines %q do not say the schemas and the step", out)
		}
		if !strings.HasSuffix(out, "\n") || !strings.HasPrefix(out[strings.LastIndex(out[:len(out)-1], "\n")+1:], "index migrated to schema 14 in ") {
			t.Errorf("progress lines %q do not end saying the migration ended", out)
		}
	})
	t.Run("quick migration", func(t *testing.T) {
		var w lockedWriter
		w.w = new(bytes.Buffer)
		p := &migrationProgress{w: &w}
		p.update(sqlite.Migration{From: 13, To: 14, Step: "schema"})
		p.end()
		if w.String() != "" {
			t.Errorf("a quick migration said %q, want nothing", w.String())
		}
	})
	t.Run("no migration", func(t *testing.T) {
		(&migrationProgress{}).end() // nothing started: nothing to stop
	})
}
