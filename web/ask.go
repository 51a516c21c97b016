package web

import (
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/livespec/livespec"
)

// maxAnswerBytes bounds the answer JSON the page posts back for rendering.
const maxAnswerBytes = 4 << 20

// askView is the Ask page: the form, and an answer when one was asked
// without JavaScript.
type askView struct {
	Question string
	Answer   *answerView
}

// answerView is a rendered answer.
type answerView struct {
	HTML      template.HTML
	Intent    livespec.Intent
	Citations []citationView
	Changes   []livespec.AnswerChange
	Model     livespec.ModelInfo
	Window    *livespec.Window
}

type citationView struct {
	livespec.Citation
	DocURL      string
	ExcerptHTML template.HTML // the excerpt's Markdown rendered, its relative links as text
}

// Ask serves "/": the question box. With ?q= (the form submitted without
// JavaScript) it answers through ask and shows the answer; with
// JavaScript, static/app.js streams the answer from POST /v1/ask instead.
func Ask(ask AskFunc, now func() time.Time, errs Errors) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := askView{Question: strings.TrimSpace(r.URL.Query().Get("q"))}
		if v.Question != "" {
			ans, err := ask(r, livespec.AskRequest{Question: v.Question, Now: now()})
			if err != nil {
				fail(w, errs, err)
				return
			}
			v.Answer = newAnswerView(ans)
		}
		render(w, http.StatusOK, "ask", page{Title: "Ask", Nav: "ask", Body: v})
	})
}

// Answer serves POST /ui/answer: it renders an answer object (the "answer"
// event of the stream) as the HTML the page shows, so the page's script
// renders no Markdown itself.
func Answer(errs Errors) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ans livespec.Answer
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAnswerBytes))
		if err == nil {
			err = json.Unmarshal(body, &ans)
		}
		if err != nil {
			status, _ := errs(livespec.Errorf(livespec.EINVALID, "body: not an answer object"))
			http.Error(w, "body: not an answer object", status)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := templates.ExecuteTemplate(w, "answer", newAnswerView(&ans)); err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	})
}

func newAnswerView(ans *livespec.Answer) *answerView {
	v := &answerView{
		HTML:   linkCitations(markdown(ans.Answer, nil), len(ans.Citations)),
		Intent: ans.Intent, Changes: ans.Changes, Model: ans.Model, Window: ans.Window,
	}
	for _, c := range ans.Citations {
		u := docURL(c.Repo, c.Path, c.ValidFrom.Time)
		if a := anchor(c.Heading); a != "top" {
			u += "#" + a
		}
		cv := citationView{Citation: c, DocURL: u}
		if c.Excerpt != "" {
			cv.ExcerptHTML = markdown(c.Excerpt, nil)
		}
		v.Citations = append(v.Citations, cv)
	}
	return v
}
