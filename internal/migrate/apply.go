package migrate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/steadydb/steady/internal/catalog"
)

type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

type querier interface {
	execer
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// StatementError names the statement that failed.
type StatementError struct {
	File     string
	Line     int
	SQL      string // first line
	Attempts int
	Err      error
}

func (e *StatementError) Error() string {
	s := fmt.Sprintf("%s:%d %s: %v", e.File, e.Line, e.SQL, e.Err)
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return s
}
func (e *StatementError) Unwrap() error { return e.Err }

// errRecordedMeanwhile reports that another runner recorded the migration first.
var errRecordedMeanwhile = errors.New("recorded by another runner")

// advisoryClass is the first key of the per-migration transaction lock ("stdy").
const advisoryClass = 0x73746479

// applyOne runs the statements a plan selected, checks that their effects now hold, and records
// the migration, all in one transaction unless the file says steady:no-transaction. A lock
// timeout (55P03) rolls back and retries with backoff and jitter, a bounded number of times.
func (m *Migrator) applyOne(ctx context.Context, mp *MigrationPlan, mi int) (time.Duration, error) {
	start := time.Now()
	for attempt := 1; ; attempt++ {
		var err error
		if mp.migration.NoTransaction {
			err = m.applyNoTx(ctx, mp, mi, start)
		} else {
			err = pgx.BeginFunc(ctx, m.cfg.Pool, func(tx pgx.Tx) error { return m.applyInTx(ctx, tx, mp, mi, start) })
		}
		var se *StatementError
		if errors.As(err, &se) {
			se.Attempts = attempt
		}
		if !isLockTimeout(err) || attempt >= m.cfg.LockRetries {
			return time.Since(start), err
		}
		backoff := time.Duration(float64(m.cfg.LockTimeout) * float64(attempt) * (0.5 + rand.Float64()))
		m.log.Warn("lock timeout, retrying", "version", mp.Version, "name", mp.Name, "attempt", attempt, "backoff", backoff.Round(time.Millisecond).String(), "error", err)
		select {
		case <-ctx.Done():
			return time.Since(start), err
		case <-time.After(backoff):
		}
	}
}

func (m *Migrator) applyInTx(ctx context.Context, tx pgx.Tx, mp *MigrationPlan, mi int, start time.Time) error {
	if _, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL lock_timeout = '%dms'", m.cfg.LockTimeout.Milliseconds())); err != nil {
		return err
	}
	// Transaction-scoped, so it is safe through a transaction pooler; the re-check makes a
	// migration run once even if two runners got this far.
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, hashtext($2))", int32(advisoryClass), string(mp.Version)); err != nil {
		return err
	}
	var recorded bool
	if err := tx.QueryRow(ctx, m.schema.SQL("SELECT EXISTS (SELECT FROM schema_migrations WHERE version = $1)"), string(mp.Version)).Scan(&recorded); err != nil {
		return err
	}
	if recorded {
		return errRecordedMeanwhile
	}
	if err := m.runStatements(ctx, tx, mp); err != nil {
		return err
	}
	return m.assertAndRecord(ctx, tx, mp, mi, start)
}

// applyNoTx runs each statement alone (CREATE INDEX CONCURRENTLY and friends refuse a
// transaction). Through a transaction pooler no session lock_timeout can be set safely (a
// session SET leaks to other clients): there the role's own setting applies.
func (m *Migrator) applyNoTx(ctx context.Context, mp *MigrationPlan, mi int, start time.Time) error {
	conn, err := m.cfg.Pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if !m.cfg.TransactionPooled {
		if _, err := conn.Exec(ctx, fmt.Sprintf("SET lock_timeout = '%dms'", m.cfg.LockTimeout.Milliseconds())); err != nil {
			return err
		}
		defer conn.Exec(context.WithoutCancel(ctx), "RESET lock_timeout") //nolint:errcheck
	}
	err = m.runStatements(ctx, conn, mp)
	if err == nil && conn.Conn().PgConn().TxStatus() != 'I' {
		err = fmt.Errorf("%s leaves a transaction open (a BEGIN without its COMMIT): psql would roll it back when the file ends", mp.File)
	}
	if err != nil {
		if conn.Conn().PgConn().TxStatus() != 'I' {
			// The file's own transaction block stopped half-way: end it, as psql's session
			// would on exit, before the connection goes back to the pool.
			_, _ = conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
		}
		return err
	}
	return m.assertAndRecord(ctx, conn, mp, mi, start)
}

