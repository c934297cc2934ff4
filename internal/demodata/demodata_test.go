package demodata_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/demodata"
)

func TestLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigrated(t)
	pools, direct := dbtest.Open(t, db, nil)
	count := func(sql string) int64 {
		var n int64
		require.NoError(t, direct.QueryRow(ctx, sql).Scan(&n), sql)
		return n
	}

	res, err := demodata.Load(ctx, pools.Pooler.Pool, 1, nil)
	require.NoError(t, err)
	require.Equal(t, demodata.BusinessesPerScale, res.Added)
	require.Equal(t, int64(20_000), res.Rows["leads"])
	for table, n := range res.Rows {
		require.Equal(t, n, count("SELECT count(*) FROM "+table), table)
	}
	// Ids came from the identity sequences: the application's next insert does not collide.
	_, err = direct.Exec(ctx, `INSERT INTO leads (business_id, full_name) SELECT min(id), 'after' FROM business`)
	require.NoError(t, err)

	t.Run("IdempotentPerScale", func(t *testing.T) {
		res, err := demodata.Load(ctx, pools.Pooler.Pool, 1, nil)
		require.NoError(t, err)
		require.Zero(t, res.Added)
		require.Empty(t, res.Rows)
		require.Equal(t, int64(20_001), count("SELECT count(*) FROM leads"))
	})

	t.Run("AMissingBusinessIsLoadedAgainTheSame", func(t *testing.T) {
		var before int64
		require.NoError(t, direct.QueryRow(ctx, `SELECT count(*) FROM leads l JOIN business b ON b.id = l.business_id
			WHERE b.slug = 'demo-00003' AND l.phone_whatsapp LIKE '0%'`).Scan(&before))
		_, err := direct.Exec(ctx, `DELETE FROM business WHERE slug = 'demo-00003'`)
		require.NoError(t, err)
		res, err := demodata.Load(ctx, pools.Pooler.Pool, 1, nil)
		require.NoError(t, err)
		require.Equal(t, 1, res.Added)
		require.Equal(t, int64(1_000), res.Rows["leads"])
		require.Equal(t, before, count(`SELECT count(*) FROM leads l JOIN business b ON b.id = l.business_id
			WHERE b.slug = 'demo-00003' AND l.phone_whatsapp LIKE '0%'`), "a business's data is a function of its number")
	})

	t.Run("BadScale", func(t *testing.T) {
		_, err := demodata.Load(ctx, pools.Pooler.Pool, 0, nil)
		require.ErrorContains(t, err, "scale 0")
	})
}
