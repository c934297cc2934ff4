package catalog_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/dbtest"
)

// TestVersionSeesFactsMovedBetweenRows: a row's hash combines its fields linearly, so a plain
// sum of row hashes could not tell a fact moved from one row to another (NOT NULL from one
// column to the next), and the no-op check would call drift "unchanged".
func TestVersionSeesFactsMovedBetweenRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	conn, err := pgx.Connect(ctx, db.DirectURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	exec := func(sql string) {
		t.Helper()
		_, err := conn.Exec(ctx, sql)
		require.NoError(t, err)
	}
	for _, move := range []struct{ name, before, after string }{
		{"NotNullMovedToAnotherColumn",
			"ALTER TABLE t ALTER COLUMN c SET NOT NULL",
			"ALTER TABLE t ALTER COLUMN c DROP NOT NULL, ALTER COLUMN d SET NOT NULL"},
		{"DefaultMovedToAnotherColumn",
			"ALTER TABLE t ALTER COLUMN c SET DEFAULT 0",
			"ALTER TABLE t ALTER COLUMN c DROP DEFAULT, ALTER COLUMN d SET DEFAULT 0"},
		{"ColumnNamesSwapped", "",
			"ALTER TABLE t RENAME COLUMN a TO tmp; ALTER TABLE t RENAME COLUMN b TO a; ALTER TABLE t RENAME COLUMN tmp TO b"},
	} {
		t.Run(move.name, func(t *testing.T) {
			// Several tables: each has its own oids, so a sum that happens to wrap differently
			// on one would still be caught on the others.
			for i := range 5 {
				exec("DROP TABLE IF EXISTS t; CREATE TABLE t (a int, b text, c int, d int)")
				if move.before != "" {
					exec(move.before)
				}
				before, err := catalog.Version(ctx, conn)
				require.NoError(t, err)
				exec(move.after)
				after, err := catalog.Version(ctx, conn)
				require.NoError(t, err)
				require.NotEqual(t, before, after, "table %d", i)
			}
		})
	}
}
