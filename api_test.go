package steady_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady"
	"github.com/steadydb/steady/internal/dbtest"
)

func TestExitCode(t *testing.T) {
	t.Parallel()
	_, bad := steady.ParseBackfillFile("x.sql", []byte("UPDATE t SET a = 1;"))
	for name, c := range map[string]struct {
		err  error
		code int
	}{
		"Nil":       {nil, steady.ExitOK},
		"BadFile":   {bad, steady.ExitUsage},
		"NoWorker":  {&steady.NoWorkerError{Waited: time.Second, What: "the runs"}, steady.ExitNoWorker},
		"NotDone":   {&steady.NotDoneError{}, steady.ExitFailure},
		"Stopped":   {&steady.StoppedError{Err: context.Canceled}, steady.ExitFailure},
		"NoURL":     {func() error { _, err := steady.Open(t.Context(), steady.Config{}); return err }(), steady.ExitUsage},
		"BadSchema": {func() error { _, err := steady.Open(t.Context(), steady.Config{Schema: "pg_x"}); return err }(), steady.ExitUsage},
		"Other":     {errors.New("connection refused"), steady.ExitFailure},
	} {
		require.Equal(t, c.code, steady.ExitCode(c.err), "%s: %v", name, c.err)
	}
}

// Bad input is one *InputError listing every file at fault, each at its line, whatever the
// kind of file; nothing connects.
func TestInputErrorListsTheFiles(t *testing.T) {
	t.Parallel()
	_, err := steady.LoadCatalogs(steady.Config{
		Backfills: fstest.MapFS{"fix_a.sql": {Data: []byte("-- key: id\nUPDATE t SET a = 1;")}, "fix_b.sql": {Data: []byte("-- shedule: x\n")}},
		Indexes:   fstest.MapFS{"ix.sql": {Data: []byte("CREATE INDEX i ON t (a);")}},
	})
	var ie *steady.InputError
	require.True(t, errors.As(err, &ie), "%v", err)
	var got []string
	for _, f := range ie.Files() {
		got = append(got, f.Error())
	}
	require.Equal(t, []string{
		"backfills/fix_a.sql:2: UPDATE without the key range: its WHERE must hold id > :from AND id <= :to, so that a batch touches only its own keys",
		`backfills/fix_b.sql:1: unknown header field "shedule" (fields: backfill, description, table, key, key-table, schedule, slices)`,
		"indexes/ix.sql:1: index i: say why the index exists: the query it serves, in a comment just above it",
	}, got)

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "0001_a.sql"), []byte("CREATE TABLE a (id int);\nCREATE TABL b (id int);\n"), 0o644))
	res, err := steady.Migrate(t.Context(), steady.MigrateConfig{Config: steady.Config{PoolerURL: "postgres://u:secret@127.0.0.1:1/x"},
		MigrationsDir: filepath.Join(dir, "nope")}, steady.MigrateOpts{})
	require.True(t, errors.As(err, &ie), "%v", err)
	require.Equal(t, steady.ExitUsage, res.ExitCode())
	require.NotContains(t, err.Error(), "secret")
}

func TestMigrateAndStatus(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	cfg := steady.MigrateConfig{Config: steady.Config{PoolerURL: db.PoolerURL, DirectURL: db.DirectURL}}

	st, err := steady.Status(t.Context(), cfg)
	require.NoError(t, err)
	require.Equal(t, steady.ExitPending, st.ExitCode())
	require.Len(t, st.Migrations, 38)
	require.Equal(t, steady.MigrationState("pending"), st.Migrations[0].State)

	dry, err := steady.Migrate(t.Context(), cfg, steady.MigrateOpts{DryRun: true})
	require.NoError(t, err)
	require.Zero(t, dry.Applied)
	require.NotNil(t, dry.PendingLint)

	res, err := steady.Migrate(t.Context(), cfg, steady.MigrateOpts{})
	require.NoError(t, err)
	require.Equal(t, 38, res.Applied)
	require.Equal(t, steady.ExitOK, res.ExitCode())
	require.Contains(t, res.Summary, "migrations: 38 applied")

	st, err = steady.Status(t.Context(), cfg)
	require.NoError(t, err)
	require.Equal(t, steady.ExitOK, st.ExitCode())

	// A migration that does not parse: bad input, nothing applied, its file and line named.
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "0001_a.sql"), []byte("CREATE TABLE a (id int);\nCREATE TABL b (id int);\n"), 0o644))
	cfg.MigrationsDir = dir
	res, err = steady.Migrate(t.Context(), cfg, steady.MigrateOpts{})
	var ie *steady.InputError
	require.True(t, errors.As(err, &ie), "%v", err)
	require.Equal(t, steady.ExitUsage, res.ExitCode())
	require.Len(t, ie.Files(), 1)
	require.Equal(t, "0001_a.sql", ie.Files()[0].File)
	require.Equal(t, 2, ie.Files()[0].Line)
}
