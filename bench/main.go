// Command bench measures steady side by side with what a user would pick instead, on this
// machine, in one run, and writes the table to docs/benchmarks.md. It starts its own
// PostgreSQL + PgBouncer (scripts/devdb.sh up bench) and, where a scenario asks for network
// latency, a toxiproxy on loopback in front of PgBouncer.
//
// Benchmarks are programs, not timed tests: they report ratios measured side by side, never
// wall-clock bounds.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/steadydb/steady/internal/backfills"
)

type config struct {
	root      string // repository root
	directURL string
	poolerURL string
	runs      int
	rows      int           // rows of the backfill and online scenarios
	latency   time.Duration // one-way latency added by toxiproxy
	scenarios map[string]bool
	out       string
	template  string // populated(), indexed: made once, shared by the backfill and online scenarios
	keep      bool   // keep the template at the end

	singleRate float64 // rows/s of the single UPDATE (backfill scenario), the throughput baseline
	load       string  // uptime at the end of the run: the machine is shared
	sweep      []sweepPoint
	timeline   *timeline
	// loadedSingle is the single UPDATE while pgbench runs (online scenario): what any writer
	// gets of the two cores then.
	loadedSingle *loadedSingle
}

type loadedSingle struct{ rateRatio, p99Ratio float64 } // vs its idle rate; vs pgbench alone

// row is one line of the result table.
type row struct {
	scenario, measure, steady, baseline, ratio, target string
}

