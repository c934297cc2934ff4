package liveness_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/liveness"
)

// A worker registers and heartbeats; anyone can then ask which workers are alive, by the
// database server's clock. The example needs a PostgreSQL server at TEST_DATABASE_URL_DIRECT
// (make test sets it) on which it creates, then drops, a database of its own.
func ExampleAlive() {
	ctx := context.Background()
	dbURL, cleanup, err := dbtest.ForExample(ctx)
	if err != nil {
		fmt.Println("example database:", err)
		return
	}
	defer cleanup()
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		panic(err)
	}
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec // as through a transaction pooler
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		panic(err)
	}
	defer pool.Close()

	h, err := liveness.New(liveness.Config{Pool: pool, Interval: time.Second, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		panic(err)
	}
	if err := h.Start(ctx); err != nil { // the River client then takes h.ClientID() as its id
		panic(err)
	}

	workers, err := liveness.Alive(ctx, pool, bookkeeping.Schema{})
	if err != nil {
		panic(err)
	}
	for _, w := range workers {
		fmt.Println(w.ID == h.ClientID(), w.PID == os.Getpid(), w.DeadAfter, w.Up < time.Minute)
	}

	if err := h.Stop(ctx); err != nil { // a graceful stop deregisters
		panic(err)
	}
	workers, err = liveness.Alive(ctx, pool, bookkeeping.Schema{})
	if err != nil {
		panic(err)
	}
	fmt.Println(len(workers), "alive after the stop")
	// Output:
	// true true 4s true
	// 0 alive after the stop
}
