// Package tuning reads the server settings that decide how much steady's index builds and
// backfills slow the application, as steady's POOLER role sees them, and says what to change.
// steady doctor prints its findings.
package tuning

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Querier is what Check reads through: a pool or a connection of the POOLER role.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Finding is one setting, its value where steady's sessions run, and what to do about it.
type Finding struct {
	Setting string `json:"setting"`
	Value   string `json:"value"`
	Source  string `json:"source"`           // pg_settings.source: default, configuration file, database, user, …
	SetBy   string `json:"set_by,omitempty"` // what set it, in words (Origin.Where)
	OK      bool   `json:"ok"`
	Why     string `json:"why"`              // what the value means for the application
	Fix     string `json:"fix,omitempty"`    // what to run, when not OK
	Advice  string `json:"advice,omitempty"` // a suggestion, when OK
}

// Opts is what Check needs to know of steady's own settings.
type Opts struct {
	// IndexParallelWorkers is the worker's --index-parallel-workers: ≥0 means its builds set the
	// table's parallel_workers, which overrides max_parallel_maintenance_workers.
	IndexParallelWorkers int
}

// Sort memory of a build below which it sorts on disk in many small runs (PostgreSQL's default
// is 64MB); above which, times the build's processes, it competes with the application's cache.
const (
	minSortMemKB = 64 * 1024
	maxSortMemKB = 2 * 1024 * 1024
)

const settingsQuery = `
SELECT current_user, current_database(),
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) OR pg_has_role(current_user, 'pg_read_all_stats', 'USAGE'),
       s.name, s.setting, coalesce(s.unit, ''), s.source
FROM pg_settings s WHERE s.name = $1`

type setting struct {
	role, database string
	seesOthers     bool
	name, raw      string
	unit, source   string
	value          int64 // in unit
}

func read(ctx context.Context, q Querier, name string) (setting, error) {
	var s setting
	err := q.QueryRow(ctx, settingsQuery, name).Scan(&s.role, &s.database, &s.seesOthers, &s.name, &s.raw, &s.unit, &s.source)
	if err != nil {
		return s, fmt.Errorf("read setting %s: %w", name, err)
	}
	s.value, _ = strconv.ParseInt(s.raw, 10, 64)
	return s, nil
}

func (s setting) origin() Origin {
	return Origin{Setting: s.name, Value: s.display(), Source: s.source, Role: s.role, Database: s.database}
}

// Check reads the settings and returns one finding each, in a stable order.
func Check(ctx context.Context, q Querier, opts Opts) ([]Finding, error) {
	var out []Finding
	for _, name := range []string{"max_parallel_maintenance_workers", "maintenance_work_mem", "statement_timeout"} {
		s, err := read(ctx, q, name)
		if err != nil {
			return nil, err
		}
		o := s.origin()
		f := Finding{Setting: name, Value: s.display(), Source: s.source, SetBy: o.Where(), OK: true}
		switch name {
		case "max_parallel_maintenance_workers":
			switch {
			case s.value == 0:
				f.Why = "CREATE INDEX runs as one process"
			case opts.IndexParallelWorkers >= 0:
				f.Why = fmt.Sprintf("steady's builds set the table's parallel_workers to %d while they run, which takes precedence; other CREATE INDEX statements may add up to %d processes each",
					opts.IndexParallelWorkers, s.value)
			default:
				f.OK = false
				f.Why = fmt.Sprintf("with --index-parallel-workers -1 each of steady's builds adds up to %d parallel workers: measured on 2 cores, pgbench's p99 rose 3.5× instead of about 2× (docs/benchmarks.md)", s.value)
				f.Fix = "run the worker with STEADY_INDEX_PARALLEL_WORKERS=0 (the default), or " + o.Fix("0")
			}
		case "maintenance_work_mem":
			switch {
			case s.value < minSortMemKB:
				f.OK = false
				f.Why = "an index build sorts in memory this small, spilling to temporary files: more I/O and a longer build, which the application shares"
				f.Fix = o.Fix("'256MB'") + " (steady's role only; PgBouncer's server connections take it when they reconnect)"
			case s.value > maxSortMemKB:
				f.OK = false
				f.Why = "each index build (and each of its parallel workers) may use this much memory, which the application's cache gives up meanwhile"
				f.Fix = o.Fix("'1GB'") + " unless the server has memory to spare"
			default:
				f.Why = "an index build's sort memory"
			}
		case "statement_timeout":
			if s.value > 0 {
				f.OK = false
				f.Why = "a concurrent index build that runs longer is cancelled and leaves an INVALID index; the next attempt builds it again from the start, so the application pays for the build twice (backfill batches set their own timeout)"
				f.Fix = o.Fix("0") + " (or give DATABASE_URL_POOLER a role of its own); PgBouncer's server connections take it when they reconnect"
			} else {
				f.Why = "builds are never cancelled by a timeout; backfill batches set their own with SET LOCAL"
			}
		}
		out = append(out, f)
		if name == "statement_timeout" {
			out = append(out, visibility(s))
		}
	}
	return out, nil
}

// visibility says whether steady's role sees other roles' sessions: the backfill's pace
// controller counts their active statements, and its old-transaction throttle reads their
// transaction start; hidden, they count as idle.
func visibility(s setting) Finding {
	f := Finding{Setting: "pg_read_all_stats", Value: strconv.FormatBool(s.seesOthers), Source: "role " + s.role, OK: s.seesOthers}
	if s.seesOthers {
		f.Why = "steady sees every session's state: backfills yield to the application whatever role it uses"
		return f
	}
	f.Why = "steady's role sees only its own sessions' state: backfills cannot tell when an application on another role is busy, and run at full speed"
	f.Fix = fmt.Sprintf("GRANT pg_read_all_stats TO %s", pgx.Identifier{s.role}.Sanitize())
	return f
}

// display is the value with its unit, as SHOW prints it.
func (s setting) display() string {
	switch s.unit {
	case "kB":
		return memory(s.value * 1024)
	case "ms":
		if s.value == 0 {
			return "0"
		}
		return (time.Duration(s.value) * time.Millisecond).String()
	}
	return s.raw
}

func memory(b int64) string {
	switch {
	case b >= 1<<30 && b%(1<<30) == 0:
		return fmt.Sprintf("%dGB", b>>30)
	case b >= 1<<20 && b%(1<<20) == 0:
		return fmt.Sprintf("%dMB", b>>20)
	}
	return fmt.Sprintf("%dkB", b>>10)
}
