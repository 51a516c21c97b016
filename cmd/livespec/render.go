package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/glamour"
	"github.com/muesli/termenv"
	"golang.org/x/term"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/retrieval"
)

// terminal is implemented by a writer that knows it is a terminal; tests
// pass one as stdout or stderr to see what a terminal gets.
type terminal interface {
	// TerminalWidth is the width in columns, and whether it is a terminal.
	TerminalWidth() (int, bool)
}

// termWidth tells whether w is a terminal, and its width in columns.
func termWidth(w io.Writer) (int, bool) {
	if t, ok := w.(terminal); ok {
		return t.TerminalWidth()
	}
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil || width <= 0 {
		width = 80
	}
	return width, true
}

// maxRenderWidth caps the width answers are wrapped to on wide terminals.
const maxRenderWidth = 100

// markdownRenderer renders Markdown for the terminal w: glamour with
// GLAMOUR_STYLE when set, else the style matching the terminal's
// the dark style (GLAMOUR_STYLE=light for a light background: asking the
// terminal for its colours can stall for seconds), without colours under
// NO_COLOR.
func markdownRenderer(e *env, width int) (*glamour.TermRenderer, error) {
	style := e.getenv("GLAMOUR_STYLE")
	if style == "" {
		style = "dark"
	}
	opts := []glamour.TermRendererOption{glamour.WithStylePath(style), glamour.WithWordWrap(min(width, maxRenderWidth) - 2)}
	if e.getenv("NO_COLOR") != "" {
		opts = append(opts, glamour.WithColorProfile(termenv.Ascii))
	}
	r, err := glamour.NewTermRenderer(opts...)
	if err != nil {
		return nil, livespec.WrapError(livespec.EINVALID, err, "GLAMOUR_STYLE %q", style)
	}
	return r, nil
}

// renderAnswer writes an answer for a terminal: the answer, its sources
// as a numbered list and the footer, as one rendered Markdown document.
func renderAnswer(e *env, w io.Writer, width int, ans *livespec.Answer) error {
	r, err := markdownRenderer(e, width)
	if err != nil {
		return err
	}
	var md strings.Builder
	md.WriteString(strings.TrimSpace(ans.Answer))
	md.WriteString("\n\n")
	if len(ans.Citations) > 0 {
		md.WriteString("**Sources**\n\n")
		for _, c := range ans.Citations {
			fmt.Fprintf(&md, "%d. %s\n", c.N, citationLine(c, true))
		}
		md.WriteString("\n")
	}
	search, answer := modelSentences(ans.Model)
	fmt.Fprintf(&md, "*%s*\n\n*%s*\n", search, answer)
	out, err := r.Render(md.String())
	if err != nil {
		return livespec.WrapError(livespec.EINTERNAL, err, "render the answer")
	}
	_, err = io.WriteString(w, out)
	return err
}

// citationLine is one source: where, which commit and when, and whether it
// still holds. md writes the permalink as a Markdown link.
func citationLine(c livespec.Citation, md bool) string {
	s := fmt.Sprintf("%s › %s · %.7s · %s", c.Path, headingOrTop(c.Heading), c.Commit, c.Date.UTC().Format("2006-01-02"))
	if !c.Current {
		s += " · superseded " + c.ValidTo.UTC().Format("2006-01-02")
	}
	if c.URL != "" {
		if md {
			s += " · [link](" + c.URL + ")"
		} else {
			s += "\n    " + c.URL
		}
	}
	return s
}

// modelInWords says what searched and what wrote an answer, for a reader:
// "Search: keywords (BM25). Answer: quoted from the spec, no model."
func modelInWords(m livespec.ModelInfo) string {
	search, answer := modelSentences(m)
	return search + " " + answer
}

func modelSentences(m livespec.ModelInfo) (search, answer string) {
	search = "Search: keywords (BM25)."
	if m.Embedder != "" && m.Embedder != retrieval.NoEmbedder {
		search = fmt.Sprintf("Search: keywords (BM25) and meaning (%s).", modelName(m.Embedder))
	}
	answer = "Answer: quoted from the spec, no model."
	if m.Generator != "" && !strings.HasPrefix(m.Generator, retrieval.Extractive{}.Name()) {
		answer = fmt.Sprintf("Answer: written by %s from the sources above.", modelName(m.Generator))
	}
	return search, answer
}

// modelName is a model's name without its provider and dimensions:
// "ollama/nomic-embed-text@768" → "nomic-embed-text".
func modelName(id string) string {
	if i := strings.LastIndex(id, "/"); i >= 0 {
		id = id[i+1:]
	}
	if i := strings.LastIndex(id, "@"); i > 0 {
		id = id[:i]
	}
	return id
}

// writeMarkdown prints md: rendered on a terminal, as it is when piped or
// with plain.
func writeMarkdown(e *env, md string, plain bool) error {
	width, tty := termWidth(e.stdout)
	if !tty || plain {
		_, err := io.WriteString(e.stdout, md)
		return err
	}
	r, err := markdownRenderer(e, width)
	if err != nil {
		return err
	}
	out, err := r.Render(md)
	if err != nil {
		return fmt.Errorf("render: %w", err)
	}
	_, err = io.WriteString(e.stdout, out)
	return err
}
