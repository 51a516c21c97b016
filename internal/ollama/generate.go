package ollama

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/livespec/livespec"
	"github.com/ollama/ollama/api"
)

// DefaultChatModel is the chat model used when GenerateOptions.Model is empty.
const DefaultChatModel = "llama3.2:3b"

// GenerateOptions configures a Generator. Zero fields take the defaults
// given with each.
type GenerateOptions struct {
	// Model is the Ollama chat model. Empty means DefaultChatModel.
	Model string
	// MaxSources caps the sources put in the prompt. Zero means 12.
	MaxSources int
	// MaxSourceChars caps the text of one source (bytes). Zero means 4000.
	MaxSourceChars int
	// MaxChars caps the whole data block: sources and change events
	// (bytes). Zero means 32000.
	MaxChars int
	// MaxChanges caps the change events in the prompt. Zero means 60.
	MaxChanges int
	// Temperature is the sampling temperature. Zero means 0.1.
	Temperature float64
	// MaxAnswerTokens caps the answer (num_predict). Zero means 1024.
	MaxAnswerTokens int
	// NumCtx fixes the context size; zero sizes it to each prompt (the
	// prompt's estimated tokens plus MaxAnswerTokens, rounded up to 1024,
	// at least 2048), at most MaxNumCtx.
	NumCtx int
	// MaxNumCtx caps the sized context. Zero means 32768.
	MaxNumCtx int
	// KeepAlive is how long the server keeps the model loaded after a
	// request; zero leaves the server's default.
	KeepAlive time.Duration
	// Retry is the policy for transient failures before the first token
	// (a busy server, a refused connection). Once text has streamed, a
	// failure is returned as is.
	Retry Retry
}

// Generator phrases answers with an Ollama chat model through /api/chat,
// streamed. It implements livespec.Generator and is safe for concurrent use.
type Generator struct {
	c    *Client
	opts GenerateOptions
}

var _ livespec.Generator = (*Generator)(nil)

// Generator returns a generator for opts.Model. It does not contact the
// server; call Check first to fail early when the model is not pulled.
func (c *Client) Generator(opts GenerateOptions) *Generator {
	opts.Model = strings.TrimSpace(opts.Model)
	if opts.Model == "" {
		opts.Model = DefaultChatModel
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&opts.MaxSources, 12)
	def(&opts.MaxSourceChars, 4000)
	def(&opts.MaxChars, 32000)
	def(&opts.MaxChanges, 60)
	def(&opts.MaxAnswerTokens, 1024)
	def(&opts.MaxNumCtx, 32768)
	if opts.Temperature <= 0 {
		opts.Temperature = 0.1
	}
	return &Generator{c: c, opts: opts}
}

// Name returns "ollama/<model>".
func (g *Generator) Name() string { return "ollama/" + g.opts.Model }

// Model returns the Ollama model name.
func (g *Generator) Model() string { return g.opts.Model }

// Generate asks the model for an answer to ev and streams it to onToken
// (when non-nil) piece by piece. The returned text is what was streamed:
// [n] markers that point to no source in the prompt are removed as the
// text streams, and a note such as "(removed citation [7]: no such source)"
// ends the answer. An error from onToken stops generation and is returned
// as is. A stream that breaks or ends without its final message is an
// EUNAVAILABLE error wrapping io.ErrUnexpectedEOF; cancellation returns the
// context's error. On error the text streamed so far is returned with it.
func (g *Generator) Generate(ctx context.Context, ev *livespec.Evidence, onToken func(string) error) (string, error) {
	if g.c.err != nil {
		return "", g.c.err
	}
	if ev == nil {
		return "", livespec.Errorf(livespec.EINVALID, "ollama: no evidence to answer from")
	}
	p := g.Prompt(ev)
	req := &api.ChatRequest{
		Model: g.opts.Model,
		Messages: []api.Message{
			{Role: "system", Content: p.System},
			{Role: "user", Content: p.User},
		},
		Options: map[string]any{
			"temperature": g.opts.Temperature,
			"num_ctx":     p.NumCtx,
			"num_predict": g.opts.MaxAnswerTokens,
		},
	}
	if g.opts.KeepAlive != 0 {
		req.KeepAlive = &api.Duration{Duration: g.opts.KeepAlive}
	}

	f := newCiteFilter(p.Sources)
	var sb strings.Builder
	var cbErr error
	emit := func(s string) error {
		if s == "" {
			return nil
		}
		sb.WriteString(s)
		if onToken != nil {
			if err := onToken(s); err != nil {
				cbErr = err
				return err
			}
		}
		return nil
	}
	var doneReason string
	err := g.opts.Retry.do(ctx, func() error {
		done := false
		*f = *newCiteFilter(p.Sources) // nothing streamed yet: start clean
		err := g.c.api.Chat(ctx, req, func(r api.ChatResponse) error {
			if err := emit(f.write(r.Message.Content)); err != nil {
				return err
			}
			if r.Done {
				done = true
				doneReason = r.DoneReason
			}
			return ctx.Err()
		})
		// A cancelled or broken stream returns nil from the client
		// (LIBRARIES.md): only a final message means the answer is whole.
		if err == nil && (!done || ctx.Err() != nil) {
			err = cmp.Or(ctx.Err(), io.ErrUnexpectedEOF)
		}
		if err != nil && sb.Len() > 0 {
			return final{err} // never retry once text has streamed
		}
		return err
	})
	var fe final
	if errors.As(err, &fe) {
		err = fe.err
	}
	switch {
	case cbErr != nil:
		return sb.String(), cbErr
	case err != nil:
		return sb.String(), g.c.classify(ctx, err, g.opts.Model)
	}
	if err := emit(f.flush()); err != nil {
		return sb.String(), err
	}
	if strings.TrimSpace(sb.String()) == "" {
		return "", livespec.Errorf(livespec.EUNAVAILABLE, "ollama: model %q returned an empty answer", g.opts.Model)
	}
	var notes []string
	for _, n := range f.removed {
		notes = append(notes, fmt.Sprintf("(removed citation [%d]: no such source)", n))
	}
	if doneReason == "length" {
		notes = append(notes, fmt.Sprintf("(answer cut at %d tokens)", g.opts.MaxAnswerTokens))
	}
	if len(notes) > 0 {
		if err := emit("\n\n" + strings.Join(notes, " ")); err != nil {
			return sb.String(), err
		}
	}
	return sb.String(), nil
}

