package indexes

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/steadydb/steady/internal/bookkeeping"
)

// Parallel workers of a build. CREATE INDEX asks for as many workers as the table's
// parallel_workers storage parameter says (capped by max_parallel_maintenance_workers), and
// only when it is unset sizes them from the table. A session SET max_parallel_maintenance_workers
// does not pass a transaction pooler and CONCURRENTLY cannot run in a transaction, but the
// storage parameter is the table's and needs neither. So a build sets it (Config.ParallelWorkers,
// 0 by default: the build is the one process) before its first CREATE and puts it back after:
//
//   - ALTER TABLE … SET (parallel_workers) takes SHARE UPDATE EXCLUSIVE, the lock the concurrent
//     build itself takes: it blocks no read or write, and runs with SET LOCAL lock_timeout;
//   - meanwhile the application's queries do not scan that table in parallel (its plans are
//     made again when the relcache entry changes, and again when it is put back);
//   - the table's own value is recorded in steady_index_reloptions in the same transaction, so a
//     build that crashed is put back by the next build of the table or by RestoreParallel at
//     the next worker start, never left at steady's value.
//
// Measured on 2 cores (docs/benchmarks.md): pgbench's p99 during the builds as with
// max_parallel_maintenance_workers = 0 on the database, without changing a server setting.

const reloptionsTable = "steady_index_reloptions"

// Its table is one of steady's own, made by package bookkeeping.

// currentParallel reads the table's parallel_workers storage parameter (nil when unset).
func currentParallel(ctx context.Context, tx pgx.Tx, rel string) (*string, bool, error) {
	var v *string
	var exists bool
	err := tx.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL,
		(SELECT option_value FROM pg_options_to_table((SELECT reloptions FROM pg_class WHERE oid = to_regclass($1)))
		 WHERE option_name = 'parallel_workers')`, rel).Scan(&exists, &v)
	return v, exists, err
}

// limitParallel sets table's parallel_workers to the configured value for a build, recording
// its own value first (kept when a crashed build's record is still there).
func (b *Builder) limitParallel(ctx context.Context, log *slog.Logger, table string) error {
	if err := b.cfg.Tables.Ensure(ctx); err != nil {
		return err
	}
	rel := pgx.Identifier{Schema, table}.Sanitize()
	want := strconv.Itoa(b.cfg.ParallelWorkers)
	var was *string
	err := pgx.BeginFunc(ctx, b.cfg.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('lock_timeout', $1, true)`, lockTimeoutMS(b.cfg.LockTimeout)); err != nil {
			return err
		}
		cur, exists, err := currentParallel(ctx, tx, rel)
		if err != nil || !exists {
			return err
		}
		was = cur
		if _, err := tx.Exec(ctx, `INSERT INTO `+b.cfg.Tables.Schema().Table(reloptionsTable)+` (table_name, parallel_workers) VALUES ($1, $2)
			ON CONFLICT (table_name) DO NOTHING`, table, cur); err != nil {
			return err
		}
		if cur != nil && *cur == want {
			return nil
		}
		_, err = tx.Exec(ctx, "ALTER TABLE "+rel+" SET (parallel_workers = "+want+")")
		return err
	})
	if err != nil {
		return &parallelError{fmt.Errorf("set parallel_workers = %s on %s for the build: %w", want, table, err)}
	}
	log.Info("index build: parallel workers limited for the build", slog.String("parallel_workers", want),
		slog.String("table_had", valueOrUnset(was)))
	return nil
}

// restoreParallel puts table's parallel_workers back to the recorded value and forgets it.
func restoreParallel(ctx context.Context, pool *pgxpool.Pool, schema bookkeeping.Schema, lockTimeout time.Duration, table string) (restored bool, to *string, err error) {
	rel := pgx.Identifier{Schema, table}.Sanitize()
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('lock_timeout', $1, true)`, lockTimeoutMS(lockTimeout)); err != nil {
			return err
		}
		var orig *string
		err := tx.QueryRow(ctx, `SELECT parallel_workers FROM `+schema.Table(reloptionsTable)+` WHERE table_name = $1 FOR UPDATE`, table).Scan(&orig)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		cur, exists, err := currentParallel(ctx, tx, rel)
		if err != nil {
			return err
		}
		switch {
		case !exists:
		case orig == nil && cur != nil:
			_, err = tx.Exec(ctx, "ALTER TABLE "+rel+" RESET (parallel_workers)")
		case orig != nil && (cur == nil || *cur != *orig):
			n, perr := strconv.Atoi(*orig)
			if perr != nil {
				return fmt.Errorf("recorded parallel_workers %q: %w", *orig, perr)
			}
			_, err = tx.Exec(ctx, "ALTER TABLE "+rel+" SET (parallel_workers = "+strconv.Itoa(n)+")")
		}
		if err != nil {
			return err
		}
		restored, to = true, orig
		_, err = tx.Exec(ctx, `DELETE FROM `+schema.Table(reloptionsTable)+` WHERE table_name = $1`, table)
		return err
	})
	if err != nil {
		return false, nil, fmt.Errorf("put back parallel_workers of %s: %w", table, err)
	}
	return restored, to, nil
}

// RestoreParallel puts back the parallel_workers of every table a build changed and did not put
// back (the worker crashed, or the database refused the ALTER), unless a build is running on
// it. The worker calls it at start, before it enqueues builds.
func RestoreParallel(ctx context.Context, pool *pgxpool.Pool, schema bookkeeping.Schema, log *slog.Logger) error {
	var tables []string
	rows, err := pool.Query(ctx, `SELECT table_name FROM `+schema.Table(reloptionsTable)+` ORDER BY table_name`)
	if err == nil {
		tables, err = pgx.CollectRows(rows, pgx.RowTo[string])
	}
	if missingRelation(err) {
		return nil // no build ever changed a table
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", reloptionsTable, err)
	}
	if len(tables) == 0 {
		return nil
	}
	progress, err := ReadProgress(ctx, pool)
	if err != nil {
		return err
	}
	var errs []error
	for _, t := range tables {
		busy := false
		for _, p := range progress {
			busy = busy || p.Table == t
		}
		if busy {
			continue // its build puts it back when it ends
		}
		restored, to, err := restoreParallel(ctx, pool, schema, 5*time.Second, t)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if restored {
			log.Info("index build: parallel workers put back after an interrupted build", slog.String("table", t),
				slog.String("parallel_workers", valueOrUnset(to)))
		}
	}
	return errors.Join(errs...)
}

// parallelError is a failure to set parallel_workers before a build (a lock_timeout behind
// another session's SHARE UPDATE EXCLUSIVE, say): retried with backoff, nothing to advise.
type parallelError struct{ err error }

func (e *parallelError) Error() string { return e.err.Error() }
func (e *parallelError) Unwrap() error { return e.err }

func valueOrUnset(v *string) string {
	if v == nil {
		return "unset"
	}
	return *v
}

func lockTimeoutMS(d time.Duration) string {
	return strconv.FormatInt(max(d.Milliseconds(), 1), 10) + "ms"
}
