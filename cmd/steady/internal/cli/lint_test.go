package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/migfiles"
	"github.com/steadydb/steady/migrations"
)

const (
	createIndexSQL = "-- The lead list filters by status.\nCREATE INDEX leads_status_idx ON leads (status);\n"
	// A statement left outside the file's own block commits alone: a warning.
	nestingSQL = "BEGIN;\nALTER TABLE leads ADD COLUMN tier text;\nCOMMIT;\nALTER TABLE business ADD COLUMN tier text;\n"
)

func TestLintCommand(t *testing.T) {
	t.Parallel()

	t.Run("ShippedSetHasOnlyAllowedFindings", func(t *testing.T) {
		t.Parallel()
		r := steady(t, nil, "lint")
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, "migrations/0035_drop_leads_whatsapp_jid.sql:5:1: ban-drop-column (warning, allowed): DROP COLUMN whatsapp_jid of public.leads\n"+
			"    allowed: nothing reads or writes whatsapp_jid: the gateway derives the JID from phone_whatsapp\n")
		require.True(t, strings.HasSuffix(r.stdout, "\n8 findings in 38 files: 0 errors, 0 warnings, 8 info; 11 allowed\n"), r.stdout)
		r = steady(t, nil, "lint", "--json")
		require.Contains(t, r.stdout, "as 0034 and 0036 do", "steady's own set: advice may cite its own files")
	})

	t.Run("TextWarningsExitZero", func(t *testing.T) {
		t.Parallel()
		dir := migrationsDir(t, map[string]string{"0001_index.sql": createIndexSQL})
		r := steady(t, nil, "lint", dir)
		require.Equal(t, 0, r.code, r.stdout+r.stderr)
		require.Contains(t, r.stdout, filepath.Join(dir, "0001_index.sql")+":2:1: warning require-concurrent-index-creation: CREATE INDEX leads_status_idx on public.leads without CONCURRENTLY\n    lock:  SHARE\n")
		require.Contains(t, r.stdout, "    safe:  Run CREATE INDEX CONCURRENTLY IF NOT EXISTS alone in its migration")
		require.NotContains(t, r.stdout, "jobs/", "another repository's files: no advice citing steady's own")
		require.Contains(t, r.stdout, "1 finding in 1 file: 0 errors, 1 warning, 0 info; 0 allowed\n")
	})

	t.Run("GitHubFormat", func(t *testing.T) {
		t.Parallel()
		// A comma and a colon in the path: GitHub's properties reserve both.
		dir := filepath.Join(t.TempDir(), "db,migrations:v2")
		require.NoError(t, os.Mkdir(dir, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "0001_index.sql"), []byte(createIndexSQL), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "0002_nesting.sql"), []byte(nestingSQL), 0o644))
		r := steady(t, nil, "lint", "--format", "github", "--fail-on", "warning", dir)
		require.Equal(t, 1, r.code, "a warning exits 1 with --fail-on warning: %s", r.stdout+r.stderr)
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		require.Len(t, lines, 2, r.stdout)
		escaped := strings.NewReplacer(",", "%2C", ":", "%3A").Replace(dir)
		require.True(t, strings.HasPrefix(lines[0], "::warning file="+escaped+"/0001_index.sql,line=2,col=1,title=require-concurrent-index-creation::"+
			"CREATE INDEX leads_status_idx on public.leads without CONCURRENTLY%0Alock: SHARE%0Awhy: CREATE INDEX without CONCURRENTLY blocks"), lines[0])
		require.Contains(t, lines[0], "%0Asafe: Run CREATE INDEX CONCURRENTLY IF NOT EXISTS alone")
		require.NotContains(t, lines[0], "\n")
		require.True(t, strings.HasPrefix(lines[1], "::warning file="+escaped+"/0002_nesting.sql,line=4,col=1,title=transaction-nesting::a statement outside the file's own BEGIN"), lines[1])
	})

	t.Run("JSON", func(t *testing.T) {
		t.Parallel()
		dir := migrationsDir(t, map[string]string{"0001_index.sql": createIndexSQL, "0002_nesting.sql": nestingSQL})
		r := steady(t, nil, "lint", "--json", dir)
		require.Equal(t, 0, r.code, "warnings do not fail by default: %s", r.stderr)
		var rep struct {
			Files    int  `json:"files"`
			Catalog  bool `json:"catalog"`
			Errors   int  `json:"errors"`
			Warnings int  `json:"warnings"`
			Findings []struct {
				File, Rule, Severity, Lock, Detail, Why, Safe string
				Line, Column                                  int
				Size                                          *struct{} `json:"size"`
			} `json:"findings"`
			ParseErrors []any `json:"parse_errors"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep), r.stdout)
		require.Equal(t, 2, rep.Files)
		require.False(t, rep.Catalog)
		require.Equal(t, 0, rep.Errors)
		require.Equal(t, 2, rep.Warnings)
		require.NotNil(t, rep.ParseErrors)
		f := rep.Findings[0]
		require.Equal(t, filepath.Join(dir, "0001_index.sql"), f.File)
		require.Equal(t, []any{2, 1, "require-concurrent-index-creation", "warning", "SHARE"}, []any{f.Line, f.Column, f.Rule, f.Severity, f.Lock})
		require.NotEmpty(t, f.Why)
		require.NotEmpty(t, f.Safe)
		require.Nil(t, f.Size, "offline: no size")
	})

	t.Run("FailOnAndConfigFile", func(t *testing.T) {
		t.Parallel()
		dir := migrationsDir(t, map[string]string{"0001_index.sql": createIndexSQL})
		require.Equal(t, 0, steady(t, nil, "lint", dir).code, "a warning does not fail by default")
		require.Equal(t, 1, steady(t, nil, "lint", "--fail-on", "warning", dir).code)
		require.Equal(t, 1, steady(t, []string{"STEADY_LINT_FAIL_ON=warning"}, "lint", dir).code)
		require.Equal(t, 1, steady(t, nil, "lint", "--lint-config", configFile(t, "fail_on = \"warning\"\n"), dir).code)
		r := steady(t, nil, "lint", "--fail-on", "error", "--lint-config", configFile(t, "fail_on = \"warning\"\n"), dir)
		require.Equal(t, 0, r.code, "the flag wins over the file")
		r = steady(t, nil, "lint", "--lint-config", configFile(t, "[rules]\nrequire-concurrent-index-creation = \"error\"\n"), dir)
		require.Equal(t, 1, r.code)
		require.Contains(t, r.stdout, "error require-concurrent-index-creation")
		r = steady(t, nil, "lint", "--fail-on", "info", "--lint-config", configFile(t, "[rules]\nrequire-concurrent-index-creation = \"off\"\n"), dir)
		require.Equal(t, 0, r.code, r.stdout)
		require.Contains(t, r.stdout, "0 findings in 1 file")
	})

	t.Run("SARIF", func(t *testing.T) {
		t.Parallel()
		dir := migrationsDir(t, map[string]string{"0001_index.sql": createIndexSQL,
			"0002_drop.sql": "-- steady:allow ban-drop-column nothing reads it since release 9\nALTER TABLE leads DROP COLUMN notes;\n"})
		r := steady(t, nil, "lint", "--format", "sarif", dir)
		require.Equal(t, 0, r.code, r.stderr)
		var doc struct {
			Version string `json:"version"`
			Runs    []struct {
				Tool struct {
					Driver struct {
						Name  string `json:"name"`
						Rules []struct {
							ID string `json:"id"`
						} `json:"rules"`
					} `json:"driver"`
				} `json:"tool"`
				Results []struct {
					RuleID    string `json:"ruleId"`
					RuleIndex int    `json:"ruleIndex"`
					Level     string `json:"level"`
					Locations []struct {
						PhysicalLocation struct {
							ArtifactLocation struct {
								URI string `json:"uri"`
							} `json:"artifactLocation"`
							Region struct {
								StartLine, StartColumn int
							} `json:"region"`
						} `json:"physicalLocation"`
					} `json:"locations"`
					Suppressions []struct {
						Kind, Justification string
					} `json:"suppressions"`
				} `json:"results"`
			} `json:"runs"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc), r.stdout)
		require.Equal(t, "2.1.0", doc.Version)
		run := doc.Runs[0]
		require.Equal(t, "steady", run.Tool.Driver.Name)
		require.Len(t, run.Results, 2)
		res := run.Results[0]
		require.Equal(t, "require-concurrent-index-creation", res.RuleID)
		require.Equal(t, res.RuleID, run.Tool.Driver.Rules[res.RuleIndex].ID)
		require.Equal(t, "warning", res.Level)
		require.Equal(t, filepath.ToSlash(filepath.Join(dir, "0001_index.sql")), res.Locations[0].PhysicalLocation.ArtifactLocation.URI)
		require.Equal(t, 2, res.Locations[0].PhysicalLocation.Region.StartLine)
		require.Equal(t, "ban-drop-column", run.Results[1].RuleID)
		require.Equal(t, "inSource", run.Results[1].Suppressions[0].Kind)
		require.Equal(t, "nothing reads it since release 9", run.Results[1].Suppressions[0].Justification)
	})

	t.Run("SuppressionWithAReason", func(t *testing.T) {
		t.Parallel()
		sql := "-- steady:allow adding-required-field leads is empty in every environment until release 12\nALTER TABLE leads ADD COLUMN plan text NOT NULL;\n"
		file := filepath.Join(t.TempDir(), "0001_plan.sql")
		require.NoError(t, os.WriteFile(file, []byte(sql), 0o644))
		r := steady(t, nil, "lint", file)
		require.Equal(t, 0, r.code, "an allowed error does not fail: %s", r.stdout)
		require.Contains(t, r.stdout, file+":2:30: adding-required-field (error, allowed): ADD COLUMN plan NOT NULL without a DEFAULT on public.leads\n"+
			"    allowed: leads is empty in every environment until release 12\n")
		require.Contains(t, r.stdout, "0 findings in 1 file: 0 errors, 0 warnings, 0 info; 1 allowed")

		without := filepath.Join(t.TempDir(), "0001_plan.sql")
		require.NoError(t, os.WriteFile(without, []byte(strings.TrimPrefix(sql, "-- steady:allow adding-required-field leads is empty in every environment until release 12\n")), 0o644))
		r = steady(t, nil, "lint", without)
		require.Equal(t, 1, r.code)
		require.Contains(t, r.stdout, "error adding-required-field")
	})

	t.Run("SuppressionWithoutAReasonDoesNotParse", func(t *testing.T) {
		t.Parallel()
		dir := migrationsDir(t, map[string]string{
			"0001_plan.sql":  "-- steady:allow adding-required-field\nALTER TABLE leads ADD COLUMN plan text NOT NULL;\n",
			"0002_index.sql": createIndexSQL,
		})
		r := steady(t, nil, "lint", dir)
		require.Equal(t, 2, r.code, r.stdout+r.stderr)
		require.Contains(t, r.stdout, filepath.Join(dir, "0001_plan.sql")+":1: does not parse: steady:allow: adding-required-field needs a reason")
		require.Contains(t, r.stdout, "require-concurrent-index-creation", "the other files are still checked")

		r = steady(t, nil, "lint", "--format", "github", dir)
		require.Equal(t, 2, r.code)
		require.Contains(t, r.stdout, ",line=1,title=syntax-error::steady:allow: adding-required-field needs a reason")
	})

	t.Run("ParseErrorsExitTwo", func(t *testing.T) {
		t.Parallel()
		for name, tc := range map[string]struct{ sql, message string }{
			"Syntax":      {"SELECT 1;\nCREATE TABLE (id int);\n", `2: does not parse: syntax error at or near "("`},
			"UnknownRule": {"SELECT 1;\n-- steady:allow ban-everything because\nSELECT 2;\n", `2: does not parse: steady:allow: unknown rule "ban-everything"`},
		} {
			file := filepath.Join(t.TempDir(), "0007_broken.sql")
			require.NoError(t, os.WriteFile(file, []byte(tc.sql), 0o644))
			r := steady(t, nil, "lint", file)
			require.Equal(t, 2, r.code, name)
			require.Contains(t, r.stdout, file+":"+tc.message, name)
		}
	})

	t.Run("NamedFilesAreOnePendingSet", func(t *testing.T) {
		t.Parallel()
		dir := migrationsDir(t, map[string]string{
			"0001_notes.sql":       "CREATE TABLE notes (id bigint, lead_id bigint);\n",
			"0002_notes_index.sql": "CREATE INDEX notes_lead_idx ON notes (lead_id);\n",
		})
		together := steady(t, nil, "lint", filepath.Join(dir, "0001_notes.sql"), filepath.Join(dir, "0002_notes_index.sql"))
		require.Equal(t, 0, together.code)
		require.Contains(t, together.stdout, "0 findings in 2 files", "notes is created earlier in the set: nothing waits on it")
		alone := steady(t, nil, "lint", dir)
		require.Contains(t, alone.stdout, "1 finding in 2 files", "a directory's files are each checked as if the ones before were applied")
	})

	t.Run("BadInput", func(t *testing.T) {
		t.Parallel()
		dir := migrationsDir(t, map[string]string{"0001_index.sql": createIndexSQL})
		for name, tc := range map[string]struct {
			env  []string
			args []string
			want string
		}{
			"Format":              {nil, []string{"--format", "xml", dir}, `invalid argument "xml" for "--format" flag: want text, json, github or sarif`},
			"Thresholds":          {[]string{"STEADY_LINT_WARN_ROWS=1000", "STEADY_LINT_ERROR_ROWS=10"}, []string{dir}, "the error threshold (10 rows) is below the warning threshold (1000 rows)"},
			"ThresholdNotANumber": {[]string{"STEADY_LINT_ERROR_ROWS=lots"}, []string{dir}, `STEADY_LINT_ERROR_ROWS="lots"`},
			"MissingPath":         {nil, []string{filepath.Join(dir, "nope.sql")}, "nope.sql"},
			"FailOn":              {nil, []string{"--fail-on", "notice", dir}, `invalid argument "notice" for "--fail-on" flag`},
			"ConfigMissing":       {nil, []string{"--lint-config", filepath.Join(dir, "nope.toml"), dir}, "lint config " + filepath.Join(dir, "nope.toml") + ": no such file or directory"},
			"ConfigUnknownRule":   {nil, []string{"--lint-config", configFile(t, "[rules]\nban-everything = \"error\"\n"), dir}, "[rules] ban-everything: unknown rule"},
			"ConfigBadLevel":      {nil, []string{"--lint-config", configFile(t, "[rules]\nban-drop-column = \"fatal\"\n"), dir}, `[rules] ban-drop-column: level "fatal": want error, warning, info or off`},
			"ConfigUnknownKey":    {nil, []string{"--lint-config", configFile(t, "fail_on = \"warning\"\nstrict = true\n"), dir}, "unknown key strict"},
			"ConfigNotTOML":       {nil, []string{"--lint-config", configFile(t, "fail_on = \n"), dir}, "line 1:"},
			"ConfigBadFailOn":     {nil, []string{"--lint-config", configFile(t, "fail_on = \"fatal\"\n"), dir}, `fail_on: severity "fatal"`},
		} {
			r := steady(t, tc.env, append([]string{"lint"}, tc.args...)...)
			require.Equal(t, 2, r.code, name)
			require.Contains(t, r.stderr, tc.want, name)
		}
	})
}

