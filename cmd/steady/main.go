// Command steady keeps a PostgreSQL database's schema and data in shape behind a connection
// pooler: it migrates with fingerprints the database itself confirms, and runs index builds and
// backfills as River jobs. Run "steady help" for the commands, settings and exit codes.
//
// The commands are package cli's; this is the process around them: signals, exit code, and
// the wait for cancel requests.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/steadydb/steady/cmd/steady/internal/cli"
	"github.com/steadydb/steady/internal/dbconn"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr)
	stop()
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
