package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/catalogfiles"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/indexes"
)

// followIndexBuilds follows the build jobs of out (steady indexes build --wait) with the
// engine's Follower, printing to w, and prints the tables' indexes at the end. With no live
// worker for timeout it ends with exit 5.
func followIndexBuilds(ctx context.Context, client *river.Client[pgx.Tx], pool *dbconn.Pool, schema bookkeeping.Schema, w io.Writer, timeout time.Duration, out *indexes.BuildReport) error {
	watch := &workerWatch{timeout: timeout, out: w, what: "the builds", schema: schema}
	f := &indexes.Follower{Jobs: client, Pool: pool, Catalog: catalogfiles.ShippedIndexes(),
		Print: func(line string) { fmt.Fprintln(w, line) },
		Check: func(ctx context.Context) (bool, error) {
			_, err := watch.check(ctx, pool)
			return !watch.noneSince.IsZero(), err
		}}
	if err := f.Follow(ctx, out); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			return err // no worker came (exit 5)
		}
		if ctx.Err() != nil {
			return &exitError{code: exitFailure, err: errors.New("stopped following; the builds go on (steady indexes status)")}
		}
		return err
	}
	printIndexStatus(&env{stdout: w}, out.Indexes)
	return nil
}
