package migrate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/steadydb/steady/internal/backoff"
	"github.com/steadydb/steady/internal/migfiles"
)

type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
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

// applyOne runs the statements a plan selected and records the migration, all in one
// transaction unless the file runs outside one. A lock timeout (55P03) rolls back and retries
// with backoff and jitter, a bounded number of times. What the file left is compared with
// steady's picture once, after the run (absorbMispredictions): PostgreSQL ran it without an
// error, so it is applied.
func (m *Migrator) applyOne(ctx context.Context, mp *MigrationPlan) (time.Duration, error) {
	start := time.Now()
	attempts, err := backoff.Linear(ctx, m.cfg.LockRetries, m.cfg.LockTimeout, isLockTimeout, func() error {
		if mp.migration.NoTransaction {
			return m.applyNoTx(ctx, mp, start)
		}
		return m.applyInTx(ctx, mp)
	}, func(attempt int, wait time.Duration, err error) {
		m.log.Warn("lock timeout, retrying", "version", mp.Version, "name", mp.Name, "attempt", attempt, "backoff", wait.Round(time.Millisecond).String(), "error", err)
	})
	var se *StatementError
	if errors.As(err, &se) {
		se.Attempts = attempts
	}
	return time.Since(start), err
}

// applyInTx runs a migration in one transaction in two round trips. The first pipelines
// BEGIN, the lock bound, a transaction-scoped lock on the migration (safe through a transaction
// pooler), a guard that stops the pipeline when the history already records it, every
// statement, and the history row; the second commits. The lock and the guard make a migration
// run once even if two runners got this far (the lease lost): the second waits for the first's
// transaction and, once it commits, stops before any statement ran (errRecordedMeanwhile); if
// it rolls back, the second runs the migration. The row comes after the statements: a
// migration that reads the history table under the same name (a project leaving
// golang-migrate checks what its schema_migrations says) must not see its own row. A statement
// that fails stops the pipeline there, and its error names it. COMMIT is not in the pipeline:
// a runner killed while a statement waits for a lock must not have its migration committed
// after it died.
func (m *Migrator) applyInTx(ctx context.Context, mp *MigrationPlan) error {
	conn, err := m.cfg.Pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	rollback := func(err error) error {
		if conn.Conn().PgConn().TxStatus() != 'I' {
			_, _ = conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
		}
		return err
	}
	evidence, err := json.Marshal(mp.Evidence)
	if err != nil {
		return err
	}
	run := &pgx.Batch{}
	run.Queue("BEGIN")
	run.Queue(fmt.Sprintf("SET LOCAL lock_timeout = '%dms'", m.cfg.LockTimeout.Milliseconds()))
	run.Queue("SELECT pg_advisory_xact_lock($1, hashtext($2))", int32(advisoryClass), string(mp.Version))
	run.Queue(m.schema.SQL(recordedGuard(mp.Version)))
	stmts := m.queueStatements(run, mp, true)
	run.Queue(m.schema.SQL(recordApplied), string(mp.Version), mp.Name, mp.migration.Checksum, string(evidence))
	br := conn.SendBatch(ctx, run)
	fail := func(err error) error {
		_ = br.Close()
		return rollback(err)
	}
	for range 3 {
		if _, err := br.Exec(); err != nil {
			return fail(err)
		}
	}
	if _, err := br.Exec(); err != nil {
		if isRecorded(err) {
			return fail(errRecordedMeanwhile)
		}
		return fail(fmt.Errorf("read the history: %w", err))
	}
	for _, st := range stmts {
		if _, err := br.Exec(); err != nil {
			return fail(&StatementError{File: mp.File, Line: st.line, SQL: firstLine(st.sql), Err: err})
		}
	}
	if _, err := br.Exec(); err != nil {
		return fail(fmt.Errorf("record migrations: %w", err))
	}
	if err := br.Close(); err != nil {
		return rollback(err)
	}
	if _, err := conn.Exec(ctx, "COMMIT"); err != nil {
		return rollback(err)
	}
	return nil
}

// advisoryClass is the first key of the lock a runner holds on a migration while its
// transaction runs it ("stdy"); the second is hashtext of the version.
const advisoryClass = 0x73746479

