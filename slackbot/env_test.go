package slackbot_test

import (
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/slackbot"
)

func TestConfigFromEnv(t *testing.T) {
	for _, tt := range []struct {
		name    string
		env     map[string]string
		enabled bool
		code    string
		check   func(slackbot.Config) bool
	}{
		{"nothing set", nil, false, "", nil},
		{"events API", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}, true, "", func(c slackbot.Config) bool {
			return c.BotToken == "xoxb-1" && c.SigningSecret == "s" && c.AppToken == ""
		}},
		{"socket mode", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}, true, "", nil},
		{"API URL and rates", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s",
			"LIVESPEC_SLACK_API_URL": "https://slack-gov.com/api/", "LIVESPEC_SLACK_RATE_PER_USER": "3", "LIVESPEC_SLACK_RATE_PER_TEAM": "-1"}, true, "",
			func(c slackbot.Config) bool {
				return c.APIURL == "https://slack-gov.com/api/" && c.RatePerUser == 3 && c.RatePerTeam == -1
			}},
		{"bot token only", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}, false, "", nil},
		{"secret without bot token", map[string]string{"SLACK_SIGNING_SECRET": "s"}, false, livespec.EINVALID, nil},
		{"bad rate", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "LIVESPEC_SLACK_RATE_PER_USER": "ten"}, false, livespec.EINVALID, nil},
		{"tokens swapped", map[string]string{"SLACK_BOT_TOKEN": "xapp-1", "SLACK_APP_TOKEN": "xoxb-1"}, false, livespec.EINVALID, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg, enabled, err := slackbot.ConfigFromEnv(func(k string) string { return tt.env[k] })
			if code := livespec.ErrorCode(err); code != tt.code {
				t.Fatalf("err = %v, want kind %q", err, tt.code)
			}
			if enabled != tt.enabled {
				t.Fatalf("enabled = %v, want %v", enabled, tt.enabled)
			}
			if tt.check != nil && !tt.check(cfg) {
				t.Fatalf("cfg = %+v", cfg)
			}
		})
	}
}
