package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCharts draws both charts from made-up measurements. BENCH_CHARTS_DIR keeps them (and a
// PNG of each) for a look.
func TestCharts(t *testing.T) {
	dir := os.Getenv("BENCH_CHARTS_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	var pts []sweepPoint
	for _, l := range []struct {
		name  string
		open  bool
		scale float64
	}{{"open loop 50%", true, 1}, {"saturation", false, 1.5}} {
		for _, p := range []sweepPoint{{yield: 0, p99Ratio: 2.0, tputRatio: 0.9}, {yield: 0.5, p99Ratio: 1.6, tputRatio: 0.6},
			{yield: 1, p99Ratio: 1.4, tputRatio: 0.45}, {yield: 2, p99Ratio: 1.25, tputRatio: 0.3}, {yield: 8, p99Ratio: 0.93, tputRatio: 0.1}} {
			p.load, p.open = l.name, l.open
			p.p99Ratio, p.tputRatio = p.p99Ratio*l.scale, p.tputRatio/l.scale
			pts = append(pts, p)
		}
	}
	start := time.Unix(1_800_000_000, 0)
	tl := &timeline{load: pgbenchLoad{short: "open loop 50%"}, start: start, backfill: [2]time.Time{start.Add(15 * time.Second), start.Add(55 * time.Second)},
		builds: []buildSpan{{index: "leads_business_status_idx", start: start.Add(70 * time.Second), end: start.Add(80 * time.Second)},
			{index: "call_log_lead_started_at_idx", start: start.Add(80 * time.Second), end: start.Add(95 * time.Second)}}}
	for i := range 110_000 {
		at := start.Add(time.Duration(i) * time.Millisecond)
		lat := 3*time.Millisecond + time.Duration(i%50)*100*time.Microsecond
		if at.After(tl.backfill[0]) && at.Before(tl.backfill[1]) {
			lat += time.Duration(i%7) * time.Millisecond
		}
		tl.txs = append(tl.txs, pgbenchTx{end: at, lat: lat})
	}
	for _, ext := range []string{".svg", ".png"} {
		if err := drawTradeoff(filepath.Join(dir, "tradeoff"+ext), pts); err != nil {
			t.Fatal(err)
		}
		if err := drawTimeline(filepath.Join(dir, "timeline"+ext), tl); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"tradeoff.svg", "timeline.svg"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "<svg") || !strings.Contains(string(b), "default") && f == "tradeoff.svg" {
			t.Fatalf("%s is not the chart: %.200s", f, b)
		}
		if f == "tradeoff.svg" && (!strings.Contains(string(b), " 8") || !strings.Contains(string(b), "saturation")) {
			t.Fatalf("a point under 1× is cut off the chart, or the saturated curve is missing")
		}
	}
}
