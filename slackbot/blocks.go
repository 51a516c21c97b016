package slackbot

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/livespec/livespec"
	"github.com/slack-go/slack"
)

// Slack's limits on what one message may carry.
const (
	MaxTextChars   = 3000  // characters in one text object
	MaxBlocks      = 50    // blocks in one message
	MaxAnswerChars = 20000 // answer text in one message, after conversion to mrkdwn
	// maxFallback bounds the plain-text fallback (Slack truncates "text"
	// at 40,000 characters; notifications show far less).
	maxFallback     = 3000
	maxSources      = 10 // sources listed at most
	maxChangeGroups = 10
	maxButtonValue  = 2000
)

// Action ids of the feedback buttons.
const (
	ActionFeedbackUp   = "livespec_feedback_up"
	ActionFeedbackDown = "livespec_feedback_down"
	feedbackBlockID    = "livespec_feedback"
	metadataEventType  = "livespec_answer"
)

// RenderOptions says how Render lays out one answer.
type RenderOptions struct {
	// AnswerID identifies the answer in the feedback buttons; empty: no
	// buttons.
	AnswerID string
	// ShowQuestion repeats the question above the answer (slash command
	// answers, where the question is not right above).
	ShowQuestion bool
	// PublicURL is the livespec HTTP API's base URL, for "the rest of the
	// answer" links when an answer is truncated. Empty: no link.
	PublicURL string
	// ReadAs is how the bot read a follow-up it rewrote ("as of
	// 2025-03-03, does checkout support coupons?"), shown above the answer.
	ReadAs string
	// MaxAnswerChars bounds the answer text (0: MaxAnswerChars); the rest
	// is cut with a note.
	MaxAnswerChars int
}

// Message is a rendered Slack message: Block Kit blocks and the plain-text
// fallback Slack shows in notifications and clients without blocks.
type Message struct {
	Blocks []slack.Block
	Text   string
}

// Render lays out an answer as a Slack message: the answer text in mrkdwn
// (split into sections of at most MaxTextChars, cut at MaxAnswerChars with a
// link to the API), for change reports a compact list of changes grouped by
// file with counts, the sources linked to their commit-pinned URLs with
// their validity dates, which model answered, and 👍/👎 buttons. Every text
// object is within Slack's limits and there are at most MaxBlocks blocks.
func Render(a *livespec.Answer, opt RenderOptions) Message {
	var blocks []slack.Block
	switch {
	case opt.ReadAs != "":
		blocks = append(blocks, slack.NewContextBlock("", mrkdwnText(clip("_Read as:_ "+Escape(opt.ReadAs), MaxTextChars))))
	case opt.ShowQuestion && a.Question != "":
		blocks = append(blocks, slack.NewContextBlock("", mrkdwnText(clipMrkdwn("*Q:* "+escapeKeepingMentions(a.Question), MaxTextChars))))
	}
	cite := func(n int) string {
		for _, c := range a.Citations {
			if c.N == n {
				return c.URL
			}
		}
		return ""
	}
	body, listed := answerBody(a)
	limit := cmp.Or(opt.MaxAnswerChars, MaxAnswerChars)
	cut := false
	if r := []rune(body); len(r) > 2*limit { // converting more would be wasted
		body, cut = string(r[:2*limit]), true
	}
	text := mrkdwn(body, cite)
	if utf8.RuneCountInString(text) > limit {
		text, cut = CutMrkdwn(text, limit), true
	}
	if cut {
		text += "\n\n_" + "The answer is longer than Slack allows; it is cut here._"
		if link := fullAnswerLink(a, opt.PublicURL); link != "" {
			text += " " + link
		}
	}
	if strings.TrimSpace(text) == "" {
		text = "_No answer text._"
	}
	for _, chunk := range SplitMrkdwn(text, MaxTextChars) {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwnText(chunk), nil, nil))
	}
	if listsChanges(a) {
		list := changeList(a, !listed)
		if a.Intent == livespec.IntentTimeline {
			list = eventList(a)
		}
		blocks = append(blocks, slack.NewDividerBlock())
		for _, chunk := range SplitMrkdwn(list, MaxTextChars) {
			blocks = append(blocks, slack.NewSectionBlock(mrkdwnText(chunk), nil, nil))
		}
	}
	if len(a.Citations) > 0 {
		for _, chunk := range SplitMrkdwn(sourceList(a.Citations), MaxTextChars) {
			blocks = append(blocks, slack.NewContextBlock("", mrkdwnText(chunk)))
		}
	}
	if m := modelLine(a.Model); m != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwnText(m)))
	}
	tail := 0
	if opt.AnswerID != "" {
		tail = 1
	}
	if len(blocks) > MaxBlocks-tail {
		blocks = append(blocks[:MaxBlocks-tail-1], slack.NewContextBlock("", mrkdwnText("_Some of the answer is left out: a Slack message holds at most 50 blocks._")))
	}
	if opt.AnswerID != "" {
		blocks = append(blocks, feedbackButtons(opt.AnswerID, a.Question))
	}
	return Message{Blocks: blocks, Text: fallbackText(a, text)}
}

