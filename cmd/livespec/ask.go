package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/retrieval"
)

func cmdAsk(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "ask", `ask [--repo DIR | --index DIR] [--now DATE] [--json] "question"`)
	rf := addRepoFlags(f, "git repository to answer from; what is new is ingested first")
	sf := addStoreFlags(f)
	mf := addModelFlags(f)
	now := f.string("now", "", "the clock for relative periods such as 'this quarter' (default: the real time)")
	asJSON := f.bool("json", false, "print the answer contract as JSON")
	permalink := f.string("permalink", "", "citation URL template, e.g. https://github.com/ORG/REPO/blob/{commit}/{path}#{anchor}")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	question := strings.TrimSpace(strings.Join(pos, " "))
	if question == "" {
		return livespec.Errorf(livespec.EINVALID, `ask: no question given (livespec ask "what changed this quarter?")`)
	}
	clock, err := parseNow(*now)
	if err != nil {
		return err
	}
	m, err := mf.open(ctx, e, true)
	if err != nil {
		return err
	}
	st, repos, _, err := rf.openFresh(ctx, e, sf, m.embedder)
	if err != nil {
		return err
	}
	defer st.Close()
	a := &retrieval.Assistant{Store: st, Embedder: m.embedder, Generator: m.generator, Permalink: *permalink}
	req := livespec.AskRequest{Question: question, Now: clock, Repos: repos}
	if *asJSON {
		ans, err := a.Ask(ctx, req, nil)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ans)
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

// writeSources prints the numbered source list under an answer.
func writeSources(w io.Writer, ans *livespec.Answer) {
	if !strings.HasSuffix(ans.Answer, "\n") {
		fmt.Fprintln(w)
	}
	if len(ans.Citations) > 0 {
		fmt.Fprintln(w, "\nSources:")
		for _, c := range ans.Citations {
			state := "current"
			if !c.Current {
				state = "superseded " + c.ValidTo.UTC().Format("2006-01-02")
			}
			fmt.Fprintf(w, "[%d] %s › %s — %.7s, %s (%s)\n", c.N, c.Path, headingOrTop(c.Heading), c.Commit, c.Date.UTC().Format("2006-01-02"), state)
			if c.URL != "" {
				fmt.Fprintf(w, "    %s\n", c.URL)
			}
		}
	}
	fmt.Fprintf(w, "\n(%s; %s)\n", ans.Model.Embedder, ans.Model.Generator)
}
