package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A ratio is measured in several repetitions (runs alternated with the baseline's, windows
// alternated with pgbench alone): the row shows their median and their spread, min–max, and a
// target counts as met only when the whole spread meets it. On a shared machine one lucky
// repetition proves nothing.
type ratios []float64

// durationRatios pairs steady's runs with the baseline's, in the order they were alternated.
func durationRatios(steady, baseline []time.Duration) ratios {
	var r ratios
	for i := range min(len(steady), len(baseline)) {
		r = append(r, float64(steady[i])/float64(baseline[i]))
	}
	return r
}

func (r ratios) median() float64 { return medianF(r) }

func (r ratios) lo() float64 {
	if len(r) == 0 {
		return math.NaN()
	}
	return slices.Min(r)
}

func (r ratios) hi() float64 {
	if len(r) == 0 {
		return math.NaN()
	}
	return slices.Max(r)
}

// cell is the ratio column: "1.21× (1.10–1.30×, 5 runs)".
func (r ratios) cell(runs string) string {
	switch len(r) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("%.2f× (1 %s)", r[0], strings.TrimSuffix(runs, "s"))
	}
	return fmt.Sprintf("%.2f× (%.2f–%.2f×, %d %s)", r.median(), r.lo(), r.hi(), len(r), runs)
}

// target is a bound on a ratio; extra is what else the target asks that the row checks itself
// ("0 failed").
type target struct {
	atMost bool
	bound  float64
	extra  string
}

func atMost(bound float64, extra ...string) *target {
	return &target{atMost: true, bound: bound, extra: strings.Join(extra, ", ")}
}

func atLeast(bound float64, extra ...string) *target {
	return &target{bound: bound, extra: strings.Join(extra, ", ")}
}

func (t *target) String() string {
	if t == nil {
		return ""
	}
	op := "≥"
	if t.atMost {
		op = "≤"
	}
	s := op + " " + strconv.FormatFloat(t.bound, 'f', -1, 64) + "×"
	if t.extra != "" {
		s += ", " + t.extra
	}
	return s
}

// met says whether every repetition meets the bound (and extraOK, the rest of the target).
func (t *target) met(r ratios, extraOK bool) bool {
	if t == nil || len(r) == 0 || !extraOK {
		return false
	}
	if t.atMost {
		return r.hi() <= t.bound
	}
	return r.lo() >= t.bound
}

// verdict is the met column.
func verdict(t *target, r ratios, extraOK bool) string {
	switch {
	case t == nil:
		return ""
	case t.met(r, extraOK):
		return "yes"
	}
	return "no"
}

// ratioRow is a row whose ratio has repetitions and whose target is judged on their spread.
func ratioRow(scenario, measure, steady, baseline string, r ratios, runs string, t *target, extraOK bool) row {
	return row{scenario: scenario, measure: measure, steady: steady, baseline: baseline,
		ratio: r.cell(runs), target: t.String(), met: verdict(t, r, extraOK)}
}
