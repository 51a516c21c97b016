package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/livespec/livespec"
)

func init() {
	// Help lists the commands in the order commands() gives them.
	cobra.EnableCommandSorting = false
}

// commands are livespec's subcommands in the order help lists them. A new
// subcommand adds its constructor here; its logic lives in its own file.
func commands() []func(*env) *cobra.Command {
	return []func(*env) *cobra.Command{askCmd, changesCmd, factsCmd, digestCmd, reviewCmd, ingestCmd, evalCmd, serveCmd, feedbackCmd, versionCmd}
}

// rootCmd is the command tree. Help goes to stdout; errors are returned
// (main prints them once, with the exit code of their kind).
func rootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "livespec",
		Short: "Answer questions about a product from its living spec and its git history.",
		Long: `livespec answers questions about a product from its living spec: the Markdown
files of a git repository and every version of them that ever landed. Every
claim is cited to a file, a section and a commit.`,
		Example: `  livespec ask --repo . "what changed this month?"
  livespec ask --repo ~/src/specs "how long do access tokens last?"
  livespec changes --repo ~/src/specs --since 2025-07-01 --until 2025-09-30
  livespec serve --repo ~/src/specs`,
		Version:                    version(),
		SuggestionsMinimumDistance: 2,
		Args:                       cobra.ArbitraryArgs,
		SilenceErrors:              true,
		SilenceUsage:               true,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				writeHelp(e.stderr, c)
				return livespec.Errorf(livespec.EINVALID, "no command given")
			}
			msg := fmt.Sprintf("unknown command %q", args[0])
			if s := c.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf(" (did you mean %q?)", s[0])
			}
			return livespec.Errorf(livespec.EINVALID, "%s: run `livespec --help` for the list", msg)
		},
	}
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetVersionTemplate("livespec {{.Version}}\n")
	root.SetHelpFunc(func(c *cobra.Command, _ []string) { writeHelp(c.OutOrStdout(), c) })
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return livespec.Errorf(livespec.EINVALID, "%s: %v (see `%s --help`)", c.Name(), err, c.CommandPath())
	})
	for _, mk := range commands() {
		root.AddCommand(mk(e))
	}
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Short = "print a shell completion script (bash, zsh, fish, powershell)"
			c.Example = "  source <(livespec completion bash)\n  livespec completion zsh > \"${fpath[1]}/_livespec\"\n  livespec completion fish > ~/.config/fish/completions/livespec.fish"
		}
	}
	return root
}

// noArgs is the Args check of commands that take no positional argument.
func noArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		return livespec.Errorf(livespec.EINVALID, "%s: unexpected argument %q", c.Name(), args[0])
	}
	return nil
}

// Help groups: a flag's group annotation names the heading it is listed
// under; backend flags carry the backend they tune and are listed only
// when that backend is in use.
const (
	groupAnnotation = "livespec_group"
	groupRepo       = "Repository"
	groupIndex      = "Index and backend"
	groupOllama     = "Ollama"
	groupQdrant     = "Qdrant"
)

// groupGlobal holds --help and --version, listed last.
const groupGlobal = "Global"

var groupOrder = []string{"", groupRepo, groupIndex, groupOllama, groupQdrant, groupGlobal}

// writeHelp prints a command's help: what it does, usage, subcommands,
// examples, then its flags by group.
func writeHelp(w io.Writer, c *cobra.Command) {
	desc := c.Long
	if desc == "" {
		desc = c.Short
	}
	use := c.UseLine()
	if c.HasAvailableSubCommands() && !c.Runnable() || !c.HasParent() {
		use = c.CommandPath() + " COMMAND [flags]"
	}
	fmt.Fprintf(w, "%s\n\nUsage:\n  %s\n", strings.TrimSpace(desc), use)
	if c.HasAvailableSubCommands() {
		fmt.Fprintln(w, "\nCommands:")
		for _, s := range c.Commands() {
			if s.IsAvailableCommand() {
				fmt.Fprintf(w, "  %-11s %s\n", s.Name(), s.Short)
			}
		}
	}
	if c.Example != "" {
		fmt.Fprintf(w, "\nExamples:\n%s\n", strings.TrimRight(c.Example, "\n"))
	}
	writeFlagGroups(w, c)
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\nRun `%s COMMAND --help` for a command's flags and examples.\n", c.CommandPath())
	}
}

func writeFlagGroups(w io.Writer, c *cobra.Command) {
	groups := map[string]*pflag.FlagSet{}
	hidden := map[string][]string{}
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		g := ""
		if a := f.Annotations[groupAnnotation]; len(a) > 0 {
			g = a[0]
		} else if f.Name == "help" || f.Name == "version" {
			g = groupGlobal
		}
		if !backendInUse(c, g) {
			hidden[g] = append(hidden[g], "--"+f.Name)
			return
		}
		if groups[g] == nil {
			groups[g] = pflag.NewFlagSet(g, pflag.ContinueOnError)
			groups[g].SortFlags = false
		}
		groups[g].AddFlag(f)
	})
	envNote := false
	for _, g := range groupOrder {
		fs := groups[g]
		if fs == nil {
			continue
		}
		title := "Flags"
		if g != "" {
			title = g + " flags"
		}
		usages := fs.FlagUsagesWrapped(100)
		envNote = envNote || strings.Contains(usages, "[LIVESPEC_")
		fmt.Fprintf(w, "\n%s:\n%s", title, usages)
	}
	if len(hidden) > 0 {
		fmt.Fprintln(w)
	}
	for _, h := range []struct{ group, when string }{
		{groupOllama, "--ollama-url or OLLAMA_HOST is set"},
		{groupQdrant, "--store is qdrant://HOST:6334"},
	} {
		if fl := hidden[h.group]; len(fl) > 0 {
			fmt.Fprintf(w, "%s flags (%s) are listed when %s.\n", h.group, strings.Join(fl, ", "), h.when)
		}
	}
	if envNote {
		fmt.Fprintln(w, "\nEach flag can also be set by the LIVESPEC_* variable in brackets; a flag given on the command line wins.")
	}
}

// backendInUse tells whether flags of group g apply to c as configured:
// the Ollama model flags need an Ollama URL, the Qdrant flags a qdrant://
// store.
func backendInUse(c *cobra.Command, g string) bool {
	val := func(name string) string {
		if f := c.Flags().Lookup(name); f != nil {
			return f.Value.String()
		}
		return ""
	}
	switch g {
	case groupOllama:
		return !isNone(val("ollama-url"))
	case groupQdrant:
		return strings.HasPrefix(strings.TrimSpace(val("store")), "qdrant://")
	}
	return true
}
