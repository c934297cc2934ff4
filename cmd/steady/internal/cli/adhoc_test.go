package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// writeFile writes a file under a test directory and returns its path.
func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	return p
}

const tenantFix = `-- backfill: tenant_fix
-- description: leads of the first business marked lost
-- key: id

UPDATE leads SET status = 'lost'
WHERE id > :from AND id <= :to AND business_id = (SELECT min(id) FROM business) AND status <> 'lost';

SELECT id FROM leads
WHERE id > :from AND id <= :to AND business_id = (SELECT min(id) FROM business) AND status <> 'lost';
`

func TestAdhocBackfillCommand(t *testing.T) {
	t.Parallel()

	t.Run("FileRunsAfterTheCommandExitsThenStatusPauseResume", func(t *testing.T) {
		t.Parallel()
		b := setupBackfill(t)
		require.Equal(t, 0, steady(t, b.env, "demo-data", "--scale", "1").code)
		fix := writeFile(t, t.TempDir(), "FIX.sql", tenantFix)
		todo := b.count(t, `SELECT count(*) FROM leads WHERE business_id = (SELECT min(id) FROM business) AND status <> 'lost'`)
		require.Positive(t, todo)

		// No worker: the command stores the file and exits; the worker started later runs it.
		r := steady(t, b.env, "backfill", "enqueue", "--file", fix, "--slices", "2")
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, "tenant_fix: enqueued run 1 (2 slices)")
		r = steady(t, b.env, "backfill", "pause", "tenant_fix")
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, "tenant_fix: run 1 paused (2 slices)")
		sts, code := statusOf(t, b.env)
		require.Equal(t, exitPending, code)
		last := sts[len(sts)-1]
		require.Equal(t, "tenant_fix", last.Name, "ad hoc runs are listed after the catalog")
		require.Equal(t, "paused", last.State)
		r = steady(t, b.env, "backfill", "resume", "tenant_fix")
		require.Equal(t, 0, r.code, r.stderr)

		worker := start(t, b.env, "worker")
		defer stop(t, worker)
		r = steady(t, b.env, "backfill", "enqueue", "--file", fix, "--wait")
		require.Equal(t, 0, r.code, r.stdout+r.stderr)
		require.Contains(t, r.stdout, "tenant_fix: run 1 is already")
		require.Regexp(t, `(?m)^tenant_fix: done, [1-9][0-9]* rows \(after `, r.stdout)
		require.Zero(t, b.count(t, `SELECT count(*) FROM leads WHERE business_id = (SELECT min(id) FROM business) AND status <> 'lost'`))

		r = steady(t, b.env, "backfill", "status", "tenant_fix", "--json")
		require.Equal(t, 0, r.code, r.stderr)
		var st []struct {
			Name, State, Trigger, File, Checksum string
			RowsDone                             int64 `json:"rows_done"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &st))
		require.Equal(t, "adhoc", st[0].Trigger)
		require.Equal(t, fix, st[0].File)
		require.Len(t, st[0].Checksum, 64)
		require.Equal(t, todo, st[0].RowsDone)
		requireNoSecret(t, r)
	})

	t.Run("KeyRangeOfACatalogBackfill", func(t *testing.T) {
		t.Parallel()
		b := setupBackfill(t)
		require.Equal(t, 0, steady(t, b.env, "demo-data", "--scale", "1").code)
		b.exec(t, `UPDATE business SET webhook_secret = ''`)
		worker := start(t, b.env, "worker")
		defer stop(t, worker)
		r := steady(t, b.env, "backfill", "enqueue", "business_webhook_secret", "--from", "5", "--to", "10", "--wait")
		require.Equal(t, 0, r.code, r.stdout+r.stderr)
		require.Regexp(t, `(?m)^business_webhook_secret: done, 5 rows`, r.stdout)
		require.Equal(t, int64(5), b.count(t, `SELECT count(*) FROM business WHERE webhook_secret <> ''`))
		require.Zero(t, b.count(t, `SELECT count(*) FROM business WHERE webhook_secret <> '' AND (id <= 5 OR id > 10)`))
		sts, _ := statusOf(t, b.env, "business_webhook_secret")
		require.Equal(t, "done", sts[0].State)
	})

	t.Run("BadInputExits2NamingTheFileAndWritesNothing", func(t *testing.T) {
		t.Parallel()
		b := setupBackfill(t)
		dir := t.TempDir()
		noRange := writeFile(t, dir, "no_range.sql", "-- key: id\n\nUPDATE leads SET status = 'lost'\nWHERE status = 'new';\n")
		badColumn := writeFile(t, dir, "bad_column.sql", "-- key: id\n\nUPDATE leads SET no_such = 1\nWHERE id > :from AND id <= :to;\n")
		catalogName := writeFile(t, dir, "shadowing.sql", "-- backfill: leads_last_call\n-- key: id\nUPDATE leads SET status = 'lost' WHERE id > :from AND id <= :to;\n")
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"--file", noRange}, noRange + ":3: UPDATE without the key range: its WHERE must hold id > :from AND id <= :to"},
			{[]string{"--file", badColumn}, badColumn + `:3: does not plan on this database: column "no_such" of relation "leads" does not exist`},
			{[]string{"--file", catalogName}, "backfill leads_last_call is in the catalog"},
			{[]string{"--file", filepath.Join(dir, "missing.sql")}, "missing.sql: no such file or directory"},
			{[]string{"--file", noRange, "leads_last_call"}, "give --file, names or --all, one of them"},
			{[]string{"leads_last_call", "leads_phone_whatsapp", "--from", "1"}, "--from and --to bound one run"},
			{[]string{"leads_last_call", "--from", "10", "--to", "10"}, "from 10 is not below to 10"},
			{[]string{"leads_last_call", "--slices", "0"}, "want a whole number from 1 to 1024"},
		} {
			r := steady(t, b.env, append([]string{"backfill", "enqueue"}, c.args...)...)
			require.Equal(t, exitUsage, r.code, "%v: %s", c.args, r.stderr)
			require.Contains(t, r.stderr, c.want)
			requireNoSecret(t, r)
		}
		for _, table := range []string{"river_job", "steady_backfill_runs", "steady_backfill_definitions"} {
			require.Zero(t, b.count(t, "SELECT count(*) FROM "+table), table)
		}
	})
}

// A bad catalog file stops every command that reads the catalogs, naming the file and line, and
// the worker refuses to start with it: nothing is enqueued.
func TestCatalogDirectories(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	writeFile(t, good, "backfills/lost_leads.sql", "-- key: id\n-- schedule: @daily\nUPDATE leads SET status = 'lost' WHERE id > :from AND id <= :to AND status = 'new';\n")
	writeFile(t, good, "indexes/leads.sql", "-- The lead list by name.\nCREATE INDEX leads_full_name_idx ON leads (full_name);\n")
	bad := filepath.Join(dir, "bad")
	writeFile(t, bad, "backfills/lost_leads.sql", "-- key: id\n\nUPDATE leads SET status = 'lost'\nWHERE status = 'new';\n")
	writeFile(t, bad, "indexes/leads.sql", "-- The lead list by name.\nCREATE INDEX leads_full_name_idx ON leads (full_name);\n\n-- An index on a table no migration makes.\nCREATE INDEX x_idx ON no_such_table (a);\n")

	t.Run("TheDirectoriesReplaceTheBuiltInCatalogs", func(t *testing.T) {
		t.Parallel()
		b := setupBackfill(t, "STEADY_BACKFILLS_DIR="+filepath.Join(good, "backfills"), "STEADY_INDEXES_DIR="+filepath.Join(good, "indexes"))
		r := steady(t, b.env, "backfill", "list", "--json")
		require.Equal(t, 0, r.code, r.stderr)
		var list []struct{ Name, Schedule string }
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &list))
		require.Equal(t, []struct{ Name, Schedule string }{{"lost_leads", "@daily"}}, list)
		r = steady(t, b.env, "schedule", "--json")
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, `"backfill": "lost_leads"`)
		r = steady(t, b.env, "lint")
		require.Equal(t, 0, r.code, r.stdout+r.stderr)

		worker := start(t, b.env, "worker")
		defer stop(t, worker)
		r = steady(t, b.env, "indexes", "build", "--wait")
		require.Equal(t, 0, r.code, r.stdout+r.stderr)
		r = steady(t, b.env, "indexes", "status")
		require.Equal(t, 0, r.code, r.stdout+r.stderr)
		require.Contains(t, r.stdout, "indexes: 1 valid (1 in the catalog)")
	})

	// A run keeps the file it was started with: a worker started before the file was added to
	// the directory runs it.
	t.Run("AFileAddedAfterTheWorkerStartedRuns", func(t *testing.T) {
		t.Parallel()
		b := setupBackfill(t)
		worker := start(t, b.env, "worker")
		defer stop(t, worker)
		r := steady(t, b.env, "demo-data", "--scale", "1")
		require.Equal(t, 0, r.code, r.stdout+r.stderr)
		env := append(append([]string{}, b.env...), "STEADY_BACKFILLS_DIR="+filepath.Join(good, "backfills"))
		r = steady(t, env, "backfill", "enqueue", "lost_leads", "--wait")
		require.Equal(t, 0, r.code, r.stdout+r.stderr)
		require.Regexp(t, `(?m)^lost_leads: done, [1-9][0-9]* rows`, r.stdout)
		require.Zero(t, b.count(t, `SELECT count(*) FROM leads WHERE status = 'new'`))
	})

	t.Run("ABadFileExits2NamingFileAndLine", func(t *testing.T) {
		t.Parallel()
		b := setupBackfill(t, "STEADY_BACKFILLS_DIR="+filepath.Join(bad, "backfills"), "STEADY_INDEXES_DIR="+filepath.Join(bad, "indexes"))
		wantBackfill := filepath.Join(bad, "backfills", "lost_leads.sql") + ":3: UPDATE without the key range"
		for _, args := range [][]string{{"backfill", "list"}, {"backfill", "enqueue", "--all"}, {"backfill", "status"}, {"schedule"}} {
			r := steady(t, b.env, args...)
			require.Equal(t, exitUsage, r.code, "%v: %s", args, r.stderr)
			require.Contains(t, r.stderr, wantBackfill, args)
		}
		r := steady(t, b.env, "lint")
		require.Equal(t, exitUsage, r.code, r.stdout+r.stderr)
		require.Contains(t, r.stdout, wantBackfill)
		require.Contains(t, r.stdout, filepath.Join(bad, "indexes", "leads.sql")+":5: index x_idx: no migration makes table no_such_table")

		r = steady(t, b.env, "worker")
		require.Equal(t, exitUsage, r.code, r.stderr)
		require.Contains(t, r.stderr, wantBackfill)
		require.Contains(t, r.stderr, "leads.sql:5: index x_idx: no migration makes table no_such_table")
		require.Zero(t, b.count(t, `SELECT count(*) FROM river_job`), "nothing was enqueued")
	})
}
