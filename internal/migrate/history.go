package migrate

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/migfiles"
	"github.com/steadydb/steady/internal/toolhistory"
)

// The history table keeps the name the Python migration runner gave it. Its shape is steady's;
// another tool's table of that name (the Python migration runner's, golang-migrate's,
// dbmate's) is read as evidence, then kept under another name (see legacyName).
const (
	historyTable = "schema_migrations"
	legacyTable  = "schema_migrations_python"
)

const createHistory = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version     text PRIMARY KEY,
	name        text NOT NULL,
	checksum    text,
	applied_at  timestamptz NOT NULL DEFAULT now(),
	reconciled  boolean NOT NULL DEFAULT false,
	evidence    jsonb NOT NULL DEFAULT '{}',
	duration_ms bigint NOT NULL DEFAULT 0
)`

// upgradeHistory brings an older steady history table to the current shape.
// Versions are text since steady reads other tools' files (Flyway's 1.1); bigint values keep
// their digits.
const upgradeHistory = `ALTER TABLE schema_migrations
	ALTER COLUMN version TYPE text USING version::text,
	ADD COLUMN IF NOT EXISTS name text NOT NULL DEFAULT '',
	ADD COLUMN IF NOT EXISTS checksum text,
	ADD COLUMN IF NOT EXISTS applied_at timestamptz NOT NULL DEFAULT now(),
	ADD COLUMN IF NOT EXISTS reconciled boolean NOT NULL DEFAULT false,
	ADD COLUMN IF NOT EXISTS evidence jsonb NOT NULL DEFAULT '{}',
	ADD COLUMN IF NOT EXISTS duration_ms bigint NOT NULL DEFAULT 0`

// historyShape says what the snapshot shows of the history table.
type historyShape int

const (
	historyMissing historyShape = iota
	historyCurrent              // steady's table, every column present
	historyOld                  // steady's table from an older release: columns to add, version to make text
	historyLegacy               // another system's table: to be set aside
)

var historyColumns = []string{"version", "name", "checksum", "applied_at", "reconciled", "evidence", "duration_ms"}

func shapeOf(snap *catalog.Snapshot, schema bookkeeping.Schema) historyShape {
	t, ok := snap.Table(schema.Name(), historyTable)
	if !ok {
		return historyMissing
	}
	cols := map[string]string{}
	for _, c := range t.Columns {
		cols[c.Name] = c.Type
	}
	if _, ok := cols["checksum"]; !ok {
		return historyLegacy
	}
	switch cols["version"] {
	case "text":
	case "bigint", "integer":
		return historyOld
	default:
		return historyLegacy
	}
	for _, c := range historyColumns {
		if _, ok := cols[c]; !ok {
			return historyOld
		}
	}
	return historyCurrent
}

// record is one row of schema_migrations.
type record struct {
	Version    migfiles.Version
	Name       string
	Checksum   *string
	Reconciled bool
	AppliedAt  time.Time
	// Unpredicted are the effects the catalog did not show as predicted when the migration
	// was recorded (Evidence.Unpredicted): verification leaves them out.
	Unpredicted []string
}

const selectHistory = `SELECT version::text, name, checksum, reconciled, applied_at, evidence->'unpredicted' FROM schema_migrations`

func scanHistory(rows pgx.Rows) (map[migfiles.Version]record, error) {
	out := map[migfiles.Version]record{}
	for rows.Next() {
		var r record
		var v string
		if err := rows.Scan(&v, &r.Name, &r.Checksum, &r.Reconciled, &r.AppliedAt, &r.Unpredicted); err != nil {
			return nil, err
		}
		pv, err := migfiles.ParseVersion(v)
		if err != nil {
			return nil, fmt.Errorf("%s holds version %q: %w", historyTable, v, err)
		}
		r.Version = pv
		out[pv] = r
	}
	return out, rows.Err()
}

// prepareHistory creates, upgrades or sets aside the history table. It runs under the lease.
// The history stays out of steady's versioned tables (package bookkeeping): another tool's
// table may hold its name, to be read as evidence and set aside first.
func prepareHistory(ctx context.Context, db execer, schema bookkeeping.Schema, shape historyShape, foreign []toolhistory.Record) error {
	var stmts []string
	switch shape {
	case historyCurrent:
	case historyMissing:
		stmts = []string{createHistory}
	case historyOld:
		stmts = []string{upgradeHistory}
	case historyLegacy:
		stmts = []string{`ALTER TABLE schema_migrations RENAME TO ` + toolhistory.LegacyName(foreign), createHistory}
	}
	for _, s := range stmts {
		if _, err := db.Exec(ctx, schema.SQL(s)); err != nil {
			return fmt.Errorf("prepare %s: %w", historyTable, err)
		}
	}
	return nil
}

const insertRecords = `INSERT INTO schema_migrations (version, name, checksum, reconciled, evidence, duration_ms)
SELECT r.version, r.name, r.checksum, r.reconciled, r.evidence, r.duration_ms
FROM jsonb_to_recordset($1::jsonb) AS r(version text, name text, checksum text, reconciled boolean, evidence jsonb, duration_ms bigint)
ON CONFLICT (version) DO NOTHING`

// newRecord is a row to insert.
type newRecord struct {
	Version    migfiles.Version `json:"version"`
	Name       string           `json:"name"`
	Checksum   string           `json:"checksum"`
	Reconciled bool             `json:"reconciled"`
	Evidence   Evidence         `json:"evidence"`
	DurationMS int64            `json:"duration_ms"`
}

// insertHistory records rows in one statement, whatever their number (adoption stays at a
// constant number of round trips).
func insertHistory(ctx context.Context, db execer, schema bookkeeping.Schema, rs []newRecord) (int64, error) {
	if len(rs) == 0 {
		return 0, nil
	}
	payload, err := json.Marshal(rs)
	if err != nil {
		return 0, err
	}
	tag, err := db.Exec(ctx, schema.SQL(insertRecords), string(payload))
	if err != nil {
		return 0, fmt.Errorf("record migrations: %w", err)
	}
	return tag.RowsAffected(), nil
}

const addUnpredictedSQL = `UPDATE schema_migrations h
SET evidence = jsonb_set(h.evidence, '{unpredicted}', coalesce(h.evidence->'unpredicted', '[]') || (r.evidence->'unpredicted'))
FROM jsonb_to_recordset($1::jsonb) AS r(version text, evidence jsonb)
WHERE h.version = r.version`

// addUnpredicted appends effects to the Unpredicted evidence of recorded migrations, in one
// statement.
func addUnpredicted(ctx context.Context, db execer, schema bookkeeping.Schema, rs []newRecord) error {
	payload, err := json.Marshal(rs)
	if err != nil {
		return err
	}
	if _, err := db.Exec(ctx, schema.SQL(addUnpredictedSQL), string(payload)); err != nil {
		return fmt.Errorf("record the limits of the picture: %w", err)
	}
	return nil
}

// Recorded is the versions steady's history records, read where snap shows the table (none
// when it does not): what will not run again.
func Recorded(ctx context.Context, q catalog.Querier, schema bookkeeping.Schema, snap *catalog.Snapshot) (map[migfiles.Version]bool, error) {
	out := map[migfiles.Version]bool{}
	if _, ok := snap.Table(schema.Name(), historyTable); !ok {
		return out, nil
	}
	var versions []string
	if err := q.QueryRow(ctx, schema.SQL("SELECT coalesce(array_agg(version::text), '{}') FROM schema_migrations")).Scan(&versions); err != nil {
		return nil, fmt.Errorf("read %s: %w", historyTable, err)
	}
	for _, v := range versions {
		if pv, err := migfiles.ParseVersion(v); err == nil {
			out[pv] = true
		}
	}
	return out, nil
}
