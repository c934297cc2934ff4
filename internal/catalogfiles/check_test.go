package catalogfiles_test

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/catalogfiles"
	"github.com/steadydb/steady/internal/migfiles"
	"github.com/steadydb/steady/migrations"
)

func schemaOf(t *testing.T, fsys fstest.MapFS) *catalogfiles.Schema {
	t.Helper()
	var ms []migfiles.Migration
	var err error
	if fsys == nil {
		ms, err = migfiles.Load(migrations.FS)
	} else {
		ms, err = migfiles.Load(fsys)
	}
	require.NoError(t, err)
	require.NoError(t, migfiles.Parse(ms))
	return catalogfiles.SchemaOf(ms, "")
}

func TestCheck(t *testing.T) {
	t.Parallel()

	t.Run("TheShippedCatalogsMatchTheShippedMigrations", func(t *testing.T) {
		t.Parallel()
		require.NoError(t, catalogfiles.Check(catalogfiles.Shipped(), schemaOf(t, nil)))
	})

	history := fstest.MapFS{
		"0001_a.sql": {Data: []byte("CREATE TABLE a (id bigint PRIMARY KEY, x int);\nCREATE TABLE c (id bigint PRIMARY KEY);\nCREATE TABLE d AS SELECT 1 AS one;")},
		"0002_b.sql": {Data: []byte("ALTER TABLE a RENAME TO b;\nALTER TABLE b RENAME COLUMN x TO y;\nALTER TABLE b ADD COLUMN z text;\nDROP TABLE c;")},
	}
	load := func(t *testing.T, backfills, indexes fstest.MapFS) *catalogfiles.Catalogs {
		t.Helper()
		c, err := catalogfiles.Load(catalogfiles.Sources{Backfills: backfills, Indexes: indexes})
		require.NoError(t, err)
		return c
	}

	t.Run("TablesAndColumnsThroughRenamesAndDrops", func(t *testing.T) {
		t.Parallel()
		c := load(t, fstest.MapFS{}, fstest.MapFS{"ix.sql": {Data: []byte(
			"-- ok\nCREATE INDEX b_y_idx ON b (y, z);\n" +
				"-- ok: the columns of a table made by a query are not known\nCREATE INDEX d_idx ON d (one);\n" +
				"-- renamed away\nCREATE INDEX a_idx ON a (y);\n" +
				"-- dropped\nCREATE INDEX c_idx ON c (id);\n" +
				"-- its old name\nCREATE INDEX b_x_idx ON b (x);\n")}})
		errs := catalogfiles.Errors(catalogfiles.Check(c, schemaOf(t, history)))
		var got []string
		for _, e := range errs {
			got = append(got, e.Error())
		}
		require.Equal(t, []string{
			"indexes/ix.sql:6: index a_idx: no migration makes table a",
			"indexes/ix.sql:8: index c_idx: no migration makes table c",
			"indexes/ix.sql:10: index b_x_idx: no migration makes column b.x",
		}, got)
	})

	// A team migrating its own files with the built-in (CRM) catalogs: they are not held
	// against its migrations; a catalog of its own directory is.
	t.Run("TheBuiltInCatalogsBelongWithTheBuiltInMigrations", func(t *testing.T) {
		t.Parallel()
		shipped := catalogfiles.Shipped()
		require.Error(t, catalogfiles.Check(shipped, schemaOf(t, history)), "the CRM's tables are not in this history")
		require.NoError(t, catalogfiles.Check(shipped.Own(catalogfiles.Sources{}, false), schemaOf(t, history)))
		require.Equal(t, shipped, shipped.Own(catalogfiles.Sources{}, true))
		own := catalogfiles.Sources{Indexes: fstest.MapFS{"ix.sql": {Data: []byte("-- gone\nCREATE INDEX c_idx ON c (id);\n")}}}
		c, err := catalogfiles.Load(own)
		require.NoError(t, err)
		require.ErrorContains(t, catalogfiles.Check(c.Own(own, false), schemaOf(t, history)), "indexes/ix.sql:2: index c_idx: no migration makes table c")
		require.Empty(t, c.Own(own, false).Backfills, "the built-in backfills are left out")
	})

	t.Run("BackfillTablesAndKey", func(t *testing.T) {
		t.Parallel()
		c := load(t, fstest.MapFS{
			"good.sql":    {Data: []byte("-- key: id\nUPDATE b SET y = 1 WHERE id > :from AND id <= :to;")},
			"no_key.sql":  {Data: []byte("-- key: x\n\nUPDATE b SET y = 1 WHERE x > :from AND x <= :to;")},
			"dropped.sql": {Data: []byte("-- key: id\nUPDATE c SET id = id WHERE id > :from AND id <= :to;")},
		}, fstest.MapFS{})
		errs := catalogfiles.Errors(catalogfiles.Check(c, schemaOf(t, history)))
		var got []string
		for _, e := range errs {
			got = append(got, e.Error())
		}
		require.Equal(t, []string{
			"backfills/dropped.sql:2: backfill dropped: no migration makes table c",
			"backfills/no_key.sql:1: backfill no_key: no migration makes column b.x (its key)",
		}, got)
	})
}
