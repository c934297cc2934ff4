package demodata

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/steadydb/steady/internal/backoff"
)

// BusinessesPerScale is how many businesses one unit of scale adds (about 5 400 rows each).
const BusinessesPerScale = 20

// chunk is how many businesses one transaction loads.
const chunk = 10

// Result is what Load did.
type Result struct {
	Scale      int              `json:"scale"`
	Businesses int              `json:"businesses"`       // demo businesses present after the load
	Added      int              `json:"added_businesses"` // businesses this load wrote
	Rows       map[string]int64 `json:"rows"`             // rows written per table
	Duration   time.Duration    `json:"-"`
}

// Load makes sure businesses 1..scale×BusinessesPerScale and their data exist.
func Load(ctx context.Context, pool *pgxpool.Pool, scale int, log *slog.Logger) (Result, error) {
	start := time.Now()
	res := Result{Scale: scale, Rows: map[string]int64{}}
	if scale < 1 {
		return res, fmt.Errorf("demo data scale %d: want 1 or more", scale)
	}
	want := scale * BusinessesPerScale
	present, err := presentBusinesses(ctx, pool, want)
	if err != nil {
		return res, err
	}
	var missing []int
	for n := 1; n <= want; n++ {
		if !present[n] {
			missing = append(missing, n)
		}
	}
	for len(missing) > 0 {
		batch := missing[:min(chunk, len(missing))]
		missing = missing[len(batch):]
		var added int
		var rows map[string]int64
		// A worker starting meanwhile builds its catalog's indexes concurrently: CREATE INDEX
		// CONCURRENTLY holds each table in a mode the load's EXCLUSIVE lock waits for, and waits
		// itself for the load's transaction, so PostgreSQL ends one of the two as a deadlock.
		// The chunk is one transaction: tried again, it waits for the build instead.
		_, err := backoff.Linear(ctx, 5, time.Second, isDeadlock, func() error {
			var err error
			rows = map[string]int64{} // counted again by each try
			added, err = loadChunk(ctx, pool, batch, rows)
			return err
		}, func(attempt int, wait time.Duration, err error) {
			if log != nil {
				log.Info("demo data: chunk ended by a deadlock, tried again", slog.Int("attempt", attempt), slog.Duration("wait", wait))
			}
		})
		if err != nil {
			return res, fmt.Errorf("load demo businesses %d-%d: %w", batch[0], batch[len(batch)-1], err)
		}
		for t, n := range rows {
			res.Rows[t] += n
		}
		res.Added += added
		if log != nil && (len(missing) == 0 || res.Added%(10*chunk) == 0) {
			log.Info("demo data", slog.Int("businesses_added", res.Added), slog.Int("still_missing", len(missing)))
		}
	}
	res.Businesses = want
	res.Duration = time.Since(start)
	return res, nil
}

func presentBusinesses(ctx context.Context, pool *pgxpool.Pool, want int) (map[int]bool, error) {
	rows, err := pool.Query(ctx, `SELECT substr(slug, 6)::int FROM business
		WHERE slug ~ '^demo-[0-9]{5}$' AND substr(slug, 6)::int <= $1`, want)
	if err != nil {
		return nil, fmt.Errorf("read demo businesses: %w", err)
	}
	nums, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return nil, fmt.Errorf("read demo businesses: %w", err)
	}
	present := map[int]bool{}
	for _, n := range nums {
		present[n] = true
	}
	return present, nil
}

// tables in load order (foreign keys point backwards).
var tables = []string{"business", "users", "leads", "call_log", "threads", "messages", "broadcast_jobs",
	"broadcast_recipients", "calendars", "appointments", "reminders", "activities"}

// loadChunk writes the businesses numbered nums that are still missing, in one transaction.
func loadChunk(ctx context.Context, pool *pgxpool.Pool, nums []int, rows map[string]int64) (int, error) {
	added := 0
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('lock_timeout', '30s', true)`); err != nil {
			return err
		}
		// Row-by-row foreign key checks (RI triggers taking FOR KEY SHARE on each parent) made
		// COPY 3.7 times slower (101 514 rows: 11.9 s against 3.2 s). The rows reference only
		// rows of the same load and the tables are locked, so when the role may, they are skipped.
		var mayReplica bool
		if err := tx.QueryRow(ctx, `SELECT has_parameter_privilege('session_replication_role', 'SET')`).Scan(&mayReplica); err != nil {
			return err
		}
		if mayReplica {
			if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "LOCK TABLE "+identList(tables)+" IN EXCLUSIVE MODE"); err != nil {
			return err
		}
		// Another load may have written some of them while this one waited for the lock.
		present, err := presentInTx(ctx, tx, nums)
		if err != nil {
			return err
		}
		var gen generator
		for _, n := range nums {
			if !present[n] {
				gen.business(n)
				added++
			}
		}
		if added == 0 {
			return nil
		}
		if err := gen.assignIDs(ctx, tx); err != nil {
			return err
		}
		for _, t := range gen.tables() {
			n, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, pgx.CopyFromRows(t.rows))
			if err != nil {
				return fmt.Errorf("copy %s: %w", t.name, err)
			}
			rows[t.name] += n
		}
		return nil
	})
	return added, err
}

func presentInTx(ctx context.Context, tx pgx.Tx, nums []int) (map[int]bool, error) {
	slugs := make([]string, len(nums))
	for i, n := range nums {
		slugs[i] = slug(n)
	}
	r, err := tx.Query(ctx, `SELECT substr(slug, 6)::int FROM business WHERE slug = ANY ($1)`, slugs)
	if err != nil {
		return nil, err
	}
	got, err := pgx.CollectRows(r, pgx.RowTo[int])
	present := map[int]bool{}
	for _, n := range got {
		present[n] = true
	}
	return present, err
}

// reserveIDs takes n consecutive ids from table's identity sequence and returns the first.
// The caller holds an EXCLUSIVE lock on the table, so nobody else draws from it meanwhile.
func reserveIDs(ctx context.Context, tx pgx.Tx, table string, n int) (int64, error) {
	var first int64
	err := tx.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id'))`, table).Scan(&first)
	if err != nil || n <= 1 {
		return first, err
	}
	_, err = tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), $2)`, table, first+int64(n)-1)
	return first, err
}

func identList(names []string) string {
	s := ""
	for i, n := range names {
		if i > 0 {
			s += ", "
		}
		s += pgx.Identifier{n}.Sanitize()
	}
	return s
}

func slug(n int) string { return fmt.Sprintf("demo-%05d", n) }

func isDeadlock(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == pgerrcode.DeadlockDetected
}
