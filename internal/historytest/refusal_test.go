package historytest

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// TestRefusesUnfinishedToolHistory: a golang-migrate table whose version is dirty, a Flyway or
// sqlx row with success = false, or a Prisma row neither finished nor rolled back says a run
// stopped in the middle of a file. steady must not guess what of it ran: it exits non-zero
// naming the version and writes nothing.
func TestRefusesUnfinishedToolHistory(t *testing.T) {
	t.Parallel()
	for _, h := range ownHistories(t) {
		k := len(h.files)/2 + 1 // the file the tool's run stopped in; 1..k-1 are applied
		tail, ok := unfinishedHistorySQL(h, k)
		if !ok {
			continue // goose, dbmate, the Supabase CLI and diesel record no unfinished migration
		}
		f, u := h.files[k-1], unfinished[h.format]
		t.Run(h.name, func(t *testing.T) {
			t.Parallel()
			db := setup(t, h, upFiles(t, h), k-1, tail)
			ctx := context.Background()
			schema, rows, canaries := schemaDump(t, db.DirectURL), tableRows(t, ctx, db.DirectURL, u.table), canaryTotal(t, ctx, db.DirectURL)

			r := migrate(t, h, db.PoolerURL, shadowJudge)
			require.NotZerof(t, r.code, "steady migrate --strict with %s's %s unfinished:\n%s", h.format, f.file, r.output())
			require.Truef(t, namesVersion(r, f.version, u.says), "no line names version %s and matches %s:\n%s", f.version, u.says, r.output())

			if after := schemaDump(t, db.DirectURL); after != schema {
				t.Errorf("steady wrote to the schema:\n%s", diffDumps(t, "before", schema, "after", after))
			}
			require.Equal(t, rows, tableRows(t, ctx, db.DirectURL, u.table), "steady changed %s", u.table)
			require.Equal(t, canaries, canaryTotal(t, ctx, db.DirectURL), "steady ran data statements")
		})
	}
}

// logTime is a log line's timestamp, text or JSON.
var logTime = regexp.MustCompile(`\btime=\S+|"time":"[^"]*"`)

// namesVersion: a line of the output names the version (leading zeros allowed, not followed by
// a digit, a dot or a unit such as "ms") and says what is wrong with it.
func namesVersion(r run, version, says string) bool {
	v := regexp.MustCompile(`(^|[^0-9.])0*` + regexp.QuoteMeta(version) + `($|[^0-9.A-Za-z])`)
	what := regexp.MustCompile(says)
	for line := range strings.Lines(r.stdout + "\n" + r.stderr) {
		line = logTime.ReplaceAllString(line, "")
		if v.MatchString(line) && what.MatchString(line) {
			return true
		}
	}
	return false
}

// tableRows renders a table's rows in its key order.
func tableRows(t *testing.T, ctx context.Context, directURL, table string) []string {
	t.Helper()
	conn, err := pgx.Connect(ctx, directURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT * FROM "+pgx.Identifier{table}.Sanitize()+" ORDER BY 1")
	require.NoError(t, err)
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		require.NoError(t, err)
		out = append(out, fmt.Sprint(vals...))
	}
	require.NoError(t, rows.Err())
	return out
}

// canaryTotal is the number of data statements that have run (none when the canary table is
// not there yet).
func canaryTotal(t *testing.T, ctx context.Context, directURL string) int {
	t.Helper()
	counts, err := canaryCounts(ctx, directURL)
	if err != nil && strings.Contains(err.Error(), "42P01") {
		return 0
	}
	require.NoError(t, err)
	total := 0
	for _, n := range counts {
		total += n
	}
	return total
}
