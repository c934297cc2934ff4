package lint

import (
	"cmp"
	"fmt"
	"time"
)

// Default thresholds, from the rates measured on the reference machine (README, "Lint"):
// below 100 000 rows even a rewrite holds its lock under about half a second; from 1 000 000 a
// rewrite holds ACCESS EXCLUSIVE for about 5 s and a plain index build blocks writes for over
// 2 s, longer than the lock_timeout steady gives its own DDL.
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
}

// DefaultRates were measured on 2 cores (Intel Xeon 2.5 GHz, PostgreSQL 15, tables in cache)
// with BenchmarkLockRates at demo-data scale 25; the slower of the tables measured is kept.
var DefaultRates = Rates{
	RewriteBytesPerSecond:   36e6,
	ScanBytesPerSecond:      310e6,
	IndexBytesPerSecond:     69e6,
	ForeignKeyRowsPerSecond: 580e3,
}

// Config configures a Linter.
type Config struct {
	// A finding whose severity follows its table is info below WarnRows estimated rows, a
	// warning from WarnRows, an error from ErrorRows. Defaults DefaultWarnRows and
	// DefaultErrorRows.
	WarnRows, ErrorRows int64
	Rates               Rates // zero fields take DefaultRates'
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
	r := &cfg.Rates
	r.RewriteBytesPerSecond = cmp.Or(r.RewriteBytesPerSecond, DefaultRates.RewriteBytesPerSecond)
	r.ScanBytesPerSecond = cmp.Or(r.ScanBytesPerSecond, DefaultRates.ScanBytesPerSecond)
	r.IndexBytesPerSecond = cmp.Or(r.IndexBytesPerSecond, DefaultRates.IndexBytesPerSecond)
	r.ForeignKeyRowsPerSecond = cmp.Or(r.ForeignKeyRowsPerSecond, DefaultRates.ForeignKeyRowsPerSecond)
	return &Linter{cfg: cfg}, nil
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
	}
	return time.Duration(seconds * float64(time.Second))
}
