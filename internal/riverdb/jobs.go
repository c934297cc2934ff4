package riverdb

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/bookkeeping"
)

// SchemaVersion is the version of River's schema (rivermigrate's line "main") these statements
// were written for.
const SchemaVersion = 8

// TxStarter begins a transaction: a *pgxpool.Pool or a *pgx.Conn.
type TxStarter interface {
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
}

// JobCount is how many jobs of a kind are in a state.
type JobCount struct {
	Kind, State string
	N           int64
}

// One grouped query. River deletes finalized jobs after a day by default, so the table stays
// small.
const jobsByKindAndState = `SELECT kind, state::text, count(*) FROM river_job GROUP BY kind, state`

// JobCounts counts River's jobs by kind and state in a read-only transaction whose
// statement_timeout is timeout: SET LOCAL, since a session SET would leak to other clients of a
// transaction pooler.
func JobCounts(ctx context.Context, db TxStarter, schema bookkeeping.Schema, timeout time.Duration) ([]JobCount, error) {
	var out []JobCount
	err := pgx.BeginTxFunc(ctx, db, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL statement_timeout = %d", max(timeout.Milliseconds(), 1))); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, schema.SQL(jobsByKindAndState))
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (JobCount, error) {
			var jc JobCount
			return jc, r.Scan(&jc.Kind, &jc.State, &jc.N)
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("count river_job by kind and state: %w", err)
	}
	return out, nil
}

// MigrationVersions reads the versions of River's schema applied (rivermigrate's line "main");
// package migrate queues it in the batch of its no-op check.
const MigrationVersions = "SELECT version FROM river_migration WHERE line = 'main'"
