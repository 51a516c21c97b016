package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/livespec/livespec"
)

// flags defines a command's flags with defaults from LIVESPEC_* variables
// (flags win), each in a help group.
type flags struct {
	*pflag.FlagSet
	e     *env
	group string
}

func newFlags(e *env, c *cobra.Command) *flags {
	c.Flags().SortFlags = false // help lists flags in the order they are defined
	return &flags{FlagSet: c.Flags(), e: e}
}

// in returns a view of f whose flags are listed under the help group g.
func (f *flags) in(g string) *flags { return &flags{FlagSet: f.FlagSet, e: f.e, group: g} }

// envName is the LIVESPEC_* variable of a flag: --max-file-size → LIVESPEC_MAX_FILE_SIZE.
func envName(flagName string) string {
	return "LIVESPEC_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// annotate records the flag's help group.
func (f *flags) annotate(name string) {
	if f.group != "" {
		_ = f.SetAnnotation(name, groupAnnotation, []string{f.group})
	}
}

// string defines a string flag. A word in backquotes in usage names its
// value in the help ("index `DIR`" → --index DIR).
func (f *flags) string(name, def, usage string) *string {
	if v := f.e.getenv(envName(name)); v != "" {
		def = v
	}
	p := f.String(name, def, usage+" ["+envName(name)+"]")
	f.annotate(name)
	return p
}

func (f *flags) bool(name string, def bool, usage string) *bool {
	if v := f.e.getenv(envName(name)); v != "" {
		if b, err := strconv.ParseBool(v); err == nil {
			def = b
		}
	}
	p := f.Bool(name, def, usage+" ["+envName(name)+"]")
	f.annotate(name)
	return p
}

// list is a repeatable flag; its default comes from a comma-separated
// variable and the first use of the flag replaces that default.
func (f *flags) list(name string, def []string, usage string) *listValue {
	v := &listValue{vals: def}
	if s := f.e.getenv(envName(name)); s != "" {
		v.vals, v.env = splitList(s), true
	}
	f.Var(v, name, usage+" (repeatable) ["+envName(name)+", comma-separated]")
	f.annotate(name)
	return v
}

type listValue struct {
	vals []string
	set  bool // given by a flag
	env  bool // given by its variable
}

// given reports whether the command was given the list (flag or variable).
func (l *listValue) given() bool { return l.set || l.env }

func (l *listValue) String() string { return strings.Join(l.vals, ",") }
func (l *listValue) Type() string   { return "glob" }
func (l *listValue) Set(s string) error {
	if !l.set {
		l.vals, l.set = nil, true
	}
	l.vals = append(l.vals, s)
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// repoRoot finds the top of the git repository containing dir: a directory
// with a .git entry, or a bare repository.
func repoRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", livespec.WrapError(livespec.EINVALID, err, "repository %s", dir)
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return "", livespec.Errorf(livespec.ENOTFOUND, "repository %s: no such directory", dir)
	}
	for d := abs; ; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d, nil
		}
		if isBare(d) {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", livespec.Errorf(livespec.EINVALID, "%s is not in a git repository", dir)
		}
		d = parent
	}
}

func isBare(d string) bool {
	for _, n := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Stat(filepath.Join(d, n)); err != nil {
			return false
		}
	}
	return true
}

// repoName is the default name of a repository in the index: its
// directory's base name without a .git suffix.
func repoName(root string) string {
	n := strings.TrimSuffix(filepath.Base(root), ".git")
	if n == "" || n == "." || n == string(filepath.Separator) {
		n = "repo"
	}
	return n
}

// indexFile resolves where the SQLite index lives: DIR/livespec.db for
// --index DIR (or the file itself when it ends in .db), else a directory
// under the user cache keyed by the repository's absolute path.
func indexFile(getenv func(string) string, indexDir, root string) (string, error) {
	if indexDir != "" {
		if strings.HasSuffix(indexDir, ".db") {
			return indexDir, nil
		}
		return filepath.Join(indexDir, "livespec.db"), nil
	}
	if root == "" {
		return "", livespec.Errorf(livespec.EINVALID, "no index: pass --index DIR (or --repo DIR to use that repository's default index)")
	}
	cache, err := cacheDir(getenv)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(root))
	return filepath.Join(cache, repoName(root)+"-"+hex.EncodeToString(sum[:6]), "livespec.db"), nil
}

// cacheDir is livespec's directory under the user cache directory
// ($XDG_CACHE_HOME or ~/.cache).
func cacheDir(getenv func(string) string) (string, error) {
	cache := getenv("XDG_CACHE_HOME")
	if cache == "" {
		home := getenv("HOME")
		if home == "" {
			return "", livespec.Errorf(livespec.EINVALID, "no cache directory: set --index, XDG_CACHE_HOME or HOME")
		}
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "livespec"), nil
}
