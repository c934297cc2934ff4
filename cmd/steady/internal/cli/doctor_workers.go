package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/liveness"
)

// workersJSON is the "workers" object of steady doctor --json.
type workersJSON struct {
	Alive         []workerJSON `json:"alive"`
	Dead          []workerJSON `json:"dead"` // declared dead or silent past their bound within the last day
	LastHeartbeat *time.Time   `json:"last_heartbeat,omitempty"`
	Error         string       `json:"error,omitempty"` // redacted
}

type workerJSON struct {
	liveness.Worker
	UpS             float64 `json:"up_s"`
	SinceHeartbeatS float64 `json:"since_heartbeat_s"`
	IntervalS       float64 `json:"heartbeat_interval_s"`
	DeadAfterS      float64 `json:"dead_after_s"`
}

// readWorkers reads steady_workers through the POOLER, as the workers write it.
func readWorkers(ctx context.Context, cfg dbconn.Config) (liveness.Census, error) {
	pools, err := dbconn.Open(ctx, cfg, dbconn.OpenOpts{})
	if err != nil {
		return liveness.Census{}, err
	}
	defer pools.Close()
	return liveness.Read(ctx, pools.Pooler, pools.Schema)
}

func toWorkersJSON(c liveness.Census) *workersJSON {
	conv := func(ws []liveness.Worker) []workerJSON {
		out := make([]workerJSON, len(ws))
		for i, w := range ws {
			out[i] = workerJSON{Worker: w, UpS: w.Up.Seconds(), SinceHeartbeatS: w.SinceHeartbeat.Seconds(),
				IntervalS: w.Interval.Seconds(), DeadAfterS: w.DeadAfter.Seconds()}
		}
		return out
	}
	return &workersJSON{Alive: conv(c.Alive), Dead: conv(c.Dead), LastHeartbeat: c.LastHeartbeat}
}

// printWorkers lists the live workers (since when, last heartbeat) and the recently dead ones.
func printWorkers(w io.Writer, c liveness.Census) {
	fmt.Fprintln(w, workersLine(c))
	for _, x := range c.Alive {
		fmt.Fprintf(w, "  alive  %s  since %s (up %s)  last heartbeat %s ago (every %s, dead after %s)\n", x.ID,
			x.StartedAt.UTC().Format(time.RFC3339), x.Up.Round(time.Second), x.SinceHeartbeat.Round(100*time.Millisecond), x.Interval, x.DeadAfter)
	}
	for _, x := range c.Dead {
		why := fmt.Sprintf("silent for %s (bound %s)", x.SinceHeartbeat.Round(time.Second), x.DeadAfter)
		if x.DeadAt != nil {
			why = "declared dead at " + x.DeadAt.UTC().Format(time.RFC3339) + ": " + x.DeadReason
		}
		fmt.Fprintf(w, "  dead   %s  last heartbeat %s  %s\n", x.ID, x.HeartbeatAt.UTC().Format(time.RFC3339), why)
	}
}
