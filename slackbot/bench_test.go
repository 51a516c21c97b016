package slackbot_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/slackbot"
	"github.com/livespec/livespec/slackbot/slackbottest"
)

// BenchmarkEventAck measures how long the Events API endpoint takes to
// verify, parse and acknowledge a mention (the answer itself runs after
// the acknowledgement; Slack allows 3 seconds for the acknowledgement).
func BenchmarkEventAck(b *testing.B) {
	e := slackbottest.NewEnv(b, func(c *slackbot.Config) {
		c.RatePerUser, c.RatePerTeam = -1, -1
	})
	e.Asker.Answer = func(context.Context, livespec.AskRequest, func(string) error) (*livespec.Answer, error) {
		return slackbottest.AnswerFor(slackbottest.Question), nil
	}
	h := e.Bot.EventsHandler()
	bodies := make([][]byte, b.N)
	for i := range bodies {
		ts := "1700000000." + strings.Repeat("0", 6-len(itoa(i%1000000))) + itoa(i%1000000)
		bodies[i] = slackbottest.EventBody("EvB"+itoa(i), slackbottest.Mention(ts, "", "<@UBOT> does checkout support coupons?"))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := slackbottest.Signed(b, "/slack/events", "application/json", bodies[i], time.Now(), slackbottest.Secret)
		if w := slackbottest.Serve(h, r); w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
	b.StopTimer()
	e.Bot.Wait()
}

// BenchmarkRender measures laying out a 3,000-character answer with
// sources.
func BenchmarkRender(b *testing.B) {
	a := slackbottest.AnswerFor(slackbottest.Question)
	a.Answer = strings.Repeat("The checkout applies **coupons** before taxes & shipping; see [the spec](https://e.com/x) [1]. ", 32)
	b.ReportAllocs()
	for b.Loop() {
		slackbot.Render(a, slackbot.RenderOptions{AnswerID: "id"})
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var d []byte
	for ; i > 0; i /= 10 {
		d = append([]byte{byte('0' + i%10)}, d...)
	}
	return string(d)
}