// lintDB is a migrated database whose leads table holds rows, analyzed, so that its size is in
// the catalog.
func lintDB(t *testing.T, leads int) (*migrateBundle, *pgx.Conn) {
	t.Helper()
	b := &migrateBundle{db: dbtest.NewMigrated(t)}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, b.db.DirectURL)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	_, err = conn.Exec(ctx, `INSERT INTO business (name, slug) VALUES ('Lint', 'lint-test')`)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `INSERT INTO leads (business_id, full_name, status)
		SELECT (SELECT id FROM business), 'Lead ' || g, 'new' FROM generate_series(1, $1::int) g`, leads)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "VACUUM ANALYZE leads")
	require.NoError(t, err)
	b.direct = conn
	b.env = []string{"DATABASE_URL_DIRECT=" + b.db.DirectURL, "DATABASE_URL_POOLER=" + b.db.PoolerURL, "STEADY_LOG_FORMAT=json",
		// 1 000 rows is an error at these thresholds: the tests stay small.
		"STEADY_LINT_WARN_ROWS=10", "STEADY_LINT_ERROR_ROWS=500"}
	ms, err := migfiles.Load(migrations.FS)
	require.NoError(t, err)
	b.total = len(ms)
	return b, conn
}

func TestLintWithDatabase(t *testing.T) {
	t.Parallel()
	b, _ := lintDB(t, 1000)

	t.Run("RecordedMigrationsAreSkipped", func(t *testing.T) {
		t.Parallel()
		r := steady(t, b.env, "lint", "--database")
		require.Equal(t, 0, r.code, r.stderr)
		require.Equal(t, "0 findings in 0 files: 0 errors, 0 warnings, 0 info; 0 allowed\n", r.stdout, "every shipped migration is recorded")
		requireNoSecret(t, r)
	})

	t.Run("SizedFinding", func(t *testing.T) {
		t.Parallel()
		file := filepath.Join(t.TempDir(), "0039_leads_status_idx.sql")
		require.NoError(t, os.WriteFile(file, []byte(createIndexSQL), 0o644))
		r := steady(t, b.env, "lint", "--database", file)
		require.Equal(t, 1, r.code, r.stdout+r.stderr)
		require.Contains(t, r.stdout, file+":2:1: error require-concurrent-index-creation")
		require.Regexp(t, regexp.MustCompile(`    table: public\.leads: ~1,000 rows, \d+ kB; lock held ~\S+ \(index build\)\n`), r.stdout)

		offline := steady(t, b.env, "lint", file)
		require.Equal(t, 0, offline.code)
		require.Contains(t, offline.stdout, "warning require-concurrent-index-creation", "offline the size is unknown: a warning")
	})
}

