package indexes

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/steadydb/steady/internal/tuning"
)

// ErrPermanent is wrapped by the errors that retrying will not heal: a table outside the
// catalog, an index name taken by another table's index or by a constraint, a catalog entry
// that does not read back as itself.
var ErrPermanent = errors.New("permanent")

// BusyError says another index build runs on the table. Waiting for it beats queueing behind
// its lock with a worker held (two concurrent builds on one table serialize).
type BusyError struct{ Progress Progress }

func (e *BusyError) Error() string {
	return fmt.Sprintf("another index build is running on %s (pid %d, %s)", e.Progress.Table, e.Progress.PID, e.Progress)
}

// WindowError says a build may not start now: the build window (Config.Window) is closed.
type WindowError struct {
	Window *Window
	Opens  time.Time // zero when the window never opens again
}

func (e *WindowError) Error() string {
	if e.Opens.IsZero() {
		return fmt.Sprintf("outside the index build window %s, which never opens again", e.Window)
	}
	return fmt.Sprintf("outside the index build window %s; it opens at %s", e.Window, e.Opens.Format(time.RFC3339))
}

// stepError is a statement that failed.
type stepError struct {
	step Step
	err  error
}

func (e *stepError) Error() string {
	return fmt.Sprintf("%s %s: %v", e.step.Action, e.step.Index, e.err)
}
func (e *stepError) Unwrap() error { return e.err }

type permanentError struct{ err error }

func (e *permanentError) Error() string   { return e.err.Error() }
func (e *permanentError) Unwrap() []error { return []error{e.err, ErrPermanent} }

func permanent(err error) error { return &permanentError{err} }

// explain logs why ix could not be built and what to do about it, and returns the error Build
// returns. Logs carry no row values (a unique violation's detail would show the duplicated key).
func (b *Builder) explain(ctx context.Context, log *slog.Logger, ix Index, err error) error {
	log = log.With(slog.String("index", ix.Name))
	var busy *BusyError
	var window *WindowError
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &busy):
		log.Info("index build: another build runs on the table; waiting for it", slog.Int("pid", busy.Progress.PID),
			slog.String("building", busy.Progress.Index))
		return err
	case errors.As(err, new(*parallelError)):
		log.Warn("index build: could not limit its parallel workers; retrying with backoff", slog.Any("error", err))
	case errors.As(err, &window):
		log.Info("index build: waiting for the build window", slog.String("window", window.Window.String()),
			slog.Time("opens", window.Opens))
		return err
	case errors.Is(err, ErrPermanent):
		log.Error("❌ index build: cannot build this index", slog.Any("error", err))
	case ctx.Err() != nil:
		log.Warn("index build: attempt stopped (timeout or shutdown); the next attempt drops the INVALID index it may leave and goes on",
			slog.Any("error", err))
	case !errors.As(err, &pgErr):
		log.Warn("index build: failed; retrying with backoff", slog.Any("error", err))
	case pgErr.Code == pgerrcode.QueryCanceled && strings.Contains(pgErr.Message, "statement timeout"):
		b.adviseSetting(ctx, log, "statement_timeout", err)
	case pgErr.Code == pgerrcode.LockNotAvailable && !isRename(err):
		b.adviseSetting(ctx, log, "lock_timeout", err)
	case pgErr.Code == pgerrcode.UniqueViolation: // a unique index over duplicate rows
		cols := strings.Join(ix.Def.Columns(), ", ")
		log.Error("❌ index build: unique index over duplicate rows; it is left INVALID until they are fixed",
			slog.String("find_them", fmt.Sprintf("SELECT %s, count(*) FROM %s GROUP BY %s HAVING count(*) > 1", cols, ix.Table, cols)),
			slog.String("then", "steady indexes build: the next attempt drops the INVALID index and builds it again"),
			slog.Any("error", err))
	case pgErr.Code == pgerrcode.DependentObjectsStillExist: // the index belongs to a constraint
		log.Error("❌ index build: the index belongs to a constraint; rename the catalog entry", slog.Any("error", err))
		return permanent(fmt.Errorf("index build %s: %w", ix.Table, err))
	default:
		log.Warn("index build: failed; retrying with backoff", slog.Any("error", err))
	}
	return fmt.Errorf("index build %s: %w", ix.Table, err)
}

// missingRelation reports an error caused by a table (or its schema) that does not exist.
func missingRelation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == pgerrcode.UndefinedTable || pgErr.Code == pgerrcode.InvalidSchemaName)
}

func isRename(err error) bool {
	var se *stepError
	return errors.As(err, &se) && se.step.Action == Rename
}

// adviseSetting explains a build cancelled by a server, database or role setting, naming what
// set it. A pooler passes no per-session setting (startup parameters are refused, a session SET
// leaks to other clients) and CONCURRENTLY cannot run in a transaction, so the fix is a setting
// for steady's role, and which one depends on what set the value: ALTER ROLE … SET does not
// override ALTER ROLE … IN DATABASE … SET.
func (b *Builder) adviseSetting(ctx context.Context, log *slog.Logger, setting string, err error) {
	qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	o, rerr := tuning.ReadOrigin(qctx, b.cfg.Pool, setting)
	if rerr != nil {
		log.Warn(fmt.Sprintf("❌ index build cancelled by %s: a concurrent build outlasts it on a big table; give the role in "+
			"DATABASE_URL_POOLER %s = 0 (ALTER ROLE … SET, or ALTER ROLE … IN DATABASE … SET where the database or the role "+
			"in it sets it); the next attempt drops the INVALID index and builds it again", setting, setting),
			slog.Any("error", err), slog.Any("origin_error", rerr))
		return
	}
	log.Warn(fmt.Sprintf("❌ index build cancelled by %s (%s, set by %s): a concurrent build outlasts it on a big table; "+
		"run %s (or give steady's POOLER URL a dedicated role with that setting; "+
		"PgBouncer's server connections take it when they reconnect); the next attempt drops the INVALID index and builds it again",
		setting, o.Value, o.Where(), o.Fix("0")), slog.Any("error", err))
}
