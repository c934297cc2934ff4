package historytest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbtest"
)

// reference is what psql makes of a whole history: the schema every database must end with,
// and the data statements each of which must have run exactly once.
type reference struct {
	upDir    string // the files' Up sections, for psql
	dump     string // schema-only, without bookkeeping
	canaries map[canaryStep]bool
}

// buildReference applies the whole history with psql through PgBouncer on a fresh database.
// The database lives as long as t (the history's test, so every prefix's subtests).
func buildReference(t *testing.T, h *history) *reference {
	t.Helper()
	ref := &reference{upDir: upFiles(t, h)}
	db := dbtest.New(t)
	psql(t, db.PoolerURL, applyScript(h.files, ref.upDir, ""))
	ref.dump = withoutBookkeeping(schemaDump(t, db.DirectURL))
	counts, err := canaryCounts(context.Background(), db.DirectURL)
	require.NoError(t, err)
	ref.canaries = onceEach(t, counts)
	return ref
}
