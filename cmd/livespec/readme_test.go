package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// readmeCommand is one livespec command line of the README.
type readmeCommand struct {
	line string
	args []string // after "livespec"
}

// readmeCommands reads the livespec command lines of the README's sh code
// blocks: lines invoking `livespec` or `go run ./cmd/livespec`, after any
// VAR=value assignments, up to a comment, pipe or redirection.
func readmeCommands(t testing.TB, readme string) []readmeCommand {
	t.Helper()
	b, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	var out []readmeCommand
	inSh := false
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "```sh"):
			inSh = true
			continue
		case strings.HasPrefix(line, "```"):
			inSh = false
			continue
		}
		if !inSh {
			continue
		}
		f := shellFields(line)
		for len(f) > 0 && strings.Contains(f[0], "=") && !strings.HasPrefix(f[0], "-") {
			f = f[1:]
		}
		switch {
		case len(f) > 0 && f[0] == "livespec":
			f = f[1:]
		case len(f) > 2 && f[0] == "go" && f[1] == "run" && f[2] == "./cmd/livespec":
			f = f[3:]
		default:
			continue
		}
		out = append(out, readmeCommand{line: line, args: f})
	}
	return out
}

// shellFields splits a command line as sh would for the simple lines of the
// README: words, '…' and "…" quoting, ending at #, |, > or &&.
func shellFields(line string) []string {
	var out []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		case !inWord && (r == '#' || r == '|' || r == '>' || r == '&'):
			return out
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}

// TestREADMECommands checks every livespec command line of the README
// against the command tree (the command and each flag exist and parse),
// and runs, on this repository, those that need neither a network, a
// corpus nor a server: a newcomer's first commands work as written.
func TestREADMECommands(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	cmds := readmeCommands(t, filepath.Join(root, "README.md"))
	if len(cmds) < 10 {
		t.Fatalf("found %d livespec commands in the README; the parser is broken", len(cmds))
	}
	var runnable []readmeCommand
	for _, c := range cmds {
		tree := rootCmd(&env{getenv: func(string) string { return "" }})
		sub, rest, err := tree.Find(c.args)
		if err != nil || sub == tree {
			t.Errorf("%s: no such command (%v)", c.line, err)
			continue
		}
		if err := sub.ParseFlags(rest); err != nil {
			t.Errorf("%s: %v", c.line, err)
		}
		if local(c.args) {
			runnable = append(runnable, c)
		}
	}
	if len(runnable) < 4 {
		t.Fatalf("only %d README commands run locally: %v", len(runnable), runnable)
	}
	if err := exec.Command("git", "-C", root, "rev-parse", "--git-dir").Run(); err != nil {
		t.Skipf("%s is not a git checkout, so the README's --repo . commands cannot run: %v", root, err)
	}
	t.Chdir(root)
	env := map[string]string{"XDG_CACHE_HOME": t.TempDir()}
	for _, c := range runnable {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			out, _, err := livespecRun(t, env, c.args...)
			if err != nil {
				t.Fatalf("%s: %v", c.line, err)
			}
			if strings.TrimSpace(out) == "" {
				t.Errorf("%s printed nothing", c.line)
			}
		})
	}
}

// local tells whether a README command runs on this repository alone: it
// reads --repo ., names no other path under ~ or /tmp, and starts no server.
func local(args []string) bool {
	line := " " + strings.Join(args, " ") + " "
	return strings.Contains(line, " --repo . ") && !strings.Contains(line, "~") &&
		!strings.Contains(line, "/tmp") && !strings.Contains(line, "://") && args[0] != "serve"
}
