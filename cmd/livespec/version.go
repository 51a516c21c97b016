package main

import (
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func versionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "print livespec's version and the commit it was built from",
		Example: "  livespec version\n  livespec --version",
		Args:    noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(e.stdout, "livespec", version())
			return err
		},
	}
}

// version describes this build from its build information.
func version() string {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(bi)
}

// versionOf describes a build: the module version (a release such as
// v1.2.0, a pseudo-version, or "devel" for a build from a work tree), then
// in parentheses the commit, its date and "modified" when the work tree had
// edits (present when built with VCS stamping), and the Go version.
func versionOf(bi *debug.BuildInfo) string {
	if bi == nil {
		return "devel (no build information)"
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	set := map[string]string{}
	for _, s := range bi.Settings {
		set[s.Key] = s.Value
	}
	var info []string
	if rev := set["vcs.revision"]; rev != "" {
		info = append(info, "commit "+short(rev, 12))
		if t, err := time.Parse(time.RFC3339, set["vcs.time"]); err == nil {
			info = append(info, t.UTC().Format("2006-01-02"))
		}
		if set["vcs.modified"] == "true" {
			info = append(info, "modified")
		}
	} else if v == "devel" {
		info = append(info, "no commit recorded: built with -buildvcs=false or outside git")
	}
	if bi.GoVersion != "" {
		info = append(info, bi.GoVersion)
	}
	if len(info) == 0 {
		return v
	}
	return v + " (" + strings.Join(info, ", ") + ")"
}

func short(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
