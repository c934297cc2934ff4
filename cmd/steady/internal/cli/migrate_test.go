package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/migfiles"
	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/migrations"
)

// migrateBundle is one test's database, the environment the binary runs with, and a direct
// connection for arranging and inspecting state.
type migrateBundle struct {
	db     *dbtest.DB
	env    []string
	direct *pgx.Conn
	total  int // migrations shipped in the binary
}

func setupMigrate(t *testing.T) *migrateBundle {
	t.Helper()
	db := dbtest.New(t)
	conn, err := pgx.Connect(context.Background(), db.DirectURL)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	ms, err := migfiles.Load(migrations.FS)
	require.NoError(t, err)
	return &migrateBundle{
		db:     db,
		env:    []string{"DATABASE_URL_DIRECT=" + db.DirectURL, "DATABASE_URL_POOLER=" + db.PoolerURL, "STEADY_LOG_FORMAT=json"},
		direct: conn,
		total:  len(ms),
	}
}

func (b *migrateBundle) with(env ...string) []string {
	return append(append([]string(nil), b.env...), env...)
}

func (b *migrateBundle) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, b.direct.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

// publicRelations counts what exists in the public schema: tables, views, sequences, indexes.
func (b *migrateBundle) publicRelations(t *testing.T) int {
	t.Helper()
	return b.count(t, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")
}

// logLines parses stderr as JSON log lines. The last line may be the plain "steady: …" error
// that main prints on a non-zero exit; every other line must be JSON.
func logLines(t *testing.T, stderr string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(stderr) {
		if strings.HasPrefix(line, "steady: ") {
			continue
		}
		var entry map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &entry), "not a JSON log line: %q", line)
		out = append(out, entry)
	}
	return out
}

// decisions returns each migration decision logged, by version.
func decisions(t *testing.T, stderr string) map[int]string {
	t.Helper()
	out := map[int]string{}
	for _, e := range logLines(t, stderr) {
		if e["msg"] != "migration" {
			continue
		}
		v := int(e["version"].(float64))
		_, dup := out[v]
		require.False(t, dup, "version %d decided twice", v)
		out[v] = e["decision"].(string)
	}
	return out
}

// migrationsDir writes files into a temporary directory for --migrations-dir.
func migrationsDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	return dir
}

// shippedDir copies the first n shipped migrations, byte for byte (same checksums).
func shippedDir(t *testing.T, n int) string {
	t.Helper()
	ms, err := migfiles.Load(migrations.FS)
	require.NoError(t, err)
	files := map[string]string{}
	for _, m := range ms[:n] {
		files[m.File] = m.SQL
	}
	return migrationsDir(t, files)
}

var summaryRE = regexp.MustCompile(`(?m)^migrations: (\d+) applied, (\d+) reconciled, (\d+) partial, (\d+) failed \((\d+) total\) in \S+$`)

