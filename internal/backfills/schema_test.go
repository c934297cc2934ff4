package backfills

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/dbtest"
)

// Status reads tables an older steady made (before the time held back was kept, before the
// versioned set): it brings them to the current version first.
func TestStatusUpgradesOlderTables(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pools, direct := dbtest.Open(t, db, nil)
	tables, err := bookkeeping.New(bookkeeping.Config{Pool: pools.Pooler.Pool})
	require.NoError(t, err)
	require.NoError(t, tables.Ensure(ctx))
	_, err = direct.Exec(ctx, `ALTER TABLE steady_backfill_slices DROP COLUMN active_s, DROP COLUMN throttled_s;
		DROP TABLE steady_schema_versions`)
	require.NoError(t, err)

	fresh, err := bookkeeping.New(bookkeeping.Config{Pool: pools.Pooler.Pool})
	require.NoError(t, err)
	sts, err := NewStore(pools.Pooler.Pool, fresh, Catalog{{Name: "leads_phone_whatsapp"}}).Status(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, sts)
	var n int
	require.NoError(t, direct.QueryRow(ctx, `SELECT count(*) FROM pg_attribute
		WHERE attrelid = 'steady_backfill_slices'::regclass AND attname IN ('active_s', 'throttled_s')`).Scan(&n))
	require.Equal(t, 2, n)
	v, err := fresh.Version(ctx)
	require.NoError(t, err)
	require.Equal(t, bookkeeping.Latest(), v)
}
