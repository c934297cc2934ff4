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

	lintCorpus string // the lint scenario's corpus: "" for internal/lint/testdata/corpus
	lintOut    string // with lintCorpus, a file for its table (docs/lint.md keeps the in-repo corpus's)

	singleRate float64 // rows/s of the single UPDATE (backfill scenario), the throughput baseline
	loadStart  string  // uptime at the start of the run and at its end: the machine is shared
	load       string
	sweep      []sweepPoint
	timelines  []*timeline // one per load, open loop first
	// loadedSingle is the single UPDATE while pgbench runs (online scenario), by load: what any
	// writer gets of the two cores then.
	loadedSingle map[string]*loadedSingle
}

type loadedSingle struct{ rateRatio, p99Ratio float64 } // vs its idle rate; vs pgbench alone

// row is one line of the result table.
type row struct {
	scenario, measure, steady, baseline, ratio, target string
	met                                                string // "yes" when the whole spread meets the target, "no", or ""
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
	flag.StringVar(&cfg.lintCorpus, "lint-corpus", "", "lint scenario: score this corpus directory (laid out and marked as internal/lint/testdata/corpus; -- expect: lines optional) instead of the in-repo one; its table goes to stdout and -lint-out, never into docs/lint.md")
	flag.StringVar(&cfg.lintOut, "lint-out", "", "with -lint-corpus: also write its markdown table to this file")
	flag.StringVar(&cfg.out, "out", "docs/benchmarks.md", "markdown file to write, relative to the repository root")
	flag.Parse()
	cfg.keep = cfg.keep || cfg.template != ""
	cfg.loadedSingle = map[string]*loadedSingle{}
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
	if out, err := exec.Command("uptime").Output(); err == nil {
		cfg.loadStart = strings.TrimSpace(string(out))
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
		fmt.Fprintf(w, "%-10s %-58s steady=%-14s baseline=%-14s ratio=%-8s target=%s met=%s\n",
			r.scenario, r.measure, r.steady, r.baseline, r.ratio, r.target, r.met)
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
	made := map[string]bool{tradeoffTitle: len(cfg.sweep) > 0, targetsTitle: len(cfg.sweep) > 0, timelineTitle: len(cfg.timelines) > 0}
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
	b.WriteString("A ratio is the median of its repetitions (runs alternated with the baseline's, or windows alternated with pgbench alone) followed by their spread, min–max; a target is met only when the whole spread meets it, and the last column says whether it was.\n\n")
	fmt.Fprintf(&b, "The application is pgbench (TPC-B-like, scale 10, 4 clients, through PgBouncer) under two loads. **Open loop**: pgbench's maximum rate alone is measured first (closed loop, 10 s, on the scenario's database), then pgbench runs at a fixed rate of half of it (`pgbench --rate`), as requests arrive in production with headroom left; a transaction's latency includes the time it waited for its scheduled start, so work that delays the application shows even when the server catches up. The targets are judged under this load. **Saturation**: closed loop, which keeps both cores busy so that any other work shows in the tail; kept as a stress row, without targets. Under either load, pgbench's first %.0f s (its connections, the schedule's start, cold caches) are left out of every measurement.\n\n", pgbenchWarmup.Seconds())
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
	if cfg.loadStart != "" {
		fmt.Fprintf(&b, "Load at the start of the run (`uptime`): %s.\n\n", cfg.loadStart)
	}
	if cfg.load != "" {
		fmt.Fprintf(&b, "Load at the end of the run (`uptime`): %s.\n\n", cfg.load)
	}
	table := func(rows []row) {
		b.WriteString("| scenario | measure | steady | baseline | ratio (spread) | target | met |\n|---|---|---|---|---|---|---|\n")
		for _, r := range rows {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", r.scenario, r.measure, r.steady, r.baseline, r.ratio, r.target, r.met)
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
	b.WriteString("\nBaselines: `deploy` — goose v3 (`Provider.Up`) over the same SQL files and database contents; `backfill` — one `UPDATE` making the same change on the same data; `online`, `sweep`, `timeline`, `indexes` — pgbench alone under the same load (open loop or saturation), just before steady's work or in the windows alternated with it, on the same database.\n")
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
	if len(cfg.timelines) > 0 {
		fmt.Fprintf(&b, "\n%s\n\nOne pgbench run per load with steady's defaults: alone, then the backfill for 40 s (shaded blue), then the index catalog dropped and built again by the worker, one index at a time (shaded orange; the builds of more than 2 s are named).\n", timelineTitle)
		for i, tl := range cfg.timelines {
			chart := timelineChart
			if i > 0 {
				chart = timelineSaturationChart
			}
			if err := drawTimeline(filepath.Join(dir, chart), tl); err != nil {
				return fmt.Errorf("draw %s: %w", chart, err)
			}
			fmt.Fprintf(&b, "\n%s:\n\n![pgbench latency over time, %s, with the backfill and the index builds shaded](%s)\n", upperFirst(tl.load.name), tl.load.short, chart)
		}
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
		// Six cells before the met column was added, seven since.
		cells := strings.Split(strings.TrimSuffix(strings.TrimPrefix(line, "| "), " |"), " | ")
		if !strings.HasPrefix(line, "| ") || len(cells) < 6 || len(cells) > 7 || cells[0] == "scenario" || ran[cells[0]] {
			continue
		}
		r := row{scenario: cells[0], measure: cells[1], steady: cells[2], baseline: cells[3], ratio: cells[4], target: cells[5]}
		if len(cells) == 7 {
			r.met = cells[6]
		}
		p.rows = append(p.rows, r)
	}
	for _, title := range []string{tradeoffTitle, targetsTitle, timelineTitle} {
		if _, rest, ok := strings.Cut(text, title+"\n"); ok {
			body, _, _ := strings.Cut(rest, "\n## ")
			p.sections[title] = title + "\n" + strings.TrimRight(body, "\n") + "\n"
		}
	}
	return p
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
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
		strconv.FormatFloat(backfills.DefaultYield, 'f', -1, 64) + "). With the application idle it works back to back. Each point below is pgbench's p99 while the backfill runs against pgbench alone under the same load, measured in alternate " +
		measureWindow.String() + " windows of one pgbench run (" + strconv.Itoa(measureCycles) + " of each per measurement, " + strconv.Itoa(sweepReps) +
		" measurement(s) per point), and the backfill's rows per second meanwhile against the single `UPDATE` on an idle database; medians over the windows. The solid curve is the open-loop load (half of pgbench's maximum rate), where the targets are judged; the dashed one is saturation.")
	return b.String()
}

// signalsText explains the signals table.
const signalsText = "pgbench runs closed-loop (4 clients), open loop at half of that rate (`pgbench --rate`), or not at all, while a batch driver runs the backfill's `UPDATE` through PgBouncer sized to 200 ms batches with gh-ost's nice ratio (sleep = nice × the last batch; nice 0, 1, 3, 9, or no backfill), each combination twice for 12 s. A sampler reads each candidate signal every 100 ms through PgBouncer, as the controller would. Per phase: pgbench's p99 and each signal's median over its seconds; then each signal's Spearman rank correlation with pgbench's p99 across the seconds with pgbench running (1 = predicts perfectly, 0 = not at all)."

// targetsText says, from this run's sweep under the open-loop load, whether steady's default
// and any other yield meet both backfill targets over their whole spread, where the
// throughput's ceiling is (full speed, and the single UPDATE under the same load), and how the
// same points fare under saturation.
func targetsText(cfg *config) string {
	var open, sat []sweepPoint
	for _, p := range cfg.sweep {
		if p.open {
			open = append(open, p)
		} else {
			sat = append(sat, p)
		}
	}
	var b strings.Builder
	meets := func(p sweepPoint) bool {
		return p.failed == 0 && atMost(backfillP99Target).met(p.p99s, true) && atLeast(backfillTputTarget).met(p.tputs, true)
	}
	describe := func(p sweepPoint) string {
		return fmt.Sprintf("p99 %.2f× (%.2f–%.2f×), throughput %.2f× (%.2f–%.2f×), batches running %.0f%% of the time",
			p.p99Ratio, p.p99s.lo(), p.p99s.hi(), p.tputRatio, p.tputs.lo(), p.tputs.hi(), 100*p.duty)
	}
	fmt.Fprintf(&b, "The targets, under the open-loop load: pgbench's p99 during the backfill ≤ %g× pgbench alone and the backfill's throughput ≥ %g× the single `UPDATE` on an idle database, each over the whole spread of its windows, with no failed transaction.",
		backfillP99Target, backfillTputTarget)
	for _, p := range open {
		if p.yield == backfills.DefaultYield {
			verdict := "meets both"
			if !meets(p) {
				verdict = "does not meet both"
			}
			fmt.Fprintf(&b, " steady's default (yield %g) %s: %s.", p.yield, verdict, describe(p))
		}
	}
	var both []string
	for _, p := range open {
		if meets(p) {
			both = append(both, fmt.Sprintf("yield %g", p.yield))
		}
	}
	if len(both) > 0 {
		fmt.Fprintf(&b, " In this run %s met both over the whole spread.", strings.Join(both, ", "))
	} else {
		b.WriteString(" In this run no yield met both over the whole spread.")
	}
	for _, p := range open {
		if p.yield == 0 {
			fmt.Fprintf(&b, " At full speed (yield 0): %s; every yield above 0 only waits longer, so no setting of the controller gets more throughput than that.", describe(p))
		}
	}
	for _, pts := range [][]sweepPoint{open, sat} {
		if len(pts) == 0 {
			continue
		}
		if ls := cfg.loadedSingle[pts[0].load]; ls != nil {
			fmt.Fprintf(&b, " Under %s the single `UPDATE` itself, which never pauses, reached %.2f× of its idle rate, and pgbench's p99 was %.2f× meanwhile.",
				pts[0].load, ls.rateRatio, ls.p99Ratio)
		}
	}
	sorted := slices.Clone(open)
	slices.SortFunc(sorted, func(a, b sweepPoint) int { return cmp.Compare(b.duty, a.duty) })
	var steps []string
	for _, p := range sorted {
		steps = append(steps, fmt.Sprintf("%.0f%% → %.2f× / %.2f×", 100*p.duty, p.p99Ratio, p.tputRatio))
	}
	if len(steps) > 0 {
		fmt.Fprintf(&b, " Under the open-loop load, share of time a batch runs → p99 / throughput: %s.", strings.Join(steps, ", "))
	}
	var satSteps []string
	for _, p := range sat {
		satSteps = append(satSteps, fmt.Sprintf("yield %g %.2f× / %.2f×", p.yield, p.p99Ratio, p.tputRatio))
	}
	if len(satSteps) > 0 {
		fmt.Fprintf(&b, " Under saturation (no target; both cores already busy, so any other work shows in the tail), p99 / throughput: %s.", strings.Join(satSteps, ", "))
	}
	return b.String()
}
