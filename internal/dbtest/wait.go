package dbtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// WaitFor polls cond, on the test's goroutine so that cond may call require, until it holds;
// after within it fails the test with the message. It is for state another process or
// goroutine changes and no event announces (a row River or a worker writes).
func WaitFor(t testing.TB, within time.Duration, cond func() bool, format string, args ...any) {
	t.Helper()
	end := time.Now().Add(within)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("after %s: %s", within, fmt.Sprintf(format, args...))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// WaitForLockWaiter returns once a session of the test's database waits on a lock (a
// migration, a batch or a build queued behind a lock the test holds). It polls on a connection
// of its own, one statement at a time: inside a transaction pg_stat_activity is one snapshot.
func (db *DB) WaitForLockWaiter(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, db.DirectURL)
	if err != nil {
		t.Fatalf("connect to %s: %v", db.Name, err)
	}
	defer conn.Close(context.Background())
	WaitFor(t, time.Minute, func() bool {
		var n int
		err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = $1 AND wait_event_type = 'Lock'`, db.Name).Scan(&n)
		if err != nil {
			t.Fatalf("read pg_stat_activity of %s: %v", db.Name, err)
		}
		return n > 0
	}, "no session of %s ever waited on a lock", db.Name)
}
