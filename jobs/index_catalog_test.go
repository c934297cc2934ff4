package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/jobs"
)

func TestNewIndexCatalog(t *testing.T) {
	t.Parallel()
	entry := func(name, table, sql string) jobs.Index {
		return jobs.Index{Name: name, Table: table, SQL: sql, Why: "a query"}
	}

	t.Run("KeepsTableAndEntryOrder", func(t *testing.T) {
		t.Parallel()
		c, err := jobs.NewIndexCatalog([]jobs.Index{
			entry("b1", "b", "CREATE INDEX b1 ON b (x)"),
			entry("a1", "a", "CREATE INDEX a1 ON a (x)"),
			entry("b2", "b", "CREATE INDEX b2 ON b (y)"),
		})
		require.NoError(t, err)
		require.Equal(t, []string{"b", "a"}, c.Tables())
		b, ok := c.OnTable("b")
		require.True(t, ok)
		require.Equal(t, "b1", b[0].Name)
		require.Equal(t, "b2", b[1].Name)
		_, ok = c.OnTable("c")
		require.False(t, ok)
	})

	for name, tc := range map[string]struct {
		entries []jobs.Index
		want    string
	}{
		"NameDisagrees":  {[]jobs.Index{entry("a1", "a", "CREATE INDEX a2 ON a (x)")}, "creates index a2, not a1"},
		"TableDisagrees": {[]jobs.Index{entry("a1", "a", "CREATE INDEX a1 ON b (x)")}, "indexes table b, not a"},
		"Concurrently":   {[]jobs.Index{entry("a1", "a", "CREATE INDEX CONCURRENTLY a1 ON a (x)")}, "CONCURRENTLY"},
		"TwoStatements":  {[]jobs.Index{entry("a1", "a", "CREATE INDEX a1 ON a (x); DROP TABLE a")}, "exactly one"},
		"Duplicate": {[]jobs.Index{entry("a1", "a", "CREATE INDEX a1 ON a (x)"),
			entry("a1", "a", "CREATE INDEX a1 ON a (y)")}, "duplicate name"},
		"TooLong": {[]jobs.Index{entry("a_very_long_index_name_that_leaves_no_room_for_the_suffix_x",
			"a", "CREATE INDEX a_very_long_index_name_that_leaves_no_room_for_the_suffix_x ON a (x)")}, "too long"},
		"NoWhy": {[]jobs.Index{{Name: "a1", Table: "a", SQL: "CREATE INDEX a1 ON a (x)"}}, "Why"},
	} {
		t.Run("Refuses"+name, func(t *testing.T) {
			t.Parallel()
			_, err := jobs.NewIndexCatalog(tc.entries)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestShippedIndexCatalog(t *testing.T) {
	t.Parallel()
	c := jobs.Indexes()
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
			table, ok := before.Table(jobs.IndexSchema, ix.Table)
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
			require.Equal(t, jobs.IndexMissing, st.State, ix.Name)
		}
	})

	t.Run("EveryEntryReadsBackAsValid", func(t *testing.T) {
		// Otherwise the builder would take its own index for a different one.
		for _, ix := range c.All() {
			_, err := conn.Exec(ctx, ix.Def.CreateConcurrently(jobs.IndexSchema, ix.Name))
			require.NoError(t, err, ix.Name)
		}
		after, err := catalog.Read(ctx, conn)
		require.NoError(t, err)
		for _, st := range c.Status(after, nil) {
			require.Equal(t, jobs.IndexValid, st.State, "%s: %s (%s)", st.Name, st.Found, st.Detail)
		}
	})
}
