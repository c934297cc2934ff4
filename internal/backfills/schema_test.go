package backfills

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/dbtest"
)

func TestEnsureSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pools, err := dbconn.Open(ctx, dbconn.Config{PoolerURL: db.PoolerURL}, dbconn.OpenOpts{})
	require.NoError(t, err)
	t.Cleanup(pools.Close)
	direct, err := pgxpool.New(ctx, db.DirectURL)
	require.NoError(t, err)
	t.Cleanup(direct.Close)
	version := func() string {
		var v *string
		require.NoError(t, direct.QueryRow(ctx, `SELECT obj_description(to_regclass('steady_backfill_runs'), 'pg_class')`).Scan(&v))
		if v == nil {
			return ""
		}
		return *v
	}

	// Replicas and admin scripts racing through the pooler: one creates, the others wait and find it.
	var g errgroup.Group
	for range 4 {
		g.Go(func() error { return EnsureSchema(ctx, pools.Pooler.Pool) })
	}
	require.NoError(t, g.Wait())
	require.Equal(t, schemaVersion, version())

	// A table made by an older steady is upgraded in place.
	_, err = direct.Exec(ctx, `ALTER TABLE steady_backfill_slices DROP COLUMN job_gen, DROP COLUMN lease; COMMENT ON TABLE steady_backfill_runs IS NULL`)
	require.NoError(t, err)
	require.NoError(t, EnsureSchema(ctx, pools.Pooler.Pool))
	require.Equal(t, schemaVersion, version())
	var n int
	require.NoError(t, direct.QueryRow(ctx, `SELECT count(*) FROM pg_attribute
		WHERE attrelid = 'steady_backfill_slices'::regclass AND attname IN ('job_gen', 'lease')`).Scan(&n))
	require.Equal(t, 2, n)

	// Status reads bookkeeping made before the time held back was kept: it upgrades it first.
	_, err = direct.Exec(ctx, `ALTER TABLE steady_backfill_slices DROP COLUMN active_s, DROP COLUMN throttled_s;
		COMMENT ON TABLE steady_backfill_runs IS 'steady backfill bookkeeping v3'`)
	require.NoError(t, err)
	sts, err := NewStore(pools.Pooler.Pool, Catalog{{Name: "leads_phone_whatsapp"}}).Status(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, sts)
	require.Equal(t, schemaVersion, version())
}