func TestMigrateCommand(t *testing.T) {
	t.Parallel()

	t.Run("EmptyDatabaseAllAppliedOneLogLinePerDecision", func(t *testing.T) {
		t.Parallel()
		b := setupMigrate(t)
		r := steady(t, b.env, "migrate")
		require.Equal(t, 0, r.code, r.stderr)
		require.Regexp(t, fmt.Sprintf(`^migrations: %d applied, 0 reconciled, 0 partial, 0 failed \(%d total\) in \S+\n$`, b.total, b.total), r.stdout)
		got := decisions(t, r.stderr)
		require.Len(t, got, b.total)
		for v := 1; v <= b.total; v++ {
			require.Equal(t, "applied", got[v], "version %d", v)
		}
		require.Equal(t, b.total, b.count(t, "SELECT count(*) FROM schema_migrations WHERE NOT reconciled"))
		requireNoSecret(t, r)
	})

	t.Run("LogsOnlyItsOwnWork", func(t *testing.T) {
		t.Parallel()
		b := setupMigrate(t)
		r := steady(t, b.env, "migrate")
		require.Equal(t, 0, r.code, r.stderr)
		var msgs []string
		for _, e := range logLines(t, r.stderr) {
			msgs = append(msgs, fmt.Sprint(e["msg"]))
		}
		// The roles decision stays, as the Python migration runner printed it; the POOLER's
		// pool mode is the worker's concern (migrate does not detect it: it would say unknown).
		require.Contains(t, msgs, "✅ Using DIRECT")
		require.NotContains(t, msgs, "index builds, backfills and River use POOLER")
		require.NotContains(t, r.stderr, "pool_mode")
	})

	t.Run("JSON", func(t *testing.T) {
		t.Parallel()
		b := setupMigrate(t)
		type migrateJSON struct {
			Summary      string   `json:"summary"`
			Applied      int      `json:"applied"`
			Reconciled   int      `json:"reconciled"`
			Partial      int      `json:"partial"`
			Failed       int      `json:"failed"`
			Drift        int      `json:"drift"`
			Total        int      `json:"total"`
			DurationMS   int64    `json:"duration_ms"`
			LockTaken    bool     `json:"lock_taken"`
			RiverApplied []int    `json:"river_applied"`
			Failures     []string `json:"failures"`
			Migrations   []struct {
				Version  int64           `json:"version"`
				Name     string          `json:"name"`
				State    string          `json:"state"`
				Action   string          `json:"action"`
				Evidence json.RawMessage `json:"evidence"`
			} `json:"migrations"`
		}
		run := func() migrateJSON {
			r := steady(t, b.env, "migrate", "--json")
			require.Equal(t, 0, r.code, r.stderr)
			requireNoSecret(t, r)
			var keys map[string]json.RawMessage
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &keys), r.stdout)
			for _, k := range []string{"summary", "applied", "reconciled", "partial", "failed", "drift", "total",
				"duration_ms", "lock_taken", "river_applied", "failures", "migrations"} {
				require.Contains(t, keys, k)
			}
			var res migrateJSON
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &res))
			require.NotNil(t, res.Failures, "failures is an array, not null")
			require.Empty(t, res.Failures)
			require.Regexp(t, summaryRE, res.Summary)
			return res
		}

		first := run()
		require.Len(t, first.Migrations, b.total)
		require.Equal(t, b.total, first.Applied)
		require.Equal(t, b.total, first.Total)
		require.Zero(t, first.Reconciled+first.Partial+first.Failed+first.Drift)
		require.True(t, first.LockTaken)
		require.NotEmpty(t, first.RiverApplied)
		for i, m := range first.Migrations {
			require.Equal(t, int64(i+1), m.Version)
			require.NotEmpty(t, m.Name)
			require.Equal(t, "applied", m.State, m.Name)
			require.Equal(t, "run", m.Action, m.Name)
			require.True(t, json.Valid(m.Evidence))
		}

		second := run()
		require.Zero(t, second.Applied+second.Reconciled+second.Partial+second.Failed+second.Drift)
		require.False(t, second.LockTaken, "nothing to do takes no lock")
		require.Empty(t, second.RiverApplied)
		// Every migration verified in place, or none listed when the engine knew the catalog
		// and the files to be as its last clean verification left them.
		require.Contains(t, []int{0, b.total}, len(second.Migrations))
		for _, m := range second.Migrations {
			require.Equal(t, "applied", m.State, m.Name)
			require.Equal(t, "none", m.Action, m.Name)
		}
	})

	t.Run("DryRunPrintsThePlanAndCreatesNothing", func(t *testing.T) {
		t.Parallel()
		b := setupMigrate(t)
		r := steady(t, b.env, "migrate", "--dry-run")
		require.Equal(t, 0, r.code, r.stderr)
		lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
		require.Len(t, lines, b.total+2, r.stdout) // header, one row per migration, summary
		require.Equal(t, []string{"VERSION", "NAME", "ACTION", "STATE", "EVIDENCE"}, strings.Fields(lines[0]))
		for i, line := range lines[1 : b.total+1] {
			f := strings.Fields(line)
			require.Equal(t, fmt.Sprintf("%04d", i+1), f[0], line)
			require.Equal(t, []string{"run", "pending"}, f[2:4], line)
		}
		require.Regexp(t, fmt.Sprintf(`^migrations: 0 applied, 0 reconciled, 0 partial, 0 failed \(%d total\)`, b.total), lines[b.total+1])
		require.Zero(t, b.publicRelations(t), "dry run created something")
	})

	t.Run("StatusExitCodes", func(t *testing.T) {
		t.Parallel()
		b := setupMigrate(t)
		type row struct {
			Version  int64            `json:"version"`
			Name     string           `json:"name"`
			State    string           `json:"state"`
			Evidence migrate.Evidence `json:"evidence"`
		}
		statusJSON := func(wantCode int) map[string]row {
			r := steady(t, b.env, "status", "--json")
			require.Equal(t, wantCode, r.code, r.stderr)
			requireNoSecret(t, r)
			var objects []map[string]json.RawMessage
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &objects), r.stdout)
			require.Len(t, objects, b.total)
			for _, obj := range objects {
				for _, k := range []string{"version", "name", "state", "evidence"} {
					require.Contains(t, obj, k)
				}
			}
			var rows []row
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &rows))
			out := map[string]row{}
			for i, rw := range rows {
				require.Equal(t, int64(i+1), rw.Version)
				out[rw.Name] = rw
			}
			return out
		}

		r := steady(t, b.env, "status")
		require.Equal(t, exitPending, r.code, r.stdout+r.stderr)
		for _, rw := range statusJSON(exitPending) {
			require.Equal(t, "pending", rw.State, rw.Name)
		}
		require.Zero(t, b.publicRelations(t), "status changed something")

		r = steady(t, b.env, "migrate")
		require.Equal(t, 0, r.code, r.stderr)
		r = steady(t, b.env, "status")
		require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
		for _, rw := range statusJSON(exitOK) {
			require.Equal(t, "applied", rw.State, rw.Name)
		}

		// The view reads the column, so it goes first.
		_, err := b.direct.Exec(context.Background(), "DROP VIEW lead_overview; ALTER TABLE leads DROP COLUMN phone_whatsapp")
		require.NoError(t, err)
		r = steady(t, b.env, "status")
		require.Equal(t, exitDrift, r.code, r.stdout+r.stderr)
		var found bool
		for line := range strings.Lines(r.stdout) {
			if f := strings.Fields(line); len(f) >= 4 && f[1] == "whatsapp_fields_leads" {
				found = true
				require.Equal(t, "steady", f[2], line) // the format
				require.Equal(t, "drift", f[3], line)
				require.Contains(t, line, "column public.leads.phone_whatsapp")
			}
		}
		require.True(t, found, r.stdout)
		rows := statusJSON(exitDrift)
		require.Equal(t, "drift", rows["whatsapp_fields_leads"].State)
		require.Contains(t, rows["whatsapp_fields_leads"].Evidence.Missing, "column public.leads.phone_whatsapp")
		require.Equal(t, "drift", rows["lead_overview_view"].State)
		require.Equal(t, "applied", rows["core_tables_business"].State)
	})

	t.Run("FailureExits0ByDefault1WithStrictAndIsRecorded", func(t *testing.T) {
		t.Parallel()
		// missing_table is nowhere, so the planner finds the column missing and runs the
		// statement, which fails at run time (42P01).
		dir := migrationsDir(t, map[string]string{
			"0001_t.sql":         "CREATE TABLE t (id int);\n",
			"0002_not_there.sql": "-- fails when it runs\nALTER TABLE missing_table ADD COLUMN x int;\n",
		})
		for _, tc := range []struct {
			name string
			env  []string
			args []string
			code int
		}{
			{"Default", nil, nil, exitOK},
			{"Strict", nil, []string{"--strict"}, exitFailure},
			{"StrictFromEnv", []string{"STEADY_STRICT=true"}, nil, exitFailure},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				b := setupMigrate(t)
				r := steady(t, b.with(tc.env...), append([]string{"migrate", "--migrations-dir", dir}, tc.args...)...)
				require.Equal(t, tc.code, r.code, r.stderr)
				require.Regexp(t, `(?m)^migrations: 1 applied, 0 reconciled, 0 partial, 1 failed \(2 total\) in \S+$`, r.stdout)
				var failed bool
				for _, e := range logLines(t, r.stderr) {
					if e["msg"] == "❌ migration failed" {
						failed = true
						require.Equal(t, float64(2), e["version"])
						require.Contains(t, e["error"], "0002_not_there.sql:2")
						require.Contains(t, e["error"], "42P01")
					}
				}
				require.True(t, failed, r.stderr)
				if tc.code == exitFailure {
					require.Contains(t, r.stderr, "steady: migration 0002 not_there: 0002_not_there.sql:2 ALTER TABLE missing_table")
				}
				require.Equal(t, 1, b.count(t, "SELECT count(*) FROM schema_migrations WHERE version = '1'"))
				require.Zero(t, b.count(t, "SELECT count(*) FROM schema_migrations WHERE version = '2'"))
				require.Equal(t, 1, b.count(t, `SELECT count(*) FROM steady_migration_failures
					WHERE version = '2' AND statement LIKE '0002_not_there.sql:2 ALTER TABLE missing_table%' AND error LIKE '%42P01%'`))
				requireNoSecret(t, r)
			})
		}
	})

	// Files steady cannot use are bad input, whether they fail to parse or to be read (after
	// connecting: a run lists names first and reads the files during its first round trip).
	for name, tc := range map[string]struct {
		broken func(t *testing.T, dir string)
		want   string
	}{
		"BrokenSQLExits2NamesFileAndLineCreatesNothing": {func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "0002_broken.sql"),
				[]byte("-- a typo\nCREATE TABLE broken (id int);\nALTER TABLE broken ADD COLUMN;\n"), 0o644))
		}, "0002_broken.sql:3: syntax error"},
		"UnreadableFileExits2NamesItCreatesNothing": {func(t *testing.T, dir string) {
			require.NoError(t, os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "0002_gone.sql")))
		}, "load migrations: 0002_gone.sql: open 0002_gone.sql"},
		"DuplicateVersionExits2NamesBothFiles": {func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "1_again.sql"), []byte("CREATE TABLE again (id int);\n"), 0o644))
		}, "version 0001 is used by 0001_ok.sql and 1_again.sql"},
		"TwoFormatsInOneDirectoryExit2": {func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "0002_b.up.sql"), []byte("CREATE TABLE b (id int);\n"), 0o644))
		}, "0001_ok.sql is a steady file and 0002_b.up.sql a golang-migrate file"},
		// A directory steady cannot read is never an empty history: diesel's layout beside a
		// file, or a Go migration goose would have compiled.
		"UnrecognisedFilesExit2NamingThem": {func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "0002_fix.go"), []byte("package migrations\n"), 0o644))
			require.NoError(t, os.Mkdir(filepath.Join(dir, "2024-01-01-000000_x"), 0o755))
		}, "not a migration of any format steady reads: 0002_fix.go, 2024-01-01-000000_x/"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setupMigrate(t)
			dir := migrationsDir(t, map[string]string{"0001_ok.sql": "CREATE TABLE ok (id int);\n"})
			tc.broken(t, dir)
			for _, args := range [][]string{{"migrate", "--migrations-dir", dir}, {"migrate", "--migrations-dir", dir, "--strict"}, {"status", "--migrations-dir", dir}} {
				r := steady(t, b.env, args...)
				require.Equal(t, exitUsage, r.code, "%v: %s", args, r.stderr)
				require.Contains(t, r.stderr, tc.want, args)
				requireNoSecret(t, r)
			}
			require.Zero(t, b.publicRelations(t))
		})
	}

	t.Run("BadShadowAndFormatSettingsExit2", func(t *testing.T) {
		t.Parallel()
		b := setupMigrate(t)
		dir := migrationsDir(t, map[string]string{"0001_ok.sql": "CREATE TABLE ok (id int);\n"})
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"--migrations-format", "liquibase"}, `--migrations-format / STEADY_MIGRATIONS_FORMAT: unknown migrations format "liquibase"`},
			{[]string{"--shadow", "maybe"}, "--shadow"},
			{[]string{"--shadow-setup", filepath.Join(dir, "missing.sql")}, "--shadow-setup / STEADY_SHADOW_SETUP"},
			{[]string{"--migrations-format", "prisma"}, "0001_ok.sql: a steady file in a directory read as prisma"},
		} {
			r := steady(t, b.env, append([]string{"migrate", "--strict", "--migrations-dir", dir}, tc.args...)...)
			require.Equal(t, exitUsage, r.code, "%v: %s", tc.args, r.stderr)
			require.Contains(t, r.stderr, tc.want, tc.args)
		}
		empty := t.TempDir()
		r := steady(t, b.env, "migrate", "--strict", "--migrations-dir", empty)
		require.Equal(t, exitUsage, r.code, "an empty directory is not an empty history: %s", r.stderr)
		require.Contains(t, r.stderr, "no migration in the directory")
		require.Zero(t, b.publicRelations(t))
	})

	t.Run("BadLeaseTTLExits2", func(t *testing.T) {
		t.Parallel()
		b := setupMigrate(t)
		for _, env := range [][]string{b.with("STEADY_MIGRATION_LEASE_TTL=soon"), b.with("STEADY_MIGRATION_LEASE_TTL=10ms")} {
			r := steady(t, env, "migrate")
			require.Equal(t, exitUsage, r.code, r.stderr)
			require.Contains(t, r.stderr, "STEADY_MIGRATION_LEASE_TTL")
		}
		require.Zero(t, b.publicRelations(t))
	})

	t.Run("KilledDuringAMigrationThenRerunConverges", func(t *testing.T) {
		t.Parallel()
		b := setupMigrate(t)
		ctx := context.Background()
		// 0001-0010 in place; 0011 alters business, which a long reader holds. Not ACCESS
		// EXCLUSIVE: the plan's catalog read would wait on that (pg_get_indexdef and
		// pg_get_constraintdef take ACCESS SHARE), before any lease or migration transaction.
		const done = 10
		env := b.with("STEADY_MIGRATION_LEASE_TTL=3s")
		r := steady(t, env, "migrate", "--migrations-dir", shippedDir(t, done))
		require.Equal(t, 0, r.code, r.stderr)

		reader, err := pgx.Connect(ctx, b.db.DirectURL)
		require.NoError(t, err)
		defer reader.Close(ctx)
		tx, err := reader.Begin(ctx)
		require.NoError(t, err)
		defer tx.Rollback(ctx) //nolint:errcheck
		_, err = tx.Exec(ctx, "LOCK TABLE business IN ACCESS SHARE MODE")
		require.NoError(t, err)

		victim := startBinary(t, append(env, "STEADY_LOCK_TIMEOUT=60s"), "migrate")
		waitUntil(t, 30*time.Second, func() bool {
			// Blocked in 0011's transaction: under the lease, asking for ACCESS EXCLUSIVE.
			return b.count(t, `SELECT count(*) FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
				WHERE a.datname = $1 AND a.application_name = 'steady' AND a.wait_event_type = 'Lock'
				  AND NOT l.granted AND l.relation = 'business'::regclass AND l.mode = 'AccessExclusiveLock'`, b.db.Name) > 0
		}, "steady migrate never blocked on the lock")
		require.Equal(t, 1, b.count(t, "SELECT count(*) FROM steady_migration_lease WHERE holder LIKE '%:' || $1 || ':%'", fmt.Sprint(victim.cmd.Process.Pid)))
		require.NoError(t, victim.cmd.Process.Kill()) // SIGKILL: no cleanup, the lease row stays
		killed := victim.wait(t)
		require.Equal(t, -1, killed.code, "killed by a signal")
		require.NoError(t, tx.Rollback(ctx))

		var leaseLive bool
		require.NoError(t, b.direct.QueryRow(ctx,
			"SELECT EXISTS (SELECT FROM steady_migration_lease WHERE expires_at > now() + interval '1 second')").Scan(&leaseLive))
		require.Equal(t, done, b.count(t, "SELECT count(*) FROM schema_migrations"), "the killed migration was not recorded")

		r = steady(t, env, "migrate")
		require.Equal(t, 0, r.code, r.stderr)
		require.Regexp(t, fmt.Sprintf(`^migrations: %d applied, 0 reconciled, 0 partial, 0 failed \(%d total\)`, b.total-done, b.total), r.stdout)
		if leaseLive {
			require.Contains(t, r.stderr, "waiting for the migration lease")
		} else {
			t.Log("the dead runner's lease expired before the rerun started")
		}
		require.NotContains(t, r.stderr, "already exists")
		require.Equal(t, b.total, b.count(t, "SELECT count(DISTINCT version) FROM schema_migrations WHERE version::bigint BETWEEN 1 AND $1", b.total))
		require.Equal(t, b.total, b.count(t, "SELECT count(*) FROM schema_migrations"))
		require.Zero(t, b.count(t, "SELECT count(*) FROM steady_migration_failures"))
		require.Zero(t, b.count(t, "SELECT count(*) FROM steady_migration_lease"), "the rerun released its lease")

		r = steady(t, b.env, "status")
		require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	})

	t.Run("ThreeProcessesThroughThePoolerOnly", func(t *testing.T) {
		t.Parallel()
		b := setupMigrate(t)
		env := []string{"DATABASE_URL_POOLER=" + b.db.PoolerURL, "STEADY_LOG_FORMAT=json", "STEADY_MIGRATION_LEASE_TTL=5s"}
		var procs []*process
		for range 3 {
			procs = append(procs, startBinary(t, env, "migrate", "--strict"))
		}
		applied := 0
		for _, p := range procs {
			r := p.wait(t)
			require.Equal(t, 0, r.code, r.stderr)
			require.Contains(t, r.stderr, "✅ Using POOLER")
			m := summaryRE.FindStringSubmatch(r.stdout)
			require.NotNil(t, m, r.stdout)
			n, err := strconv.Atoi(m[1])
			require.NoError(t, err)
			applied += n
			requireNoSecret(t, r)
		}
		require.Equal(t, b.total, applied, "each migration applied by exactly one process")
		require.Equal(t, b.total, b.count(t, "SELECT count(*) FROM schema_migrations"))
		require.Zero(t, b.count(t, "SELECT count(*) FROM steady_migration_failures"))
	})
}

// waitUntil polls cond until it holds or the deadline passes.
func waitUntil(t *testing.T, within time.Duration, cond func() bool, msg string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
