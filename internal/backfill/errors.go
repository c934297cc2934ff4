package backfill

import (
	"errors"
	"net"

	"github.com/jackc/pgx/v5/pgconn"
)

// transient reports a batch error that a retry of the same batch may not meet: a lock or
// statement timeout, a serialization failure or deadlock, or a lost connection (PgBouncer
// restarting, a server connection closed under the pooler).
func transient(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "55P03", // lock_not_available: lock_timeout
			"57014",          // query_canceled: statement_timeout
			"40001", "40P01", // serialization_failure, deadlock_detected
			"57P01", "57P02", "57P03", // admin_shutdown, crash_shutdown, cannot_connect_now
			"08000", "08003", "08006": // connection_exception, connection_does_not_exist, connection_failure
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
	return errors.As(err, &pgErr) && (pgErr.Code == "55P03" || pgErr.Code == "57014")
}