// recordedGuard stops a pipeline when the history records version. A pipeline cannot branch,
// so the statement divides by zero (22012, isRecorded) when the row exists: a plain statement,
// not a DO block raising, which PL/pgSQL compiled anew for every migration (0.32 against
// 0.17 ms a statement on loopback). The version is a literal, so that it takes the column's
// type, text or an older release's bigint.
func recordedGuard(version migfiles.Version) string {
	lit := "'" + strings.ReplaceAll(string(version), "'", "''") + "'"
	return `SELECT 1 / (1 - count(*))::int FROM schema_migrations WHERE version = ` + lit
}

// recordApplied is the history row of a migration its transaction ran, the last statement
// before COMMIT; the time since the transaction began is its duration.
const recordApplied = `INSERT INTO schema_migrations (version, name, checksum, reconciled, evidence, duration_ms)
VALUES ($1, $2, $3, false, $4::jsonb, (extract(epoch FROM clock_timestamp() - now()) * 1000)::bigint)`

// isRecorded is the guard's answer that the history records the migration.
func isRecorded(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == pgerrcode.DivisionByZero
}

// queued is a statement queued in a batch, for naming it in an error.
type queued struct {
	line int
	sql  string
}

// queueStatements queues what the plan runs of a file: the statements as the file writes
// them when it runs whole (a split ALTER TABLE runs as one statement, as psql would), else the
// parts the plan chose. Another tool's schema_migrations is not dropped (oldHistoryDrop). In a
// transaction, the heal of an INVALID index is a plain DROP INDEX.
func (m *Migrator) queueStatements(b *pgx.Batch, mp *MigrationPlan, inTx bool) []queued {
	var out []queued
	whole := runsWhole(mp)
	for i, sp := range mp.Statements {
		if !sp.Run || (whole && i > 0 && mp.Statements[i-1].Offset == sp.Offset) {
			continue
		}
		if oldHistoryDrop(sp.Statement, m.schema.Name()) {
			m.log.Info("not run: it drops another tool's schema_migrations, which steady set aside; that name is steady's history",
				"file", mp.File, "line", sp.Line)
			continue
		}
		if sp.Heal != "" {
			heal := sp.Heal
			if inTx {
				heal = strings.Replace(heal, " CONCURRENTLY", "", 1)
			}
			b.Queue(heal)
			out = append(out, queued{sp.Line, heal})
		}
		sql := sp.SQL
		if whole {
			sql = sp.Whole
		}
		b.Queue(sql)
		out = append(out, queued{sp.Line, sql})
	}
	return out
}

func firstLine(sql string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(sql), "\n")
	return first
}

// applyNoTx runs each statement alone (CREATE INDEX CONCURRENTLY and friends refuse a
// transaction; a file with its own BEGIN and COMMIT makes its own), on one session. Through a
// transaction pooler no session lock_timeout can be set safely (a session SET leaks to other
// clients): there the role's own setting applies.
func (m *Migrator) applyNoTx(ctx context.Context, mp *MigrationPlan, start time.Time) error {
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
	payload, err := recordPayload(mp, start)
	if err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, m.schema.SQL(insertRecords), payload); err != nil {
		return fmt.Errorf("record migrations: %w", err)
	}
	return nil
}

// runStatements runs the queued statements one by one, each alone in the simple protocol: a
// lone statement with no arguments is how CREATE INDEX CONCURRENTLY passes a transaction
// pooler, and nothing prepared is left on a server connection another client inherits.
func (m *Migrator) runStatements(ctx context.Context, db execer, mp *MigrationPlan) error {
	b := &pgx.Batch{}
	for _, q := range m.queueStatements(b, mp, false) {
		if _, err := db.Exec(ctx, q.sql, pgx.QueryExecModeSimpleProtocol); err != nil {
			return &StatementError{File: mp.File, Line: q.line, SQL: firstLine(q.sql), Err: err}
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

// recordPayload is the history row of an applied migration, for insertRecords.
func recordPayload(mp *MigrationPlan, start time.Time) (string, error) {
	b, err := json.Marshal([]newRecord{{
		Version: mp.Version, Name: mp.Name, Checksum: mp.migration.Checksum, Evidence: mp.Evidence,
		DurationMS: time.Since(start).Milliseconds(),
	}})
	return string(b), err
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