func main() {
	log.SetFlags(0)
	var cfg config
	var only string
	flag.IntVar(&cfg.runs, "runs", 7, "runs per measurement (medians are reported)")
	flag.IntVar(&cfg.rows, "rows", 5_000_000, "leads (and calls) in the backfill and online scenarios")
	flag.DurationVar(&cfg.latency, "latency", 10*time.Millisecond, "one-way latency toxiproxy adds (round trip = 2x)")
	flag.StringVar(&only, "only", "", "comma-separated scenarios: deploy,adopt,probe,backfill,online,sweep,timeline,signals (default), indexes (the index build alternatives alternated three times), lint (steady lint and squawk on the lint corpus) and estimates (the lint's lock-time estimates against measured times); lint and estimates write docs/lint.md")
	flag.StringVar(&cfg.template, "template", "", "reuse this populated database as the shared template (made by an earlier run with -keep); default: populate one")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the shared template at the end (its name is logged) for -template")
	flag.Func("sweep", "comma-separated STEADY_BACKFILL_YIELD values the sweep measures (default 0,0.5,1,2,4,8,16)", func(v string) error {
		sweepYields = nil
		for _, f := range strings.Split(v, ",") {
			y, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil {
				return err
			}
			sweepYields = append(sweepYields, y)
		}
		return nil
	})
	flag.IntVar(&sweepReps, "sweep-reps", sweepReps, "measurements of each sweep point (medians are reported)")
	flag.IntVar(&backfillReps, "backfill-reps", backfillReps, "backfill scenario: runs of the single UPDATE and of steady in 1 and 2 slices, alternated (medians are reported)")
	flag.IntVar(&measureCycles, "windows", measureCycles, "backfill under pgbench: alternate windows alone and with the backfill, of each")
	flag.DurationVar(&measureWindow, "window", measureWindow, "backfill under pgbench: length of each window")
	flag.Float64Var(&cfg.singleRate, "single-rate", 0, "rows/s of the single UPDATE from an earlier run: the sweep and online scenarios skip measuring it (the backfill scenario measures it again)")
	flag.StringVar(&cfg.out, "out", "docs/benchmarks.md", "markdown file to write, relative to the repository root")
	flag.Parse()
	cfg.keep = cfg.keep || cfg.template != ""
	cfg.scenarios = map[string]bool{}
	for _, s := range strings.Split(only, ",") {
		if s != "" {
			cfg.scenarios[s] = true
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, &cfg); err != nil {
		log.Fatalf("bench: %v", err)
	}
}

// optIn scenarios run only when named in -only: they repeat what the default ones measure, at
// more length.
var optIn = map[string]bool{"indexes": true, "lint": true, "estimates": true}

// docsLint are scenarios that write docs/lint.md, not docs/benchmarks.md; lint needs no
// database.
var docsLint = map[string]bool{"lint": true, "estimates": true}

func (c *config) want(s string) bool { return c.scenarios[s] || len(c.scenarios) == 0 && !optIn[s] }

func run(ctx context.Context, cfg *config) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	cfg.root = filepath.Dir(wd)
	if _, err := os.Stat(filepath.Join(cfg.root, "scripts", "devdb.sh")); err != nil {
		return fmt.Errorf("run from the bench/ folder of the repository: %w", err)
	}
	onlyLint := len(cfg.scenarios) > 0
	needsDB := false
	for s := range cfg.scenarios {
		onlyLint = onlyLint && docsLint[s]
		needsDB = needsDB || s != "lint"
	}
	var out []byte
	if needsDB || len(cfg.scenarios) == 0 {
		if out, err = exec.CommandContext(ctx, filepath.Join(cfg.root, "scripts", "devdb.sh"), "up", "bench").Output(); err != nil {
			return fmt.Errorf("start bench database: %w", err)
		}
	}
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "export DATABASE_URL_DIRECT="); ok {
			cfg.directURL = v
		}
		if v, ok := strings.CutPrefix(line, "export DATABASE_URL_POOLER="); ok {
			cfg.poolerURL = v
		}
	}
	var rows []row
	type scenario struct {
		name string
		fn   func(context.Context, *config) ([]row, error)
	}
	defer func() {
		if cfg.template != "" && !cfg.keep {
			dropDB(context.WithoutCancel(ctx), cfg, cfg.template)
		}
		if cfg.keep {
			log.Printf("kept the template: -template %s", cfg.template)
		}
	}()
	for _, s := range []scenario{
		{"deploy", benchDeploy}, {"adopt", benchAdopt}, {"probe", benchProbe},
		{"backfill", benchBackfill}, {"online", benchOnline}, {"sweep", benchSweep}, {"timeline", benchTimeline},
		{"signals", benchSignals}, {"indexes", benchIndexes}, {"lint", benchLint}, {"estimates", benchEstimates},
	} {
		if !cfg.want(s.name) {
			continue
		}
		log.Printf("== %s", s.name)
		rs, err := s.fn(ctx, cfg)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		rows = append(rows, rs...)
		printRows(os.Stdout, rs)
	}
	if out, err := exec.Command("uptime").Output(); err == nil {
		cfg.load = strings.TrimSpace(string(out))
	}
	if onlyLint {
		return nil // they wrote docs/lint.md
	}
	return writeMarkdown(cfg, rows)
}

func printRows(w io.Writer, rows []row) {
	for _, r := range rows {
		fmt.Fprintf(w, "%-10s %-58s steady=%-14s baseline=%-14s ratio=%-8s target=%s\n",
			r.scenario, r.measure, r.steady, r.baseline, r.ratio, r.target)
	}
}

