package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/retrieval"
)

// askQuestionKinds is the part of ask's help listing what it understands.
const askQuestionKinds = `Kinds of question:
  now          what the spec says today          "how long do access tokens last?"
  as of        what it said at the end of a day  "what did the spec say about retries as of June 1, 2025?"
  changes      what landed in a period           "what changed this quarter?"  "what's new in billing since March?"
  timeline     when something appeared, how it   "when was token expiry introduced?"
               changed, when it was removed      "how has the login flow evolved?"

Periods: this/last week, month, quarter or year, Q3 2025, H1 2024, in 2024, in March 2025,
since March, since 2025-04-01, last 30 days, between May and July 2024, yesterday.
Relative periods are read against --now (default: the real time).`

// askFlags are ask's flags.
type askFlags struct {
	repo           *repoFlags
	store          *storeFlags
	models         *modelFlags
	now, permalink *string
	asJSON, plain  *bool
	statusWords    *string
}

func askCmd(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   `ask [--repo DIR | --index DIR] "question"`,
		Short: "answer a question about the spec, now or at any date",
		Long: "Answer a question about the spec, now or at any date, citing every claim to a file,\n" +
			"a section and a commit. With --repo DIR, what is new in the repository is ingested first.\n\n" + askQuestionKinds,
		Example: `  livespec ask --repo . "what changed this month?"
  livespec ask --repo ~/src/specs --now 2025-06-30 "what did the spec say about retries as of June 1, 2025?"
  livespec ask --index ~/indexes/team --json "when was token expiry introduced?"
  livespec ask --repo . "how long do access tokens last?" | less`,
	}
	f := newFlags(e, c)
	o := &askFlags{
		repo:      addRepoFlags(f, "git repository `DIR` to answer from; what is new is ingested first"),
		store:     addStoreFlags(f),
		models:    addModelFlags(f),
		now:       f.string("now", "", "the clock for relative periods such as 'this quarter' (`DATE`; default: the real time)"),
		asJSON:    f.bool("json", false, "print the answer contract as JSON"),
		plain:     f.bool("plain", false, "print plain Markdown, streamed, even on a terminal (the default when piped)"),
		permalink: f.string("permalink", "", "citation URL `template`, e.g. https://github.com/ORG/REPO/blob/{commit}/{path}#{anchor}"),
	}
	o.statusWords = statusWordsFlag(f)
	c.RunE = func(c *cobra.Command, pos []string) error { return runAsk(c.Context(), e, o, pos) }
	return c
}

func runAsk(ctx context.Context, e *env, o *askFlags, pos []string) error {
	question := strings.TrimSpace(strings.Join(pos, " "))
	if question == "" {
		return livespec.Errorf(livespec.EINVALID, `ask: no question given (livespec ask "what changed this quarter?")`)
	}
	clock, err := parseNow(*o.now)
	if err != nil {
		return err
	}
	a, st, repos, _, err := openAssistant(ctx, e, o.repo, o.store, o.models, *o.statusWords)
	if err != nil {
		return err
	}
	defer st.Close()
	a.Permalink = *o.permalink
	req := livespec.AskRequest{Question: question, Now: clock, Repos: repos}
	if *o.asJSON {
		ans, err := a.Ask(ctx, req, nil)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ans)
	}
	if width, tty := termWidth(e.stdout); tty && !*o.plain {
		return askRendered(ctx, e, a, req, width, a.Generator != nil)
	}
	// Stream the answer as it is generated, then list the sources.
	streamed := false
	ans, err := a.Ask(ctx, req, func(tok string) error {
		streamed = true
		_, err := io.WriteString(e.stdout, tok)
		return err
	})
	if err != nil {
		return err
	}
	if !streamed {
		fmt.Fprint(e.stdout, ans.Answer)
	}
	writeSources(e.stdout, ans)
	return nil
}

// askRendered answers for a terminal: the whole answer rendered at once.
// While a model writes, a status line on a terminal stderr says so.
func askRendered(ctx context.Context, e *env, a *retrieval.Assistant, req livespec.AskRequest, width int, model bool) error {
	_, status := termWidth(e.stderr)
	status = status && model
	if status {
		fmt.Fprintf(e.stderr, "%s is writing the answer…", modelName(a.Generator.Name()))
	}
	ans, err := a.Ask(ctx, req, nil)
	if status {
		fmt.Fprint(e.stderr, "\r\033[K")
	}
	if err != nil {
		return err
	}
	return renderAnswer(e, e.stdout, width, ans)
}

// writeSources prints the numbered source list and the footer under a
// plain answer.
func writeSources(w io.Writer, ans *livespec.Answer) {
	if !strings.HasSuffix(ans.Answer, "\n") {
		fmt.Fprintln(w)
	}
	if len(ans.Citations) > 0 {
		fmt.Fprintln(w, "\nSources:")
		for _, c := range ans.Citations {
			fmt.Fprintf(w, "[%d] %s\n", c.N, citationLine(c, false))
		}
	}
	fmt.Fprintf(w, "\n%s\n", modelInWords(ans.Model))
}

// openAssistant loads the status words and the models, opens the index
// (ingesting what is new in the repository first) and returns an
// Assistant over it, the repositories to ask about and the repository's
// directory ("" for an index alone). The caller closes st.
func openAssistant(ctx context.Context, e *env, repo *repoFlags, sf *storeFlags, mf *modelFlags, statusWords string) (a *retrieval.Assistant, st livespec.Store, repos []string, dir string, err error) {
	words, err := loadStatusWords(statusWords)
	if err != nil {
		return nil, nil, nil, "", err
	}
	m, err := mf.open(ctx, e, true)
	if err != nil {
		return nil, nil, nil, "", err
	}
	st, repos, dir, err = repo.openFresh(ctx, e, sf, m.embedder)
	if err != nil {
		return nil, nil, nil, "", err
	}
	return &retrieval.Assistant{Store: st, Embedder: m.embedder, Generator: m.generator, StatusWords: words}, st, repos, dir, nil
}
