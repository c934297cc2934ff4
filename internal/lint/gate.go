package lint

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/migrate"
)

// Gate lints each migration of a run just before it runs (migrate.Config.Gate): the statements
// that will run, against the snapshot the plan was made from. It logs every finding. Strict,
// it refuses a migration that has an error, which ends the run there; otherwise the migration
// runs, its error and warning findings are kept in its evidence (stored in schema_migrations,
// shown by status) and in AppliedFindings (shown by /readyz).
type Gate struct {
	linter *Linter
	strict bool
	log    *slog.Logger
	probe  RowProbe

	mu      sync.Mutex
	applied []Finding
}

// NewGate makes the gate of a migration run.
func NewGate(l *Linter, strict bool, log *slog.Logger) *Gate {
	if log == nil {
		log = slog.Default()
	}
	return &Gate{linter: l, strict: strict, log: log}
}

// WithProbe lets the gate look into a table the catalog cannot size (never analysed): an
// empty one makes no error of a finding that only a table with rows makes one.
func (g *Gate) WithProbe(p RowProbe) *Gate {
	g.probe = p
	return g
}

// RefusedError is a migration the gate refused: it has findings of severity error.
type RefusedError struct {
	File     string
	Findings []Finding
}

func (e *RefusedError) Error() string {
	parts := make([]string, len(e.Findings))
	for i, f := range e.Findings {
		parts[i] = f.String()
		if line := f.sizeLine(); line != "" {
			parts[i] += " [" + line + "]"
		}
		parts[i] += "; safe: " + f.Safe
	}
	return fmt.Sprintf("%s refused by the lint (--strict): %s", e.File, strings.Join(parts, "; "))
}

// PlannedFile is the part of a planned migration that a run executes: every statement, or for a
// partial migration those it runs.
func PlannedFile(mp *migrate.MigrationPlan) (File, bool) {
	m := mp.Migration()
	if m == nil || m.Parsed == nil {
		return File{}, false
	}
	run := map[int]bool{}
	for _, sp := range mp.Statements {
		if sp.Run {
			run[sp.Index] = true
		}
	}
	f := FileOf(*m, m.File)
	f.Run = run
	return f, true
}

// Check is the migrate.Config.Gate.
func (g *Gate) Check(ctx context.Context, mp *migrate.MigrationPlan, snap *catalog.Snapshot) error {
	f, ok := PlannedFile(mp)
	if !ok {
		return nil
	}
	rep := g.linter.LintContext(ctx, []File{f}, snap, LintOpts{Probe: g.probe})
	for _, f := range rep.Findings {
		g.logFinding(ctx, f)
	}
	if errs := rep.Errors(); len(errs) > 0 && g.strict {
		return &RefusedError{File: f.Name, Findings: errs}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, f := range rep.Findings {
		if f.Allowed == "" && f.Severity >= Warning {
			line := f.String()
			if size := f.sizeLine(); size != "" {
				line += " [" + size + "]"
			}
			mp.Evidence.Lint = append(mp.Evidence.Lint, line)
			g.applied = append(g.applied, f)
		}
	}
	return nil
}

func (g *Gate) logFinding(ctx context.Context, f Finding) {
	level, msg := slog.LevelInfo, "lint"
	switch {
	case f.Allowed != "":
		msg = "lint: allowed"
	case f.Severity == Error && g.strict:
		level, msg = slog.LevelError, "❌ lint error: the migration is refused (--strict)"
	case f.Severity == Error:
		level, msg = slog.LevelError, "⚠️ lint error: the migration runs anyway (--strict not set)"
	case f.Severity == Warning:
		level, msg = slog.LevelWarn, "⚠️ lint warning"
	}
	attrs := []slog.Attr{slog.String("file", f.File), slog.Int("line", f.Line), slog.Int("column", f.Column),
		slog.String("rule", f.Rule), slog.String("severity", f.Severity.String()), slog.String("detail", f.Detail)}
	if f.Allowed != "" {
		attrs = append(attrs, slog.String("allowed", f.Allowed))
	} else {
		attrs = append(attrs, slog.String("lock", f.Lock))
		if f.Size != nil {
			attrs = append(attrs, slog.String("table", f.Table), slog.Int64("rows", f.Size.Rows), slog.Int64("bytes", f.Size.Bytes))
			if f.Size.Work != "" {
				attrs = append(attrs, slog.Int64("lock_estimate_ms", f.Size.LockMillis))
			}
		}
		attrs = append(attrs, slog.String("why", f.Why), slog.String("safe", f.Safe))
	}
	g.log.LogAttrs(ctx, level, msg, attrs...)
}

// AppliedFindings are the error and warning findings of the migrations the gate let run, one
// line each.
func (g *Gate) AppliedFindings() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]string, len(g.applied))
	for i, f := range g.applied {
		out[i] = f.String()
		if size := f.sizeLine(); size != "" {
			out[i] += " [" + size + "]"
		}
	}
	return out
}
