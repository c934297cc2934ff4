package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A run of some scenarios keeps the others' rows and chart sections from the earlier file, in
// the scenarios' order, and says when each part was measured.
func TestPartialRunKeepsTheOtherScenarios(t *testing.T) {
	dir := t.TempDir()
	cfg := &config{root: dir, out: "benchmarks.md", runs: 5, rows: 10, scenarios: map[string]bool{}}
	full := []row{
		{scenario: "deploy", measure: "no-op", steady: "1 ms", baseline: "2 ms", ratio: "0.50× (0.40–0.60×, 5 runs)", target: "≤ 0.95×", met: "yes"},
		{scenario: "online", measure: "old online row", steady: "9 ms", baseline: "3 ms", ratio: "3.00×", target: "≤ 2×", met: "no"},
		{scenario: "signals", measure: "a signal", steady: "0.6"},
	}
	if err := writeMarkdown(cfg, full); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(filepath.Join(dir, "benchmarks.md"))
	// Stand in for the chart sections of the earlier run.
	old = append(old, []byte("\n"+timelineTitle+"\n\nthe earlier timeline\n")...)
	if err := os.WriteFile(filepath.Join(dir, "benchmarks.md"), old, 0o644); err != nil {
		t.Fatal(err)
	}

	cfg.scenarios = map[string]bool{"online": true}
	if err := writeMarkdown(cfg, []row{{scenario: "online", measure: "new online row", steady: "4 ms", baseline: "3 ms", ratio: "1.33×", target: "≤ 2×"}}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "benchmarks.md"))
	text := string(got)
	for _, want := range []string{"| deploy | no-op | 1 ms | 2 ms | 0.50× (0.40–0.60×, 5 runs) | ≤ 0.95× | yes |", "| online | new online row |", "| signals | a signal |",
		"the earlier timeline", "(`-only online`), the other scenarios on "} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
	if strings.Contains(text, "old online row") {
		t.Errorf("the re-measured scenario's old row is still there:\n%s", text)
	}
	if strings.Index(text, "| deploy |") > strings.Index(text, "| online |") {
		t.Errorf("rows out of the scenarios' order:\n%s", text)
	}
}

