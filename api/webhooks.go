package api

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/cache"
)

// Webhooks holds the shared secrets of the push webhooks. An empty secret
// switches that webhook off (501).
type Webhooks struct {
	// GitHubSecret verifies X-Hub-Signature-256 (HMAC SHA-256 of the body).
	GitHubSecret string
	// GitLabToken is compared with X-Gitlab-Token.
	GitLabToken string
}

// HookResult is the body of a webhook's success response.
type HookResult struct {
	Status string `json:"status"` // accepted, ignored, pong
	Reason string `json:"reason,omitempty"`
	Jobs   []Job  `json:"jobs,omitempty"`
}

const (
	deliveryTTL   = 24 * time.Hour
	maxDeliveries = 10000
)

// pushInfo is what a push payload says about its repository.
type pushInfo struct {
	ref   string
	names []string // full names: owner/repo, group/sub/project
	urls  []string
}

// hooks serves the push webhooks: each verifies its delivery, and a push
// starts an ingest of the configured repositories it names, once per
// delivery id.
type hooks struct {
	secrets  Webhooks
	ingester Ingester
	repos    []RepoSource
	store    livespec.Store // the checkpoints name the tracked branches
	jobs     *jobs
	seen     *deliveries
}

// githubHook serves POST /v1/webhooks/github.
func githubHook(h *hooks) gin.HandlerFunc {
	return handler(func(c *gin.Context) error {
		if h.secrets.GitHubSecret == "" {
			return livespec.Errorf(ENOTCONFIGURED, "GitHub webhooks are not configured on this server")
		}
		body, err := io.ReadAll(c.Request.Body)
		if err != nil {
			return err
		}
		if !validGitHubSignature(h.secrets.GitHubSecret, body, c.GetHeader("X-Hub-Signature-256")) {
			return livespec.Errorf(livespec.EUNAUTHORIZED, "missing or invalid X-Hub-Signature-256")
		}
		delivery := c.GetHeader("X-GitHub-Delivery")
		if delivery == "" || len(delivery) > 100 {
			return invalid("X-GitHub-Delivery", "missing or malformed header")
		}
		event := c.GetHeader("X-GitHub-Event")
		if event != "push" {
			res := HookResult{Status: "ignored", Reason: "event " + clip(event, 40) + " is not a push"}
			if event == "ping" {
				res = HookResult{Status: "pong"}
			}
			return h.answerOnce(c, "github:"+delivery, res)
		}
		p, err := githubPush(c, body)
		if err != nil {
			return err
		}
		return h.push(c, "github", "github:"+delivery, p)
	})
}

