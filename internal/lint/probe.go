package lint

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// RowProbe tells an empty table from one with rows, for a table the catalog cannot size.
type RowProbe interface {
	HasRows(ctx context.Context, schema, table string) (bool, error)
}

// PoolProbe reads one row of a table through a pool (the POOLER: a transaction with SET LOCAL
// works there, a session setting would leak to other clients). The read is bounded by a
// statement_timeout, which also bounds the wait for its ACCESS SHARE lock behind a running
// DDL; a read that times out leaves the size unknown.
type PoolProbe struct {
	Pool    *pgxpool.Pool
	Timeout time.Duration // 0: 2 s
}

// HasRows runs SELECT EXISTS (SELECT 1 FROM schema.table LIMIT 1).
func (p PoolProbe) HasRows(ctx context.Context, schema, table string) (bool, error) {
	var has bool
	err := pgx.BeginFunc(ctx, p.Pool, func(tx pgx.Tx) error {
		ms := p.Timeout.Milliseconds()
		if ms <= 0 {
			ms = 2000
		}
		if _, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL statement_timeout = %d", ms)); err != nil {
			return err
		}
		return tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+pgx.Identifier{schema, table}.Sanitize()+" LIMIT 1)").Scan(&has)
	})
	if err != nil {
		return false, fmt.Errorf("probe %s.%s for rows: %w", schema, table, err)
	}
	return has, nil
}
