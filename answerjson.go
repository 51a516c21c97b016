package livespec

import (
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends a's JSON to b and returns the extended slice: the
// bytes encoding/json writes for a (json.Marshal when escapeHTML is true,
// an Encoder with SetEscapeHTML(false) when it is false; without the
// Encoder's newline), written directly instead of by reflection. The
// objects that encode themselves (citations, changes, times, the window)
// escape HTML characters either way, as they do through encoding/json,
// which keeps what a MarshalJSON returned.
func (a *Answer) AppendJSON(b []byte, escapeHTML bool) []byte {
	b = appendJSONString(append(b, `{"question":`...), a.Question, escapeHTML)
	b = appendJSONString(append(b, `,"intent":`...), string(a.Intent), escapeHTML)
	b = strconv.AppendBool(append(b, `,"found":`...), a.Found)
	b = appendSubjects(append(b, `,"subjects":`...), a.Subjects, escapeHTML)
	b = append(b, `,"first_seen":`...)
	if fs := a.FirstSeen; fs == nil {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(append(b, `{"commit":`...), fs.Commit, escapeHTML)
		b = appendTime(append(b, `,"date":`...), fs.Date.Time)
		b = appendJSONString(append(b, `,"path":`...), fs.Path, escapeHTML)
		b = appendJSONString(append(b, `,"heading":`...), fs.Heading, escapeHTML)
		b = append(b, '}')
	}
	b = append(b, `,"window":`...)
	if a.Window == nil {
		b = append(b, "null"...)
	} else {
		b = a.Window.appendJSON(b)
	}
	b = appendTime(append(b, `,"as_of":`...), a.AsOf.Time)
	b = appendJSONString(append(b, `,"answer":`...), a.Answer, escapeHTML)
	b = append(b, `,"citations":`...)
	b = appendList(b, a.Citations, func(b []byte, c *Citation) []byte { return c.appendJSON(b) })
	b = append(b, `,"changes":`...)
	b = appendList(b, a.Changes, func(b []byte, c *AnswerChange) []byte { return c.appendJSON(b) })
	b = append(b, `,"facts":`...)
	b = appendList(b, a.Facts, func(b []byte, f *AnswerFact) []byte { return f.appendJSON(b, escapeHTML) })
	if t := a.Totals; t != nil {
		b = t.appendJSON(append(b, `,"totals":`...))
	}
	b = appendJSONString(append(b, `,"model":{"embedder":`...), a.Model.Embedder, escapeHTML)
	b = appendJSONString(append(b, `,"generator":`...), a.Model.Generator, escapeHTML)
	return append(b, "}}"...)
}

// appendList appends s as a JSON array, each element by add, or null
// when s is nil.
func appendList[T any](b []byte, s []T, add func([]byte, *T) []byte) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = add(b, &s[i])
	}
	return append(b, ']')
}

// appendSubjects appends subjects as encoding/json writes them.
func appendSubjects(b []byte, subjects []Subject, escapeHTML bool) []byte {
	return appendList(b, subjects, func(b []byte, s *Subject) []byte {
		b = appendJSONString(append(b, `{"repo":`...), s.Repo, escapeHTML)
		b = appendJSONString(append(b, `,"path":`...), s.Path, escapeHTML)
		b = appendJSONString(append(b, `,"title":`...), s.Title, escapeHTML)
		b = appendList(append(b, `,"paths":`...), s.Paths, func(b []byte, p *string) []byte {
			return appendJSONString(b, *p, escapeHTML)
		})
		return append(b, '}')
	})
}

// appendJSON appends f as encoding/json writes it.
func (f *AnswerFact) appendJSON(b []byte, escapeHTML bool) []byte {
	b = appendJSONString(append(b, `{"repo":`...), f.Repo, escapeHTML)
	b = appendJSONString(append(b, `,"path":`...), f.Path, escapeHTML)
	b = appendJSONString(append(b, `,"title":`...), f.Title, escapeHTML)
	b = appendJSONString(append(b, `,"field":`...), f.Field, escapeHTML)
	b = appendJSONString(append(b, `,"value":`...), f.Value, escapeHTML)
	b = appendJSONString(append(b, `,"previous":`...), f.Previous, escapeHTML)
	b = appendJSONString(append(b, `,"since":{"commit":`...), f.Since.Commit, escapeHTML)
	b = appendTime(append(b, `,"date":`...), f.Since.Date.Time)
	return append(b, "}}"...)
}

// appendJSON appends t as encoding/json writes it.
func (t *ChangeTotals) appendJSON(b []byte) []byte {
	b = strconv.AppendInt(append(b, `{"files":`...), int64(t.Files), 10)
	b = strconv.AppendInt(append(b, `,"sections":`...), int64(t.Sections), 10)
	b = strconv.AppendInt(append(b, `,"commits":`...), int64(t.Commits), 10)
	b = strconv.AppendInt(append(b, `,"added":`...), int64(t.Added), 10)
	b = strconv.AppendInt(append(b, `,"modified":`...), int64(t.Modified), 10)
	b = strconv.AppendInt(append(b, `,"removed":`...), int64(t.Removed), 10)
	b = strconv.AppendInt(append(b, `,"renamed":`...), int64(t.Renamed), 10)
	return append(b, '}')
}

// appendJSONString appends s as a JSON string exactly as encoding/json
// writes one: HTML characters escaped when escapeHTML is set, invalid
// UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string, escapeHTML bool) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if plainJSON[c] || (!escapeHTML && htmlChar[c]) {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// plainJSON holds true for the ASCII bytes a JSON string carries as they
// are, HTML characters escaped; htmlChar for the HTML characters.
var plainJSON, htmlChar [utf8.RuneSelf]bool

func init() {
	for c := byte(0x20); c < utf8.RuneSelf; c++ {
		htmlChar[c] = c == '<' || c == '>' || c == '&'
		plainJSON[c] = c != '"' && c != '\\' && !htmlChar[c]
	}
}
