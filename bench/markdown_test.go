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