// sourcesHeading finds the list of sources an extractive answer ends with
// ("Sources:", "Cited excerpts:"); Render shows the sources as their own
// block, with links, dates and excerpts.
var sourcesHeading = regexp.MustCompile(`(?mi)^[ \t]*(?:\*\*)?(?:sources|cited excerpts|citations|references)(?:\*\*)?:?(?:\*\*)?[ \t]*$`)

// answerBody is the answer text as Render shows it: without a trailing
// list of sources, and, when Render lists the changes itself (change
// reports and timelines) and the text is the extractive generator's, without
// the text's own lists. counted reports that the text keeps the totals
// line of an extractive change report.
func answerBody(a *livespec.Answer) (text string, counted bool) {
	text = strings.TrimSpace(a.Answer)
	if len(a.Citations) > 0 {
		if loc := sourcesHeading.FindAllStringIndex(text, -1); len(loc) > 0 {
			head, tail := text[:loc[len(loc)-1][0]], text[loc[len(loc)-1][1]:]
			if onlyListItems(tail) {
				text = strings.TrimSpace(head)
			}
		}
	}
	if listsChanges(a) && strings.HasPrefix(a.Model.Generator, "extractive") {
		var keep []string
		for _, p := range strings.Split(text, "\n\n") {
			if !onlyListItems(p) {
				keep = append(keep, p)
			}
		}
		text = strings.Join(keep, "\n\n")
		counted = a.Intent == livespec.IntentChanges
	}
	return text, counted
}

// onlyListItems reports whether every non-blank line of s is a Markdown
// list item.
func onlyListItems(s string) bool {
	items := 0
	for _, l := range strings.Split(s, "\n") {
		switch t := strings.TrimSpace(l); {
		case t == "":
		case strings.HasPrefix(t, "- "), strings.HasPrefix(t, "* "):
			items++
		default:
			return false
		}
	}
	return items > 0
}

// listsChanges reports whether Render lists the answer's changes.
func listsChanges(a *livespec.Answer) bool {
	return len(a.Changes) > 0 && (a.Intent == livespec.IntentChanges || a.Intent == livespec.IntentTimeline)
}

// changeList is the compact grouped list of a change report: a count by
// kind (when header), then the files with the most changes and their
// counts by kind.
func changeList(a *livespec.Answer, header bool) string {
	type group struct {
		path   string
		n      int
		kinds  map[livespec.ChangeKind]int
		latest time.Time
	}
	byPath := map[string]*group{}
	var order []*group
	total := map[livespec.ChangeKind]int{}
	commits := map[string]bool{}
	// A file's section events count; its file-level events only when it
	// has none (a binary file, a pure rename), so one edit counts once.
	withSections := map[string]bool{}
	for _, c := range a.Changes {
		if !c.IsFile() {
			withSections[c.Path] = true
		}
	}
	for _, c := range a.Changes {
		g := byPath[c.Path]
		if g == nil {
			g = &group{path: c.Path, kinds: map[livespec.ChangeKind]int{}}
			byPath[c.Path] = g
			order = append(order, g)
		}
		g.latest = maxTime(g.latest, c.Date.Time)
		commits[c.Commit] = true
		if c.IsFile() && withSections[c.Path] {
			continue
		}
		g.n++
		g.kinds[c.Kind]++
		total[c.Kind]++
	}
	changes, files, ncommits := 0, len(order), len(commits)
	for _, g := range order {
		changes += g.n
	}
	if t := a.Totals; t != nil {
		// Exact over the whole window, however many events are listed.
		changes, files, ncommits = t.Sections, t.Files, t.Commits
		total = map[livespec.ChangeKind]int{livespec.Added: t.Added, livespec.Modified: t.Modified, livespec.Removed: t.Removed, livespec.Renamed: t.Renamed}
	}
	slices.SortStableFunc(order, func(x, y *group) int {
		return cmp.Or(cmp.Compare(y.n, x.n), strings.Compare(x.path, y.path))
	})
	var b strings.Builder
	if header {
		fmt.Fprintf(&b, "*%s to %s in %s*", livespec.Plural(changes, "change"), livespec.Plural(files, "file"), livespec.Plural(ncommits, "commit"))
		if a.Window != nil && (!a.Window.From.IsZero() || !a.Window.To.IsZero()) {
			b.WriteString(" " + windowText(*a.Window))
		}
		b.WriteString(": " + kindCounts(total) + "\n")
	}
	for i, g := range order {
		if i == maxChangeGroups {
			rest := 0
			for _, g := range order[i:] {
				rest += g.n
			}
			fmt.Fprintf(&b, "• _and %d more %s (%s)_\n", len(order)-i, livespec.PluralWord(len(order)-i, "file"), livespec.Plural(rest, "change"))
			break
		}
		fmt.Fprintf(&b, "• `%s` — %s", Escape(clip(g.path, 200)), kindCounts(g.kinds))
		if !g.latest.IsZero() {
			fmt.Fprintf(&b, " · last %s", day(g.latest))
		}
		b.WriteString("\n")
	}
	return strings.TrimSpace(b.String())
}

