package backfills

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// A run's backfill is a file: a catalog's, or one in no catalog (an ad hoc run). Start stores
// the file, by its name and checksum, in steady_backfill_definitions and points the run at it;
// the workers read it from there (the command that started the run may be gone, the worker
// restarted, or started before the file was added to its catalog directory), parse it as
// ParseFile does and refuse it if its checksum no longer matches. Job arguments stay a run and
// a slice. Runs from before the table existed fall back to the worker's catalog.

// DefinitionError is a backfill whose statements or key do not fit the database: a table,
// column, function or type they name is not there, the key is not an integer column. It names
// the file and line.
type DefinitionError struct {
	Backfill string
	File     string
	Line     int
	Err      error
}

func (e *DefinitionError) Error() string {
	where := e.File
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if where == "" {
		where = "backfill " + e.Backfill
	}
	return fmt.Sprintf("%s: %v", where, e.Err)
}
func (e *DefinitionError) Unwrap() error { return e.Err }

// ErrBadDefinition is a stored definition that cannot be run (changed since it was stored, or
// no longer read by this steady): retrying cannot help.
var ErrBadDefinition = errors.New("backfill definition refused")

// checkOnDatabase checks that the key is an integer column of the key table and, with plan,
// that the statements plan (EXPLAIN resolves every name without running anything; it takes the
// UPDATE's lock on the table for the start's transaction), in the start's transaction: a
// definition that does not fit is refused before anything is written.
func checkOnDatabase(ctx context.Context, tx pgx.Tx, b Backfill, plan bool) error {
	var keyType *string
	err := tx.QueryRow(ctx, `SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
		WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND NOT a.attisdropped AND a.attnum > 0`,
		pgx.Identifier{b.KeyRelation()}.Sanitize(), b.Key).Scan(&keyType)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return &DefinitionError{Backfill: b.Name, File: b.File, Line: b.KeyLine,
			Err: fmt.Errorf("key %s.%s: no such column on this database", b.KeyRelation(), b.Key)}
	case err != nil:
		return err
	case *keyType != "bigint" && *keyType != "integer" && *keyType != "smallint":
		return &DefinitionError{Backfill: b.Name, File: b.File, Line: b.KeyLine,
			Err: fmt.Errorf("key %s.%s is %s: batches are integer key ranges", b.KeyRelation(), b.Key, *keyType)}
	}
	for _, st := range []struct {
		sql  string
		line int
	}{{b.Update, b.Line}, {b.Pending, 0}} {
		if st.sql == "" || !plan {
			continue
		}
		_, err := tx.Exec(ctx, "EXPLAIN "+st.sql, int64(0), int64(1))
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && (pgErr.Code[:2] == "42" || pgErr.Code[:2] == "22") {
			line := st.line
			if line == 0 {
				line = b.Line
			}
			return &DefinitionError{Backfill: b.Name, File: b.File, Line: line,
				Err: fmt.Errorf("does not plan on this database: %s", pgErr.Message)}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// storeDefinition keeps b's file, once per name and checksum, and returns its id.
func (s *Store) storeDefinition(ctx context.Context, tx pgx.Tx, b Backfill) (*int64, error) {
	var id int64
	err := tx.QueryRow(ctx, s.schema.SQL(`WITH ins AS (
			INSERT INTO steady_backfill_definitions (name, file, source, checksum) VALUES ($1, $2, $3, $4)
			ON CONFLICT (name, checksum) DO NOTHING RETURNING id)
		SELECT id FROM ins UNION ALL SELECT id FROM steady_backfill_definitions WHERE name = $1 AND checksum = $4
		LIMIT 1`), b.Name, b.File, b.Source, b.Checksum()).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("store the definition of %s: %w", b.Name, err)
	}
	return &id, nil
}

// definitions caches the backfills of the runs a Runner has met: a run's definition never
// changes.
type definitions struct {
	mu    sync.Mutex
	byRun map[int64]*Backfill // nil: a catalog run
}

// backfillOf is the backfill a slice job works: its run's stored definition when it has one,
// else (a run started by an older steady) the catalog entry of its name.
func (r *Runner) backfillOf(ctx context.Context, args SliceJob) (Backfill, error) {
	r.defs.mu.Lock()
	b, seen := r.defs.byRun[args.Run]
	r.defs.mu.Unlock()
	if !seen {
		var name, file, source, checksum *string
		err := r.pool.QueryRow(ctx, r.schema.SQL(`SELECT d.name, d.file, d.source, d.checksum
			FROM steady_backfill_runs r LEFT JOIN steady_backfill_definitions d ON d.id = r.definition_id
			WHERE r.id = $1`), args.Run).Scan(&name, &file, &source, &checksum)
		if errors.Is(err, pgx.ErrNoRows) {
			return Backfill{}, fmt.Errorf("%w: run %d", ErrUnknownSlice, args.Run)
		}
		if err != nil && !undefinedColumn(err) && !missingTable(err) {
			return Backfill{}, fmt.Errorf("read the definition of backfill run %d: %w", args.Run, err)
		}
		if source != nil {
			def, err := ParseFile(*file, []byte(*source))
			switch {
			case err != nil:
				return Backfill{}, fmt.Errorf("%w: run %d: %w", ErrBadDefinition, args.Run, err)
			case def.Checksum() != *checksum || def.Name != args.Backfill || *name != args.Backfill:
				return Backfill{}, fmt.Errorf("%w: run %d: the stored file %s no longer matches its checksum or name", ErrBadDefinition, args.Run, *file)
			}
			b = &def
		}
		r.defs.mu.Lock()
		r.defs.byRun[args.Run] = b
		r.defs.mu.Unlock()
	}
	if b != nil {
		return *b, nil
	}
	c, ok := r.catalog.Lookup(args.Backfill)
	if !ok {
		return Backfill{}, fmt.Errorf("%w: %w", ErrUnknownSlice, r.catalog.Unknown(args.Backfill))
	}
	return c, nil
}
