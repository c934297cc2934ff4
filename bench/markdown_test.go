package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A run of some scenarios keeps the others' rows and chart sections from the earlier file, in
// the scenarios' order, and says when each part was measured.
func TestPartialRunKeepsTheOtherScenarios(t *testing.T) {
	dir := t.TempDir()
	cfg := &config{root: dir, out: "benchmarks.md", runs: 5, rows: 10, scenarios: map[string]bool{}}
	full := []row{
		{"deploy", "no-op", "1 ms", "2 ms", "0.50×", ""},
		{"online", "old online row", "9 ms", "3 ms", "3.00×", "≤ 2×"},
		{"signals", "a signal", "0.6", "", "", ""},
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
	if err := writeMarkdown(cfg, []row{{"online", "new online row", "4 ms", "3 ms", "1.33×", "≤ 2×"}}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "benchmarks.md"))
	text := string(got)
	for _, want := range []string{"| deploy | no-op |", "| online | new online row |", "| signals | a signal |",
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

// The targets section finds that no yield meets both targets, says why from the full-speed
// point and the single UPDATE under load, and names the best point under the p99 target.
func TestTargetsText(t *testing.T) {
	cfg := &config{
		sweep: []sweepPoint{
			{yield: 0, p99Ratio: 2.27, tputRatio: 0.46, rowsPerS: 4600, duty: 0.99},
			{yield: 1, p99Ratio: 1.88, tputRatio: 0.22, rowsPerS: 2200, duty: 0.44},
			{yield: 4, p99Ratio: 1.45, tputRatio: 0.08, rowsPerS: 800, duty: 0.20},
			{yield: 16, p99Ratio: 1.43, tputRatio: 0.03, rowsPerS: 300, duty: 0.08},
		},
		singleRate:   10000,
		loadedSingle: &loadedSingle{rateRatio: 0.58, p99Ratio: 3.28},
	}
	text := targetsText(cfg)
	for _, want := range []string{"no yield meets both targets", "reached 0.46× of the idle single `UPDATE`",
		"reached 0.58× of its idle rate", "99% → 2.27× / 0.46×, 44% → 1.88× / 0.22×",
		"best point found for the p99 target: yield 4, p99 1.45× at 0.08× throughput",
		"under the same load (5800 rows/s) instead, the backfill reached yield 0 0.79×, yield 1 0.38×",
		"none of the points at ≥ 0.5× kept pgbench's p99 ≤ 1.5×"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
	cfg.sweep[1] = sweepPoint{yield: 1, p99Ratio: 1.4, tputRatio: 0.6, duty: 0.5}
	if text := targetsText(cfg); !strings.Contains(text, "yield 1 meets both targets") {
		t.Errorf("a point meeting both is not named:\n%s", text)
	}
}
