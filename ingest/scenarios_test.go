package ingest_test

import (
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/ingest/ingesttest"
)

// TestScenarios runs ingest's resume and rebuild scenarios (ingesttest) on
// the in-memory store; internal/e2e runs them on SQLite.
func TestScenarios(t *testing.T) {
	ingesttest.Run(t, func(testing.TB) livespec.Store { return ingest.NewMemStore() })
}
