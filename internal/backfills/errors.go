package backfills

import (
	"errors"
	"net"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5/pgconn"
)

// transient reports a batch error that a retry of the same batch may not meet: a lock or
// statement timeout, a serialization failure or deadlock, or a lost connection (PgBouncer
// restarting, a server connection closed under the pooler).
func transient(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case pgerrcode.LockNotAvailable, // lock_timeout
			pgerrcode.QueryCanceled, // statement_timeout
			pgerrcode.SerializationFailure, pgerrcode.DeadlockDetected,
			pgerrcode.AdminShutdown, pgerrcode.CrashShutdown, pgerrcode.CannotConnectNow,
			pgerrcode.ConnectionException, pgerrcode.ConnectionDoesNotExist, pgerrcode.ConnectionFailure:
			return true
		}
		return false
	}
	var netErr net.Error
	return pgconn.SafeToRetry(err) || errors.As(err, &netErr) || errors.Is(err, net.ErrClosed)
}

// timedOut reports a batch stopped by its lock_timeout or statement_timeout: a smaller batch
// holds fewer locks for less time.
func timedOut(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == pgerrcode.LockNotAvailable || pgErr.Code == pgerrcode.QueryCanceled)
}

// undefinedColumn reports an error caused by tables older than this steady's (package
// bookkeeping makes and upgrades them; a Store's reads tolerate older or missing ones).
func undefinedColumn(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == pgerrcode.UndefinedColumn
}

// missingTable reports an error caused by the tables (or their schema) not existing yet.
func missingTable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == pgerrcode.UndefinedTable || pgErr.Code == pgerrcode.InvalidSchemaName)
}