func writeMarkdown(cfg *config, rows []row) error {
	path := cfg.out
	if !filepath.IsAbs(path) {
		path = filepath.Join(cfg.root, cfg.out)
	}
	// A run of some scenarios (-only) keeps the other scenarios' rows and sections from the file
	// an earlier run wrote, and says which came from when.
	var earlier previous
	if len(cfg.scenarios) > 0 {
		earlier = readPrevious(path, cfg.scenarios)
		rows = append(rows, earlier.rows...)
		order := []string{"deploy", "adopt", "probe", "backfill", "online", "sweep", "timeline", "signals", "indexes"}
		slices.SortStableFunc(rows, func(a, b row) int {
			return slices.Index(order, a.scenario) - slices.Index(order, b.scenario)
		})
	}
	var b strings.Builder
	now := time.Now().UTC().Format("2006-01-02 15:04 MST")
	made := map[string]bool{tradeoffTitle: len(cfg.sweep) > 0, targetsTitle: len(cfg.sweep) > 0, timelineTitle: cfg.timeline != nil}
	keeps := len(earlier.rows) > 0
	for title := range earlier.sections {
		keeps = keeps || !made[title]
	}
	if keeps {
		fmt.Fprintf(&b, "# steady benchmarks\n\nGenerated by `make bench`: %s on %s (`-only %s`), the other scenarios on %s. Do not edit by hand.\n\n",
			strings.Join(slices.Sorted(maps.Keys(cfg.scenarios)), ", "), now, strings.Join(slices.Sorted(maps.Keys(cfg.scenarios)), ","), earlier.when)
	} else {
		fmt.Fprintf(&b, "# steady benchmarks\n\nGenerated by `make bench` on %s. Do not edit by hand.\n\n", now)
	}
	fmt.Fprintf(&b, "Machine: %s, %d cores (%s), Go %s. PostgreSQL 15 and PgBouncer 1.x (transaction mode) on loopback, started by `scripts/devdb.sh up bench`.\n", machine(), runtime.NumCPU(), runtime.GOARCH, runtime.Version())
	fmt.Fprintf(&b, "Where a row says so, toxiproxy adds %s each way (%s round trip) between the client and PgBouncer. Times are medians of %d runs, interleaved with the baseline's.\n\n", cfg.latency, 2*cfg.latency, cfg.runs)
	var set []string // the flags given, so that the run can be repeated exactly
	flag.Visit(func(f *flag.Flag) {
		switch v := f.Value.String(); f.Name {
		case "runs", "latency", "rows", "out":
		case "sweep": // a flag.Func, which shows no value
			var ys []string
			for _, y := range sweepYields {
				ys = append(ys, strconv.FormatFloat(y, 'f', -1, 64))
			}
			set = append(set, "-sweep "+strings.Join(ys, ","))
		default:
			set = append(set, "-"+f.Name+" "+v)
		}
	})
	fmt.Fprintf(&b, "Command: `make bench` (runs `cd bench && go run . -runs %d -latency %s -rows %d%s`).\n\n", cfg.runs, cfg.latency, cfg.rows,
		strings.TrimRight(" "+strings.Join(set, " "), " "))
	if cfg.load != "" {
		fmt.Fprintf(&b, "Load at the end of the run (`uptime`): %s.\n\n", cfg.load)
	}
	table := func(rows []row) {
		b.WriteString("| scenario | measure | steady | baseline | ratio | target |\n|---|---|---|---|---|---|\n")
		for _, r := range rows {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", r.scenario, r.measure, r.steady, r.baseline, r.ratio, r.target)
		}
	}
	var main, signals []row
	for _, r := range rows {
		if r.scenario == "signals" {
			signals = append(signals, r)
		} else {
			main = append(main, r)
		}
	}
	table(main)
	b.WriteString("\nBaselines: `deploy` — goose v3 (`Provider.Up`) over the same SQL files and database contents; `backfill` — one `UPDATE` making the same change on the same data; `online`, `sweep`, `timeline` — pgbench alone (TPC-B-like, scale 10, 4 clients, closed loop, through PgBouncer) just before steady's work, on the same database.\n")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if len(cfg.sweep) > 0 {
		if err := drawTradeoff(filepath.Join(dir, tradeoffChart), cfg.sweep); err != nil {
			return fmt.Errorf("draw %s: %w", tradeoffChart, err)
		}
		fmt.Fprintf(&b, "\n%s\n\n%s\n\n![backfill throughput against pgbench p99 by STEADY_BACKFILL_YIELD](%s)\n",
			tradeoffTitle, sweepText(cfg), tradeoffChart)
		fmt.Fprintf(&b, "\n%s\n\n%s\n", targetsTitle, targetsText(cfg))
	}
	if cfg.timeline != nil {
		if err := drawTimeline(filepath.Join(dir, timelineChart), cfg.timeline); err != nil {
			return fmt.Errorf("draw %s: %w", timelineChart, err)
		}
		fmt.Fprintf(&b, "\n%s\n\nOne pgbench run (4 clients, closed loop) with steady's defaults: alone, then the backfill for 40 s (shaded blue), then the index catalog dropped and built again by the worker, one index at a time (shaded orange; the builds of more than 2 s are named).\n\n![pgbench latency over time with the backfill and the index builds shaded](%s)\n", timelineTitle, timelineChart)
	}
	for _, title := range []string{tradeoffTitle, targetsTitle, timelineTitle} {
		if text, ok := earlier.sections[title]; ok && !made[title] {
			b.WriteString("\n" + text)
		}
	}
	if len(signals) > 0 {
		b.WriteString("\n" + signalsTitle + "\n\n" + signalsText + "\n\n")
		table(signals)
	}
	log.Printf("wrote %s", path)
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

const (
	tradeoffTitle = "## The backfill controller's trade-off"
	targetsTitle  = "## Where the backfill targets stand on 2 cores"
	timelineTitle = "## pgbench latency over time"
	signalsTitle  = "## Which signals predict pgbench's p99"
)

// previous is what an earlier run wrote that this run keeps: the rows of scenarios it did not
// run, and the chart sections it did not draw.
type previous struct {
	when     string
	rows     []row
	sections map[string]string // by title, up to the next section
}

func readPrevious(path string, ran map[string]bool) previous {
	p := previous{sections: map[string]string{}}
	data, err := os.ReadFile(path)
	if err != nil {
		return p
	}
	text := string(data)
	if _, rest, ok := strings.Cut(text, "Generated by `make bench` on "); ok {
		p.when, _, _ = strings.Cut(rest, ".")
	} else if _, rest, ok := strings.Cut(text, "the other scenarios on "); ok {
		p.when, _, _ = strings.Cut(rest, ".")
	}
	for _, line := range strings.Split(text, "\n") {
		cells := strings.Split(strings.TrimSuffix(strings.TrimPrefix(line, "| "), " |"), " | ")
		if !strings.HasPrefix(line, "| ") || len(cells) != 6 || cells[0] == "scenario" || ran[cells[0]] {
			continue
		}
		p.rows = append(p.rows, row{cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]})
	}
	for _, title := range []string{tradeoffTitle, targetsTitle, timelineTitle} {
		if _, rest, ok := strings.Cut(text, title+"\n"); ok {
			body, _, _ := strings.Cut(rest, "\n## ")
			p.sections[title] = title + "\n" + strings.TrimRight(body, "\n") + "\n"
		}
	}
	return p
}