// gateDir is the shipped migrations and two more: an index built the blocking way on leads,
// then a harmless column.
func gateDir(t *testing.T) string {
	t.Helper()
	dir := shippedDir(t, 38)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "0039_leads_status_idx.sql"), []byte(createIndexSQL), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "0040_leads_tier.sql"), []byte("-- A plan tier per lead.\nALTER TABLE leads ADD COLUMN tier text;\n"), 0o644))
	return dir
}

func catalogVersion(t *testing.T, conn *pgx.Conn) string {
	t.Helper()
	v, err := catalog.Version(context.Background(), conn)
	require.NoError(t, err)
	return v
}

func TestMigrateLintGate(t *testing.T) {
	t.Parallel()

	t.Run("DryRunShowsTheFindings", func(t *testing.T) {
		t.Parallel()
		b, _ := lintDB(t, 1000)
		r := steady(t, b.env, "migrate", "--dry-run", "--migrations-dir", gateDir(t))
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, "Lint of the migrations to run, against this database:\n"+
			"0039_leads_status_idx.sql:2:1: error require-concurrent-index-creation: CREATE INDEX leads_status_idx on public.leads without CONCURRENTLY\n")
		require.Contains(t, r.stdout, "public.leads: ~1,000 rows")
		require.Contains(t, r.stdout, "1 finding in 2 files: 1 error, 0 warnings, 0 info; 0 allowed")

		j := steady(t, b.env, "migrate", "--dry-run", "--json", "--migrations-dir", gateDir(t))
		require.Equal(t, 0, j.code, j.stderr)
		var res struct {
			Migrations []struct {
				Version int64 `json:"version"`
				Lint    []struct {
					Rule     string `json:"rule"`
					Severity string `json:"severity"`
					Size     struct {
						Rows int64 `json:"rows"`
					} `json:"size"`
				} `json:"lint"`
			} `json:"migrations"`
		}
		require.NoError(t, json.Unmarshal([]byte(j.stdout), &res))
		m39 := res.Migrations[38]
		require.Equal(t, int64(39), m39.Version)
		require.Len(t, m39.Lint, 1)
		require.Equal(t, []any{"require-concurrent-index-creation", "error", int64(1000)}, []any{m39.Lint[0].Rule, m39.Lint[0].Severity, m39.Lint[0].Size.Rows})
		require.Empty(t, res.Migrations[39].Lint)
	})

	t.Run("StrictRefusesAndChangesNothing", func(t *testing.T) {
		t.Parallel()
		b, conn := lintDB(t, 1000)
		before := catalogVersion(t, conn)
		r := steady(t, b.env, "migrate", "--strict", "--migrations-dir", gateDir(t))
		require.Equal(t, 1, r.code, r.stdout+r.stderr)

		var refusal map[string]any
		for _, e := range logLines(t, r.stderr) {
			if e["msg"] == "❌ migration failed" {
				refusal = e
			}
		}
		require.NotNil(t, refusal, r.stderr)
		require.Equal(t, float64(39), refusal["version"])
		msg := refusal["error"].(string)
		require.Contains(t, msg, "0039_leads_status_idx.sql refused by the lint (--strict): 0039_leads_status_idx.sql:2:1 error require-concurrent-index-creation")
		require.Contains(t, msg, "safe: Run CREATE INDEX CONCURRENTLY IF NOT EXISTS alone")

		require.Equal(t, before, catalogVersion(t, conn), "the catalog is as it was")
		require.Equal(t, 0, b.count(t, "SELECT count(*) FROM pg_indexes WHERE indexname = 'leads_status_idx'"))
		require.Equal(t, 0, b.count(t, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'leads' AND column_name = 'tier'"), "nothing after it is applied")
		require.Equal(t, 38, b.count(t, "SELECT max(version::bigint) FROM schema_migrations"))
		requireNoSecret(t, r)
	})

	t.Run("WithoutStrictItRunsAndSaysSo", func(t *testing.T) {
		t.Parallel()
		b, _ := lintDB(t, 1000)
		dir := gateDir(t)
		r := steady(t, b.env, "migrate", "--migrations-dir", dir)
		require.Equal(t, 0, r.code, r.stderr)
		var loud map[string]any
		for _, e := range logLines(t, r.stderr) {
			if e["msg"] == "⚠️ lint error: the migration runs anyway (--strict not set)" {
				loud = e
			}
		}
		require.NotNil(t, loud, r.stderr)
		require.Equal(t, "ERROR", loud["level"])
		require.Equal(t, "require-concurrent-index-creation", loud["rule"])
		require.Equal(t, "0039_leads_status_idx.sql", loud["file"])
		require.Equal(t, float64(2), loud["line"])
		require.Equal(t, float64(1000), loud["rows"])
		require.Contains(t, loud["safe"], "CREATE INDEX CONCURRENTLY IF NOT EXISTS")
		require.Equal(t, 1, b.count(t, "SELECT count(*) FROM pg_indexes WHERE indexname = 'leads_status_idx'"))
		require.Equal(t, 40, b.count(t, "SELECT max(version::bigint) FROM schema_migrations"))

		st := steady(t, b.env, "status", "--migrations-dir", dir)
		require.Equal(t, 0, st.code, st.stderr)
		require.Regexp(t, `(?m)^0039 +leads_status_idx +steady +applied +.*lint: 0039_leads_status_idx\.sql:2:1 error require-concurrent-index-creation: CREATE INDEX leads_status_idx on public\.leads without CONCURRENTLY`, st.stdout)

		js := steady(t, b.env, "status", "--json", "--migrations-dir", dir)
		var ms []struct {
			Version  int64 `json:"version"`
			Evidence struct {
				Lint []string `json:"lint"`
			} `json:"evidence"`
		}
		require.NoError(t, json.Unmarshal([]byte(js.stdout), &ms))
		require.Len(t, ms[38].Evidence.Lint, 1)
		require.Empty(t, ms[39].Evidence.Lint)
	})

	t.Run("StatusShowsThePendingFindings", func(t *testing.T) {
		t.Parallel()
		b, _ := lintDB(t, 1000)
		r := steady(t, b.env, "status", "--migrations-dir", gateDir(t))
		require.Equal(t, 3, r.code, "pending")
		require.Contains(t, r.stdout, "Lint of the migrations to run, against this database:\n0039_leads_status_idx.sql:2:1: error require-concurrent-index-creation")
	})
}

// Allow lines are left out of the checksum: a database that recorded a migration before its
// finding was allowed sees no change.
func TestAllowKeepsTheRecordedChecksum(t *testing.T) {
	t.Parallel()
	b := setupMigrate(t)
	ms, err := migfiles.Load(migrations.FS)
	require.NoError(t, err)
	before := map[string]string{}
	allowed := 0
	for _, m := range ms {
		stripped := string(fingerprint.WithoutAllows([]byte(m.SQL)))
		if stripped != m.SQL {
			allowed++
		}
		before[m.File] = stripped
	}
	require.Equal(t, 7, allowed, "the shipped files that allow a finding")
	r := steady(t, b.env, "migrate", "--migrations-dir", migrationsDir(t, before))
	require.Equal(t, 0, r.code, r.stderr)

	st := steady(t, b.env, "status")
	require.Equal(t, 0, st.code, "the shipped files, with their allow lines, match what was recorded: %s", st.stdout)
	require.NotContains(t, st.stdout, "checksum_changed")
}

// configFile writes a .steady-lint.toml and returns its path.
func configFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), ".steady-lint.toml")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	return p
}