// maxEvents is how many events of a timeline Render lists.
const maxEvents = 15

// eventList is a timeline as a compact list, oldest first: date, kind,
// file and section, author and commit. Past maxEvents it keeps the first
// and last events.
func eventList(a *livespec.Answer) string {
	// Editorial changes (spacing, links, typos, repository-wide edits)
	// are counted, not listed.
	var evs []livespec.AnswerChange
	editorial := 0
	for _, c := range a.Changes {
		if c.Editorial != "" {
			editorial++
			continue
		}
		evs = append(evs, c)
	}
	var lines []string
	line := func(c livespec.AnswerChange) string {
		l := "• " + day(c.Date.Time) + " · " + Escape(string(c.Kind)) + " · `" + Escape(clip(c.Path, 200)) + "`"
		if c.Heading != "" {
			l += " › " + Escape(clip(strings.ReplaceAll(c.Heading, " > ", " › "), 200))
		}
		if c.OldPath != "" && c.OldPath != c.Path {
			l += " (from `" + Escape(clip(c.OldPath, 200)) + "`)"
		}
		if c.Author != "" {
			l += " — " + Escape(clip(c.Author, 80))
		}
		if c.Commit != "" {
			l += " · `" + Escape(livespec.ShortCommit(c.Commit)) + "`"
		}
		return l
	}
	if len(evs) <= maxEvents {
		for _, c := range evs {
			lines = append(lines, line(c))
		}
	} else {
		for _, c := range evs[:maxEvents-3] {
			lines = append(lines, line(c))
		}
		lines = append(lines, fmt.Sprintf("• _… %d more changes …_", len(evs)-maxEvents+1))
		for _, c := range evs[len(evs)-2:] {
			lines = append(lines, line(c))
		}
	}
	authors := map[string]bool{}
	for _, c := range a.Changes {
		if c.Author != "" {
			authors[c.Author] = true
		}
	}
	head := fmt.Sprintf("*%s", livespec.Plural(len(a.Changes), "change"))
	if len(authors) > 0 {
		head += " by " + livespec.Plural(len(authors), "author")
	}
	head += "*"
	if editorial > 0 {
		head += fmt.Sprintf(" (%d editorial, not listed)", editorial)
	}
	return head + "\n" + strings.Join(lines, "\n")
}

func kindCounts(m map[livespec.ChangeKind]int) string {
	var parts []string
	for _, k := range []livespec.ChangeKind{livespec.Added, livespec.Modified, livespec.Removed, livespec.Renamed} {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
		}
	}
	for k, n := range m {
		if !slices.Contains([]livespec.ChangeKind{livespec.Added, livespec.Modified, livespec.Removed, livespec.Renamed}, k) {
			parts = append(parts, fmt.Sprintf("%d %s", n, Escape(string(k))))
		}
	}
	return strings.Join(parts, ", ")
}

func windowText(w livespec.Window) string {
	switch {
	case w.From.IsZero():
		return "until " + day(w.To.Add(-time.Nanosecond))
	case w.To.IsZero():
		return "since " + day(w.From)
	}
	return "from " + day(w.From) + " to " + day(w.To.Add(-time.Nanosecond))
}

