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
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
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
