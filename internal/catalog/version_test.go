package catalog_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/dbtest"
)

func TestVersionChangesWithEveryCheckableFact(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	conn, err := pgx.Connect(ctx, db.DirectURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	exec := func(sql string) {
		t.Helper()
		_, err := conn.Exec(ctx, sql)
		require.NoError(t, err)
	}
	version := func() string {
		t.Helper()
		v, err := catalog.Version(ctx, conn)
		require.NoError(t, err)
		return v
	}
	exec("CREATE TABLE t (id int PRIMARY KEY, note text)")
	base := version()
	require.Equal(t, base, version(), "stable while nothing changes")

	for _, change := range []struct{ name, do, undo string }{
		{"Column", "ALTER TABLE t ADD COLUMN x int", "ALTER TABLE t DROP COLUMN x"},
		{"ColumnType", "ALTER TABLE t ALTER COLUMN note TYPE varchar(10)", "ALTER TABLE t ALTER COLUMN note TYPE text"},
		{"NotNull", "ALTER TABLE t ALTER COLUMN note SET NOT NULL", "ALTER TABLE t ALTER COLUMN note DROP NOT NULL"},
		{"Default", "ALTER TABLE t ALTER COLUMN note SET DEFAULT 'x'", "ALTER TABLE t ALTER COLUMN note DROP DEFAULT"},
		{"Constraint", "ALTER TABLE t ADD CONSTRAINT c CHECK (id > 0) NOT VALID", "ALTER TABLE t DROP CONSTRAINT c"},
		{"Index", "CREATE INDEX t_note_idx ON t (note)", "DROP INDEX t_note_idx"},
		{"Enum", "CREATE TYPE mood AS ENUM ('ok')", "DROP TYPE mood"},
		{"Function", "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'", "DROP FUNCTION f()"},
		{"View", "CREATE VIEW v AS SELECT id FROM t", "DROP VIEW v"},
		{"Schema", "CREATE SCHEMA s", "DROP SCHEMA s"},
		{"CompositeType", "CREATE TYPE pair AS (a int, b int)", "DROP TYPE pair"},
		{"RenameIndex", "ALTER INDEX t_pkey RENAME TO t_pk", "ALTER INDEX t_pk RENAME TO t_pkey"},
		// What a failed CREATE INDEX CONCURRENTLY leaves (the test role is a superuser).
		{"IndexValidity", "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 't_pkey'::regclass",
			"UPDATE pg_index SET indisvalid = true WHERE indexrelid = 't_pkey'::regclass"},
	} {
		exec(change.do)
		require.NotEqual(t, base, version(), change.name)
		exec(change.undo)
		require.Equal(t, base, version(), change.name+" undone")
	}
	exec("ALTER TABLE t ADD CONSTRAINT c CHECK (id > 0) NOT VALID")
	notValid := version()
	exec("ALTER TABLE t VALIDATE CONSTRAINT c")
	require.NotEqual(t, notValid, version(), "validation is a checkable fact")

	exec("ALTER TABLE t ALTER COLUMN note SET DEFAULT 'free'")
	free := version()
	exec("ALTER TABLE t ALTER COLUMN note SET DEFAULT 'trial'")
	require.NotEqual(t, free, version(), "a default's expression is a checkable fact")
}
