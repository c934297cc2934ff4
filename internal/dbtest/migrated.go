package dbtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/migrations"
)

// NewMigrated creates a database holding the shipped schema and River's, copied from a
// template built once per version of the migrations.
func NewMigrated(t testing.TB) *DB {
	t.Helper()
	return NewFromTemplate(t, "migrated_"+MigrationsKey(t), func(ctx context.Context, directURL string) error {
		cfg, err := pgxpool.ParseConfig(directURL)
		if err != nil {
			return err
		}
		// As dbconn configures its pools: the planner's optimistic batch must not be prepared
		// as a whole (a fresh database has no schema_migrations to prepare against).
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			return err
		}
		defer pool.Close()
		m, err := migrate.New(migrate.Config{Pool: pool, Migrations: migrations.FS})
		if err != nil {
			return err
		}
		_, err = m.Migrate(ctx, migrate.Opts{})
		return err
	})
}

// generation changes when what the migration step makes besides the shipped schema changes
// (schema_migrations' version became text in generation 2; steady's other tables are versioned
// by package bookkeeping, whose latest version is part of the key), so that a test server kept
// between runs does not hand out templates of the old shape.
const generation = "2"

// MigrationsKey identifies the shipped migrations and the shape of steady's own tables: a
// template key for databases the migration step built.
func MigrationsKey(t testing.TB) string {
	t.Helper()
	h := sha256.New()
	h.Write([]byte(generation))
	h.Write([]byte(strconv.Itoa(bookkeeping.Latest())))
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	if err != nil {
		t.Fatalf("dbtest: hash migrations: %v", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
