package dbconn_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbtest"
)

// The child process of the cancel-request tests (testdata/giveup) and its settings.
const (
	cancelChildURL   = "STEADY_TEST_GIVE_UP_URL"
	cancelChildDelay = "STEADY_TEST_GIVE_UP_DELAY"
	cancelChildPool  = "STEADY_TEST_GIVE_UP_POOL" // long: exit as a command does; pooler: wait to be killed
)

// giveUp is testdata/giveup built once, without the race detector: a process instrumented for
// it exits so slowly after giving up on a statement that its cancel request always arrives
// first, and the test of WaitForCancels could not fail (with the wait removed, the race-built
// children never crashed PgBouncer 1.18.0; built plainly, 60 of them crashed it every time).
var giveUp = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "steady-giveup")
	if err != nil {
		return "", err
	}
	childDir = dir
	path := filepath.Join(dir, "giveup")
	// -race=false: over a -race in GOFLAGS too.
	cmd := exec.Command("go", "build", "-race=false", "-o", path, "./testdata/giveup")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build testdata/giveup: %w\n%s", err, out)
	}
	return path, nil
})

// childDir holds the child's binary; TestMain removes it.
var childDir string

func giveUpCommand(t *testing.T) *exec.Cmd {
	t.Helper()
	path, err := giveUp()
	require.NoError(t, err)
	return exec.Command(path)
}

// PgBouncer 1.18.0 exits when a cancel request's client goes away before PgBouncer has
// forwarded it; without WaitForCancels, these 60 children, exiting 0-4.2 ms after their
// statements' deadlines, crashed it in each of three runs. Processes that give up on a
// statement and exit leave the pooler up, and their statements cancelled on the server.
func TestExitWaitsForCancelRequests(t *testing.T) {
	t.Parallel()
	const children = 60
	// A server connection each, so that every child's statement runs (a cancel of a client
	// still queued in PgBouncer is another path) and the children run side by side: each one
	// mostly waits, for its process to start and for its statement's deadline.
	db, pooler := withPgBouncer(t, children+1)
	var wg sync.WaitGroup
	failed := make([]error, children)
	for i := range children {
		delay := time.Duration(i%15) * 300 * time.Microsecond
		child := giveUpCommand(t)
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
		child := giveUpCommand(t)
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