// githubPush reads a GitHub push payload, JSON or form-encoded.
func githubPush(c *gin.Context, body []byte) (pushInfo, error) {
	if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(body))
		if err != nil || form.Get("payload") == "" {
			return pushInfo{}, invalid("body", "form-encoded webhook without a payload field")
		}
		body = []byte(form.Get("payload"))
	}
	var p struct {
		Ref        string `json:"ref"`
		Repository struct {
			FullName string `json:"full_name"`
			CloneURL string `json:"clone_url"`
			SSHURL   string `json:"ssh_url"`
			GitURL   string `json:"git_url"`
			HTMLURL  string `json:"html_url"`
			URL      string `json:"url"`
		} `json:"repository"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return pushInfo{}, jsonError(err)
	}
	r := p.Repository
	return pushInfo{ref: p.Ref, names: []string{r.FullName},
		urls: []string{r.CloneURL, r.SSHURL, r.GitURL, r.HTMLURL, r.URL}}, nil
}

// gitlabHook serves POST /v1/webhooks/gitlab.
func gitlabHook(h *hooks) gin.HandlerFunc {
	return handler(func(c *gin.Context) error {
		want := h.secrets.GitLabToken
		if want == "" {
			return livespec.Errorf(ENOTCONFIGURED, "GitLab webhooks are not configured on this server")
		}
		got, wantSum := hashToken(c.GetHeader("X-Gitlab-Token")), hashToken(want)
		if c.GetHeader("X-Gitlab-Token") == "" || subtle.ConstantTimeCompare(got[:], wantSum[:]) != 1 {
			return livespec.Errorf(livespec.EUNAUTHORIZED, "missing or invalid X-Gitlab-Token")
		}
		var p struct {
			ObjectKind string `json:"object_kind"`
			Ref        string `json:"ref"`
			Project    struct {
				PathWithNamespace string `json:"path_with_namespace"`
				GitHTTPURL        string `json:"git_http_url"`
				GitSSHURL         string `json:"git_ssh_url"`
				WebURL            string `json:"web_url"`
			} `json:"project"`
			Repository struct {
				URL        string `json:"url"`
				Homepage   string `json:"homepage"`
				GitHTTPURL string `json:"git_http_url"`
				GitSSHURL  string `json:"git_ssh_url"`
			} `json:"repository"`
		}
		if err := decodeLoose(c, &p); err != nil {
			return err
		}
		id := cmp.Or(c.GetHeader("X-Gitlab-Event-UUID"), c.GetHeader("Idempotency-Key"))
		if id != "" {
			id = "gitlab:" + id
		}
		if p.ObjectKind != "push" {
			return h.answerOnce(c, id, HookResult{Status: "ignored", Reason: "event " + clip(p.ObjectKind, 40) + " is not a push"})
		}
		pr, rp := p.Project, p.Repository
		return h.push(c, "gitlab", id, pushInfo{ref: p.Ref, names: []string{pr.PathWithNamespace},
			urls: []string{pr.GitHTTPURL, pr.GitSSHURL, pr.WebURL, rp.URL, rp.Homepage, rp.GitHTTPURL, rp.GitSSHURL}})
	})
}

// decodeLoose decodes a JSON body that may carry fields we do not read.
func decodeLoose(c *gin.Context, v any) error {
	if ct := c.GetHeader("Content-Type"); !isJSON(ct) {
		return livespec.Errorf(ECONTENTTYPE, "Content-Type must be application/json, not %q", clip(ct, 80))
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return jsonError(err)
	}
	return nil
}

// answerOnce answers a verified delivery that starts nothing (a ping, an
// event other than a push) with res, and a replay of it with the same 409
// a replayed push gets.
func (h *hooks) answerOnce(c *gin.Context, delivery string, res HookResult) error {
	if delivery != "" && !h.seen.claim(delivery) {
		return errReplayed(delivery)
	}
	writeJSON(c, http.StatusOK, res)
	return nil
}

func errReplayed(delivery string) error {
	return livespec.Errorf(livespec.ECONFLICT, "delivery %s was already processed", clip(delivery, 100))
}

// push starts an ingest of every configured repository the verified push
// names. A delivery id seen before is refused (replay); it is remembered
// only once the push was accepted, so a failed delivery can be retried.
func (h *hooks) push(c *gin.Context, trigger, delivery string, p pushInfo) error {
	if h.ingester == nil {
		return livespec.Errorf(ENOTCONFIGURED, "ingest is not configured on this server")
	}
	if delivery != "" && !h.seen.claim(delivery) {
		return errReplayed(delivery)
	}
	ok := false
	defer func() {
		if !ok && delivery != "" {
			h.seen.forget(delivery)
		}
	}()
	sources := matchSources(h.repos, p)
	if len(sources) == 0 {
		return livespec.Errorf(livespec.ENOTFOUND, "no configured repository matches the push from %s", clip(cmp.Or(append(p.names, p.urls...)...), 200))
	}
	res := HookResult{Status: "accepted"}
	for _, r := range sources {
		if !h.tracked(c.Request.Context(), r, p.ref) {
			continue
		}
		job, err := h.jobs.start(r.Name, trigger)
		if err != nil {
			return err
		}
		res.Jobs = append(res.Jobs, job)
	}
	ok = true
	if len(res.Jobs) == 0 {
		writeJSON(c, http.StatusOK, HookResult{Status: "ignored", Reason: "push to " + clip(p.ref, 100) + ", not to the tracked branch"})
		return nil
	}
	writeJSON(c, http.StatusAccepted, res)
	return nil
}

// matchSources returns the repositories of repos a push is about.
func matchSources(repos []RepoSource, p pushInfo) []RepoSource {
	urls := map[string]bool{}
	for _, u := range p.urls {
		if n := normalizeRemote(u); n != "" {
			urls[n] = true
		}
	}
	var out []RepoSource
	for _, r := range repos {
		match := false
		for _, n := range p.names {
			match = match || (n != "" && strings.EqualFold(n, r.Name))
		}
		for _, u := range r.URLs {
			match = match || urls[normalizeRemote(u)]
		}
		if match {
			out = append(out, r)
		}
	}
	return out
}

// normalizeRemote reduces a git remote address to host/path, lower-cased,
// without scheme, user, port or ".git": https://github.com/O/R.git,
// git@github.com:O/R and ssh://git@github.com:22/O/R all give github.com/o/r.
func normalizeRemote(u string) string {
	u = strings.TrimSpace(u)
	if u == "" {
		return ""
	}
	var host, path string
	if strings.Contains(u, "://") {
		pu, err := url.Parse(u)
		if err != nil {
			return ""
		}
		host, path = pu.Hostname(), pu.Path
	} else {
		_, rest, ok := strings.Cut(u, "@")
		if !ok {
			rest = u
		}
		host, path, ok = strings.Cut(rest, ":")
		if !ok {
			host, path, _ = strings.Cut(rest, "/")
		}
	}
	path = strings.TrimSuffix(strings.Trim(path, "/"), ".git")
	if host == "" || path == "" {
		return ""
	}
	return strings.ToLower(host + "/" + path)
}

// validGitHubSignature checks "sha256=<hex HMAC-SHA256 of body>" in
// constant time.
func validGitHubSignature(secret string, body []byte, header string) bool {
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	sig, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(sig, mac.Sum(nil))
}

// deliveries remembers webhook delivery ids for a while, to refuse
// replays, at most a bounded number of them (the oldest go first).
type deliveries struct {
	ids *cache.TTL[string]
}

func newDeliveries(ttl time.Duration, n int) *deliveries {
	return &deliveries{cache.NewTTL[string](n, ttl)}
}

// claim records id and reports whether it was new.
func (d *deliveries) claim(id string) bool { return d.ids.Claim(time.Now(), id) }

// forget drops id, so a retry of a failed delivery is accepted.
func (d *deliveries) forget(id string) { d.ids.Remove(id) }

// tracked reports whether a push to ref is to r's tracked branch: the
// configured Branch, else the branch its checkpoint says the index
// follows. A repository never ingested yet takes any push (its first
// ingest reads the branch its HEAD names).
func (h *hooks) tracked(ctx context.Context, r RepoSource, ref string) bool {
	branch := r.Branch
	if branch == "" {
		cp, err := h.store.Checkpoint(ctx, r.Name)
		if err != nil {
			return true
		}
		branch = cp.Branch
	}
	return branch == "" || ref == "refs/heads/"+branch
}