func machine() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOOS
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return runtime.GOOS
}

// sweepText explains the trade-off chart with this run's numbers.
func sweepText(cfg *config) string {
	var b strings.Builder
	b.WriteString("The backfill's pace controller waits, after each batch, yield × (sessions of others active in the database, smoothed) × the batch's duration (`STEADY_BACKFILL_YIELD`, default " +
		strconv.FormatFloat(backfills.DefaultYield, 'f', -1, 64) + "). With the application idle it works back to back; under load each point below is pgbench's p99 while the backfill runs against pgbench alone, measured in alternate " + measureWindow.String() + " windows of one pgbench run (" + strconv.Itoa(measureCycles) + " of each), and the backfill's rows per second while it runs against the single `UPDATE` on an idle database (medians of " +
		strconv.Itoa(sweepReps) + " measurements, in alternating order).")
	return b.String()
}

// signalsText explains the signals table.
const signalsText = "pgbench runs closed-loop (4 clients), rate-limited at 40 % of that, or not at all, while a batch driver runs the backfill's `UPDATE` through PgBouncer sized to 200 ms batches with gh-ost's nice ratio (sleep = nice × the last batch; nice 0, 1, 3, 9, or no backfill), each combination twice for 12 s. A sampler reads each candidate signal every 100 ms through PgBouncer, as the controller would. Per phase: pgbench's p99 and each signal's median over its seconds; then each signal's Spearman rank correlation with pgbench's p99 across the seconds with pgbench running (1 = predicts perfectly, 0 = not at all)."

