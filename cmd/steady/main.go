// Command steady keeps a PostgreSQL database's schema and data in shape behind a connection
// pooler: it migrates with fingerprints the database itself confirms, and runs index builds and
// backfills as River jobs. Run "steady help" for the commands, settings and exit codes.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/steadydb/steady/internal/dbconn"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	code := exitCode(err, os.Stderr)
	waitForCancels()
	os.Exit(code)
}

// waitForCancels lets the cancel requests of statements this process gave up on reach the
// server before it exits: PgBouncer 1.18 crashes when such a request's client goes away first
// (internal/dbconn/cancels.go). PgBouncer itself waits cancel_wait_timeout (10 s by default) to
// forward one; steady waits as long, and no longer.
func waitForCancels() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = dbconn.WaitForCancels(ctx)
}

// exitCode prints err (already redacted by whoever made it) and maps it to the documented code.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	code := codeOf(err)
	if !isSilent(err) {
		fmt.Fprintln(stderr, "steady:", err)
	}
	return code
}
