package migrate

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/catalog"
)

// The verification stamp: the catalog version and the set of files of the last run that found
// every migration recorded and in place. When both are unchanged, a later run knows the same
// without parsing a file or reading the catalog (one round trip, 32 bytes).
const createState = `CREATE TABLE IF NOT EXISTS schema_migrations_state (
	id              int PRIMARY KEY CHECK (id = 1),
	catalog_version text NOT NULL,
	files_checksum  text NOT NULL,
	verified_at     timestamptz NOT NULL DEFAULT now()
)`

const upsertState = `INSERT INTO schema_migrations_state (id, catalog_version, files_checksum) VALUES (1, $1, $2)
ON CONFLICT (id) DO UPDATE SET catalog_version = EXCLUDED.catalog_version,
	files_checksum = EXCLUDED.files_checksum, verified_at = now()`

// unchanged reports, in one round trip, whether the catalog and the files are as the last
// clean verification left them and River's schema is current. Any error (a database steady
// has not stamped yet) just means "not known to be unchanged".
func (m *Migrator) unchanged(ctx context.Context) bool {
	var now, stamped, files string
	var riverVersions []int
	batch := &pgx.Batch{}
	catalog.QueueVersion(batch, &now)
	batch.Queue("SELECT catalog_version, files_checksum FROM schema_migrations_state WHERE id = 1").QueryRow(func(row pgx.Row) error {
		return row.Scan(&stamped, &files)
	})
	if m.river != nil {
		batch.Queue(selectRiverVersions).Query(func(rows pgx.Rows) (err error) {
			riverVersions, err = pgx.CollectRows(rows, pgx.RowTo[int])
			return err
		})
	}
	// The files are read and hashed while the round trip is in flight: on a long history each
	// is about as long as the other.
	sent := make(chan error, 1)
	go func() { sent <- m.cfg.Pool.SendBatch(ctx, batch).Close() }()
	readErr := m.read()
	if err := <-sent; err != nil {
		if !errors.Is(err, pgx.ErrNoRows) && !isUndefined(err) {
			m.log.Debug("verification stamp unreadable; verifying in full", "error", err)
		}
		return false
	}
	return readErr == nil && now == stamped && files == filesChecksum(m.migrations) && !m.riverPending(true, riverVersions)
}

// stamp records a clean verification. version must have been read before the snapshot that
// verified, so that a change in between makes the stamp stale rather than wrong. Where an
// older steady made the history, the table is created here, which changes the catalog: the
// stamp is then stale once, and the next run stamps again.
func (m *Migrator) stamp(ctx context.Context, version string) error {
	if err := createIgnoringRace(ctx, m.cfg.Pool, createState); err != nil {
		return fmt.Errorf("stamp verification: %w", err)
	}
	if _, err := m.cfg.Pool.Exec(ctx, upsertState, version, filesChecksum(m.migrations)); err != nil {
		return fmt.Errorf("stamp verification: %w", err)
	}
	return nil
}