// The targets section judges the default and every other yield under the open-loop load on
// the whole spread of their windows, names the full-speed ceiling and the single UPDATE under
// each load, and sums up the saturated curve.
func TestTargetsText(t *testing.T) {
	open := func(y, p99, tput, duty float64, p99s, tputs ratios) sweepPoint {
		return sweepPoint{load: "open loop 50%", open: true, yield: y, p99Ratio: p99, tputRatio: tput, duty: duty, p99s: p99s, tputs: tputs}
	}
	cfg := &config{
		sweep: []sweepPoint{
			open(0, 1.6, 0.7, 0.99, ratios{1.5, 1.6, 1.7}, ratios{0.65, 0.7, 0.75}),
			open(1, 1.2, 0.55, 0.6, ratios{1.1, 1.2, 1.35}, ratios{0.5, 0.55, 0.6}),
			open(4, 1.1, 0.3, 0.2, ratios{1.0, 1.1, 1.2}, ratios{0.25, 0.3, 0.35}),
			{load: "saturation", yield: 0, p99Ratio: 2.3, tputRatio: 0.26},
			{load: "saturation", yield: 1, p99Ratio: 1.7, tputRatio: 0.12},
		},
		singleRate: 10000,
		loadedSingle: map[string]*loadedSingle{"open loop 50%": {rateRatio: 0.8, p99Ratio: 1.9},
			"saturation": {rateRatio: 0.32, p99Ratio: 3.3}},
	}
	text := targetsText(cfg)
	for _, want := range []string{"steady's default (yield 1) does not meet both: p99 1.20× (1.10–1.35×), throughput 0.55× (0.50–0.60×)",
		"no yield met both over the whole spread", "At full speed (yield 0): p99 1.60×",
		"Under open loop 50% the single `UPDATE` itself, which never pauses, reached 0.80× of its idle rate, and pgbench's p99 was 1.90×",
		"Under saturation the single `UPDATE` itself, which never pauses, reached 0.32×",
		"99% → 1.60× / 0.70×, 60% → 1.20× / 0.55×", "yield 1 1.70× / 0.12×"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
	cfg.sweep[1].p99s = ratios{1.1, 1.2, 1.3}
	if text := targetsText(cfg); !strings.Contains(text, "steady's default (yield 1) meets both") || !strings.Contains(text, "yield 1 met both") {
		t.Errorf("a default meeting both over its whole spread is not said so:\n%s", text)
	}
}

// A ratio's cell shows its median and spread, and a target is met only when every repetition
// meets it.
func TestRatioRows(t *testing.T) {
	r := ratioRow("online", "p99", "4 ms", "3 ms", ratios{1.1, 1.25, 1.4}, "windows", atMost(1.3, "0 failed"), true)
	if r.ratio != "1.25× (1.10–1.40×, 3 windows)" || r.target != "≤ 1.3×, 0 failed" || r.met != "no" {
		t.Errorf("got %+v", r)
	}
	if r := ratioRow("online", "p99", "", "", ratios{1.1, 1.25, 1.3}, "windows", atMost(1.3), true); r.met != "yes" {
		t.Errorf("a spread at the bound is met: %+v", r)
	}
	if r := ratioRow("online", "p99", "", "", ratios{1.1}, "windows", atMost(1.3), false); r.met != "no" || r.ratio != "1.10× (1 window)" {
		t.Errorf("a failed transaction fails the target: %+v", r)
	}
	if r := ratioRow("online", "tput", "", "", ratios{0.45, 0.6}, "runs", atLeast(0.5), true); r.met != "no" {
		t.Errorf("a lower bound is judged on the lowest repetition: %+v", r)
	}
	if r := ratioRow("online", "p50", "", "", ratios{2}, "runs", nil, true); r.met != "" || r.target != "" {
		t.Errorf("no target, no verdict: %+v", r)
	}
}

// A run of every scenario, over a file an earlier run wrote, says nothing of an earlier run:
// the sections it draws replace the old ones.
func TestRunOfEverythingKeepsNothing(t *testing.T) {
	dir := t.TempDir()
	cfg := &config{root: dir, out: "benchmarks.md", runs: 5, rows: 10, scenarios: map[string]bool{}}
	old := "# steady benchmarks\n\nGenerated by `make bench` on 2026-01-01 00:00 UTC. Do not edit by hand.\n\n" +
		"| scenario | measure | steady | baseline | ratio | target |\n|---|---|---|---|---|---|\n| online | old row | 9 ms | 3 ms | 3.00× | |\n" +
		"\n" + timelineTitle + "\n\nthe earlier timeline\n"
	if err := os.WriteFile(filepath.Join(dir, "benchmarks.md"), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg.scenarios = map[string]bool{"online": true, "timeline": true}
	start := time.Unix(1_800_000_000, 0)
	tl := &timeline{load: saturation, start: start, backfill: [2]time.Time{start.Add(time.Second), start.Add(2 * time.Second)}}
	for i := range 3000 {
		tl.txs = append(tl.txs, pgbenchTx{end: start.Add(time.Duration(i) * time.Millisecond), lat: 3 * time.Millisecond})
	}
	cfg.timelines = []*timeline{tl}
	if err := writeMarkdown(cfg, []row{{scenario: "online", measure: "new row", steady: "4 ms", baseline: "3 ms", ratio: "1.33×"}}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "benchmarks.md"))
	text := string(got)
	if !strings.Contains(text, "| online | new row |") || !strings.Contains(text, timelineTitle) {
		t.Fatalf("the run's own rows or timeline are missing:\n%s", text)
	}
	if strings.Contains(text, "the other scenarios on") || strings.Contains(text, "the earlier timeline") || strings.Contains(text, "old row") {
		t.Errorf("an earlier run is named or kept:\n%s", text)
	}
}
