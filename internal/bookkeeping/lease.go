package bookkeeping

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"time"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/steadydb/steady/internal/backoff"
)

// ErrLeaseLost is the cause of a run's cancellation when its lease was taken over.
var ErrLeaseLost = errors.New("migration lease lost: another runner took it over after it expired")

// The lease is a row, not a session advisory lock: through a transaction pooler a session lock
// is held by whichever server connection ran it, not by this client (docs/architecture.md,
// "Advisory locks through a pooler"). The row expires unless refreshed, so a runner killed
// with -9 cannot wedge the next deploy. Its table is the one steady table made outside the
// versioned set, since the set is applied under it: see bootstrapLease.
const createLease = `CREATE TABLE IF NOT EXISTS steady_migration_lease (
	id          int PRIMARY KEY CHECK (id = 1),
	holder      text NOT NULL,
	acquired_at timestamptz NOT NULL DEFAULT now(),
	expires_at  timestamptz NOT NULL
)`

const acquireLease = `INSERT INTO steady_migration_lease AS l (id, holder, expires_at)
VALUES (1, $1, now() + make_interval(secs => $2))
ON CONFLICT (id) DO UPDATE SET holder = EXCLUDED.holder, acquired_at = now(), expires_at = EXCLUDED.expires_at
WHERE l.expires_at < now() OR l.holder = EXCLUDED.holder
RETURNING holder`

const currentLease = `SELECT holder, GREATEST(extract(epoch FROM expires_at - now()), 0)::float8 FROM steady_migration_lease WHERE id = 1`

const refreshLease = `UPDATE steady_migration_lease SET expires_at = now() + make_interval(secs => $2) WHERE id = 1 AND holder = $1`

const releaseLease = `DELETE FROM steady_migration_lease WHERE id = 1 AND holder = $1`

// bootstrapLockKey serialises the lease table's creation across processes ("steadyl" in
// ASCII). A transaction-scoped advisory lock holds through a transaction pooler.
const bootstrapLockKey int64 = 0x7374656164796c

// Lease is the migration lease, held by one runner at a time across every process.
type Lease struct {
	db     *Tables
	holder string
	ttl    time.Duration
	stop   chan struct{}
	done   chan struct{}
	cancel context.CancelCauseFunc
}

func newHolder() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s:%d:%08x", host, os.Getpid(), rand.Uint32())
}

// AcquireLease takes the migration lease, waiting while another live runner holds it. The
// returned context is cancelled with ErrLeaseLost if a refresh finds the lease taken over;
// Release gives the lease back and cancels it.
func (t *Tables) AcquireLease(ctx context.Context, ttl time.Duration) (*Lease, context.Context, error) {
	db, log := t.cfg.Pool, t.cfg.Logger
	l := &Lease{db: t, holder: newHolder(), ttl: ttl, stop: make(chan struct{}), done: make(chan struct{})}
	acquire, current := t.schema.SQL(acquireLease), t.schema.SQL(currentLease)
	for attempt := 0; ; attempt++ {
		var got string
		err := db.QueryRow(ctx, acquire, l.holder, ttl.Seconds()).Scan(&got)
		if isUndefined(err) && attempt == 0 {
			if err := t.bootstrapLease(ctx); err != nil {
				return nil, nil, fmt.Errorf("create %s: %w", t.schema.Table("steady_migration_lease"), err)
			}
			err = db.QueryRow(ctx, acquire, l.holder, ttl.Seconds()).Scan(&got)
		}
		if err == nil {
			break
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return nil, nil, fmt.Errorf("acquire migration lease: %w", err)
		}
		var other string
		var left float64
		if err := db.QueryRow(ctx, current).Scan(&other, &left); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return nil, nil, fmt.Errorf("read migration lease: %w", err)
		}
		if attempt == 0 {
			log.Info("waiting for the migration lease", slog.String("holder", other), slog.Float64("expires_in_s", left))
		}
		// Poll well inside the TTL, with jitter so replicas do not move in step.
		wait := min(backoff.Jitter(ttl/10, 0.5), time.Duration(left*float64(time.Second))+50*time.Millisecond)
		select {
		case <-ctx.Done():
			return nil, nil, fmt.Errorf("wait for migration lease held by %s: %w", other, ctx.Err())
		case <-time.After(max(wait, 20*time.Millisecond)):
		}
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	l.cancel = cancel
	go l.keepAlive(runCtx)
	return l, runCtx, nil
}

// bootstrapLease makes the schema and the lease table where they are missing. CREATE … IF NOT
// EXISTS alone still fails when two sessions race (a unique violation on pg_type, as
// rivermigrate's does: docs/architecture.md, "rivermigrate takes no lock"); serialised on a
// transaction-scoped advisory lock, the second creator waits for the first to commit and then finds the table.
// The schema is created only when missing: CREATE SCHEMA IF NOT EXISTS needs the CREATE
// privilege on the database even when the schema exists.
func (t *Tables) bootstrapLease(ctx context.Context) error {
	return pgx.BeginFunc(ctx, t.cfg.Pool, func(tx pgx.Tx) error {
		var missing bool
		if _, err := tx.Exec(ctx, `SELECT set_config('lock_timeout', '5s', true), pg_advisory_xact_lock($1)`, bootstrapLockKey); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT to_regnamespace($1) IS NULL`, pgx.Identifier{t.schema.Name()}.Sanitize()).Scan(&missing); err != nil {
			return err
		}
		if missing {
			if _, err := tx.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{t.schema.Name()}.Sanitize()); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, t.schema.SQL(createLease))
		return err
	})
}

func (l *Lease) keepAlive(ctx context.Context) {
	defer close(l.done)
	tick := time.NewTicker(l.ttl / 3)
	defer tick.Stop()
	refresh := l.db.schema.SQL(refreshLease)
	for {
		select {
		case <-l.stop:
			return
		case <-ctx.Done():
			return
		case <-tick.C:
			tag, err := l.db.cfg.Pool.Exec(ctx, refresh, l.holder, l.ttl.Seconds())
			if err == nil && tag.RowsAffected() == 0 {
				l.cancel(ErrLeaseLost)
				return
			}
			if err != nil {
				l.db.cfg.Logger.Warn("refresh migration lease", slog.Any("error", err))
			}
		}
	}
}

// Release gives the lease back (it expires anyway if this fails) and cancels the context
// AcquireLease returned.
func (l *Lease) Release(ctx context.Context) {
	close(l.stop)
	<-l.done
	if _, err := l.db.cfg.Pool.Exec(context.WithoutCancel(ctx), l.db.schema.SQL(releaseLease), l.holder); err != nil {
		l.db.cfg.Logger.Warn("release migration lease (it will expire)", slog.Any("error", err))
	}
	l.cancel(nil)
}

// isUndefined reports a table or schema that does not exist (yet).
func isUndefined(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == pgerrcode.UndefinedTable || pgErr.Code == pgerrcode.InvalidSchemaName)
}
