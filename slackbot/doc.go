// Package slackbot is livespec's Slack surface: people ask questions by
// mentioning the bot in a channel, in a direct message, with the /spec
// slash command, or by following up in a thread the bot answered in, and get
// Block Kit answers whose sources are pinned to commits.
//
// A Bot is built with New from a Config. Over the Events API it serves
// three signed endpoints (Mount them on the HTTP server at /slack/events,
// /slack/commands and /slack/interactive); behind a firewall, RunSocketMode
// receives the same events, commands and button clicks over a WebSocket.
// Both paths share one set of handlers:
//
//   - Every HTTP request is verified with the signing secret (Slack's v0
//     HMAC-SHA256 over "v0:timestamp:body", timestamps more than five minutes
//     off refused, constant-time comparison) before its body is parsed;
//     failures answer 401 and do nothing else.
//   - Events are acknowledged at once and answered asynchronously. Each event
//     is handled once: retries (X-Slack-Retry-Num, same event_id) and
//     duplicates with a new event_id for the same message (channel, ts) are
//     dropped. The de-duplication memory is per process; several replicas
//     behind one URL each remember only what they saw.
//   - Messages from bots (including this one), edits and other subtypes are
//     ignored. In channels the bot answers mentions, in a thread under the
//     question; a reply in a thread the bot has answered in is a follow-up
//     and needs no mention, unless it mentions someone else or is mere
//     small talk ("thanks", "ok", an emoji). In direct messages every
//     message is a question.
//   - Conversation context is read from Slack, not kept in memory: the
//     thread's earlier messages (conversations.replies) or, in a DM, the
//     messages of the last 30 minutes (conversations.history) become
//     AskRequest.History, oldest first. Each answer carries message metadata
//     (event type "livespec_answer") with the question it answered, its
//     intent and when its first source took effect, so any replica can
//     continue any thread.
//   - Two kinds of follow-up name no topic and get their meaning from the
//     previous turn, so the bot rewrites them before asking (and shows
//     "Read as: …" above the answer): "and before that?" becomes "as of
//     <the day before the previous answer's first source took effect>,
//     <previous question>", and "who changed it?" becomes "history of
//     <previous question>". Other follow-ups go to the Asker as typed; it
//     takes the topic from History when they refer back ("when did that
//     change?").
//   - Per-user and per-workspace rate limits answer with a friendly note
//     saying when to retry; answer generation waits in the limit.Limiter
//     shared with the HTTP API, and a full queue is reported as busy.
//   - When the generator streams, the bot posts a placeholder and edits it
//     about once a second with the text so far (chat.update), then replaces
//     it with the final answer.
//   - Answers are rendered by Render: the answer text as Slack mrkdwn
//     (converted from Markdown by Mrkdwn, with &, < and > escaped), a compact
//     grouped list with counts for change reports, the sources linked to
//     their commit-pinned URLs with "valid since" or "superseded on" dates,
//     and 👍/👎 buttons. Every text object stays within 3,000 characters and
//     every message within 50 blocks; an over-long answer is truncated with a
//     pointer to the HTTP API.
//   - A button click stores a livespec.Feedback with the question, the
//     answer and its citations; ExportFeedback prints the stored ratings as
//     JSON Lines.
package slackbot
