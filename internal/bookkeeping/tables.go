package bookkeeping

import (
	"cmp"
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// schemaTemplate marks, in a migration file, where the schema goes (as in River's own).
const schemaTemplate = "/* TEMPLATE: schema */"

// Migration is one version of steady's tables.
type Migration struct {
	Version int
	Name    string
	sql     string
}

// Migrations lists the versioned set, in order.
func Migrations() []Migration { return all }

var all = mustList(migrationFiles)

func mustList(fsys fs.FS) []Migration {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		panic(err)
	}
	var out []Migration
	for i, n := range names {
		num, name, ok := strings.Cut(strings.TrimSuffix(path.Base(n), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v != i+1 {
			panic(fmt.Sprintf("bookkeeping: %s: want NNNN_name.sql numbered from 1 without gaps", n))
		}
		body, err := fs.ReadFile(fsys, n)
		if err != nil {
			panic(err)
		}
		out = append(out, Migration{Version: v, Name: name, sql: string(body)})
	}
	return out
}

// Latest is the version this steady's tables are at.
func Latest() int { return all[len(all)-1].Version }

// Config configures Tables.
type Config struct {
	// Pool makes and reads the tables: the migration role's where the process has one. It must
	// use pgx.QueryExecModeExec or QueryExecModeSimpleProtocol, as dbconn's pools do.
	Pool     *pgxpool.Pool
	Schema   string        // default DefaultSchema; validated by ParseSchema
	LeaseTTL time.Duration // how long a killed process blocks the next while applying; default 30s
	Logger   *slog.Logger  // default slog.Default()
}

// Tables is steady's own tables in one database and schema. One per process, shared by every
// component that uses them: Ensure then costs one round trip per process, the first time.
type Tables struct {
	cfg    Config
	schema Schema

	mu      sync.Mutex
	current bool
	// held is the migration lease while this process holds it: Ensure applies the set under it
	// rather than waiting for a lease of its own (a migration run ensures the tables under its
	// lease).
	held atomic.Pointer[Lease]
}

// New validates cfg. It does not touch the database.
func New(cfg Config) (*Tables, error) {
	if cfg.Pool == nil {
		return nil, errors.New("bookkeeping: Config.Pool is required")
	}
	s, err := ParseSchema(cfg.Schema)
	if err != nil {
		return nil, fmt.Errorf("bookkeeping: %w", err)
	}
	cfg.LeaseTTL = cmp.Or(cfg.LeaseTTL, 30*time.Second)
	cfg.Logger = cmp.Or(cfg.Logger, slog.Default())
	return &Tables{cfg: cfg, schema: s}, nil
}

// Schema is where the tables are.
func (t *Tables) Schema() Schema { return t.schema }

// CurrentSQL is an SQL expression true when the tables are at this steady's version, for a
// caller that asks in a round trip of its own (migrate's no-op check) and then calls
// MarkCurrent. It fails, as a statement, where the versions table does not exist.
func (t *Tables) CurrentSQL() string {
	return fmt.Sprintf("(SELECT coalesce(max(version), 0) >= %d FROM %s)", Latest(), t.schema.Table("steady_schema_versions"))
}

// MarkCurrent records that the caller found CurrentSQL true: Ensure then does nothing.
func (t *Tables) MarkCurrent() {
	t.mu.Lock()
	t.current = true
	t.mu.Unlock()
}

// Ensure brings the tables to this steady's version, once per process: when they are current
// it costs one statement and writes nothing. Otherwise it applies the missing versions under
// the migration lease (this process's, when it holds it; else its own, waited for) in one
// transaction that also records them. A database a newer steady has migrated is left as it is
// (its tables are a superset). A failure is returned and the next call tries again.
func (t *Tables) Ensure(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.current {
		return nil
	}
	underLease := t.held.Load() != nil
	v, err := t.Version(ctx)
	if err != nil {
		return err
	}
	if v < Latest() {
		if err := t.apply(ctx, v, underLease); err != nil {
			return fmt.Errorf("steady's tables in schema %s: %w", t.schema.Name(), err)
		}
	}
	t.current = true
	return nil
}

// Version is the latest version applied: 0 where steady_schema_versions does not exist.
func (t *Tables) Version(ctx context.Context) (int, error) {
	var v int
	err := t.cfg.Pool.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM "+t.schema.Table("steady_schema_versions")).Scan(&v)
	if isUndefined(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", t.schema.Table("steady_schema_versions"), err)
	}
	return v, nil
}

// apply applies the versions after v; v was read under the lease when underLease.
func (t *Tables) apply(ctx context.Context, v int, underLease bool) error {
	if !underLease || t.held.Load() == nil {
		lease, runCtx, err := t.AcquireLease(ctx, t.cfg.LeaseTTL)
		if err != nil {
			return err
		}
		defer lease.Release(ctx)
		ctx = runCtx
		// Another process may have applied them while this one waited.
		if v, err = t.Version(ctx); err != nil {
			return err
		}
	}
	if v >= Latest() {
		return nil
	}
	start := time.Now()
	err := pgx.BeginFunc(ctx, t.cfg.Pool, func(tx pgx.Tx) error {
		// Every missing version and its record in one statement string: three round trips
		// (BEGIN, it, COMMIT) however many versions. Only steady's tables are touched; a lock
		// held on one by a stuck session fails the set rather than queueing steady's own work
		// behind it.
		var b strings.Builder
		b.WriteString("SET LOCAL lock_timeout = '5s';\n")
		var records []string
		for _, m := range all[v:] {
			b.WriteString(t.render(m) + "\n;\n")
			records = append(records, fmt.Sprintf("(%d, '%s')", m.Version, strings.ReplaceAll(m.Name, "'", "''")))
		}
		b.WriteString("INSERT INTO " + t.schema.Table("steady_schema_versions") + " (version, name) VALUES " + strings.Join(records, ", "))
		_, err := tx.Exec(ctx, b.String())
		return err
	})
	if err != nil {
		if cause := context.Cause(ctx); errors.Is(cause, ErrLeaseLost) {
			err = cause
		}
		return fmt.Errorf("versions %04d to %04d: %w", v+1, Latest(), err)
	}
	for _, m := range all[v:] {
		t.cfg.Logger.Info("steady's tables migrated", slog.Int("version", m.Version), slog.String("name", m.Name),
			slog.String("schema", t.schema.Name()), slog.Int64("duration_ms", time.Since(start).Milliseconds()))
	}
	return nil
}

// render puts the schema into a migration's SQL.
func (t *Tables) render(m Migration) string {
	return strings.ReplaceAll(m.sql, schemaTemplate, pgx.Identifier{t.schema.Name()}.Sanitize()+".")
}