func (m *Migrator) runStatements(ctx context.Context, db execer, mp *MigrationPlan) error {
	whole := runsWhole(mp)
	for i, sp := range mp.Statements {
		if !sp.Run {
			continue
		}
		if oldHistoryDrop(sp.Statement, m.schema.Name()) {
			m.log.Info("not run: it drops another tool's schema_migrations, which steady set aside; that name is steady's history",
				"file", mp.File, "line", sp.Line)
			continue
		}
		if sp.Heal != "" {
			if _, err := db.Exec(ctx, sp.Heal, pgx.QueryExecModeSimpleProtocol); err != nil {
				return &StatementError{File: mp.File, Line: sp.Line, SQL: sp.Heal, Err: err}
			}
			m.log.Info("dropped the INVALID index a failed concurrent build left, to build it again", "file", mp.File, "line", sp.Line)
		}
		sql := sp.SQL
		if whole {
			// The statement as the file writes it, once: a split ALTER TABLE runs as one
			// statement, as psql would run it.
			if i > 0 && mp.Statements[i-1].Offset == sp.Offset {
				continue
			}
			sql = sp.Whole
		}
		// Simple protocol: a lone statement with no arguments, nothing prepared: through a
		// transaction pooler prepared statements land on other clients' server connections,
		// and CREATE INDEX CONCURRENTLY must be a lone simple-protocol statement.
		if _, err := db.Exec(ctx, sql, pgx.QueryExecModeSimpleProtocol); err != nil {
			first, _, _ := strings.Cut(strings.TrimSpace(sql), "\n")
			return &StatementError{File: mp.File, Line: sp.Line, SQL: first, Err: err}
		}
	}
	return nil
}

// runsWhole reports a plan that runs every statement of its file: then the file's own
// statements run, not the parts steady split them into.
func runsWhole(mp *MigrationPlan) bool {
	for _, sp := range mp.Statements {
		if !sp.Run || sp.Whole == "" {
			return false
		}
	}
	return true
}

// assertAndRecord compares what the statements that ran left with steady's picture of them,
// then records the migration. PostgreSQL is the judge: a file that ran without an error is
// applied, whatever the picture said. Where the catalog differs from it (conditional DDL in a
// DO block, a name PostgreSQL chose or changed, an expression it stored rewritten), the
// difference is logged as a limit of the picture and kept in the evidence (Unpredicted), so
// that later verifications read the catalog rather than the prediction.
func (m *Migrator) assertAndRecord(ctx context.Context, db querier, mp *MigrationPlan, mi int, start time.Time) error {
	// Only the relations this migration touched: each check is then as cheap on the thousandth
	// migration of a first run as on the first.
	var names []string
	for _, sp := range mp.Statements {
		if sp.Run {
			for _, e := range sp.Effects {
				names = append(names, e.Object.Table, e.Object.Name)
			}
		}
	}
	snap, err := catalog.ReadRelations(ctx, db, names)
	if err != nil {
		return fmt.Errorf("re-read catalog: %w", err)
	}
	md := m.model()
	end := position{mi + 1, 0}
	var unpredicted []string
	for si, sp := range mp.Statements {
		if !sp.Run {
			continue
		}
		for _, e := range sp.Effects {
			// A later statement of the same file may change what this one made.
			if md.supersededBefore(e, position{mi, si}, end) {
				continue
			}
			if r := snap.Check(e); !r.Holds || r.Drift != "" {
				unpredicted = append(unpredicted, e.String())
			}
		}
	}
	if len(unpredicted) > 0 {
		mp.Evidence.Unpredicted = append(mp.Evidence.Unpredicted, unpredicted...)
		m.log.Warn("the catalog after the migration differs from steady's picture of it: the file ran without an error and is recorded; later checks read the catalog",
			slog.Any("version", mp.Version), slog.String("file", mp.File), slog.Any("not_as_predicted", unpredicted))
	}
	_, err = insertHistory(ctx, db, m.schema, []newRecord{{
		Version: mp.Version, Name: mp.Name, Checksum: mp.migration.Checksum, Evidence: mp.Evidence,
		DurationMS: time.Since(start).Milliseconds(),
	}})
	return err
}

func isLockTimeout(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == pgerrcode.LockNotAvailable
}

// recordFailure keeps a failed migration's error for status and readiness; best effort.
func (m *Migrator) recordFailure(ctx context.Context, mp *MigrationPlan, failure error) {
	stmt := ""
	var se *StatementError
	if errors.As(failure, &se) {
		stmt = fmt.Sprintf("%s:%d %s", se.File, se.Line, se.SQL)
	}
	_, err := m.cfg.Pool.Exec(context.WithoutCancel(ctx),
		m.schema.SQL("INSERT INTO steady_migration_failures (version, name, statement, error) VALUES ($1, $2, $3, $4)"),
		string(mp.Version), mp.Name, stmt, failure.Error())
	if err != nil {
		m.log.Warn("record migration failure", "error", err)
	}
}
