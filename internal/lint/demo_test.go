package lint_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/demodata"
	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/migrations"
)

// demoDB is a database with the shipped schema and demo data at scale (leads: 20 000 rows per
// unit), vacuumed and analyzed so that the catalog's size estimates are exact. It is copied
// from a template built once per scale and version of the migrations.
func demoDB(t testing.TB, scale int) *dbtest.DB {
	t.Helper()
	key := fmt.Sprintf("lint_demo%d_%s", scale, dbtest.MigrationsKey(t))
	return dbtest.NewFromTemplate(t, key, func(ctx context.Context, directURL string) error {
		pool := newPool(ctx, t, directURL)
		defer pool.Close()
		m, err := migrate.New(migrate.Config{Pool: pool, Migrations: migrations.FS, SkipRiver: true,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			return err
		}
		if _, err := m.Migrate(ctx, migrate.Opts{}); err != nil {
			return err
		}
		if _, err := demodata.Load(ctx, pool, scale, nil); err != nil {
			return err
		}
		_, err = pool.Exec(ctx, "VACUUM ANALYZE")
		return err
	})
}

// newPool opens a pool as dbconn configures its own (unprepared statements).
func newPool(ctx context.Context, t testing.TB, url string) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(url)
	require.NoError(t, err)
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	return pool
}
