// Package push tells people when the spec changes: it renders digests
// (Markdown, HTML, Slack), and delivers scheduled digests, watch
// notifications and stale-answer notices to Slack and signed outgoing
// webhooks, exactly once each, through a persistent outbox.
package push