// sourceList renders the citations, one per line under a "Sources"
// title: number, file and heading linked to the commit-pinned URL, the
// short commit and when the text was valid.
func sourceList(cs []livespec.Citation) string {
	lines := []string{"*Sources*"}
	repos := map[string]bool{}
	for _, c := range cs {
		repos[c.Repo] = true
	}
	for i, c := range cs {
		if i == maxSources && len(cs) > maxSources+1 {
			lines = append(lines, fmt.Sprintf("_and %d more sources_", len(cs)-i))
			break
		}
		lines = append(lines, sourceLine(c, len(repos) > 1))
	}
	return strings.Join(lines, "\n")
}

func sourceLine(c livespec.Citation, withRepo bool) string {
	label := sourceLabel(c)
	line := fmt.Sprintf("[%d] ", c.N)
	name := Escape(clip(label, 300))
	if c.URL != "" {
		line += Link(c.URL, name)
	} else {
		line += "*" + name + "*"
	}
	if withRepo && c.Repo != "" {
		line += " (" + Escape(clip(c.Repo, 100)) + ")"
	}
	if c.Commit != "" {
		line += " · `" + Escape(livespec.ShortCommit(c.Commit)) + "`"
	}
	from := c.ValidFrom.Time
	if from.IsZero() {
		from = c.Date.Time
	}
	switch {
	case !c.Current && !c.ValidTo.IsZero():
		line += " · superseded on " + day(c.ValidTo.Time)
		if !from.IsZero() {
			line += " (valid since " + day(from) + ")"
		}
	case !from.IsZero():
		line += " · valid since " + day(from)
	}
	if ex := strings.Join(strings.Fields(plainLinks(c.Excerpt)), " "); ex != "" {
		line += " — “" + Escape(clip(ex, 160)) + "”"
	}
	return clipMrkdwn(line, MaxTextChars/maxSources)
}

// sourceLabel is "path › heading › subheading".
func sourceLabel(c livespec.Citation) string {
	if c.Heading == "" {
		return c.Path
	}
	return c.Path + " › " + strings.ReplaceAll(c.Heading, " > ", " › ")
}

func modelLine(m livespec.ModelInfo) string {
	var parts []string
	if m.Generator != "" {
		parts = append(parts, "answered by "+Escape(m.Generator))
	}
	if m.Embedder != "" {
		parts = append(parts, "search: "+Escape(m.Embedder))
	}
	if len(parts) == 0 {
		return ""
	}
	return "_" + strings.Join(parts, " · ") + "_"
}

// feedbackValue is what a feedback button carries: the answer id and the
// question, so a click can be stored even by a replica that did not
// answer.
type feedbackValue struct {
	ID       string `json:"id"`
	Question string `json:"q,omitempty"`
}

func feedbackButtons(id, question string) slack.Block {
	v := feedbackValue{ID: id, Question: question}
	value, _ := json.Marshal(v)
	for n := 1500; len(value) > maxButtonValue && n > 0; n /= 2 {
		v.Question = clip(question, n)
		value, _ = json.Marshal(v)
	}
	up := slack.NewButtonBlockElement(ActionFeedbackUp, string(value), slack.NewTextBlockObject(slack.PlainTextType, "👍 Helpful", true, false))
	down := slack.NewButtonBlockElement(ActionFeedbackDown, string(value), slack.NewTextBlockObject(slack.PlainTextType, "👎 Not helpful", true, false))
	return slack.NewActionBlock(feedbackBlockID, up, down)
}

// fallbackText is the message's plain text: the answer (mrkdwn, cut
// between links and entities, never inside one), then as many of the
// sources as fit in maxFallback characters.
func fallbackText(a *livespec.Answer, text string) string {
	var b strings.Builder
	b.WriteString(CutMrkdwn(text, maxFallback-500))
	if len(a.Citations) > 0 {
		b.WriteString("\nSources:")
		n := utf8.RuneCountInString(b.String())
		for _, c := range a.Citations {
			line := fmt.Sprintf("\n[%d] %s", c.N, Escape(clip(sourceLabel(c), 200)))
			if n += utf8.RuneCountInString(line); n > maxFallback {
				break
			}
			b.WriteString(line)
		}
	}
	return b.String()
}

