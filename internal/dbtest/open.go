package dbtest

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/steadydb/steady/internal/dbconn"
)

// Logger is a debug logger writing into a LogBuffer, which the test prints when it fails.
func Logger(t testing.TB) (*slog.Logger, *LogBuffer) {
	t.Helper()
	logs := &LogBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs:\n%s", logs.String())
		}
	})
	return slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), logs
}

// Open opens db as the product does, through PgBouncer only (every role on the POOLER, its
// pool mode detected and required to be transaction mode), and a DIRECT pool for the test's
// own checks. Both close when the test ends. log nil discards the logs.
func Open(t testing.TB, db *DB, log *slog.Logger) (*dbconn.Pools, *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	pools, err := dbconn.Open(ctx, dbconn.Config{PoolerURL: db.PoolerURL, Logger: log}, dbconn.OpenOpts{Detect: true})
	if err != nil {
		t.Fatalf("dbtest: open pools: %v", err)
	}
	t.Cleanup(pools.Close)
	if pools.Pooler.Mode != dbconn.ModeTransaction {
		t.Fatalf("dbtest: the test PgBouncer is in %s mode, want transaction", pools.Pooler.Mode)
	}
	direct, err := pgxpool.New(ctx, db.DirectURL)
	if err != nil {
		t.Fatalf("dbtest: open DIRECT pool: %v", err)
	}
	t.Cleanup(direct.Close)
	return pools, direct
}
