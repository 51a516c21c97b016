package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"maps"
	"runtime"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
)

// Stored postings (schema 14). FTS5's bm25() over a term's whole list costs
// about five times a bare MATCH of it, and a cold term's list is most of a
// cold question's search. So the index keeps each term's postings beside
// all_fts: postings (term, chunk, data) holds, for every token all_fts
// indexes, the texts holding it with its frequency in each, and a search
// reads a term's list with one range read and scores it in Go with FTS5's
// own formula (bm25score.go), bit for bit.
//
// A term's list is kept in chunks, each named by its first text id and
// holding ids in increasing order: every Apply appends one chunk per term
// of its new texts (texts only ever get larger ids), and a term with more
// than maxChunks chunks has them merged into one. DeleteRepo drops the
// deleted texts from every chunk. A chunk's data is, per text, the uvarint
// of (id - previous id) << 1 | (tf > 1), then the uvarint of tf when it is
// above 1; the previous id of a chunk's first text is 0.
//
// The tokens are FTS5's own: a text whose FTS form (ftsText) is ASCII is
// split as unicode61 splits ASCII (runs of letters and digits, folded to
// lower case); any other text is tokenised by FTS5 itself, in a temporary
// table with all_fts's tokenizer, and its postings read from fts5vocab. A
// search reads stored postings only for terms that are one such ASCII
// token; others (prefixes, other scripts) are scored by bm25() as before.

// postingsSchema is the schema that made postings.
const postingsSchema = 14

// maxChunks is how many chunks a term's list may have before they are
// merged.
const maxChunks = 8

// maxToken is FTS5's FTS5_MAX_TOKEN_SIZE: longer tokens are truncated.
const maxToken = 32768

// ftsTokenizer is all_fts's tokenizer (schema 6).
const ftsTokenizer = `unicode61 remove_diacritics 0`

// termPosting is a text holding a term, with the term's frequency in it.
type termPosting struct {
	id int64
	tf int32
}

const (
	sqlPostingsRead   = `SELECT data FROM postings WHERE term = ? ORDER BY chunk`
	sqlPostingsInsert = `INSERT INTO postings (term, chunk, data) VALUES `
	sqlPostingsMany   = `SELECT term FROM postings WHERE term IN (SELECT value FROM json_each(?1)) GROUP BY term HAVING count(*) > ?2`
	sqlPostingsDrop   = `DELETE FROM postings WHERE term = ?`
)

var postingsInsert = newMultiRow(sqlPostingsInsert, "", 3)

