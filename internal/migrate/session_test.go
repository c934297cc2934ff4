package migrate_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/migrations"
)

// TestNoTransactionMigrationSessionState: a migration outside a transaction runs on a session
// of its own only where sessions are not shared. Behind a transaction pooler it sets nothing on
// the session (a SET there would stay on a server connection other clients get).
func TestNoTransactionMigrationSessionState(t *testing.T) {
	t.Parallel()
	src := fstest.MapFS{
		"0001_t.sql":   {Data: []byte("CREATE TABLE t (id int, note text);\n")},
		"0002_idx.sql": {Data: []byte("-- steady:no-transaction\nCREATE INDEX CONCURRENTLY t_note_idx ON t (note);\n")},
	}
	sessionSets := func(sent []string) []string {
		var out []string
		for _, q := range sent {
			u := strings.ToUpper(strings.TrimSpace(q))
			if (strings.HasPrefix(u, "SET ") && !strings.HasPrefix(u, "SET LOCAL")) || strings.HasPrefix(u, "RESET") {
				out = append(out, q)
			}
		}
		return out
	}

	t.Run("TransactionPooledSetsNothing", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		res, err := b.migrator(t, src).Migrate(context.Background(), migrate.Opts{})
		require.NoError(t, err)
		require.Equal(t, 2, res.Applied)
		require.Empty(t, sessionSets(b.trace.all()))
		require.Contains(t, strings.Join(b.trace.all(), "\n"), "CREATE INDEX CONCURRENTLY t_note_idx")
	})

	t.Run("OwnSessionGetsTheLockTimeout", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		trace := &sqlLog{}
		pool := pooledPool(t, b.db.DirectURL, trace)
		m, err := migrate.New(migrate.Config{Pool: pool, TransactionPooled: false, Migrations: src, Logger: b.log, SkipRiver: true})
		require.NoError(t, err)
		res, err := m.Migrate(context.Background(), migrate.Opts{})
		require.NoError(t, err)
		require.Equal(t, 2, res.Applied)
		require.Len(t, sessionSets(trace.all()), 2, "SET lock_timeout, then RESET: %v", trace.all())
	})
}

// TestNoServerWarnings: a first deploy and a no-op leave nothing in the server's log. A WARNING
// there on every deploy (a SET LOCAL outside BEGIN) is noise a DBA has to learn to ignore.
func TestNoServerWarnings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	var mu sync.Mutex
	var notices []string
	cfg, err := pgxpool.ParseConfig(b.db.PoolerURL)
	require.NoError(t, err)
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec // as dbconn configures POOLER
	cfg.ConnConfig.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		mu.Lock()
		defer mu.Unlock()
		if n.Severity == "WARNING" {
			notices = append(notices, n.Message)
		}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	for range 2 {
		m, err := migrate.New(migrate.Config{Pool: pool, TransactionPooled: true, Migrations: migrations.FS, Logger: b.log})
		require.NoError(t, err)
		_, err = m.Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
	}
	mu.Lock()
	defer mu.Unlock()
	require.Empty(t, notices)
}
