package lint

import (
	"cmp"
	"fmt"
	"time"
)

// Default thresholds, from the rates measured on the reference machine (README, "Lint"):
// below 100 000 rows a rewrite holds its lock for about a second at most and an index build
// blocks writes for a third of one; from 1 000 000 a rewrite holds ACCESS EXCLUSIVE for about
// 9 s and an index build blocks writes for about 3 s, longer than the 2 s lock_timeout steady
// gives its own DDL.
const (
	DefaultWarnRows  = 100_000
	DefaultErrorRows = 1_000_000
)

// Rates are how fast PostgreSQL does the work a finding holds its lock for, to estimate how
// long it holds it. Measured by BenchmarkLockRates.
type Rates struct {
	RewriteBytesPerSecond   float64 // of the table's total size: heap, TOAST and indexes
	ScanBytesPerSecond      float64 // of the heap
	IndexBytesPerSecond     float64 // of the heap
	ForeignKeyRowsPerSecond float64 // rows of the referencing table
	UpdateBytesPerSecond    float64 // of the table's total size: an UPDATE of every row writes each anew, with its index entries
}

// DefaultRates were measured by BenchmarkLockRates at demo-data scale 25 (leads 500 000 rows,
// call_log 750 000) on 2 cores shared with other work (Intel Xeon 2.5 GHz, PostgreSQL 15, tables
// in cache). Of two runs the slower is kept, and of the tables measured the slowest: an estimate
// that errs long (README, "Lint").
var DefaultRates = Rates{
	RewriteBytesPerSecond:   20e6,  // leads ADD COLUMN … DEFAULT random(): 96 MB in 4.8 s (ALTER COLUMN TYPE: 21.5-44 MB/s)
	ScanBytesPerSecond:      165e6, // leads ADD CONSTRAINT … CHECK: 85 MB of heap in 0.52 s (quiet run: 322 MB/s)
	IndexBytesPerSecond:     50e6,  // leads CREATE INDEX (bigint, timestamptz): 85 MB of heap in 1.65 s (quiet: 60 MB/s)
	ForeignKeyRowsPerSecond: 345e3, // call_log → leads: 750 000 rows in 2.17 s (quiet: 530 000 rows/s)
	UpdateBytesPerSecond:    15e6,
}

// Config configures a Linter.
type Config struct {
	// A finding whose severity follows its table is info below WarnRows estimated rows, a
	// warning from WarnRows, an error from ErrorRows. Defaults DefaultWarnRows and
	// DefaultErrorRows.
	WarnRows, ErrorRows int64
	Rates               Rates // zero fields take DefaultRates'
	// Levels set a rule's severity whatever the table (or drop its findings: LevelOff), as a
	// checked-in .steady-lint.toml says.
	Levels map[string]Level
	// OwnMigrations: the files are steady's own migrations, so advice may cite steady's own
	// files (the catalogs in jobs/, earlier migrations); in any other repository it must not.
	OwnMigrations bool
}

// Level is a rule's configured level.
type Level string

const (
	LevelError   Level = "error"
	LevelWarning Level = "warning"
	LevelInfo    Level = "info"
	LevelOff     Level = "off"
)

func (l Level) severity() Severity {
	switch l {
	case LevelError:
		return Error
	case LevelWarning:
		return Warning
	}
	return Info
}

// ParseLevel reads a level name.
func ParseLevel(s string) (Level, error) {
	switch l := Level(s); l {
	case LevelError, LevelWarning, LevelInfo, LevelOff:
		return l, nil
	}
	return "", fmt.Errorf("level %q: want error, warning, info or off", s)
}

// Linter judges migrations. It is safe for concurrent use.
type Linter struct {
	cfg Config
}

// New validates cfg and fills in the defaults.
func New(cfg Config) (*Linter, error) {
	cfg.WarnRows = cmp.Or(cfg.WarnRows, DefaultWarnRows)
	cfg.ErrorRows = cmp.Or(cfg.ErrorRows, DefaultErrorRows)
	if cfg.WarnRows < 0 || cfg.ErrorRows < 0 {
		return nil, fmt.Errorf("lint: row thresholds must be positive (warn %d, error %d)", cfg.WarnRows, cfg.ErrorRows)
	}
	if cfg.ErrorRows < cfg.WarnRows {
		return nil, fmt.Errorf("lint: the error threshold (%d rows) is below the warning threshold (%d rows)", cfg.ErrorRows, cfg.WarnRows)
	}
	for name, lv := range cfg.Levels {
		if _, ok := RuleByName(name); !ok {
			return nil, fmt.Errorf("lint: unknown rule %q (steady help lint lists them)", name)
		}
		if _, err := ParseLevel(string(lv)); err != nil {
			return nil, fmt.Errorf("lint: rule %s: %w", name, err)
		}
	}
	r := &cfg.Rates
	r.RewriteBytesPerSecond = cmp.Or(r.RewriteBytesPerSecond, DefaultRates.RewriteBytesPerSecond)
	r.ScanBytesPerSecond = cmp.Or(r.ScanBytesPerSecond, DefaultRates.ScanBytesPerSecond)
	r.IndexBytesPerSecond = cmp.Or(r.IndexBytesPerSecond, DefaultRates.IndexBytesPerSecond)
	r.ForeignKeyRowsPerSecond = cmp.Or(r.ForeignKeyRowsPerSecond, DefaultRates.ForeignKeyRowsPerSecond)
	r.UpdateBytesPerSecond = cmp.Or(r.UpdateBytesPerSecond, DefaultRates.UpdateBytesPerSecond)
	return &Linter{cfg: cfg}, nil
}

// safe is the advice a finding of the rule prints.
func (l *Linter) safe(r *Rule) string {
	if l.cfg.OwnMigrations && r.SafeOwn != "" {
		return r.SafeOwn
	}
	return r.Safe
}

// Config returns the configuration with its defaults.
func (l *Linter) Config() Config { return l.cfg }

// estimate is how long work on a table of this size holds the lock; 0 for catalog-only work.
func (r Rates) estimate(w work, rows, heapBytes, totalBytes int64) time.Duration {
	var seconds float64
	switch w {
	case workRewrite:
		seconds = float64(totalBytes) / r.RewriteBytesPerSecond
	case workScan:
		seconds = float64(heapBytes) / r.ScanBytesPerSecond
	case workIndex:
		seconds = float64(heapBytes) / r.IndexBytesPerSecond
	case workForeignKey:
		seconds = float64(max(rows, 0)) / r.ForeignKeyRowsPerSecond
	case workUpdate:
		seconds = float64(totalBytes) / r.UpdateBytesPerSecond
	}
	return time.Duration(seconds * float64(time.Second))
}