// targetsText says, from this run's sweep, whether any yield meets both backfill targets
// (pgbench p99 ≤ 1.5× and throughput ≥ 0.5× the idle single UPDATE), why not when none does,
// and the best point found.
func targetsText(cfg *config) string {
	const p99Target, tputTarget = 1.5, 0.5
	pts := cfg.sweep
	var b strings.Builder
	var full *sweepPoint
	for i := range pts {
		if pts[i].yield == 0 {
			full = &pts[i]
		}
	}
	var both []sweepPoint
	for _, p := range pts {
		if p.p99Ratio <= p99Target && p.tputRatio >= tputTarget {
			both = append(both, p)
		}
	}
	if len(both) > 0 {
		fmt.Fprintf(&b, "In this run yield %g meets both targets (p99 %.2f×, throughput %.2f×).", both[0].yield, both[0].p99Ratio, both[0].tputRatio)
	} else {
		b.WriteString("In this run no yield meets both targets (pgbench p99 ≤ 1.5× and backfill throughput ≥ 0.5× the single `UPDATE` on an idle database).")
	}
	if full != nil {
		fmt.Fprintf(&b, " At full speed (yield 0, batches running %.0f%% of the time) the backfill reached %.2f× of the idle single `UPDATE`, with pgbench's p99 at %.2f×; every yield above 0 only waits longer, so no setting of the controller gets more throughput than that.",
			100*full.duty, full.tputRatio, full.p99Ratio)
	}
	if ls := cfg.loadedSingle; ls != nil {
		fmt.Fprintf(&b, " The single `UPDATE` itself, which never pauses, reached %.2f× of its idle rate while pgbench ran, and pgbench's p99 was %.2f× meanwhile: pgbench's 4 closed-loop clients, their backends and PgBouncer keep both cores busy, so any writer gets only a share of them, and every transaction that waits for a core behind it shows in the p99.",
			ls.rateRatio, ls.p99Ratio)
	}
	if ls := cfg.loadedSingle; ls != nil && cfg.singleRate > 0 {
		// The target may also be read against the single UPDATE under the same load.
		loaded := ls.rateRatio * cfg.singleRate
		var vs []string
		var ok []string
		for _, p := range pts {
			r := p.rowsPerS / loaded
			vs = append(vs, fmt.Sprintf("yield %g %.2f×", p.yield, r))
			if r >= tputTarget && p.p99Ratio <= p99Target {
				ok = append(ok, fmt.Sprintf("yield %g", p.yield))
			}
		}
		fmt.Fprintf(&b, " Read against the single `UPDATE` under the same load (%.0f rows/s) instead, the backfill reached %s; ", loaded, strings.Join(vs, ", "))
		if len(ok) == 0 {
			b.WriteString("none of the points at ≥ 0.5× kept pgbench's p99 ≤ 1.5×.")
		} else {
			fmt.Fprintf(&b, "of those, %s also kept pgbench's p99 ≤ 1.5×.", strings.Join(ok, ", "))
		}
	}
	sorted := slices.Clone(pts)
	slices.SortFunc(sorted, func(a, b sweepPoint) int { return cmp.Compare(b.duty, a.duty) })
	var steps []string
	for _, p := range sorted {
		steps = append(steps, fmt.Sprintf("%.0f%% → %.2f× / %.2f×", 100*p.duty, p.p99Ratio, p.tputRatio))
	}
	fmt.Fprintf(&b, " pgbench's p99 falls as the share of time a batch runs falls, and the throughput with it (share of time running → p99 / throughput: %s).", strings.Join(steps, ", "))
	var best *sweepPoint
	for i, p := range pts {
		if p.p99Ratio <= p99Target && (best == nil || p.tputRatio > best.tputRatio) {
			best = &pts[i]
		}
	}
	if best != nil {
		fmt.Fprintf(&b, " The best point found for the p99 target: yield %g, p99 %.2f× at %.2f× throughput.", best.yield, best.p99Ratio, best.tputRatio)
	} else {
		for i, p := range pts {
			if best == nil || p.p99Ratio < best.p99Ratio {
				best = &pts[i]
			}
		}
		fmt.Fprintf(&b, " No yield met the p99 target in this run; the lowest p99: yield %g, %.2f× at %.2f× throughput.", best.yield, best.p99Ratio, best.tputRatio)
	}
	return b.String()
}
