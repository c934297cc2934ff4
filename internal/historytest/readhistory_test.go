package historytest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReadHistory checks the test's own splitter on small directories of each format.
func TestReadHistory(t *testing.T) {
	t.Parallel()
	type want struct {
		file, version string
		noTx          bool
		up            string
	}
	for name, tc := range map[string]struct {
		files  map[string]string
		format format
		want   []want
		err    string
	}{
		"GolangMigrate": {
			files: map[string]string{
				"001_a.up.sql": "CREATE TABLE a (id int);\n", "001_a.down.sql": "DROP TABLE a;\n",
				"010_b.up.sql": "-- CREATE INDEX CONCURRENTLY in a comment does not count\nCREATE INDEX CONCURRENTLY b ON a (id);\n",
				"002_c.up.sql": "UPDATE a SET id = 1;\n",
			},
			format: golangMigrate,
			want: []want{
				{"001_a.up.sql", "1", false, "CREATE TABLE a (id int);\n"},
				{"002_c.up.sql", "2", false, "UPDATE a SET id = 1;\n"},
				{"010_b.up.sql", "10", true, "-- CREATE INDEX CONCURRENTLY in a comment does not count\nCREATE INDEX CONCURRENTLY b ON a (id);\n"},
			},
		},
		"Goose": {
			files: map[string]string{
				"20230412093000_a.sql": "-- +goose Up\n-- +goose StatementBegin\nCREATE TABLE a (id int);\n-- +goose StatementEnd\n-- +goose Down\nDROP TABLE a;\n",
				"20230101000000_b.sql": "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY b ON a (id);\n\n-- +goose Down\nDROP INDEX b;\n",
			},
			format: goose,
			want: []want{
				{"20230101000000_b.sql", "20230101000000", true, "\n\nCREATE INDEX CONCURRENTLY b ON a (id);\n\n\n\n"},
				{"20230412093000_a.sql", "20230412093000", false, "\n-- +goose StatementBegin\nCREATE TABLE a (id int);\n-- +goose StatementEnd\n\n\n"},
			},
		},
		"Flyway": {
			files: map[string]string{
				"V2__b.sql": "SELECT 2;\n", "V1_1__a_dot.sql": "SELECT 11;\n", "V1__a.sql": "SELECT 1;\n", "V10__c.sql": "SELECT 10;\n",
			},
			format: flyway,
			want: []want{
				{"V1__a.sql", "1", false, "SELECT 1;\n"},
				{"V1_1__a_dot.sql", "1.1", false, "SELECT 11;\n"},
				{"V2__b.sql", "2", false, "SELECT 2;\n"},
				{"V10__c.sql", "10", false, "SELECT 10;\n"},
			},
		},
		"Dbmate": {
			files: map[string]string{
				"20240101120000_a.sql": "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY a ON t (id);\n\n-- migrate:down\nDROP INDEX a;\n",
				"20240102120000_b.sql": "-- migrate:up\nDROP TABLE t;\n-- migrate:down\nCREATE TABLE t (id int);\n",
			},
			format: dbmate,
			want: []want{
				{"20240101120000_a.sql", "20240101120000", true, "\nCREATE INDEX CONCURRENTLY a ON t (id);\n\n\n\n"},
				{"20240102120000_b.sql", "20240102120000", false, "\nDROP TABLE t;\n\n\n"},
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
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for file, text := range tc.files {
				require.NoError(t, os.WriteFile(filepath.Join(dir, file), []byte(text), 0o600))
			}
			h, err := readHistory(name, dir)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.format, h.format)
			var got []want
			for _, f := range h.files {
				got = append(got, want{f.file, f.version, f.noTx, f.up})
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

func TestPrefixesSetting(t *testing.T) {
	t.Parallel()
	h := &history{name: "h", files: make([]migrationFile, 40)}
	h.files[4].dataOnly, h.files[30].dataOnly, h.files[20].dropOrRename = true, true, true

	ks, err := prefixes(h, "")
	require.NoError(t, err)
	require.Equal(t, []int{0, 1, 2, 5, 13, 20, 21, 26, 31, 39, 40}, ks)

	ks, err = prefixes(h, "all")
	require.NoError(t, err)
	require.Len(t, ks, 41)

	ks, err = prefixes(h, "7, 3,7")
	require.NoError(t, err)
	require.Equal(t, []int{3, 7}, ks)

	ks, err = prefixes(h, "40,41")
	require.NoError(t, err)
	require.Equal(t, []int{40}, ks, "41 is past this history's end")

	_, err = prefixes(h, "-1")
	require.ErrorContains(t, err, `STEADY_HISTORY_PREFIXES="-1": want sample, all, or prefixes (0 and up) separated by commas`)
}

// TestHistoriesCoverTheIssue: at least three histories of 30 or more migrations, in at least
// three formats, each creating the canary table in its first migration.
func TestHistoriesCoverTheIssue(t *testing.T) {
	t.Parallel()
	formats := map[format]bool{}
	long := 0
	for _, h := range loadHistories(t) {
		require.Contains(t, skeleton(h.files[0].up), "CREATE TABLE canary", "history %s: the first migration creates the canary table", h.name)
		if len(h.files) >= 30 {
			long++
			formats[h.format] = true
		}
	}
	require.GreaterOrEqual(t, long, 3, "histories of 30 or more migrations")
	require.GreaterOrEqual(t, len(formats), 3, "formats among them: %v", formats)
}
