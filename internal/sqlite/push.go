package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/livespec/livespec"
)

var _ livespec.PushStore = (*PushStore)(nil)

// PushFile is the name of the push state file beside an index file.
const PushFile = "push.db"

// PushStore is a livespec.PushStore in its own small SQLite file: push
// state (subscriptions, watches, remembered answers, the outbox) outlives
// a rebuilt index, and a Qdrant deployment keeps it in a state directory.
// Several processes may share the file: enqueuing is idempotent by key and
// claims are leases taken in immediate transactions.
type PushStore struct {
	db *sql.DB
}

const pushSchema = `
CREATE TABLE IF NOT EXISTS push_subscriptions (id INTEGER PRIMARY KEY, dest TEXT NOT NULL, secret TEXT NOT NULL,
	schedule TEXT NOT NULL, repos TEXT NOT NULL, paths TEXT NOT NULL, send_empty INTEGER NOT NULL,
	created INTEGER NOT NULL, last INTEGER NOT NULL, next INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS push_watches (id INTEGER PRIMARY KEY, dest TEXT NOT NULL, secret TEXT NOT NULL,
	target TEXT NOT NULL, repos TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS push_answers (id TEXT PRIMARY KEY, dest TEXT NOT NULL, question TEXT NOT NULL, time INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS push_answer_versions (version TEXT NOT NULL, answer TEXT NOT NULL REFERENCES push_answers(id) ON DELETE CASCADE,
	PRIMARY KEY (version, answer)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS push_answer_versions_answer ON push_answer_versions(answer);
CREATE INDEX IF NOT EXISTS push_answers_time ON push_answers(time);
CREATE TABLE IF NOT EXISTS push_cursors (repo TEXT PRIMARY KEY, seq INTEGER NOT NULL, time INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS push_outbox (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, dest TEXT NOT NULL, secret TEXT NOT NULL,
	payload TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL, next_try INTEGER NOT NULL, last_error TEXT NOT NULL,
	created INTEGER NOT NULL, owner TEXT NOT NULL DEFAULT '', lease_until INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS push_outbox_due ON push_outbox(state, next_try);
`

// OpenPush opens (creating when missing) the push state file at path.
func OpenPush(ctx context.Context, path string) (*PushStore, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open push state: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("sqlite: open push state: %w", livespec.WrapError(livespec.EINVALID, err, "cannot create the push state directory"))
	}
	dsn := "file:" + (&url.URL{Path: filepath.ToSlash(abs)}).EscapedPath() + "?_pragma=busy_timeout(30000)" +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open push state: %w", err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, pushSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open push state: %w", livespec.WrapError(livespec.EINVALID, err, "the push state file cannot be used"))
	}
	return &PushStore{db: db}, nil
}

// Close closes the file.
func (p *PushStore) Close() error { return p.db.Close() }

func pushErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("sqlite: %s: %w", op, err)
	}
	return fmt.Errorf("sqlite: %s: %w", op, livespec.WrapError(livespec.EUNAVAILABLE, err, "the push state cannot be read or written"))
}

func pushNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func pushTime(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// AddSubscription stores s with a new id.
func (p *PushStore) AddSubscription(ctx context.Context, s livespec.Subscription) (livespec.Subscription, error) {
	res, err := p.db.ExecContext(ctx, `INSERT INTO push_subscriptions (dest, secret, schedule, repos, paths, send_empty, created, last, next)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, jsonText(s.Dest), s.Dest.Secret, s.Schedule, jsonText(s.Repos), jsonText(s.Paths),
		s.SendEmpty, pushNanos(s.Created), pushNanos(s.Last), pushNanos(s.Next))
	if err != nil {
		return s, pushErr("add subscription", err)
	}
	s.ID, err = res.LastInsertId()
	return s, pushErr("add subscription", err)
}

// Subscriptions lists every subscription by id.
func (p *PushStore) Subscriptions(ctx context.Context) ([]livespec.Subscription, error) {
	rows, err := p.db.QueryContext(ctx, `SELECT id, dest, secret, schedule, repos, paths, send_empty, created, last, next FROM push_subscriptions ORDER BY id`)
	if err != nil {
		return nil, pushErr("list subscriptions", err)
	}
	defer rows.Close()
	var out []livespec.Subscription
	for rows.Next() {
		var s livespec.Subscription
		var dest, repos, paths string
		var created, last, next int64
		if err := rows.Scan(&s.ID, &dest, &s.Dest.Secret, &s.Schedule, &repos, &paths, &s.SendEmpty, &created, &last, &next); err != nil {
			return nil, pushErr("list subscriptions", err)
		}
		secret := s.Dest.Secret
		_ = json.Unmarshal([]byte(dest), &s.Dest)
		s.Dest.Secret = secret
		_ = json.Unmarshal([]byte(repos), &s.Repos)
		_ = json.Unmarshal([]byte(paths), &s.Paths)
		s.Created, s.Last, s.Next = pushTime(created), pushTime(last), pushTime(next)
		out = append(out, s)
	}
	return out, pushErr("list subscriptions", rows.Err())
}

// DeleteSubscription removes one.
func (p *PushStore) DeleteSubscription(ctx context.Context, id int64) error {
	return p.deleteByID(ctx, "push_subscriptions", "subscription", id)
}

func (p *PushStore) deleteByID(ctx context.Context, table, what string, id int64) error {
	res, err := p.db.ExecContext(ctx, `DELETE FROM `+table+` WHERE id = ?`, id)
	if err != nil {
		return pushErr("delete "+what, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return livespec.Errorf(livespec.ENOTFOUND, "there is no %s %d", what, id)
	}
	return nil
}

// AddWatch stores w with a new id.
func (p *PushStore) AddWatch(ctx context.Context, w livespec.Watch) (livespec.Watch, error) {
	res, err := p.db.ExecContext(ctx, `INSERT INTO push_watches (dest, secret, target, repos, created) VALUES (?, ?, ?, ?, ?)`,
		jsonText(w.Dest), w.Dest.Secret, w.Target, jsonText(w.Repos), pushNanos(w.Created))
	if err != nil {
		return w, pushErr("add watch", err)
	}
	w.ID, err = res.LastInsertId()
	return w, pushErr("add watch", err)
}

// Watches lists every watch by id.
func (p *PushStore) Watches(ctx context.Context) ([]livespec.Watch, error) {
	rows, err := p.db.QueryContext(ctx, `SELECT id, dest, secret, target, repos, created FROM push_watches ORDER BY id`)
	if err != nil {
		return nil, pushErr("list watches", err)
	}
	defer rows.Close()
	var out []livespec.Watch
	for rows.Next() {
		var w livespec.Watch
		var dest, secret, repos string
		var created int64
		if err := rows.Scan(&w.ID, &dest, &secret, &w.Target, &repos, &created); err != nil {
			return nil, pushErr("list watches", err)
		}
		_ = json.Unmarshal([]byte(dest), &w.Dest)
		w.Dest.Secret = secret
		_ = json.Unmarshal([]byte(repos), &w.Repos)
		w.Created = pushTime(created)
		out = append(out, w)
	}
	return out, pushErr("list watches", rows.Err())
}

// DeleteWatch removes one.
func (p *PushStore) DeleteWatch(ctx context.Context, id int64) error {
	return p.deleteByID(ctx, "push_watches", "watch", id)
}

// RememberAnswer stores a (replacing one with the same id).
func (p *PushStore) RememberAnswer(ctx context.Context, a livespec.CitedAnswer) error {
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return pushErr("remember answer", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO push_answers (id, dest, question, time) VALUES (?, ?, ?, ?)`,
		a.ID, jsonText(a.Dest), a.Question, pushNanos(a.Time)); err != nil {
		return pushErr("remember answer", err)
	}
	for _, v := range a.Versions {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO push_answer_versions (version, answer) VALUES (?, ?)`, v, a.ID); err != nil {
			return pushErr("remember answer", err)
		}
	}
	return pushErr("remember answer", tx.Commit())
}

// AnswersCiting returns the answers citing any of ids, each once.
func (p *PushStore) AnswersCiting(ctx context.Context, ids []string) ([]livespec.CitedAnswer, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	seen := map[string]bool{}
	var out []livespec.CitedAnswer
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := p.db.QueryContext(ctx, `SELECT a.id, a.dest, a.question, a.time FROM push_answers a
			WHERE a.id IN (SELECT answer FROM push_answer_versions WHERE version IN (?`+strings.Repeat(",?", len(part)-1)+`)) ORDER BY a.time, a.id`, args...)
		if err != nil {
			return nil, pushErr("read answers", err)
		}
		for rows.Next() {
			var a livespec.CitedAnswer
			var dest string
			var t int64
			if err := rows.Scan(&a.ID, &dest, &a.Question, &t); err != nil {
				rows.Close()
				return nil, pushErr("read answers", err)
			}
			if seen[a.ID] {
				continue
			}
			seen[a.ID] = true
			_ = json.Unmarshal([]byte(dest), &a.Dest)
			a.Time = pushTime(t)
			out = append(out, a)
		}
		rows.Close()
	}
	for i := range out {
		vs, err := p.answerVersions(ctx, out[i].ID)
		if err != nil {
			return nil, err
		}
		out[i].Versions = vs
	}
	return out, nil
}

func (p *PushStore) answerVersions(ctx context.Context, id string) ([]string, error) {
	rows, err := p.db.QueryContext(ctx, `SELECT version FROM push_answer_versions WHERE answer = ? ORDER BY version`, id)
	if err != nil {
		return nil, pushErr("read answers", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, pushErr("read answers", err)
		}
		out = append(out, v)
	}
	return out, pushErr("read answers", rows.Err())
}

// ForgetAnswers drops answers remembered before t.
func (p *PushStore) ForgetAnswers(ctx context.Context, before time.Time) (int, error) {
	res, err := p.db.ExecContext(ctx, `DELETE FROM push_answers WHERE time < ?`, pushNanos(before))
	if err != nil {
		return 0, pushErr("forget answers", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// Cursor returns repo's cursor.
func (p *PushStore) Cursor(ctx context.Context, repo string) (livespec.PushCursor, bool, error) {
	c := livespec.PushCursor{Repo: repo}
	var t int64
	err := p.db.QueryRowContext(ctx, `SELECT seq, time FROM push_cursors WHERE repo = ?`, repo).Scan(&c.Seq, &t)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, pushErr("read cursor", err)
	}
	c.Time = pushTime(t)
	return c, true, nil
}

// EnqueueChanges stores ds (keeping the first of a key) and sets the cursor.
func (p *PushStore) EnqueueChanges(ctx context.Context, c livespec.PushCursor, ds []livespec.Delivery) error {
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return pushErr("enqueue", err)
	}
	defer tx.Rollback()
	for _, d := range ds {
		if err := insertDelivery(ctx, tx, d); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO push_cursors (repo, seq, time) VALUES (?, ?, ?)
		ON CONFLICT (repo) DO UPDATE SET seq = excluded.seq, time = excluded.time`, c.Repo, c.Seq, pushNanos(c.Time)); err != nil {
		return pushErr("enqueue", err)
	}
	return pushErr("enqueue", tx.Commit())
}

func insertDelivery(ctx context.Context, tx *sql.Tx, d livespec.Delivery) error {
	_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO push_outbox (key, dest, secret, payload, state, attempts, next_try, last_error, created)
		VALUES (?, ?, ?, ?, ?, 0, ?, '', ?)`, d.Key, jsonText(d.Dest), d.Dest.Secret, string(d.Payload), livespec.DeliveryPending, pushNanos(d.NextTry), pushNanos(d.Created))
	return pushErr("enqueue", err)
}

// EnqueueDigest stores d and moves the subscription on, when it is still
// due at due.
func (p *PushStore) EnqueueDigest(ctx context.Context, subID int64, due, next time.Time, d *livespec.Delivery) error {
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return pushErr("enqueue digest", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE push_subscriptions SET last = ?, next = ? WHERE id = ? AND next <= ?`,
		pushNanos(due), pushNanos(next), subID, pushNanos(due))
	if err != nil {
		return pushErr("enqueue digest", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // fired elsewhere, or removed
	}
	if d != nil {
		if err := insertDelivery(ctx, tx, *d); err != nil {
			return err
		}
	}
	return pushErr("enqueue digest", tx.Commit())
}

const deliveryCols = `id, key, dest, secret, payload, state, attempts, next_try, last_error, created`

func scanDelivery(sc interface{ Scan(...any) error }) (livespec.Delivery, error) {
	var d livespec.Delivery
	var dest, secret, payload string
	var next, created int64
	if err := sc.Scan(&d.ID, &d.Key, &dest, &secret, &payload, &d.State, &d.Attempts, &next, &d.LastError, &created); err != nil {
		return d, err
	}
	_ = json.Unmarshal([]byte(dest), &d.Dest)
	d.Dest.Secret = secret
	d.Payload = json.RawMessage(payload)
	d.NextTry, d.Created = pushTime(next), pushTime(created)
	return d, nil
}

// Claim leases due pending deliveries to owner.
func (p *PushStore) Claim(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]livespec.Delivery, error) {
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, pushErr("claim", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+deliveryCols+` FROM push_outbox
		WHERE state = ? AND next_try <= ? AND (lease_until <= ? OR owner = ?) ORDER BY next_try, id LIMIT ?`,
		livespec.DeliveryPending, pushNanos(now), pushNanos(now), owner, limit)
	if err != nil {
		return nil, pushErr("claim", err)
	}
	var out []livespec.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			rows.Close()
			return nil, pushErr("claim", err)
		}
		out = append(out, d)
	}
	rows.Close()
	for _, d := range out {
		if _, err := tx.ExecContext(ctx, `UPDATE push_outbox SET owner = ?, lease_until = ? WHERE id = ?`, owner, pushNanos(now.Add(lease)), d.ID); err != nil {
			return nil, pushErr("claim", err)
		}
	}
	return out, pushErr("claim", tx.Commit())
}

// Finish records a delivery's outcome and releases its lease.
func (p *PushStore) Finish(ctx context.Context, d livespec.Delivery) error {
	_, err := p.db.ExecContext(ctx, `UPDATE push_outbox SET state = ?, attempts = ?, next_try = ?, last_error = ?, owner = '', lease_until = 0 WHERE id = ?`,
		d.State, d.Attempts, pushNanos(d.NextTry), d.LastError, d.ID)
	return pushErr("finish delivery", err)
}

// Deliveries lists the outbox, newest first.
func (p *PushStore) Deliveries(ctx context.Context, limit int) ([]livespec.Delivery, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := p.db.QueryContext(ctx, `SELECT `+deliveryCols+` FROM push_outbox ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, pushErr("list deliveries", err)
	}
	defer rows.Close()
	var out []livespec.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, pushErr("list deliveries", err)
		}
		out = append(out, d)
	}
	return out, pushErr("list deliveries", rows.Err())
}
