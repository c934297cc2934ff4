package historytest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReadHistory checks the test's own splitter on small directories of each format: which
// files, in which order, what runs of each and how the tool sends it.
func TestReadHistory(t *testing.T) {
	t.Parallel()
	type want struct {
		file, recorded string
		send           sending
		noTx           bool
		up             string
	}
	for name, tc := range map[string]struct {
		files    map[string]string
		given    format // "" detects
		format   format
		want     []want
		err      string
		gooseOut map[string][]string // file: goose's statements
	}{
		"GolangMigrate": {
			files: map[string]string{
				"001_a.up.sql": "CREATE TABLE a (id int);\n", "001_a.down.sql": "DROP TABLE a;\n",
				"010_b.up.sql": "CREATE INDEX CONCURRENTLY b ON a (id);\n",
				"002_c.up.sql": "BEGIN;\nUPDATE a SET id = 1;\nCOMMIT;\n",
				"atlas.sum":    "h1:x\n",
			},
			format: golangMigrate,
			want: []want{
				{"001_a.up.sql", "1", wholeQuery, true, "CREATE TABLE a (id int);\n"},
				{"002_c.up.sql", "2", wholeQuery, true, "BEGIN;\nUPDATE a SET id = 1;\nCOMMIT;\n"},
				{"010_b.up.sql", "10", wholeQuery, true, "CREATE INDEX CONCURRENTLY b ON a (id);\n"},
			},
		},
		"Goose": {
			files: map[string]string{
				"20230412093000_a.sql": "-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\n-- +goose StatementEnd\n-- a comment\nCREATE TABLE a (id int); -- trailing\nALTER TABLE a\n  ADD COLUMN b int;\n-- +goose Down\nDROP TABLE a;\n",
				"20230101000000_b.sql": "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY b ON a (id);\n\n-- +goose Down\nDROP INDEX b;\n",
				"20230201000000_c.sql": "-- +goose Up\nBEGIN;\nUPDATE a SET id = 2;\nCOMMIT;\n",
			},
			format: goose,
			want: []want{
				{"20230101000000_b.sql", "20230101000000", eachStatement, true, "\n\nCREATE INDEX CONCURRENTLY b ON a (id);\n\n\n\n"},
				{"20230201000000_c.sql", "20230201000000", eachStatement, true, "\nBEGIN;\nUPDATE a SET id = 2;\nCOMMIT;\n"},
				{"20230412093000_a.sql", "20230412093000", eachStatement, false, "\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\n-- +goose StatementEnd\n-- a comment\nCREATE TABLE a (id int); -- trailing\nALTER TABLE a\n  ADD COLUMN b int;\n\n\n"},
			},
			gooseOut: map[string][]string{
				"20230412093000_a.sql": {"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;", "CREATE TABLE a (id int); -- trailing", "ALTER TABLE a\n  ADD COLUMN b int;"},
				"20230101000000_b.sql": {"CREATE INDEX CONCURRENTLY b ON a (id);"},
			},
		},
		"Flyway": {
			files: map[string]string{
				"V2__b.sql": "SELECT 2;\n", "V1_1__a_dot.sql": "SELECT 11;\n", "V1__a.sql": "SELECT 1;\n", "V10__c.sql": "CREATE INDEX CONCURRENTLY c ON t (x);\n",
				"U2__b.sql": "SELECT -2;\n",
			},
			format: flyway,
			want: []want{
				{"V1__a.sql", "1", psqlScript, false, "SELECT 1;\n"},
				{"V1_1__a_dot.sql", "1.1", psqlScript, false, "SELECT 11;\n"},
				{"V2__b.sql", "2", psqlScript, false, "SELECT 2;\n"},
				{"V10__c.sql", "10", psqlScript, true, "CREATE INDEX CONCURRENTLY c ON t (x);\n"},
			},
		},
		"Dbmate": {
			files: map[string]string{
				"20240101120000_a.sql": "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY a ON t (id);\n\n-- migrate:down\nDROP INDEX a;\n",
				"20240102120000_b.sql": "-- migrate:up\nDROP TABLE t;\n-- migrate:down\nCREATE TABLE t (id int);\n",
			},
			format: dbmate,
			want: []want{
				{"20240101120000_a.sql", "20240101120000", wholeQuery, true, "\nCREATE INDEX CONCURRENTLY a ON t (id);\n\n\n\n"},
				{"20240102120000_b.sql", "20240102120000", wholeQuery, false, "\nDROP TABLE t;\n\n\n"},
			},
		},
		"Prisma": {
			files: map[string]string{
				"20240102000000_b/migration.sql":    "ALTER TYPE \"Role\" ADD VALUE 'X';\n",
				"20240101000000_init/migration.sql": "CREATE TYPE \"Role\" AS ENUM ('A');\n",
				"migration_lock.toml":               "provider = \"postgresql\"\n",
			},
			format: prisma,
			want: []want{
				{"20240101000000_init/migration.sql", "20240101000000", wholeQuery, true, "CREATE TYPE \"Role\" AS ENUM ('A');\n"},
				{"20240102000000_b/migration.sql", "20240102000000", wholeQuery, true, "ALTER TYPE \"Role\" ADD VALUE 'X';\n"},
			},
		},
		"Supabase": {
			files: map[string]string{
				"20240101000000_init.sql":      "create table a (id int);\n",
				"20240102000000_add index.sql": "create index concurrently a_id on a (id);\n",
			},
			given:  supabase,
			format: supabase,
			want: []want{
				{"20240101000000_init.sql", "20240101000000", wholeQuery, true, "create table a (id int);\n"},
				{"20240102000000_add index.sql", "20240102000000", wholeQuery, true, "create index concurrently a_id on a (id);\n"},
			},
		},
		"Sqlx": {
			files: map[string]string{
				"0002_b.sql":      "-- no-transaction\nCREATE INDEX CONCURRENTLY b ON a (id);\n",
				"0001_a.up.sql":   "CREATE TABLE a (id int);\n",
				"0001_a.down.sql": "DROP TABLE a;\n",
				"0003_c.sql":      "-- a comment first\n-- no-transaction\nSELECT 1;\n",
			},
			given:  sqlx,
			format: sqlx,
			want: []want{
				{"0001_a.up.sql", "0001", wholeQuery, false, "CREATE TABLE a (id int);\n"},
				{"0002_b.sql", "0002", wholeQuery, true, "-- no-transaction\nCREATE INDEX CONCURRENTLY b ON a (id);\n"},
				{"0003_c.sql", "0003", wholeQuery, false, "-- a comment first\n-- no-transaction\nSELECT 1;\n"},
			},
		},
		"Diesel": {
			files: map[string]string{
				"00000000000000_diesel_initial_setup/up.sql":   "SELECT 0;\n",
				"00000000000000_diesel_initial_setup/down.sql": "SELECT 0;\n",
				"2026-05-27-120000_b/up.sql":                   "SELECT 2;\n",
				"2025-11-19-091444-0000_a/up.sql":              "CREATE INDEX CONCURRENTLY a ON t (x);\n",
				"2025-11-19-091444-0000_a/metadata.toml":       "run_in_transaction = false\n",
				"README.md":                                    "not a migration\n",
				"data_script.sql":                              "SELECT 'not a migration';\n",
			},
			format: diesel,
			want: []want{
				{"00000000000000_diesel_initial_setup/up.sql", "00000000000000", wholeQuery, false, "SELECT 0;\n"},
				// diesel orders versions as strings: the 18-digit one first.
				{"2025-11-19-091444-0000_a/up.sql", "202511190914440000", wholeQuery, true, "CREATE INDEX CONCURRENTLY a ON t (x);\n"},
				{"2026-05-27-120000_b/up.sql", "20260527120000", wholeQuery, false, "SELECT 2;\n"},
			},
		},
		"Steady": {
			files: map[string]string{
				"0001_a.sql": "CREATE TABLE a (id int);\n",
				"0002_b.sql": "-- steady:no-transaction\nVACUUM a;\n",
				"0003_c.sql": "BEGIN;\nUPDATE a SET id = 1;\nCOMMIT;\n",
			},
			given:  steadyFormat,
			format: steadyFormat,
			want: []want{
				{"0001_a.sql", "0001", psqlScript, false, "CREATE TABLE a (id int);\n"},
				{"0002_b.sql", "0002", psqlScript, true, "-- steady:no-transaction\nVACUUM a;\n"},
				{"0003_c.sql", "0003", psqlScript, true, "BEGIN;\nUPDATE a SET id = 1;\nCOMMIT;\n"},
			},
		},
		"MixedGooseAndDbmate": {
			files: map[string]string{"1_a.sql": "-- +goose Up\nSELECT 1;\n", "2_b.sql": "-- migrate:up\nSELECT 2;\n"},
			err:   "a dbmate file in a goose history",
		},
		"NoMarker": {
			files: map[string]string{"0001_a.sql": "SELECT 1;\n"},
			err:   "0001_a.sql: no `-- +goose Up` or `-- migrate:up` marker",
		},
		"DuplicateVersion": {
			files: map[string]string{"1_a.up.sql": "SELECT 1;\n", "01_b.up.sql": "SELECT 1;\n"},
			err:   "01_b.up.sql and 1_a.up.sql have the same version",
		},
		"FlywayRepeatable": {
			files: map[string]string{"V1__a.sql": "SELECT 1;\n", "R__views.sql": "SELECT 1;\n"},
			err:   "R__views.sql: a Flyway repeatable migration",
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for file, text := range tc.files {
				path := filepath.Join(dir, file)
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
				require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
			}
			h, err := readHistory(name, dir, tc.given)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.format, h.format)
			var got []want
			for _, f := range h.files {
				got = append(got, want{f.file, f.recorded, f.send, f.noTx, f.up})
				if stmts, ok := tc.gooseOut[f.file]; ok {
					require.Equal(t, stmts, f.statements, f.file)
				}
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	for sql, want := range map[string][2]bool{
		"UPDATE a SET x = 1;\nINSERT INTO canary VALUES ('1', 'x');\n":                        {true, false},
		"DO $$ BEGIN CREATE TEMP TABLE x (); DROP TABLE x; END $$;\n-- ALTER in a comment\n":  {true, false},
		"ALTER TABLE a ADD COLUMN b int;\nUPDATE a SET b = 1;\n":                              {false, false},
		"ALTER TABLE a RENAME TO b;\n":                                                        {false, true},
		"-- nothing\n":                                                                        {false, false},
		"INSERT INTO p VALUES ('Tote; Olive', 'it''s -- fine');\n/* DROP TABLE p; */\n":       {true, false},
		"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $fn$ SELECT 1; $fn$;\nSELECT f();\n": {false, false},
		"UPDATE \"odd;name\" SET a = 1;\n":                                                    {true, false},
	} {
		dataOnly, dropOrRename := classify(sql)
		require.Equal(t, want, [2]bool{dataOnly, dropOrRename}, sql)
	}
}

func TestOwnsTransaction(t *testing.T) {
	t.Parallel()
	for sql, want := range map[string]bool{
		"BEGIN;\nUPDATE a SET x = 1;\nCOMMIT;\n":                              true,
		"UPDATE a SET x = 1;\nbegin transaction;\nend;\n":                     true,
		"DO $$ BEGIN UPDATE a SET x = 1; END $$;\n":                           false,
		"CREATE PROCEDURE p() LANGUAGE plpgsql AS $$ BEGIN COMMIT; END $$;\n": false,
		"-- BEGIN;\nSELECT 'COMMIT;';\n":                                      false,
	} {
		require.Equal(t, want, ownsTransaction(sql), sql)
	}
}

func TestSplitStatements(t *testing.T) {
	t.Parallel()
	require.Equal(t,
		[]string{"create table a (x text default ';')", "-- why\ncreate function f() returns int language sql as $$ select 1; $$"},
		splitStatements("create table a (x text default ';');\n\n-- why\ncreate function f() returns int language sql as $$ select 1; $$;\n-- the end\n"))
}

func TestPrefixesSetting(t *testing.T) {
	t.Parallel()
	h := &history{name: "h", files: make([]migrationFile, 40)}
	h.files[4].dataOnly, h.files[30].dataOnly, h.files[20].dropOrRename = true, true, true

	noHistory, toolHistory, corrupt := historyCases[0], historyCases[1], historyCases[2]
	ks, err := prefixes(h, noHistory, shadowJudge, "")
	require.NoError(t, err)
	require.Equal(t, []int{0, 1, 2, 5, 13, 20, 21, 26, 31, 39, 40}, ks)
	ks, err = prefixes(h, toolHistory, shadowJudge, "sample")
	require.NoError(t, err)
	require.Equal(t, []int{0, 20, 40}, ks)
	ks, err = prefixes(h, corrupt, shadowJudge, "sample")
	require.NoError(t, err)
	require.Equal(t, []int{13, 26, 39}, ks, "an odd prefix and an even one: the last row lost, a middle one")
	ks, err = prefixes(h, noHistory, derivedJudge, "")
	require.NoError(t, err)
	require.Equal(t, []int{13, 26, 39}, ks)

	ks, err = prefixes(h, toolHistory, derivedJudge, "all")
	require.NoError(t, err)
	require.Len(t, ks, 41)

	ks, err = prefixes(h, toolHistory, derivedJudge, "7, 3,7")
	require.NoError(t, err)
	require.Equal(t, []int{3, 7}, ks)

	ks, err = prefixes(h, noHistory, shadowJudge, "40,41,n")
	require.NoError(t, err)
	require.Equal(t, []int{40}, ks, "41 is past this history's end; n is its end")

	_, err = prefixes(h, noHistory, shadowJudge, "-1")
	require.ErrorContains(t, err, `STEADY_HISTORY_PREFIXES="-1": want sample, all, or prefixes (0 and up, n for the end) separated by commas`)
}

func TestJudgesSetting(t *testing.T) {
	t.Parallel()
	names := func(setting string, c historyCase) []string {
		js, err := judgesFor(c, setting)
		require.NoError(t, err)
		var out []string
		for _, j := range js {
			out = append(out, j.summary)
		}
		return out
	}
	noHistory, toolHistory := historyCases[0], historyCases[1]
	require.Equal(t, []string{"shadow", "derived"}, names("", noHistory))
	require.Equal(t, []string{"shadow"}, names("", toolHistory))
	require.Equal(t, []string{"shadow", "derived"}, names("all", toolHistory))
	require.Equal(t, []string{"derived"}, names("derived", noHistory))
	_, err := judgesFor(noHistory, "model")
	require.ErrorContains(t, err, `STEADY_HISTORY_JUDGES="model"`)
}

func TestExternalHistory(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "acme", "migrations")
	require.NoError(t, os.MkdirAll(dir, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "1_a.sql"), []byte("SELECT 1;\n"), 0o600))
	setupFile := filepath.Join(t.TempDir(), "acme.setup.sql")
	require.NoError(t, os.WriteFile(setupFile, []byte("CREATE SCHEMA auth;\n"), 0o600))

	h, err := externalHistory(dir, "sqlx", setupFile, "--schema steady --lock-timeout 5s")
	require.NoError(t, err)
	require.Equal(t, "acme/migrations", h.name)
	require.Equal(t, sqlx, h.format)
	require.Equal(t, "steady", h.steadySchema())
	require.Equal(t, []string{"--migrations-dir", dir, "--migrations-format", "sqlx", "--shadow-setup", setupFile, "--schema", "steady", "--lock-timeout", "5s"},
		h.steadyArgs(shadowJudge))
	require.Equal(t, []string{"--migrations-dir", dir, "--migrations-format", "sqlx", "--shadow", "off", "--schema", "steady", "--lock-timeout", "5s"},
		h.steadyArgs(derivedJudge))

	_, err = externalHistory(dir, "", "", "")
	require.ErrorContains(t, err, "give the format")
	_, err = externalHistory(dir, "liquibase", "", "")
	require.ErrorContains(t, err, `STEADY_HISTORY_FORMAT: unknown format "liquibase"`)
	_, err = externalHistory(dir, "sqlx", filepath.Join(dir, "missing.sql"), "")
	require.ErrorContains(t, err, "missing.sql: no such file")
}

// TestHistoriesCoverTheIssue: an own history of 25 or more migrations in each other tool's
// format, each creating the canary table in its first migration (diesel's: the first after its
// initial setup).
func TestHistoriesCoverTheIssue(t *testing.T) {
	t.Parallel()
	formats := map[format]bool{}
	for _, h := range ownHistories(t) {
		first := h.files[0]
		if first.name == "diesel_initial_setup" {
			first = h.files[1]
		}
		require.Contains(t, skeleton(first.up), "CREATE TABLE canary", "history %s: the first migration creates the canary table", h.name)
		if len(h.files) >= 25 {
			formats[h.format] = true
		}
	}
	for _, f := range []format{golangMigrate, goose, flyway, dbmate, prisma, supabase, sqlx, diesel} {
		require.True(t, formats[f], "no own history of 25 or more migrations in %s's format", f)
	}
}
