package slackbot

import (
	"strconv"
	"strings"

	"github.com/livespec/livespec"
)

// Environment variables ConfigFromEnv reads.
const (
	EnvBotToken      = "SLACK_BOT_TOKEN"
	EnvSigningSecret = "SLACK_SIGNING_SECRET"
	EnvAppToken      = "SLACK_APP_TOKEN"
	EnvAPIURL        = "LIVESPEC_SLACK_API_URL"
	EnvRatePerUser   = "LIVESPEC_SLACK_RATE_PER_USER"
	EnvRatePerTeam   = "LIVESPEC_SLACK_RATE_PER_TEAM"
)

// ConfigFromEnv reads the bot's settings from the environment: the tokens,
// the Slack API URL and the rate limits (questions per minute; 0 or unset:
// the defaults, negative: unlimited). enabled is false when the bot should
// not start: no bot token, or neither a signing secret nor an app token. A
// malformed value is an EINVALID error naming the variable. The caller
// fills in Asker, Feedback, Queue, Logger and PublicURL.
func ConfigFromEnv(getenv func(string) string) (cfg Config, enabled bool, err error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	cfg = Config{
		BotToken:      get(EnvBotToken),
		SigningSecret: get(EnvSigningSecret),
		AppToken:      get(EnvAppToken),
		APIURL:        get(EnvAPIURL),
	}
	for _, r := range []struct {
		name string
		dst  *int
	}{{EnvRatePerUser, &cfg.RatePerUser}, {EnvRatePerTeam, &cfg.RatePerTeam}} {
		v := get(r.name)
		if v == "" {
			continue
		}
		if *r.dst, err = strconv.Atoi(v); err != nil {
			return Config{}, false, livespec.Errorf(livespec.EINVALID, "%s: %q is not a whole number of questions per minute", r.name, v)
		}
	}
	if cfg.BotToken != "" && !strings.HasPrefix(cfg.BotToken, "xoxb-") {
		return Config{}, false, livespec.Errorf(livespec.EINVALID, "%s must be a bot token starting with xoxb-", EnvBotToken)
	}
	if cfg.AppToken != "" && !strings.HasPrefix(cfg.AppToken, "xapp-") {
		return Config{}, false, livespec.Errorf(livespec.EINVALID, "%s must be an app-level token starting with xapp-", EnvAppToken)
	}
	enabled = cfg.BotToken != "" && (cfg.SigningSecret != "" || cfg.AppToken != "")
	if cfg.BotToken == "" && (cfg.SigningSecret != "" || cfg.AppToken != "") {
		return Config{}, false, livespec.Errorf(livespec.EINVALID, "%s is set but %s is not: the Slack bot needs its bot token", setName(cfg), EnvBotToken)
	}
	return cfg, enabled, nil
}

func setName(cfg Config) string {
	if cfg.SigningSecret != "" {
		return EnvSigningSecret
	}
	return EnvAppToken
}
