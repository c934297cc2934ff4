package historytest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// reference is what the tool makes of a whole history: the schema every database must end
// with, and the data statements each of which must have run exactly once.
type reference struct {
	upDir    string              // the files' Up sections, for psql
	dump     string              // schema-only, without bookkeeping
	canaries map[canaryStep]bool // nil when the history has no canary table
}

// buildReference applies the whole history as its tool does, through PgBouncer, on a fresh
// database. The database lives as long as t (the history's test, so every prefix's subtests).
func buildReference(t *testing.T, h *history) *reference {
	t.Helper()
	ref := &reference{upDir: upFiles(t, h)}
	db := setup(t, h, ref.upDir, len(h.files), "")
	ref.dump = h.withoutBookkeeping(schemaDump(t, db.DirectURL))
	if hasCanary(t, db.DirectURL) {
		counts, err := canaryCounts(context.Background(), db.DirectURL)
		require.NoError(t, err)
		ref.canaries = onceEach(t, counts)
	}
	return ref
}

// hasCanary: the history keeps the canary table (the own histories all do; a published one
// does not).
func hasCanary(t *testing.T, directURL string) bool {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, directURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var ok bool
	require.NoError(t, conn.QueryRow(ctx, "SELECT to_regclass('canary') IS NOT NULL").Scan(&ok))
	return ok
}
