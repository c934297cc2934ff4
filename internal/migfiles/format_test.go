package migfiles_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/migfiles"
	"github.com/steadydb/steady/internal/migrate"
)

func files(names map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, body := range names {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}

func TestLoadFormats(t *testing.T) {
	t.Parallel()

	t.Run("GolangMigrateIgnoresDownFilesAndAllowsGaps", func(t *testing.T) {
		t.Parallel()
		ms, err := migfiles.Load(files(map[string]string{
			"000001_create_users.up.sql":   "CREATE TABLE users (id bigint);",
			"000001_create_users.down.sql": "DROP TABLE users;",
			"000010_Add.Email.up.sql":      "ALTER TABLE users ADD COLUMN email text;",
			"000010_Add.Email.down.sql":    "ALTER TABLE users DROP COLUMN email;",
			"000005_index.up.sql":          "CREATE INDEX CONCURRENTLY users_email ON users (id);",
		}))
		require.NoError(t, err)
		require.Len(t, ms, 3)
		require.Equal(t, []migfiles.Version{"1", "5", "10"}, []migfiles.Version{ms[0].Version, ms[1].Version, ms[2].Version})
		require.Equal(t, "Add.Email", ms[2].Name, "dots and upper case are fine in names")
		for _, m := range ms {
			require.Equal(t, migfiles.FormatGolangMigrate, m.Format)
		}
		require.NoError(t, migfiles.Parse(ms))
		require.True(t, ms[1].NoTransaction, "CREATE INDEX CONCURRENTLY refuses a transaction block")
		require.False(t, ms[0].NoTransaction)
	})

	t.Run("GooseRunsOnlyTheUpSection", func(t *testing.T) {
		t.Parallel()
		ms, err := migfiles.Load(files(map[string]string{
			"20230412093000_users.sql": "-- +goose Up\nCREATE TABLE users (id bigint PRIMARY KEY, name text);\n-- +goose Down\nDROP TABLE users;\n",
			"20230501120000_fn.sql": "-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql;\n" +
				"-- +goose StatementEnd\n\n-- +goose Down\nDROP FUNCTION f();\n",
			"20230601000000_idx.sql": "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY users_name ON users (name);\n-- +goose Down\nDROP INDEX CONCURRENTLY users_name;\n",
		}))
		require.NoError(t, err)
		require.Len(t, ms, 3)
		require.Equal(t, migfiles.Version("20230412093000"), ms[0].Version)
		require.Equal(t, migfiles.FormatGoose, ms[0].Format)
		require.NotContains(t, ms[0].SQL, "DROP TABLE")
		require.Equal(t, strings.Count(ms[0].SQL, "\n"), 4, "lines are kept so that errors point into the file")
		require.NoError(t, migfiles.Parse(ms))
		require.Len(t, ms[0].Parsed.Statements, 1)
		require.Equal(t, 2, ms[0].Parsed.Statements[0].Line)
		require.Len(t, ms[1].Parsed.Statements, 1, "a plpgsql body between StatementBegin and End is one statement")
		require.True(t, ms[2].NoTransaction)
		require.False(t, ms[0].NoTransaction)
	})

	t.Run("FlywayOrdersDottedVersionsNumerically", func(t *testing.T) {
		t.Parallel()
		ms, err := migfiles.Load(files(map[string]string{
			"V1__init.sql":              "CREATE TABLE a (id int);",
			"V1_1__more.sql":            "CREATE TABLE b (id int);",
			"V1.10__later.sql":          "CREATE TABLE d (id int);",
			"V1_2__next.sql":            "CREATE TABLE c (id int);",
			"V2__two.sql":               "CREATE TABLE e (id int);",
			"U2__undo_two.sql":          "DROP TABLE e;",
			"V10__ten_is_after_two.sql": "CREATE TABLE f (id int);",
		}))
		require.NoError(t, err)
		var got []string
		for _, m := range ms {
			got = append(got, string(m.Version))
			require.Equal(t, migfiles.FormatFlyway, m.Format)
		}
		require.Equal(t, []string{"1", "1.1", "1.2", "1.10", "2", "10"}, got)
		_, err = migfiles.List(files(map[string]string{"R__views.sql": "SELECT 1;"}))
		require.ErrorContains(t, err, "repeatable")
	})

	t.Run("DbmateRunsOnlyTheUpSection", func(t *testing.T) {
		t.Parallel()
		ms, err := migfiles.Load(files(map[string]string{
			"20240101120000_posts.sql": "-- migrate:up\nCREATE TABLE posts (id bigint);\n\n-- migrate:down\nDROP TABLE posts;\n",
			"20240102120000_idx.sql":   "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY posts_id ON posts (id);\n-- migrate:down\nDROP INDEX posts_id;\n",
		}))
		require.NoError(t, err)
		require.Equal(t, migfiles.FormatDbmate, ms[0].Format)
		require.NotContains(t, ms[0].SQL, "DROP")
		require.True(t, ms[1].NoTransaction)
	})

	t.Run("SteadyFilesAsBefore", func(t *testing.T) {
		t.Parallel()
		ms, err := migfiles.List(files(map[string]string{"0002_b_2.sql": "", "0001_a.sql": "", "README.md": ""}))
		require.NoError(t, err)
		require.Equal(t, []migfiles.Migration{
			{Version: "1", Name: "a", File: "0001_a.sql", Format: migfiles.FormatSteady},
			{Version: "2", Name: "b_2", File: "0002_b_2.sql", Format: migfiles.FormatSteady},
		}, ms)
	})

	t.Run("PrismaDirectories", func(t *testing.T) {
		t.Parallel()
		ms, err := migfiles.LoadFormat(files(map[string]string{
			"20240102000000_posts/migration.sql": `CREATE TABLE "Post" ("id" TEXT NOT NULL, CONSTRAINT "Post_pkey" PRIMARY KEY ("id"));`,
			"20240101000000_init/migration.sql":  `CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');`,
			"migration_lock.toml":                `provider = "postgresql"`,
		}), "")
		require.NoError(t, err)
		require.Len(t, ms, 2)
		require.Equal(t, migfiles.Migration{Version: "20240101000000", Name: "init", File: "20240101000000_init/migration.sql",
			Format: migfiles.FormatPrisma, SQL: ms[0].SQL, Checksum: ms[0].Checksum}, ms[0])
		require.Contains(t, ms[1].SQL, `"Post_pkey"`)
	})

	t.Run("DieselDirectoriesAndTheirMetadata", func(t *testing.T) {
		t.Parallel()
		ms, err := migfiles.LoadFormat(files(map[string]string{
			"00000000000000_diesel_initial_setup/up.sql":   "CREATE FUNCTION diesel_set_updated_at() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql;",
			"00000000000000_diesel_initial_setup/down.sql": "DROP FUNCTION diesel_set_updated_at();",
			"2024-01-02-120000_users/up.sql":               "CREATE TABLE users (id serial PRIMARY KEY);",
			"2024-01-02-120000_users/down.sql":             "DROP TABLE users;",
			"2024-01-03-080000_idx/up.sql":                 "CREATE INDEX CONCURRENTLY users_id ON users (id);",
			"2024-01-03-080000_idx/metadata.toml":          "run_in_transaction = false\n",
			"data_fix.sql":                                 "UPDATE users SET id = id;", // beside the directories: diesel never runs it
			".keep":                                        "",
		}), "")
		require.NoError(t, err)
		require.Len(t, ms, 3)
		require.Equal(t, []migfiles.Version{"0", "20240102120000", "20240103080000"}, []migfiles.Version{ms[0].Version, ms[1].Version, ms[2].Version},
			"diesel's version is its leading digits without the dashes")
		require.Equal(t, migfiles.FormatDiesel, ms[2].Format)
		require.True(t, ms[2].NoTransaction, "run_in_transaction = false")
		require.False(t, ms[1].NoTransaction)

		ordered, err := migfiles.LoadFormat(files(map[string]string{
			"2026-05-27-120000_later/up.sql":        "SELECT 1;",
			"2025-11-19-120000-0000_earlier/up.sql": "SELECT 1;", // longer, yet earlier: diesel compares strings
		}), "")
		require.NoError(t, err)
		require.Equal(t, "earlier", ordered[0].Name)
	})

	t.Run("SqlxAndSupabaseNameFilesAsSteadyDoes", func(t *testing.T) {
		t.Parallel()
		sqlx := files(map[string]string{
			"20240101000000_users.sql":   "CREATE TABLE users (id bigint);",
			"20240102000000_index.sql":   "-- no-transaction\nCREATE INDEX CONCURRENTLY users_id ON users (id);",
			"20240103000000_extra.sql":   "ALTER TABLE users ADD COLUMN name text;",
			"20240104000000_more.up.sql": "ALTER TABLE users ADD COLUMN bio text;",
		})
		_, err := migfiles.LoadFormat(sqlx, "")
		var mixed *migfiles.MixedFormatsError
		require.ErrorAs(t, err, &mixed, "detected, .sql and .up.sql are two formats")
		ms, err := migfiles.LoadFormat(sqlx, migfiles.FormatSqlx)
		require.NoError(t, err, "sqlx reads both")
		require.Equal(t, migfiles.FormatSqlx, ms[3].Format)
		require.True(t, ms[1].NoTransaction, "sqlx's -- no-transaction")
		require.False(t, ms[0].NoTransaction)

		ms, err = migfiles.LoadFormat(files(map[string]string{"20240101000000_init.sql": "CREATE TABLE t (id int);"}), migfiles.FormatSupabase)
		require.NoError(t, err)
		require.Equal(t, migfiles.FormatSupabase, ms[0].Format)
		_, err = migfiles.LoadFormat(files(map[string]string{"V1__init.sql": "SELECT 1;"}), migfiles.FormatSupabase)
		var fe *migfiles.FileNameError
		require.ErrorAs(t, err, &fe, "a Flyway file is not the Supabase CLI's")
	})

	t.Run("NothingReadableIsAnError", func(t *testing.T) {
		t.Parallel()
		_, err := migfiles.List(fstest.MapFS{})
		var empty *migfiles.EmptyError
		require.ErrorAs(t, err, &empty, "a directory with no migration is never an empty history")
		_, err = migfiles.List(files(map[string]string{"notes.txt": "", "20240101_x/readme.txt": ""}))
		var un *migfiles.UnrecognisedError
		require.ErrorAs(t, err, &un)
		require.ErrorContains(t, err, "notes.txt")
		require.ErrorContains(t, err, "20240101_x/")
		_, err = migfiles.List(files(map[string]string{"0001_a.sql": "", "0002_b.go": ""}))
		require.ErrorAs(t, err, &un, "goose's Go migrations cannot run")
		ms, err := migfiles.List(files(map[string]string{"0001_a.sql": "", "atlas.sum": "", ".gitkeep": "", "README.md": ""}))
		require.NoError(t, err)
		require.Len(t, ms, 1)
		for _, bad := range []string{"", "auto"} {
			f, err := migfiles.ParseFormat(bad)
			require.NoError(t, err)
			require.Empty(t, f)
		}
		_, err = migfiles.ParseFormat("liquibase")
		require.ErrorContains(t, err, `unknown migrations format "liquibase"`)
	})

	t.Run("DuplicateVersionNamesBothFiles", func(t *testing.T) {
		t.Parallel()
		for _, pair := range [][2]string{{"0001_a.sql", "001_b.sql"}, {"V1_1__a.sql", "V1.1__b.sql"}, {"1_a.up.sql", "01_b.up.sql"}} {
			_, err := migfiles.List(files(map[string]string{pair[0]: "SELECT 1;", pair[1]: "SELECT 1;"}))
			var dup *migfiles.DuplicateVersionError
			require.ErrorAs(t, err, &dup, pair)
			require.ErrorContains(t, err, pair[0])
			require.ErrorContains(t, err, pair[1])
		}
	})

	t.Run("BadNamesAndMixedFormats", func(t *testing.T) {
		t.Parallel()
		for _, bad := range []string{"1-a.sql", "0001_.sql", "_a.sql", "0001a_b.sql", "99999999999999999999_a.sql", "V1_x.sql"} {
			_, err := migfiles.List(files(map[string]string{bad: "SELECT 1;"}))
			var fe *migfiles.FileNameError
			require.ErrorAs(t, err, &fe, bad)
			require.ErrorContains(t, err, bad)
		}
		_, err := migfiles.List(files(map[string]string{"0001_a.sql": "", "0002_b.up.sql": ""}))
		var mixed *migfiles.MixedFormatsError
		require.ErrorAs(t, err, &mixed)
		_, err = migfiles.Load(files(map[string]string{"0001_a.sql": "-- +goose Up\nSELECT 1;", "0002_b.sql": "SELECT 1;"}))
		require.ErrorAs(t, err, &mixed, "a plain file among goose files")
		_, err = migfiles.Load(files(map[string]string{"0001_a.sql": "-- +goose Down\nDROP TABLE x;"}))
		require.ErrorContains(t, err, "no Up section")
	})
}

func TestVersionCompare(t *testing.T) {
	t.Parallel()
	ordered := []string{"0", "1", "1.0", "1.1", "1.2", "1.10", "2", "9", "10", "20230412093000"}
	for i := range ordered {
		for j := range ordered {
			a, err := migfiles.ParseVersion(ordered[i])
			require.NoError(t, err)
			b, err := migfiles.ParseVersion(ordered[j])
			require.NoError(t, err)
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			require.Equal(t, want, a.Compare(b), "%s vs %s", ordered[i], ordered[j])
		}
	}
	v, err := migfiles.ParseVersion("0007")
	require.NoError(t, err)
	require.Equal(t, "0007", v.String())
	require.Equal(t, migfiles.Version("7"), v)
	for _, bad := range []string{"", "a", "1.", ".1", "1-2"} {
		_, err := migfiles.ParseVersion(bad)
		require.Error(t, err, bad)
	}
}

// An unreadable file is a typed error naming the file, so callers branch on its type (exit 2),
// never on its text.
func TestLoadUnreadableFileIsTypedError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "0001_ok.sql"), []byte("CREATE TABLE ok (id int);\n"), 0o644))
	require.NoError(t, os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "0002_gone.sql")))

	_, err := migfiles.Load(os.DirFS(dir))
	var le *migfiles.LoadError
	require.ErrorAs(t, err, &le)
	require.Equal(t, "0002_gone.sql", le.File)
	require.ErrorIs(t, err, fs.ErrNotExist, "the cause is kept for errors.Is")
	require.True(t, migrate.IsBadInput(err))
}
