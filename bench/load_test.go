package main

import (
	"strings"
	"testing"
	"time"
)

// An open-loop comparison whose pgbench alone fell behind its rate is not judged: its
// latencies are pgbench's own backlog on a machine that slowed, not steady's effect.
func TestOverCapacityIsNotJudged(t *testing.T) {
	lat := func(n int, d time.Duration) []time.Duration {
		out := make([]time.Duration, n)
		for i := range out {
			out[i] = d
		}
		return out
	}
	open := pgbenchLoad{short: "open loop 50%", rate: 100}
	p99Met := func(load pgbenchLoad, aloneTx int) string {
		var e appEffect
		e.add(lat(aloneTx, time.Millisecond), lat(100, time.Millisecond), 0, 1)
		return appRows("online", load, "during x", "runs", e, atMost(1.3, "0 failed"))[0].met
	}
	if got := p99Met(open, 100); got != "yes" {
		t.Errorf("pgbench alone at its rate, same latencies: met = %q, want yes", got)
	}
	if got, want := p99Met(open, 80), "not judged: pgbench alone kept 80% of its 100 tx/s"; !strings.HasPrefix(got, want) {
		t.Errorf("pgbench alone at 80%% of its rate: met = %q, want it to start with %q", got, want)
	}
	if got := p99Met(pgbenchLoad{short: "saturation", clients: 4}, 80); got != "yes" {
		t.Errorf("a closed loop has no rate to keep: met = %q, want yes", got)
	}

	p := sweepPoint{load: "open loop 50%", open: true, yield: 1, p99s: ratios{1.1}, tputs: ratios{0.6},
		overCapacity: "pgbench alone kept 80% of its 100 tx/s"}
	if got := sweepRow(p, 1000).met; got != "not judged: pgbench alone kept 80% of its 100 tx/s" {
		t.Errorf("the default's sweep point over capacity: met = %q", got)
	}
	p.overCapacity = ""
	if got := sweepRow(p, 1000).met; got != "yes" {
		t.Errorf("the default's sweep point within both targets: met = %q, want yes", got)
	}
}
