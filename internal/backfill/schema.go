package backfill

import (
	"errors"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5/pgconn"
)

// The tables are steady's own (package bookkeeping makes them). A Store's reads tolerate their
// absence; a worker's start makes them.

// undefinedColumn reports an error caused by tables older than this steady's.
func undefinedColumn(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == pgerrcode.UndefinedColumn
}

// missingTable reports an error caused by the tables not existing yet.
func missingTable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == pgerrcode.UndefinedTable || pgErr.Code == pgerrcode.InvalidSchemaName)
}
