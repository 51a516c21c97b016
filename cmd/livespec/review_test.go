package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
)

func TestReviewCommand(t *testing.T) {
	r := gittest.New(t, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), gittest.Step{Msg: "spec",
		Write: map[string]string{"spec/pay.md": "---\nstatus: draft\n---\n# Payments\n\n## Cards\n\nCards are charged when the order ships.\n"}})
	r.Checkout("feature").Do(gittest.Step{Msg: "charge at once",
		Write: map[string]string{"spec/pay.md": "---\nstatus: accepted\n---\n# Payments\n\n## Cards\n\nCards are charged when the order is placed.\n"}})

	out, _, err := livespecRun(t, nil, "review", "--repo", r.Dir, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Commits   int `json:"commits"`
		Documents []struct {
			Path     string `json:"path"`
			Title    string `json:"title"`
			Sections []struct{ Heading, Now, Before string }
			Facts    []struct{ Field, Before, After string }
		} `json:"documents"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Commits != 1 || len(rep.Documents) != 1 || rep.Documents[0].Title != "Payments" {
		t.Fatalf("review --json = %s", out)
	}
	d := rep.Documents[0]
	if len(d.Sections) != 1 || !strings.Contains(d.Sections[0].Now, "placed") || !strings.Contains(d.Sections[0].Before, "ships") {
		t.Errorf("sections = %+v", d.Sections)
	}
	if len(d.Facts) != 1 || d.Facts[0].Before != "draft" || d.Facts[0].After != "accepted" {
		t.Errorf("facts = %+v", d.Facts)
	}

	out, _, err = livespecRun(t, map[string]string{"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/specs"},
		"review", "main..feature", "--repo", r.Dir, "--github-comment")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "https://github.com/acme/specs/blob/"+r.Head()+"/spec/pay.md#cards") {
		t.Errorf("comment has no permalink to the section at head:\n%s", out)
	}

	for _, bad := range [][]string{
		{"review", "--repo", r.Dir, "--fail-on", "always"},
		{"review", "--repo", r.Dir, "--json", "--github-comment"},
		{"review", "a..b", "c..d", "--repo", r.Dir},
	} {
		if _, _, err := livespecRun(t, nil, bad...); livespec.ErrorCode(err) != livespec.EINVALID {
			t.Errorf("%v: error %v, want invalid", bad, err)
		}
	}
}

func TestReviewFailOn(t *testing.T) {
	r := gittest.New(t, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), gittest.Step{Msg: "app", Write: map[string]string{
		"main.go":     "package main\n\nfunc main() { fs.String(\"repo-url\", \"\", \"the repository\") }\n",
		"spec/cli.md": "# CLI\n\n`--repo-url URL` names the repository.\n"}})
	r.Checkout("feature").Do(gittest.Step{Msg: "rename the flag", Write: map[string]string{
		"main.go": "package main\n\nfunc main() { fs.String(\"remote\", \"\", \"the repository\") }\n"}})
	for _, tc := range []struct {
		mode string
		fail bool
	}{{"never", false}, {"stale", true}, {"undocumented", true}} {
		t.Run(tc.mode, func(t *testing.T) {
			out, _, err := livespecRun(t, nil, "review", "--repo", r.Dir, "--fail-on", tc.mode)
			if !strings.Contains(out, "`--repo-url` (flag)") || !strings.Contains(out, "renamed `--remote`") || !strings.Contains(out, "`spec/cli.md` › CLI") {
				t.Errorf("the report does not name the stale flag, its rename and its section:\n%s", out)
			}
			if tc.fail != (err != nil) || err != nil && livespec.ErrorCode(err) != livespec.ECONFLICT {
				t.Errorf("--fail-on %s: error %v", tc.mode, err)
			}
		})
	}
}
