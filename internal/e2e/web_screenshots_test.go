package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/livespec/livespec/ingest"
	"github.com/livespec/livespec/internal/sqlite"
	"github.com/livespec/livespec/retrieval"
)

// TestCorpusScreenshots makes the README's screenshots from a real spec
// history. It runs only when asked:
//
//	LIVESPEC_SCREENSHOT_CORPUS=/tmp/base/oai-openapi-specification \
//	LIVESPEC_SCREENSHOTS=$PWD/docs go test ./internal/e2e/ -run TestCorpusScreenshots
func TestCorpusScreenshots(t *testing.T) {
	corpus := os.Getenv("LIVESPEC_SCREENSHOT_CORPUS")
	if corpus == "" {
		t.Skip("LIVESPEC_SCREENSHOT_CORPUS names no corpus clone")
	}
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "livespec.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := ingest.Run(t.Context(), st, ingest.Options{Repo: filepath.Base(corpus), Dir: corpus}); err != nil {
		t.Fatal(err)
	}
	f := &webFixture{store: st}
	b := newBrowser(t, site(t, f, retrieval.Extractive{}))
	for _, tt := range []struct{ name, path, wait string }{
		{"web-changes", "/changes?since=2024-01-01&until=2024-12-31", "#totals"},
		{"web-diff", "/doc/versions/3.1.0.md?from=2021-01-01&to=2021-01-31#diff", "#diff"},
	} {
		b.webStep(t, b.ctx, chromedp.EmulateViewport(1000, 900), chromedp.Navigate(b.base+tt.path), chromedp.WaitVisible(tt.wait))
		waitFor(t, b.ctx, `document.readyState === "complete"`) // the fragment's scroll is done
		ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
		shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(b.shots, tt.name+".png")
		if err := os.WriteFile(p, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes", p, len(shot))
	}
}
