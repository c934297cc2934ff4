// Command giveup is the child process of the cancel-request tests in package dbconn, built
// without the race detector: an instrumented process exits too slowly after giving up on a
// statement to race its own cancel request, which is what the tests must be able to show.
//
// It gives up on a long statement through the POOLER (STEADY_TEST_GIVE_UP_URL). With
// STEADY_TEST_GIVE_UP_POOL=long it then exits as a command does after an error, without closing
// its pools, after STEADY_TEST_GIVE_UP_DELAY and dbconn.WaitForCancels (skipped with
// STEADY_TEST_GIVE_UP_WAIT=no, to show what that wait prevents); with =pooler it says so on
// stdout and waits to be killed.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/steadydb/steady/internal/dbconn"
)

func main() { os.Exit(giveUpAndExit()) }

func giveUpAndExit() int {
	ctx := context.Background()
	pools, err := dbconn.Open(ctx, dbconn.Config{PoolerURL: os.Getenv("STEADY_TEST_GIVE_UP_URL"),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, dbconn.OpenOpts{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	pool := pools.Long
	if os.Getenv("STEADY_TEST_GIVE_UP_POOL") == "pooler" {
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
	delay, _ := time.ParseDuration(os.Getenv("STEADY_TEST_GIVE_UP_DELAY"))
	time.Sleep(delay) // the moments a command takes between the error and its exit
	waitCtx, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	if os.Getenv("STEADY_TEST_GIVE_UP_WAIT") == "no" {
		return 0
	}
	if err := dbconn.WaitForCancels(waitCtx); err != nil {
		fmt.Fprintln(os.Stderr, "WaitForCancels:", err)
		return 4
	}
	return 0
}
