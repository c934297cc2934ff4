package migrate_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/migrate"
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
