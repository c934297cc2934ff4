package lint

import (
	"cmp"
	"fmt"
	"time"
)

// Default thresholds, from the rates measured on the reference machine (docs/lint.md, "The
// thresholds"):
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

// DefaultRates are calibrated by the bench's estimates scenario (make bench BENCHFLAGS='-only
// estimates'), which times each estimated statement on tables of 100 000 to 1 000 000 rows and
// compares it with the estimate: with these rates every estimate fell within 0.5-2x of the
// measured time (docs/lint.md, "Lock-time estimates"). They are for a machine at rest with the
// table in cache; a busy server or a cold cache is slower, so an estimate is an order of
// magnitude, not a promise.
var DefaultRates = Rates{
	RewriteBytesPerSecond:   75e6,  // ALTER COLUMN TYPE, volatile default, VACUUM FULL: 2.1-2.9 s for 1 000 000 rows (170 MB)
	ScanBytesPerSecond:      1.2e9, // CHECK, SET NOT NULL: 58-106 ms for 130 MB of heap
	IndexBytesPerSecond:     200e6, // CREATE INDEX (bigint, timestamptz) 0.47 s, UNIQUE (md5 text) 0.94 s for 130 MB of heap
	ForeignKeyRowsPerSecond: 6e6,   // 1 000 000 rows against 20 000 keys in 133 ms
	UpdateBytesPerSecond:    25e6,  // UPDATE of every row: 6.8 s for 1 000 000 rows (170 MB)
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
