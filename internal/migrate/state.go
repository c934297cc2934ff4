package migrate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/migfiles"
	"github.com/steadydb/steady/internal/riverdb"
)

// The verification stamp: the catalog version, the set of files and the history's digest of
// the last run that found every migration recorded and in place. When all three are unchanged,
// a later run knows the same without parsing a file or reading the catalog (one round trip).
// Its table, steady_migration_state, is one of steady's own (package bookkeeping).
const upsertState = `INSERT INTO steady_migration_state (id, catalog_version, files_checksum, history_digest) VALUES (1, $1, $2, $3)
ON CONFLICT (id) DO UPDATE SET catalog_version = EXCLUDED.catalog_version,
	files_checksum = EXCLUDED.files_checksum, history_digest = EXCLUDED.history_digest, verified_at = now()`

// historyDigest is the content of the history that decides each migration's state (version,
// name, checksum, reconciled) as "count:sum": the row count and an order-independent sum of
// 64-bit hashes of the rows, computed server-side (a thousand rows cost well under a
// millisecond and send a few dozen bytes). Any insert, update, delete or truncate of those
// columns changes it. hash_record_extended alone combines its fields linearly (31·h + field),
// so a sum of it is blind to values swapped between rows (two checksums exchanged):
// hashint8extended mixes each row's hash first.
const historyDigest = `(SELECT count(*)::text || ':' ||
	coalesce(sum(hashint8extended(hash_record_extended((h.version, h.name, h.checksum, h.reconciled), 0), 0)::numeric), 0)::text
	FROM schema_migrations h)`

// selectState reads the stamp, the history's live digest and whether steady's own tables are
// current (current is bookkeeping's CurrentSQL) in one statement.
func selectState(current string) string {
	return `SELECT catalog_version, files_checksum, history_digest, ` + historyDigest + `, ` + current + `
	FROM steady_migration_state WHERE id = 1`
}

// queueHistoryDigest adds the history's digest to the plan's batch. It must come after the
// snapshot (on a database without history it fails, and the plan reads what exists instead)
// and before the history itself: a write in between makes the stamp stale, not wrong.
func queueHistoryDigest(b *pgx.Batch, schema bookkeeping.Schema, dst *string) {
	b.Queue(schema.SQL("SELECT " + historyDigest)).QueryRow(func(row pgx.Row) error {
		if err := row.Scan(dst); err != nil {
			return fmt.Errorf("read the history's digest: %w", err)
		}
		return nil
	})
}

// unchanged reports, in one round trip, whether the catalog, the files and the history are as
// the last clean verification left them and River's schema is current. Any error (a database
// steady has not stamped yet) just means "not known to be unchanged"; the error returned is
// Config.Preflight's.
func (m *Migrator) unchanged(ctx context.Context) (bool, error) {
	var now, stamped, files, stampedHistory, history string
	var riverVersions []int
	var tablesCurrent bool
	batch := &pgx.Batch{}
	preflight := m.queuePreflight(batch)
	// The stamp first: where steady has never stamped (a first deploy, an adoption) the batch
	// stops there, before the catalog version, which a large catalog makes the costly part.
	batch.Queue(m.schema.SQL(selectState(m.cfg.Tables.CurrentSQL()))).QueryRow(func(row pgx.Row) error {
		return row.Scan(&stamped, &files, &stampedHistory, &history, &tablesCurrent)
	})
	catalog.QueueVersion(batch, &now)
	if m.river != nil {
		batch.Queue(m.schema.SQL(riverdb.MigrationVersions)).Query(func(rows pgx.Rows) (err error) {
			riverVersions, err = pgx.CollectRows(rows, pgx.RowTo[int])
			return err
		})
	}
	// The files are read and hashed, and the set's checksum made, while the round trip is in
	// flight: on a long history each is about as long as the other.
	sent := make(chan error, 1)
	go func() { sent <- m.cfg.Pool.SendBatch(ctx, batch).Close() }()
	readErr := m.read()
	sum := migfiles.Checksum(m.migrations)
	err := <-sent
	if perr := preflight(err); perr != nil {
		return false, perr
	}
	if err != nil {
		if !errors.Is(err, pgx.ErrNoRows) && !isUndefined(err) {
			m.log.Debug("verification stamp unreadable; verifying in full", "error", err)
		}
		return false, nil
	}
	var changed []string
	if now != stamped {
		changed = append(changed, "catalog")
	}
	if readErr != nil || files != sum {
		changed = append(changed, "files")
	}
	if stampedHistory == "" || history != stampedHistory {
		changed = append(changed, "history")
	}
	if m.riverPending(true, riverVersions) {
		changed = append(changed, "river")
	}
	if !tablesCurrent {
		changed = append(changed, "steady's tables")
	} else {
		m.cfg.Tables.MarkCurrent()
	}
	if len(changed) > 0 {
		m.log.Debug("changed since the last clean verification; verifying in full", slog.Any("changed", changed))
		return false, nil
	}
	return true, nil
}

// unchangedSince reports, in one round trip, whether the catalog and steady's history are as p
// read them, so that a plan made before the lease holds under it. Where another tool's history
// or an older history table was read, or either version is unknown, it reports false.
func (m *Migrator) unchangedSince(ctx context.Context, p *Plan) bool {
	if p.catalogVersion == "" || len(p.foreign) > 0 {
		return false
	}
	switch {
	case p.history == historyCurrent && p.historyDigest != "":
	case p.history == historyMissing:
	default:
		return false
	}
	var version, digest string
	batch := &pgx.Batch{}
	catalog.QueueVersion(batch, &version)
	if p.history == historyCurrent {
		queueHistoryDigest(batch, m.schema, &digest)
	}
	if err := m.cfg.Pool.SendBatch(ctx, batch).Close(); err != nil {
		return false
	}
	return version == p.catalogVersion && digest == p.historyDigest
}

// stamp records a clean verification. The plan's catalog version and history digest were read
// before its snapshot and its history, so that a change in between makes the stamp stale
// rather than wrong. The stamp's table exists before the plan reads the catalog version
// (Migrate ensures steady's tables first), so writing the stamp does not change what it stamps.
func (m *Migrator) stamp(ctx context.Context, p *Plan) error {
	if p.historyDigest == "" {
		return errors.New("stamp verification: the plan did not read the history's digest")
	}
	_, err := m.cfg.Pool.Exec(ctx, m.schema.SQL(upsertState), p.catalogVersion, migfiles.Checksum(m.migrations), p.historyDigest)
	if err != nil {
		return fmt.Errorf("stamp verification: %w", err)
	}
	return nil
}