// storedTerm reports whether term is read from the stored postings: one
// token as unicode61 indexes it (ASCII lower-case letters and digits).
func storedTerm(term string) bool {
	if term == "" || len(term) > maxToken {
		return false
	}
	for i := 0; i < len(term); i++ {
		c := term[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// appendChunk encodes ps (ordered by id) as one chunk's data.
func appendChunk(b []byte, ps []termPosting) []byte {
	prev := int64(0)
	for _, p := range ps {
		d := uint64(p.id-prev) << 1
		if p.tf != 1 {
			d |= 1
		}
		b = binary.AppendUvarint(b, d)
		if p.tf != 1 {
			b = binary.AppendUvarint(b, uint64(p.tf))
		}
		prev = p.id
	}
	return b
}

// decodeChunk appends the postings of one chunk's data to dst.
func decodeChunk(dst []termPosting, b []byte) ([]termPosting, error) {
	prev := int64(0)
	for len(b) > 0 {
		d, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, errors.New("postings: bad chunk")
		}
		b = b[n:]
		tf := uint64(1)
		if d&1 != 0 {
			if tf, n = binary.Uvarint(b); n <= 0 || tf > 1<<31-1 {
				return nil, errors.New("postings: bad chunk")
			}
			b = b[n:]
		}
		prev += int64(d >> 1)
		dst = append(dst, termPosting{id: prev, tf: int32(tf)})
	}
	return dst, nil
}

// chunkPostings returns how many postings one chunk's data holds: one
// varint each, and a second (its frequency) when the first's low bit,
// in its first byte, is set. A varint ends at a byte below 0x80.
func chunkPostings(b []byte) int {
	n := 0
	for i := 0; i < len(b); n++ {
		ends := 1
		if b[i]&1 != 0 {
			ends = 2
		}
		for ; ends > 0 && i < len(b); i++ {
			if b[i] < 0x80 {
				ends--
			}
		}
	}
	return n
}

// readPostings returns term's stored postings, ordered by id, in one
// slice of their number: a common term's chunks hold tens of thousands,
// which appending would copy a dozen times.
func readPostings(ctx context.Context, q queryer, term string) ([]termPosting, error) {
	rows, err := q.QueryContext(ctx, sqlPostingsRead, term)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var chunks [][]byte
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		chunks = append(chunks, data)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	return decodeChunks(chunks)
}

// decodeChunks returns the postings of a term's chunks (in order), in
// one slice of their number.
func decodeChunks(chunks [][]byte) ([]termPosting, error) {
	n := 0
	for _, data := range chunks {
		n += chunkPostings(data)
	}
	var out []termPosting
	if n > 0 {
		out = make([]termPosting, 0, n)
	}
	for _, data := range chunks {
		var err error
		if out, err = decodeChunk(out, data); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// postingLists are the postings of some texts by term.
type postingLists map[string][]termPosting

// addASCII adds the postings of text id, above every id l holds, whose
// FTS form is fts, split as unicode61 splits ASCII; false (and nothing
// added) when fts is not all ASCII or has a token FTS5 truncates.
func (l postingLists) addASCII(id int64, fts string) bool {
	if !asciiTokens(fts) {
		return false
	}
	for start, i := -1, 0; i <= len(fts); i++ {
		if i < len(fts) && asciiWord(fts[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start < 0 {
			continue
		}
		t := asciiLower(fts[start:i])
		start = -1
		if ps := l[t]; len(ps) > 0 && ps[len(ps)-1].id == id {
			ps[len(ps)-1].tf++
		} else {
			l[t] = append(ps, termPosting{id: id, tf: 1})
		}
	}
	return true
}

// asciiTokens reports whether fts is ASCII with no token longer than
// FTS5 keeps.
func asciiTokens(fts string) bool {
	run := 0
	for i := 0; i < len(fts); i++ {
		if fts[i] >= 0x80 {
			return false
		}
		if run = run + 1; !asciiWord(fts[i]) {
			run = 0
		}
		if run > maxToken {
			return false
		}
	}
	return true
}

// asciiWord reports whether c is a token character of unicode61.
func asciiWord(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || 'A' <= c && c <= 'Z'
}

// asciiLower is s with A-Z folded to a-z.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// ftsRow is a text as all_fts stores it.
type ftsRow struct {
	id  int64
	fts string
}

// newFTSRows reads the texts above after and returns their FTS forms
// (ftsText, one worker per CPU), in id order.
func newFTSRows(ctx context.Context, tx *sql.Tx, after int64) ([]ftsRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, text FROM texts WHERE id > ? ORDER BY id`, after)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ftsRow
	for rows.Next() {
		var r ftsRow
		if err := rows.Scan(&r.id, &r.fts); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	var g errgroup.Group
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		g.Go(func() error {
			for i := w; i < len(out); i += workers {
				out[i].fts = ftsText(out[i].fts)
			}
			return nil
		})
	}
	return out, g.Wait()
}

// syncFTS adds the texts above after to all_fts and their postings to
// postings, in a few statements: FTS5 flushes its pending terms at every
// statement, so row by row would write a segment per row.
func syncFTS(ctx context.Context, tx *sql.Tx, after int64) error {
	texts, err := newFTSRows(ctx, tx, after)
	if err != nil || len(texts) == 0 {
		return err
	}
	if err := fillStage(ctx, tx, texts); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, sqlSyncAllFTS); err != nil {
		return err
	}
	lists := postingLists{}
	var other []ftsRow
	for _, t := range texts {
		if !lists.addASCII(t.id, t.fts) {
			other = append(other, t)
		}
	}
	if len(other) > 0 {
		if err := lists.addTokenised(ctx, tx, other); err != nil {
			return err
		}
	}
	return lists.write(ctx, tx)
}

const (
	sqlStageCreate = `CREATE TEMP TABLE IF NOT EXISTS fts_stage (id INTEGER PRIMARY KEY, text TEXT NOT NULL)`
	sqlStageInsert = `INSERT INTO temp.fts_stage (id, text) VALUES `
	sqlStageClear  = `DELETE FROM temp.fts_stage`
	sqlSyncAllFTS  = `INSERT INTO all_fts (rowid, text) SELECT id, text FROM temp.fts_stage`
)

var stageInsert = newMultiRow(sqlStageInsert, "", 2)

// fillStage puts texts in temp.fts_stage, emptied first.
func fillStage(ctx context.Context, tx *sql.Tx, texts []ftsRow) error {
	for _, q := range []string{sqlStageCreate, sqlStageClear} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return insertRows(ctx, tx, stageInsert, len(texts), func(i int) []any {
		return []any{texts[i].id, texts[i].fts}
	})
}

// insertRows writes n rows through q, rowsPerStmt at a time and the rest
// one by one: row returns row i's values (each row the same number).
func insertRows(ctx context.Context, tx *sql.Tx, q multiRow, n int, row func(i int) []any) error {
	many, err := tx.PrepareContext(ctx, q.many)
	if err != nil {
		return err
	}
	defer many.Close()
	var args []any
	cols := 0
	for i := range n {
		vals := row(i)
		if args == nil {
			cols = len(vals)
			args = make([]any, 0, rowsPerStmt*cols)
		}
		args = append(args, vals...)
		if len(args) == cap(args) {
			if _, err := many.ExecContext(ctx, args...); err != nil {
				return err
			}
			args = args[:0]
		}
	}
	for r := range slices.Chunk(args, max(cols, 1)) {
		if _, err := tx.ExecContext(ctx, q.one, r...); err != nil {
			return err
		}
	}
	return nil
}

const (
	sqlTokCreate = `CREATE VIRTUAL TABLE IF NOT EXISTS temp.postings_tok USING fts5(text, content='', tokenize='` + ftsTokenizer + `')`
	sqlTokVocab  = `CREATE VIRTUAL TABLE IF NOT EXISTS temp.postings_tok_v USING fts5vocab(temp, postings_tok, instance)`
	sqlTokClear  = `INSERT INTO temp.postings_tok (postings_tok) VALUES ('delete-all')`
	sqlTokFill   = `INSERT INTO temp.postings_tok (rowid, text) SELECT id, text FROM temp.fts_stage WHERE id IN (SELECT value FROM json_each(?))`
)

// addTokenised adds the postings of texts as FTS5 tokenises them.
func (l postingLists) addTokenised(ctx context.Context, tx *sql.Tx, texts []ftsRow) error {
	ids := make([]int64, len(texts))
	for i, t := range texts {
		ids[i] = t.id
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	for _, q := range []string{sqlTokCreate, sqlTokVocab, sqlTokClear} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, sqlTokFill, string(b)); err != nil {
		return err
	}
	if err := l.addVocab(ctx, tx, `SELECT term, doc FROM temp.postings_tok_v`); err != nil {
		return err
	}
	for t, ps := range l {
		if !slices.IsSortedFunc(ps, func(a, b termPosting) int { return cmpInt64(a.id, b.id) }) {
			slices.SortFunc(ps, func(a, b termPosting) int { return cmpInt64(a.id, b.id) })
			l[t] = ps
		}
	}
	return nil
}

// addVocab adds the postings of an fts5vocab instance table's rows (term,
// doc), read by query: one row per token, ordered by term and doc.
func (l postingLists) addVocab(ctx context.Context, q queryer, query string) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	var term []byte
	var key string
	var id int64
	for rows.Next() {
		if err := rows.Scan(&term, &id); err != nil {
			return err
		}
		if string(term) != key {
			key = string(term)
		}
		ps := l[key]
		if n := len(ps); n > 0 && ps[n-1].id == id {
			ps[n-1].tf++
			continue
		}
		l[key] = append(ps, termPosting{id: id, tf: 1})
	}
	return closeRows(rows)
}

// write appends each list as a chunk of its term and merges the terms
// that then have too many chunks.
func (l postingLists) write(ctx context.Context, tx *sql.Tx) error {
	terms := slices.Sorted(maps.Keys(l))
	var buf []byte
	err := insertRows(ctx, tx, postingsInsert, len(terms), func(i int) []any {
		ps := l[terms[i]]
		start := len(buf)
		buf = appendChunk(buf, ps)
		return []any{terms[i], ps[0].id, buf[start:len(buf):len(buf)]}
	})
	if err != nil {
		return err
	}
	return mergeChunks(ctx, tx, terms)
}

// mergeChunks merges the chunks of those of terms that have more than
// maxChunks.
func mergeChunks(ctx context.Context, tx *sql.Tx, terms []string) error {
	b, err := json.Marshal(terms)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, sqlPostingsMany, string(b), maxChunks)
	if err != nil {
		return err
	}
	var many []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		many = append(many, t)
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	for _, t := range many {
		ps, err := readPostings(ctx, tx, t)
		if err != nil {
			return err
		}
		if err := rewriteTerm(ctx, tx, t, ps); err != nil {
			return err
		}
	}
	return nil
}

// rewriteTerm replaces term's chunks with one holding ps (none when ps is
// empty).
func rewriteTerm(ctx context.Context, tx *sql.Tx, term string, ps []termPosting) error {
	if _, err := tx.ExecContext(ctx, sqlPostingsDrop, term); err != nil {
		return err
	}
	if len(ps) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, postingsInsert.one, term, ps[0].id, appendChunk(nil, ps))
	return err
}

// dropPostings removes the texts ids from every stored list.
func dropPostings(ctx context.Context, tx *sql.Tx, ids map[int64]bool) error {
	if len(ids) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT term, data FROM postings ORDER BY term, chunk`)
	if err != nil {
		return err
	}
	defer rows.Close()
	changed := postingLists{}
	var term, last string
	var data []byte
	var ps []termPosting
	dropped := false
	for rows.Next() {
		if err := rows.Scan(&term, &data); err != nil {
			return err
		}
		if term != last {
			if dropped {
				changed[last] = slices.Clone(ps)
			}
			last, ps, dropped = term, ps[:0], false
		}
		if ps, err = decodeChunk(ps, data); err != nil {
			return err
		}
		n := len(ps)
		ps = slices.DeleteFunc(ps, func(p termPosting) bool { return ids[p.id] })
		dropped = dropped || len(ps) < n
	}
	if dropped {
		changed[last] = slices.Clone(ps)
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	for t, ps := range changed {
		if err := rewriteTerm(ctx, tx, t, ps); err != nil {
			return err
		}
	}
	return nil
}

// dropUnusedPostings removes from the stored lists the texts that no
// version carries (DeleteRepo deletes them next).
func dropUnusedPostings(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM texts t WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.text_id = t.id)`)
	if err != nil {
		return err
	}
	defer rows.Close()
	ids := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		ids[id] = true
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	return dropPostings(ctx, tx, ids)
}

// buildPostings fills postings from all_fts itself (fts5vocab), for an
// index made before schema 14.
func buildPostings(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `CREATE VIRTUAL TABLE IF NOT EXISTS temp.all_fts_v USING fts5vocab(main, all_fts, instance)`); err != nil {
		return err
	}
	lists := postingLists{}
	if err := lists.addVocab(ctx, tx, `SELECT term, doc FROM temp.all_fts_v`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE temp.all_fts_v`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM postings`); err != nil {
		return err
	}
	return lists.write(ctx, tx)
}
