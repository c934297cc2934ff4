package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	api "github.com/steadydb/steady"
)

// followIndexBuilds follows the build jobs of out (steady indexes build --wait), printing to
// w, and prints the tables' indexes at the end. With no live worker for timeout it ends with
// exit 5.
func followIndexBuilds(ctx context.Context, client *api.Client, w io.Writer, timeout time.Duration, out *api.IndexBuildReport) error {
	err := client.FollowIndexBuilds(ctx, out, api.FollowOpts{NoWorkerTimeout: timeout, TimeoutName: "--wait-timeout", Say: func(line string) { fmt.Fprintln(w, line) }})
	if err != nil {
		return &exitError{code: api.ExitCode(err), err: err}
	}
	printIndexStatus(&env{stdout: w}, out.Indexes)
	return nil
}