// final marks an error that must not be retried.
type final struct{ err error }

func (f final) Error() string { return f.err.Error() }

// citeFilter removes, from streamed text, citation markers ([7], [2, 9])
// whose numbers name no source. It holds back at most a short tail (a
// space and an unfinished marker) between writes.
type citeFilter struct {
	valid   map[int]bool
	hold    string // pending: an optional space, then from '[' on
	bracket int    // index of '[' in hold, -1 when none
	removed []int
}

func newCiteFilter(sources []int) *citeFilter {
	f := &citeFilter{valid: map[int]bool{}, bracket: -1}
	for _, n := range sources {
		f.valid[n] = true
	}
	return f
}

// maxMarker bounds how much text a marker may span before it is taken for
// plain text.
const maxMarker = 48

// write consumes s and returns the text that can be passed on.
func (f *citeFilter) write(s string) string {
	var out strings.Builder
	for _, r := range s {
		f.rune(r, &out)
	}
	return out.String()
}

// flush returns whatever is held back.
func (f *citeFilter) flush() string {
	s := f.hold
	f.hold, f.bracket = "", -1
	return s
}

func (f *citeFilter) rune(r rune, out *strings.Builder) {
	if f.bracket < 0 {
		switch r {
		case ' ':
			out.WriteString(f.hold)
			f.hold = " "
		case '[':
			f.bracket = len(f.hold)
			f.hold += "["
		default:
			out.WriteString(f.hold)
			out.WriteRune(r)
			f.hold = ""
		}
		return
	}
	switch {
	case r == ']':
		lead, body := f.hold[:f.bracket], f.hold[f.bracket+1:]
		if nums, ok := parseMarker(body); ok {
			out.WriteString(f.rewrite(lead, nums))
		} else {
			out.WriteString(f.hold + "]")
		}
		f.hold, f.bracket = "", -1
	case (r >= '0' && r <= '9' || r == ',' || r == ';' || r == ' ') && len(f.hold) < maxMarker:
		f.hold += string(r)
	default:
		out.WriteString(f.flush())
		f.rune(r, out) // r may start a new marker
	}
}

// parseMarker parses the inside of "[1]" or "[1, 2]".
func parseMarker(body string) ([]int, bool) {
	parts := strings.FieldsFunc(body, func(r rune) bool { return r == ',' || r == ';' })
	if len(parts) == 0 || strings.Count(body, ",")+strings.Count(body, ";") != len(parts)-1 {
		return nil, false
	}
	nums := make([]int, 0, len(parts))
	for _, p := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return nil, false
		}
		nums = append(nums, n)
	}
	return nums, true
}

// rewrite keeps the valid numbers of a marker, records the others, and
// drops the marker with its leading space when none is valid.
func (f *citeFilter) rewrite(lead string, nums []int) string {
	var keep []string
	for _, n := range nums {
		if f.valid[n] {
			keep = append(keep, strconv.Itoa(n))
			continue
		}
		if !slices.Contains(f.removed, n) {
			f.removed = append(f.removed, n)
		}
	}
	if len(keep) == 0 {
		return ""
	}
	return lead + "[" + strings.Join(keep, ", ") + "]"
}
