package dbconn_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
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
	cancelChildPool  = "STEADY_TEST_GIVE_UP_POOL" // long: exit as a command does; pooler: wait to be killed
)

// giveUpAndExit is the child process of TestExitWaitsForCancelRequests and
// TestKilledAfterGivingUpLeavesPgBouncerUp: it gives up on a long statement through the
// POOLER. On Long it then exits as a command does after an error, without closing its pools,
// after the given delay and WaitForCancels; on Pooler it says so on stdout and waits to be killed.
func giveUpAndExit() int {
	ctx := context.Background()
	pools, err := dbconn.Open(ctx, dbconn.Config{PoolerURL: os.Getenv(cancelChildURL),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, dbconn.OpenOpts{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	pool := pools.Long
	if os.Getenv(cancelChildPool) == "pooler" {
		pool = pools.Pooler
	}
	// Connected first, so that the statement reaches the server before its deadline.
	if err := pool.Ping(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	stmtCtx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := pool.Exec(stmtCtx, "SELECT pg_sleep(600)"); err == nil {
		fmt.Fprintln(os.Stderr, "pg_sleep(600) returned within 100ms")
		return 3
	}
	if pool == pools.Pooler {
		fmt.Println("gave up")
		select {}
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
	const children = 15
	// A server connection each, so that every child's statement runs (a cancel of a client
	// still queued in PgBouncer is another path) and the children run side by side: each one
	// mostly waits, for its process to start and for its statement's deadline.
	db, pooler := withPgBouncer(t, children+1)
	var wg sync.WaitGroup
	failed := make([]error, children)
	for i := range children {
		delay := time.Duration(i) * 300 * time.Microsecond
		child := exec.Command(os.Args[0], "-test.run=^$")
		child.Env = append(os.Environ(), cancelChildURL+"="+pooler, cancelChildDelay+"="+delay.String(), cancelChildPool+"=long")
		wg.Go(func() {
			if out, err := child.CombinedOutput(); err != nil {
				failed[i] = fmt.Errorf("child %d (exit %s after giving up): %w: %s", i, delay, err, out)
			}
		})
	}
	wg.Wait()
	require.NoError(t, errors.Join(failed...))
	requireUp(t, pooler, "after %d children exited right after giving up", children)

	// Each cancel reached PostgreSQL before its process exited; the server acts on it at once.
	// A statement whose cancel was lost would sleep for ten minutes.
	require.Eventually(t, func() bool { return sleeping(t, db) == 0 },
		time.Minute, 10*time.Millisecond, "statements given up on are still running on the server")
}

// A worker killed with -9 cannot wait for its cancel requests. Its everyday pool sends none, so
// a kill right after a statement was given up on leaves PgBouncer up. With the cancel requests
// sent, it crashed PgBouncer 1.18.0 during CI's kill tests.
func TestKilledAfterGivingUpLeavesPgBouncerUp(t *testing.T) {
	t.Parallel()
	db, pooler := withPgBouncer(t, 20)
	const children = 10
	for i := range children {
		child := exec.Command(os.Args[0], "-test.run=^$")
		child.Env = append(os.Environ(), cancelChildURL+"="+pooler, cancelChildPool+"=pooler")
		var stderr strings.Builder
		child.Stderr = &stderr
		stdout, err := child.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, child.Start())
		line, err := bufio.NewReader(stdout).ReadString('\n')
		require.NoError(t, err, "child %d: %s", i, stderr.String())
		require.Equal(t, "gave up\n", line)
		require.NoError(t, child.Process.Kill())
		_ = child.Wait()
		requireUp(t, pooler, "after child %d was killed", i)
	}
	// No cancel request was sent: every statement given up on is still sleeping (the server
	// notices its client is gone only when it answers). Dropping the database ends them.
	require.Equal(t, children, sleeping(t, db))
}

// withPgBouncer gives a test a database and a PgBouncer of its own in front of it: the test may
// crash it.
func withPgBouncer(t *testing.T, poolSize int) (*dbtest.DB, string) {
	db := dbtest.New(t)
	return db, dbtest.StartPgBouncer(t, dbtest.PgBouncerConfig{DefaultPoolSize: poolSize}).URL(t, db.Name)
}

func requireUp(t *testing.T, pooler, format string, args ...any) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pooler)
	require.NoError(t, err, "PgBouncer stopped answering "+fmt.Sprintf(format, args...))
	require.NoError(t, conn.Close(ctx))
}

// sleeping counts the children's pg_sleep(600) still running on the server.
func sleeping(t *testing.T, db *dbtest.DB) int {
	t.Helper()
	ctx := context.Background()
	direct, err := pgx.Connect(ctx, db.DirectURL)
	require.NoError(t, err)
	defer direct.Close(ctx)
	var n int
	require.NoError(t, direct.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND query = 'SELECT pg_sleep(600)' AND state = 'active'`).Scan(&n))
	return n
}
