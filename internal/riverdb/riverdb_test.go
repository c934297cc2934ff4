package riverdb_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/riverdb"
)

// TestSchemaVersionIsRiversLatest fails when the River steady is built with migrates its tables
// to a version other than the one this package's statements were written for.
func TestSchemaVersionIsRiversLatest(t *testing.T) {
	t.Parallel()
	m, err := rivermigrate.New(riverpgxv5.New(nil), &rivermigrate.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	all := m.AllVersions()
	require.NotEmpty(t, all)
	require.Equal(t, riverdb.SchemaVersion, all[len(all)-1].Version,
		"River's schema moved: read every statement of internal/riverdb against River's new migration, then raise SchemaVersion")
}

// riverSchema migrates River's tables into a test database and returns a pool through the
// transaction pooler.
func riverSchema(t *testing.T) (direct, pooler *pgxpool.Pool) {
	t.Helper()
	db := dbtest.New(t)
	ctx := context.Background()
	direct, err := pgxpool.New(ctx, db.DirectURL)
	require.NoError(t, err)
	t.Cleanup(direct.Close)
	m, err := rivermigrate.New(riverpgxv5.New(direct), &rivermigrate.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	require.NoError(t, err)
	cfg, err := pgxpool.ParseConfig(db.PoolerURL)
	require.NoError(t, err)
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	pooler, err = pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(pooler.Close)
	return direct, pooler
}

func TestJobCounts(t *testing.T) {
	t.Parallel()
	direct, pooler := riverSchema(t)
	ctx := context.Background()
	insert := func(kind, state string, n int) {
		_, err := direct.Exec(ctx, `INSERT INTO river_job (kind, state, args, queue, max_attempts, finalized_at)
			SELECT $1, $2::text::river_job_state, '{}', 'default', 5,
			       CASE WHEN $2::text IN ('completed', 'discarded', 'cancelled') THEN now() END
			FROM generate_series(1, $3)`, kind, state, n)
		require.NoError(t, err)
	}
	insert("a", "completed", 3)
	insert("a", "available", 1)
	insert("b", "retryable", 2)

	got, err := riverdb.JobCounts(ctx, pooler, bookkeeping.Schema{}, time.Second)
	require.NoError(t, err)
	require.ElementsMatch(t, []riverdb.JobCount{{"a", "completed", 3}, {"a", "available", 1}, {"b", "retryable", 2}}, got)

	// The statement_timeout is the transaction's own: the next statement on that server
	// connection has the server's default again.
	var timeout string
	require.NoError(t, pooler.QueryRow(ctx, "SHOW statement_timeout").Scan(&timeout))
	require.Equal(t, "0", timeout)
}

func TestJobCountsWithoutRiversTables(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	pool, err := pgxpool.New(context.Background(), db.DirectURL)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	_, err = riverdb.JobCounts(context.Background(), pool, bookkeeping.Schema{}, time.Second)
	require.ErrorContains(t, err, "count river_job by kind and state")
	require.ErrorContains(t, err, `relation "public.river_job" does not exist`)
}

func TestUnfinishedJobs(t *testing.T) {
	t.Parallel()
	direct, pooler := riverSchema(t)
	ctx := context.Background()
	_, err := direct.Exec(ctx, `INSERT INTO river_job (kind, state, args, queue, max_attempts, attempt, attempted_at, attempted_by, finalized_at)
		VALUES ('build', 'running', '{"table":"a"}', 'default', 5, 1, now(), '{steady.h.1.aa,steady.h.2.bb}', NULL),
		       ('build', 'available', '{"table":"b"}', 'default', 5, 0, NULL, NULL, NULL),
		       ('build', 'completed', '{"table":"c"}', 'default', 5, 1, now(), '{steady.h.1.aa}', now()),
		       ('other', 'available', '{}', 'default', 5, 0, NULL, NULL, NULL)`)
	require.NoError(t, err)

	jobs, err := riverdb.UnfinishedJobs(ctx, pooler, bookkeeping.Schema{}, "build")
	require.NoError(t, err)
	require.Len(t, jobs, 2, "finished jobs and other kinds are left out")
	require.Equal(t, "running", jobs[0].State)
	require.JSONEq(t, `{"table":"a"}`, string(jobs[0].Args))
	require.Equal(t, "steady.h.2.bb", jobs[0].LastAttemptedBy, "the latest attempt's client")
	require.Equal(t, "available", jobs[1].State)
	require.Empty(t, jobs[1].LastAttemptedBy)
	require.False(t, jobs[1].LastMoved.IsZero())

	empty := dbtest.New(t)
	pool, err := pgxpool.New(ctx, empty.DirectURL)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	jobs, err = riverdb.UnfinishedJobs(ctx, pool, bookkeeping.Schema{}, "build")
	require.NoError(t, err, "no River tables: no jobs")
	require.Empty(t, jobs)
}
