package sqlite

// applicationID marks a livespec index in the SQLite header ("LVSP").
const applicationID = 0x4C565350

// migrations[i] brings the schema from user_version i to i+1. Append only:
// never edit a migration that has been released.
var migrations = []string{
	// 1: initial schema.
	`
-- vectors_epoch changes whenever vectors are deleted, so that in-memory
-- vector caches (of this and other processes) reload.
CREATE TABLE index_info (
	id            INTEGER PRIMARY KEY CHECK (id = 1),
	embedder      TEXT    NOT NULL DEFAULT '',
	dimensions    INTEGER NOT NULL DEFAULT 0,
	vectors_epoch INTEGER NOT NULL DEFAULT 0
);
INSERT INTO index_info (id) VALUES (1);

-- Distinct section texts, stored once.
CREATE TABLE texts (
	id   INTEGER PRIMARY KEY,
	hash TEXT    NOT NULL UNIQUE,
	text TEXT    NOT NULL
);

-- text_refs.open_refs counts the open versions that carry a text (triggers
-- on versions keep it); in_cur says whether the text is in cur_fts. Apply
-- and DeleteRepo bring cur_fts in line with open_refs in a few set
-- statements at their end (syncFTS): FTS5 flushes its pending terms at
-- every statement savepoint, so row-by-row FTS writes from triggers would
-- write one tiny segment per row. The counts live apart from the texts so
-- that counting does not rewrite a text's row.
CREATE TABLE text_refs (
	id        INTEGER PRIMARY KEY REFERENCES texts (id) ON DELETE CASCADE,
	open_refs INTEGER NOT NULL DEFAULT 0,
	in_cur    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX text_refs_dirty ON text_refs (id) WHERE (open_refs > 0) <> in_cur;

-- all_fts holds every text (all-history BM25 statistics), cur_fts the texts
-- of open versions (current-only statistics); rowid = texts.id.
CREATE VIRTUAL TABLE all_fts USING fts5(text, content='', contentless_delete=1, tokenize='porter unicode61');
CREATE VIRTUAL TABLE cur_fts USING fts5(text, content='', contentless_delete=1, tokenize='porter unicode61');
-- Merge segments less eagerly than the default (4): ingest writes big
-- batches, and every merge rewrites the index it merges.
INSERT INTO all_fts (all_fts, rank) VALUES ('automerge', 8);
INSERT INTO cur_fts (cur_fts, rank) VALUES ('automerge', 8);

-- Section versions. Times are unix nanoseconds UTC; valid_to is NULL and
-- end_commit '' while the version is open.
CREATE TABLE versions (
	rid        INTEGER PRIMARY KEY,
	id         TEXT    NOT NULL UNIQUE,
	repo       TEXT    NOT NULL,
	path       TEXT    NOT NULL,
	heading    TEXT    NOT NULL,
	part       INTEGER NOT NULL,
	level      INTEGER NOT NULL,
	text_id    INTEGER NOT NULL REFERENCES texts (id),
	links      TEXT,
	commit_    TEXT    NOT NULL,
	seq        INTEGER NOT NULL,
	valid_from INTEGER NOT NULL,
	author     TEXT    NOT NULL,
	end_commit TEXT    NOT NULL DEFAULT '',
	end_seq    INTEGER NOT NULL DEFAULT 0,
	valid_to   INTEGER
);
CREATE INDEX versions_text ON versions (text_id);
CREATE INDEX versions_order ON versions (repo, path, valid_from, seq);
CREATE INDEX versions_open ON versions (repo) WHERE end_commit = '';

CREATE TRIGGER versions_ai AFTER INSERT ON versions WHEN new.end_commit = '' BEGIN
	UPDATE text_refs SET open_refs = open_refs + 1 WHERE id = new.text_id;
END;
CREATE TRIGGER versions_ad AFTER DELETE ON versions WHEN old.end_commit = '' BEGIN
	UPDATE text_refs SET open_refs = open_refs - 1 WHERE id = old.text_id;
END;
CREATE TRIGGER versions_au_old AFTER UPDATE OF text_id, end_commit ON versions
WHEN old.end_commit = '' AND (new.end_commit <> '' OR new.text_id <> old.text_id) BEGIN
	UPDATE text_refs SET open_refs = open_refs - 1 WHERE id = old.text_id;
END;
CREATE TRIGGER versions_au_new AFTER UPDATE OF text_id, end_commit ON versions
WHEN new.end_commit = '' AND (old.end_commit <> '' OR new.text_id <> old.text_id) BEGIN
	UPDATE text_refs SET open_refs = open_refs + 1 WHERE id = new.text_id;
END;

CREATE TABLE files (
	rid        INTEGER PRIMARY KEY,
	id         TEXT    NOT NULL UNIQUE,
	repo       TEXT    NOT NULL,
	path       TEXT    NOT NULL,
	blob       TEXT    NOT NULL,
	size       INTEGER NOT NULL,
	status     TEXT    NOT NULL,
	outline    TEXT,
	meta       TEXT,
	target     TEXT    NOT NULL,
	commit_    TEXT    NOT NULL,
	seq        INTEGER NOT NULL,
	valid_from INTEGER NOT NULL,
	end_commit TEXT    NOT NULL DEFAULT '',
	end_seq    INTEGER NOT NULL DEFAULT 0,
	valid_to   INTEGER
);
CREATE INDEX files_order ON files (repo, path, valid_from);
CREATE INDEX files_open ON files (repo) WHERE end_commit = '';

-- Changes are stored in their total order (the primary key), so a window
-- and a cursor are one range scan.
CREATE TABLE changes (
	date        INTEGER NOT NULL,
	repo        TEXT    NOT NULL,
	seq         INTEGER NOT NULL,
	section     INTEGER NOT NULL,
	path        TEXT    NOT NULL,
	heading     TEXT    NOT NULL,
	part        INTEGER NOT NULL,
	id          TEXT    NOT NULL UNIQUE,
	commit_     TEXT    NOT NULL,
	author_date INTEGER,
	author      TEXT    NOT NULL,
	message     TEXT    NOT NULL,
	old_path    TEXT    NOT NULL,
	old_heading TEXT    NOT NULL,
	kind        TEXT    NOT NULL,
	before      TEXT    NOT NULL,
	after       TEXT    NOT NULL,
	summary     TEXT    NOT NULL,
	PRIMARY KEY (date, repo, seq, section, path, heading, part, id)
) WITHOUT ROWID;

CREATE TABLE checkpoints (
	repo       TEXT    PRIMARY KEY,
	branch     TEXT    NOT NULL,
	commit_    TEXT    NOT NULL,
	seq        INTEGER NOT NULL,
	time       INTEGER,
	config     TEXT    NOT NULL,
	source     TEXT    NOT NULL,
	updated_at INTEGER
) WITHOUT ROWID;

-- Vectors are float32 little-endian blobs. A written vector always gets a
-- new, larger id (INSERT OR REPLACE), so caches load what is new by id.
CREATE TABLE vectors (
	id       INTEGER PRIMARY KEY,
	embedder TEXT NOT NULL,
	hash     TEXT NOT NULL,
	vec      BLOB NOT NULL,
	UNIQUE (embedder, hash)
);

CREATE TABLE feedback (
	id       TEXT    PRIMARY KEY,
	time     INTEGER,
	source   TEXT    NOT NULL,
	user     TEXT    NOT NULL,
	channel  TEXT    NOT NULL,
	thread   TEXT    NOT NULL,
	rating   INTEGER NOT NULL,
	question TEXT    NOT NULL,
	answer   TEXT
) WITHOUT ROWID;
CREATE INDEX feedback_time ON feedback (time, id);
`,
	// 2: the changes of one file by its path or old path, for timelines
	// that follow a file through renames.
	`
CREATE INDEX changes_path ON changes (path);
CREATE INDEX changes_old_path ON changes (old_path) WHERE old_path <> '';
`,
	// 3: current searches rank with all_fts and keep the versions that are
	// open, so the current-text index (cur_fts) and the open-version counts
	// that fed it (text_refs and its triggers) go: writing them was a sixth
	// of an ingest's writes, and a current search no longer lags behind a
	// run under way.
	`
DROP TRIGGER versions_ai;
DROP TRIGGER versions_ad;
DROP TRIGGER versions_au_old;
DROP TRIGGER versions_au_new;
DROP TABLE text_refs;
DROP TABLE cur_fts;
`,
	// 4: changes become a rowid table with their total order in an index
	// that covers every column. In the WITHOUT ROWID table every secondary
	// index (the unique id, the paths) carried the whole eight-column order
	// key, so each change wrote about 700 bytes of index in random order;
	// with a rowid they carry 8 bytes. changes_order grows at its end as
	// commits land, and a window or a cursor page reads it alone.
	`
CREATE TABLE changes_4 (
	rid         INTEGER PRIMARY KEY,
	date        INTEGER NOT NULL,
	repo        TEXT    NOT NULL,
	seq         INTEGER NOT NULL,
	section     INTEGER NOT NULL,
	path        TEXT    NOT NULL,
	heading     TEXT    NOT NULL,
	part        INTEGER NOT NULL,
	id          TEXT    NOT NULL UNIQUE,
	commit_     TEXT    NOT NULL,
	author_date INTEGER,
	author      TEXT    NOT NULL,
	message     TEXT    NOT NULL,
	old_path    TEXT    NOT NULL,
	old_heading TEXT    NOT NULL,
	kind        TEXT    NOT NULL,
	before      TEXT    NOT NULL,
	after       TEXT    NOT NULL,
	summary     TEXT    NOT NULL
);
INSERT INTO changes_4 (date, repo, seq, section, path, heading, part, id, commit_, author_date, author,
	message, old_path, old_heading, kind, before, after, summary)
SELECT date, repo, seq, section, path, heading, part, id, commit_, author_date, author,
	message, old_path, old_heading, kind, before, after, summary
FROM changes ORDER BY date, repo, seq, section, path, heading, part, id;
DROP TABLE changes;
ALTER TABLE changes_4 RENAME TO changes;
CREATE INDEX changes_order ON changes (date, repo, seq, section, path, heading, part, id,
	commit_, author_date, author, message, old_path, old_heading, kind, before, after, summary);
CREATE INDEX changes_path ON changes (path);
CREATE INDEX changes_old_path ON changes (old_path) WHERE old_path <> '';
`,
	// 5: lifecycle facts (front matter, sidecar and header fields of
	// documents) with their validity intervals, and their change events in
	// their total order.
	`
CREATE TABLE facts (
	rid          INTEGER PRIMARY KEY,
	id           TEXT    NOT NULL UNIQUE,
	repo         TEXT    NOT NULL,
	path         TEXT    NOT NULL,
	source       TEXT    NOT NULL,
	origin       TEXT    NOT NULL,
	field        TEXT    NOT NULL,
	name         TEXT    NOT NULL,
	raw          TEXT    NOT NULL,
	value        TEXT    NOT NULL,
	release      TEXT    NOT NULL,
	commit_      TEXT    NOT NULL,
	seq          INTEGER NOT NULL,
	valid_from   INTEGER NOT NULL,
	since_commit TEXT    NOT NULL,
	since        INTEGER NOT NULL,
	previous     TEXT    NOT NULL,
	end_commit   TEXT    NOT NULL DEFAULT '',
	end_seq      INTEGER NOT NULL DEFAULT 0,
	valid_to     INTEGER
);
CREATE INDEX facts_order ON facts (repo, path, field, valid_from);
CREATE INDEX facts_field ON facts (field, value);
CREATE INDEX facts_open ON facts (repo) WHERE end_commit = '';

CREATE TABLE fact_changes (
	rid      INTEGER PRIMARY KEY,
	id       TEXT    NOT NULL UNIQUE,
	repo     TEXT    NOT NULL,
	commit_  TEXT    NOT NULL,
	seq      INTEGER NOT NULL,
	date     INTEGER NOT NULL,
	author   TEXT    NOT NULL,
	message  TEXT    NOT NULL,
	path     TEXT    NOT NULL,
	old_path TEXT    NOT NULL,
	source   TEXT    NOT NULL,
	field    TEXT    NOT NULL,
	kind     TEXT    NOT NULL,
	value    TEXT    NOT NULL,
	previous TEXT    NOT NULL,
	before   TEXT    NOT NULL,
	after    TEXT    NOT NULL
);
CREATE INDEX fact_changes_order ON fact_changes (date, repo, seq, path, field, id);
CREATE INDEX fact_changes_repo ON fact_changes (repo);
`,
	// 6: all_fts holds each text's terms as the shared text analysis
	// (internal/lex) reads them: Snowball stems, stop words dropped,
	// symbols such as "$ref" or "{id}" kept as terms (see ftsToken). Every
	// text is tokenised again, so an older index answers as a new one does.
	`
DROP TABLE all_fts;
CREATE VIRTUAL TABLE all_fts USING fts5(text, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0');
INSERT INTO all_fts (all_fts, rank) VALUES ('automerge', 8);
INSERT INTO all_fts (rowid, text) SELECT id, lex_terms(text) FROM texts;
`,
	// 7: term statistics of current sections, kept as versions open and
	// close (see termcounts.go), so that a question reads the counts of
	// its own terms instead of every current section. Opening an older
	// index counts its open versions once, after this migration
	// (migrateTerms).
	`
ALTER TABLE versions ADD COLUMN counted INTEGER NOT NULL DEFAULT 0;
CREATE TABLE term_counts (
	kind INTEGER NOT NULL,
	term TEXT    NOT NULL,
	n    INTEGER NOT NULL,
	PRIMARY KEY (kind, term)
) WITHOUT ROWID;
CREATE INDEX versions_uncounted ON versions (rid) WHERE counted <> (end_commit = '');
`,
	// 8: explicit links between spec and code (covers comments of spec
	// sections, spec: comments of code) with their validity intervals.
	`
CREATE TABLE links (
	rid        INTEGER PRIMARY KEY,
	id         TEXT    NOT NULL UNIQUE,
	repo       TEXT    NOT NULL,
	kind       TEXT    NOT NULL,
	path       TEXT    NOT NULL,
	heading    TEXT    NOT NULL,
	target     TEXT    NOT NULL,
	anchor     TEXT    NOT NULL,
	commit_    TEXT    NOT NULL,
	seq        INTEGER NOT NULL,
	valid_from INTEGER NOT NULL,
	end_commit TEXT    NOT NULL DEFAULT '',
	end_seq    INTEGER NOT NULL DEFAULT 0,
	valid_to   INTEGER
);
CREATE INDEX links_order ON links (repo, path, heading, kind, target, anchor, valid_from);
`,
	// 9: each file version's title (the top level of its first heading,
	// front matter skipped: FileVersion.FirstHeading), filled from the
	// outlines already stored, and an index of the current files' titles
	// that a brief listing reads without the outlines.
	`
ALTER TABLE files ADD COLUMN title TEXT NOT NULL DEFAULT '';
UPDATE files SET title = coalesce((
	SELECT CASE WHEN instr(h, ' > ') > 0 THEN substr(h, 1, instr(h, ' > ') - 1) ELSE h END
	FROM (SELECT json_extract(value, '$.heading') AS h, key FROM json_each(files.outline))
	WHERE h <> '' AND h <> '(front matter)' ORDER BY key LIMIT 1), '')
WHERE outline IS NOT NULL;
CREATE INDEX files_titles ON files (repo, path, valid_from, seq, id, commit_, end_commit, end_seq, valid_to, title) WHERE end_commit = '';
`,
	// 10: what a report narrowed to a topic filters a window by, so that it
	// reads no event it does not keep (ChangeIndex): the files with
	// section events in a window (changes_files), a section's events under
	// its name and under the name it had (changes_named,
	// changes_old_named), and a file's events by date (changes_path and
	// changes_old_path gain the date, so a long window of a few files is
	// a range of each).
	`
CREATE INDEX changes_files ON changes (section, date, repo, path);
CREATE INDEX changes_named ON changes (repo, path, heading, date) WHERE section = 1;
CREATE INDEX changes_old_named ON changes (repo, coalesce(nullif(old_path, ''), path), coalesce(nullif(old_heading, ''), heading), date)
	WHERE section = 1 AND (old_path <> '' OR old_heading <> '');
DROP INDEX IF EXISTS changes_path;
CREATE INDEX changes_path ON changes (path, date);
DROP INDEX IF EXISTS changes_old_path;
CREATE INDEX changes_old_path ON changes (old_path, date) WHERE old_path <> '';
`,
	// 11: the files with section events on each day (UTC, counted from
	// 1970; day 0 also holds the day before, as SQL's division truncates),
	// with how many, kept by triggers as changes are written, updated and
	// deleted: the files a long window changed are its whole days' rows
	// and the events of its two partial days, not every event of it.
	`
CREATE TABLE change_days (
	day  INTEGER NOT NULL,
	repo TEXT    NOT NULL,
	path TEXT    NOT NULL,
	n    INTEGER NOT NULL,
	PRIMARY KEY (day, repo, path)
) WITHOUT ROWID;
INSERT INTO change_days (day, repo, path, n)
	SELECT date / 86400000000000, repo, path, count(*) FROM changes WHERE section = 1 GROUP BY 1, 2, 3;
CREATE TRIGGER change_days_ai AFTER INSERT ON changes WHEN NEW.section = 1 BEGIN
	INSERT INTO change_days (day, repo, path, n) VALUES (NEW.date / 86400000000000, NEW.repo, NEW.path, 1)
		ON CONFLICT (day, repo, path) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER change_days_ad AFTER DELETE ON changes WHEN OLD.section = 1 BEGIN
	UPDATE change_days SET n = n - 1 WHERE day = OLD.date / 86400000000000 AND repo = OLD.repo AND path = OLD.path;
	DELETE FROM change_days WHERE day = OLD.date / 86400000000000 AND repo = OLD.repo AND path = OLD.path AND n <= 0;
END;
CREATE TRIGGER change_days_au AFTER UPDATE OF date, repo, path, section ON changes BEGIN
	UPDATE change_days SET n = n - 1
		WHERE OLD.section = 1 AND day = OLD.date / 86400000000000 AND repo = OLD.repo AND path = OLD.path;
	DELETE FROM change_days
		WHERE OLD.section = 1 AND day = OLD.date / 86400000000000 AND repo = OLD.repo AND path = OLD.path AND n <= 0;
	INSERT INTO change_days (day, repo, path, n) SELECT NEW.date / 86400000000000, NEW.repo, NEW.path, 1 WHERE NEW.section = 1
		ON CONFLICT (day, repo, path) DO UPDATE SET n = n + 1;
END;
`,
	// 12: each change's editorial kind (Change.Editorial), which ingest
	// classifies commit by commit; changes_order covers it. Opening an
	// older index classifies its stored changes once (backfillEdits).
	`
ALTER TABLE changes ADD COLUMN editorial TEXT NOT NULL DEFAULT '';
DROP INDEX changes_order;
CREATE INDEX changes_order ON changes (date, repo, seq, section, path, heading, part, id,
	commit_, author_date, author, message, old_path, old_heading, kind, before, after, summary, editorial);
`,
	// 13: the versions of each text with their validity, in place of the
	// text ids alone (versions_text): a current or as-of search checks a
	// candidate text's versions in the index and reads from the table
	// only the versions that pass, where it read every version of every
	// candidate (an as-of search reads about 1,700 candidate texts on the
	// KEPs to find its 30 versions).
	`
CREATE INDEX versions_valid ON versions (text_id, valid_from, valid_to, end_commit);
DROP INDEX versions_text;
`,
	// 14: each term's postings (the texts holding it, with its frequency
	// in each) beside all_fts, so that a search reads a term's list with
	// one range read and scores it in Go instead of running FTS5's bm25()
	// over it (postings.go). Opening an older index fills it once from
	// all_fts (buildPostings).
	`
CREATE TABLE postings (
	term  TEXT    NOT NULL,
	chunk INTEGER NOT NULL,
	data  BLOB    NOT NULL,
	PRIMARY KEY (term, chunk)
) WITHOUT ROWID;
`,
}