// fullAnswerLink points to where the rest of a cut answer can be read: the
// changes or timeline endpoints for those reports, the ask endpoint
// otherwise.
func fullAnswerLink(a *livespec.Answer, base string) string {
	base = strings.TrimRight(base, "/")
	if base == "" {
		return ""
	}
	switch {
	case a.Intent == livespec.IntentChanges && a.Window != nil:
		q := url.Values{}
		if !a.Window.From.IsZero() {
			q.Set("since", a.Window.From.UTC().Format(time.RFC3339))
		}
		if !a.Window.To.IsZero() {
			q.Set("until", a.Window.To.UTC().Format(time.RFC3339))
		}
		return "Every change: " + Link(base+"/v1/changes?"+q.Encode(), "GET /v1/changes")
	case a.Intent == livespec.IntentTimeline:
		return "The whole history: " + Link(base+"/v1/timeline?"+url.Values{"q": {a.Question}}.Encode(), "GET /v1/timeline")
	}
	return "The whole answer: `POST " + Escape(base) + "/v1/ask` with this question."
}

// SplitMrkdwn splits mrkdwn text into pieces of at most max runes, at line breaks
// when it can, never inside a <link> or an &entity;, closing and reopening
// a code block cut in two.
func SplitMrkdwn(text string, max int) []string {
	const fence = "```"
	budget := max - len(fence) - 1 // room to close a code block
	var (
		out     []string
		cur     []string
		curLen  int  // runes in cur, separators included
		content bool // cur holds more than a reopened fence
		inFence bool
	)
	fresh := func() {
		cur, curLen, content = nil, 0, false
		if inFence {
			cur, curLen = []string{fence}, len(fence)
		}
	}
	flush := func() {
		if content {
			s := strings.Join(cur, "\n")
			if inFence {
				s += "\n" + fence
			}
			out = append(out, s)
		}
		fresh()
	}
	add := func(line string) {
		if len(cur) > 0 {
			curLen++
		}
		cur = append(cur, line)
		curLen += utf8.RuneCountInString(line)
		content = true
	}
	for _, orig := range strings.Split(text, "\n") {
		line := orig
		for {
			need := utf8.RuneCountInString(line)
			if len(cur) > 0 {
				need++
			}
			if curLen+need <= budget {
				add(line)
				break
			}
			if content {
				flush() // then the line fits a fresh piece, or is cut below
				continue
			}
			room := budget - curLen
			if len(cur) > 0 {
				room--
			}
			head, tail := cutLine(line, room)
			add(head)
			flush()
			if line = tail; line == "" {
				break
			}
		}
		if strings.HasPrefix(strings.TrimSpace(orig), fence) && strings.Count(orig, fence)%2 == 1 {
			inFence = !inFence
		}
	}
	flush()
	return out
}

// cutLine cuts line after at most n runes, backing off so that no
// <link>, &entity; or *emphasis* marker is split, preferring a space.
func cutLine(line string, n int) (head, tail string) {
	r := []rune(line)
	if len(r) <= n {
		return line, ""
	}
	cut := n
	if sp := lastIndexRune(r[:cut], ' '); sp > cut/2 {
		cut = sp + 1
	}
	if open := lastIndexRune(r[:cut], '<'); open > 0 && lastIndexRune(r[:cut], '>') < open {
		cut = open
	}
	if amp := lastIndexRune(r[:cut], '&'); amp >= 0 && cut-amp < 6 && lastIndexRune(r[amp:cut], ';') < 0 {
		cut = amp
	}
	if cut <= 0 {
		cut = max(n, 1)
	}
	return string(r[:cut]), string(r[cut:])
}

func lastIndexRune(r []rune, c rune) int {
	for i := len(r) - 1; i >= 0; i-- {
		if r[i] == c {
			return i
		}
	}
	return -1
}

// CutMrkdwn keeps the first n runes of mrkdwn text (then " …"), at a line break when one is
// close, without splitting a link or an entity.
func CutMrkdwn(text string, n int) string {
	r := []rune(text)
	if len(r) <= n {
		return text
	}
	head, _ := cutLine(text, n)
	if i := strings.LastIndexByte(head, '\n'); i > len(head)*3/4 {
		head = head[:i]
	}
	if strings.Count(head, "```")%2 == 1 {
		head += "\n```"
	}
	return strings.TrimRight(head, " \n") + " …"
}

// clipMrkdwn shortens a mrkdwn line to n runes without breaking a link or
// an entity.
func clipMrkdwn(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	head, _ := cutLine(s, n-1)
	return strings.TrimRight(head, " ") + "…"
}

func mrkdwnText(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
