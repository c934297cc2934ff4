package catalogfiles_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/catalogfiles"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/indexes"
)

func TestShippedIndexCatalog(t *testing.T) {
	t.Parallel()
	c := catalogfiles.ShippedIndexes()
	require.GreaterOrEqual(t, len(c.All()), 15)
	var unique int
	for _, ix := range c.All() {
		require.NotEmpty(t, ix.Why, ix.Name)
		require.NotContains(t, ix.SQL, "CONCURRENTLY", ix.Name)
		if ix.Def.Unique {
			unique++
		}
	}
	require.GreaterOrEqual(t, unique, 1)

	db := dbtest.NewMigrated(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, db.DirectURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	before, err := catalog.Read(ctx, conn)
	require.NoError(t, err)

	t.Run("TablesAndColumnsExistInTheShippedSchema", func(t *testing.T) {
		for _, ix := range c.All() {
			table, ok := before.Table(indexes.Schema, ix.Table)
			require.True(t, ok, "%s: no table %s", ix.Name, ix.Table)
			have := map[string]bool{}
			for _, col := range table.Columns {
				have[col.Name] = true
			}
			for _, col := range ix.Def.Columns() {
				require.True(t, have[col], "%s: no column %s.%s", ix.Name, ix.Table, col)
			}
		}
	})

	t.Run("NamesAreFreeInTheShippedSchema", func(t *testing.T) {
		// Every constraint owns an index of its name, and migrations create a few more.
		for _, ix := range c.All() {
			for _, name := range []string{ix.Name, ix.Replacement()} {
				var taken bool
				require.NoError(t, conn.QueryRow(ctx,
					"SELECT EXISTS (SELECT FROM pg_class WHERE relname = $1 AND relnamespace = 'public'::regnamespace)", name).Scan(&taken))
				require.False(t, taken, "%s is already a relation of the shipped schema", name)
			}
			st := ix.Status(before, nil)
			require.Equal(t, indexes.Missing, st.State, ix.Name)
		}
	})

	t.Run("EveryEntryReadsBackAsValid", func(t *testing.T) {
		// Otherwise the builder would take its own index for a different one.
		for _, ix := range c.All() {
			_, err := conn.Exec(ctx, ix.Def.CreateConcurrently(indexes.Schema, ix.Name))
			require.NoError(t, err, ix.Name)
		}
		after, err := catalog.Read(ctx, conn)
		require.NoError(t, err)
		for _, st := range c.Status(after, nil) {
			require.Equal(t, indexes.Valid, st.State, "%s: %s (%s)", st.Name, st.Found, st.Detail)
		}
	})
}
