package catalog

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/jackc/pgx/v5"
)

//go:embed version.sql
var versionSQL string

// Version returns the catalog version: a hash over every catalog fact a Check can look at, much
// cheaper to compute than a Snapshot to read. Equal versions mean every Check answers the same.
func Version(ctx context.Context, q Querier) (string, error) {
	var v string
	if err := q.QueryRow(ctx, versionSQL).Scan(&v); err != nil {
		return "", fmt.Errorf("read catalog version: %w", err)
	}
	return v, nil
}

// QueueVersion adds the version query to a batch; *dst is set when the batch's results are read.
func QueueVersion(b *pgx.Batch, dst *string) {
	b.Queue(versionSQL).QueryRow(func(row pgx.Row) error {
		if err := row.Scan(dst); err != nil {
			return fmt.Errorf("read catalog version: %w", err)
		}
		return nil
	})
}
