package dbconn_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/dbtest"
)

const (
	cancelChildURL   = "STEADY_TEST_GIVE_UP_URL"
	cancelChildDelay = "STEADY_TEST_GIVE_UP_DELAY"
)

// giveUpAndExit is the child process of TestExitWaitsForCancelRequests: it gives up on a long
// statement through the POOLER and exits as a command does after an error, without closing its
// pools, after the given delay and WaitForCancels.
func giveUpAndExit() int {
	ctx := context.Background()
	pools, err := dbconn.Open(ctx, dbconn.Config{PoolerURL: os.Getenv(cancelChildURL),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, dbconn.OpenOpts{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	stmtCtx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := pools.Pooler.Exec(stmtCtx, "SELECT pg_sleep(600)"); err == nil {
		fmt.Fprintln(os.Stderr, "pg_sleep(600) returned within 100ms")
		return 3
	}
	delay, _ := time.ParseDuration(os.Getenv(cancelChildDelay))
	time.Sleep(delay) // the moments a command takes between the error and its exit
	waitCtx, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	if err := dbconn.WaitForCancels(waitCtx); err != nil {
		fmt.Fprintln(os.Stderr, "WaitForCancels:", err)
		return 4
	}
	return 0
}

// PgBouncer 1.18.0 exits when a cancel request's client goes away before PgBouncer has
// forwarded it; without WaitForCancels, a client exiting 0-4 ms after its statement's deadline
// crashed it within three tries. Processes that give up on a statement and exit leave the
// pooler up, and their statements cancelled on the server.
func TestExitWaitsForCancelRequests(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	bouncer := dbtest.StartPgBouncer(t, dbtest.PgBouncerConfig{DefaultPoolSize: 4})
	pooler := bouncer.URL(t, db.Name)
	ctx := context.Background()

	for i := range 15 {
		delay := time.Duration(i) * 300 * time.Microsecond
		child := exec.Command(os.Args[0], "-test.run=^$")
		child.Env = append(os.Environ(), cancelChildURL+"="+pooler, cancelChildDelay+"="+delay.String())
		out, err := child.CombinedOutput()
		require.NoError(t, err, "child %d (exit after %s): %s", i, delay, out)

		conn, err := pgx.Connect(ctx, pooler)
		require.NoError(t, err, "PgBouncer stopped answering after child %d (exit %s after giving up)", i, delay)
		require.NoError(t, conn.Close(ctx))
	}

	direct, err := pgx.Connect(ctx, db.DirectURL)
	require.NoError(t, err)
	defer direct.Close(ctx)
	// Each cancel reached PostgreSQL before its process exited; the server acts on it at once.
	// A statement whose cancel was lost would sleep for ten minutes.
	require.Eventually(t, func() bool {
		var running int
		require.NoError(t, direct.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND query = 'SELECT pg_sleep(600)' AND state = 'active'`).Scan(&running))
		return running == 0
	}, time.Minute, 10*time.Millisecond, "statements given up on are still running on the server")
}
