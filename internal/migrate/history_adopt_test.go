package migrate_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/migfiles"
	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/internal/toolhistory"
)

// A small golang-migrate history with the traps of a long-lived one: a column added to a table
// a later migration drops, a table created, filled in the same file and dropped later, a type
// changed twice, and a data-only migration that counts its runs.
var trapHistory = files(map[string]string{
	"000001_init.up.sql": `CREATE TABLE canary (migration text NOT NULL, step text NOT NULL);
CREATE TABLE accounts (id bigint PRIMARY KEY, balance integer NOT NULL DEFAULT 0);
INSERT INTO accounts VALUES (1, 10), (2, 20);
INSERT INTO canary VALUES ('1', 'seed');`,
	"000001_init.down.sql":     `DROP TABLE accounts; DROP TABLE canary;`,
	"000002_legacy.up.sql":     `CREATE TABLE legacy_notes (id bigint PRIMARY KEY, body text);`,
	"000003_legacy_col.up.sql": `ALTER TABLE legacy_notes ADD COLUMN author text;`,
	"000005_staging.up.sql": `CREATE TABLE staging (id bigint, v int);
INSERT INTO staging SELECT id, balance FROM accounts;
UPDATE staging SET v = v * 2;
INSERT INTO canary VALUES ('5', 'staging');`,
	"000010_bigint.up.sql": `ALTER TABLE accounts ALTER COLUMN balance TYPE bigint;`,
	"000011_backfill.up.sql": `UPDATE accounts SET balance = balance + 1;
INSERT INTO canary VALUES ('11', 'backfill');`,
	"000020_numeric.up.sql": `ALTER TABLE accounts ALTER COLUMN balance TYPE numeric(12,2);`,
	"000021_drop.up.sql":    `DROP TABLE legacy_notes; DROP TABLE staging;`,
	"000030_last.up.sql":    `CREATE INDEX accounts_balance ON accounts (balance);`,
})

func (b *bundle) applyUp(t *testing.T, k int) {
	t.Helper()
	ms, err := migfiles.Load(trapHistory)
	require.NoError(t, err)
	for _, m := range ms[:k] {
		b.exec(t, m.SQL)
	}
}

func (b *bundle) canaries(t *testing.T) map[string]int {
	t.Helper()
	rows, err := b.direct.Query(context.Background(), "SELECT migration || '/' || step, count(*) FROM canary GROUP BY 1")
	require.NoError(t, err)
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		require.NoError(t, rows.Scan(&k, &n))
		out[k] = n
	}
	require.NoError(t, rows.Err())
	return out
}

func TestAdoptHistories(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	all := map[string]int{"1/seed": 1, "5/staging": 1, "11/backfill": 1}

	t.Run("FreshDatabaseRunsEveryFileWhole", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		res, err := b.migrator(t, trapHistory).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err, b.logs.String())
		require.Equal(t, 9, res.Applied)
		require.Equal(t, all, b.canaries(t))
		var typ string
		require.NoError(t, b.direct.QueryRow(ctx, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'balance'").Scan(&typ))
		require.Equal(t, "numeric(12,2)", typ)
	})

	t.Run("EveryPrefixWithoutHistoryConverges", func(t *testing.T) {
		t.Parallel()
		for k := 0; k <= 9; k++ {
			b := setup(t)
			b.applyUp(t, k)
			res, err := b.migrator(t, trapHistory).Migrate(ctx, migrate.Opts{})
			require.NoError(t, err, "prefix %d: %s", k, b.logs.String())
			wantPrefix := k
			if k == 6 {
				wantPrefix = 5 // 0011 is data only: nothing shows it ran
			}
			require.Equal(t, wantPrefix, res.Plan.Prefix, "prefix %d", k)
			require.Zero(t, res.Drift, "prefix %d", k)
			got := b.canaries(t)
			if k == 0 {
				require.Equal(t, all, got)
				continue
			}
			// A data-only migration that ends the prefix cannot be told from one that has not
			// run (prefix 6 ends with 0011): the rule runs it, and its canary shows it.
			want := map[string]int{"1/seed": 1, "5/staging": 1, "11/backfill": 1}
			if k == 6 {
				want["11/backfill"] = 2
			}
			require.Equal(t, want, got, "prefix %d", k)
		}
	})

	t.Run("GolangMigrateHistoryIsEvidence", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.applyUp(t, 6) // through 0011, the data-only migration
		b.exec(t, "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (11, false)")
		res, err := b.migrator(t, trapHistory).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err, b.logs.String())
		require.Equal(t, 6, res.Reconciled)
		require.Equal(t, 3, res.Applied)
		require.Equal(t, all, b.canaries(t), "the data-only migration the history records does not run again")
		var by string
		require.NoError(t, b.direct.QueryRow(ctx, "SELECT evidence->>'recorded_by' FROM schema_migrations WHERE version = '11'").Scan(&by))
		require.Equal(t, "golang-migrate", by)
		var kept int
		require.NoError(t, b.direct.QueryRow(ctx, "SELECT version FROM schema_migrations_golang_migrate").Scan(&kept))
		require.Equal(t, 11, kept, "golang-migrate's table is kept under another name")
	})

	t.Run("DirtyHistoryIsRefusedAndNothingWritten", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.applyUp(t, 4)
		b.exec(t, "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (5, true)")
		var before int
		require.NoError(t, b.direct.QueryRow(ctx, "SELECT count(*) FROM pg_class").Scan(&before))
		_, err := b.migrator(t, trapHistory).Migrate(ctx, migrate.Opts{})
		var fe *toolhistory.UnfinishedError
		require.ErrorAs(t, err, &fe)
		require.Equal(t, "5", fe.Version)
		require.ErrorContains(t, err, "dirty")
		var after int
		require.NoError(t, b.direct.QueryRow(ctx, "SELECT count(*) FROM pg_class").Scan(&after))
		require.Equal(t, before, after, "nothing created")
		var dirty bool
		require.NoError(t, b.direct.QueryRow(ctx, "SELECT dirty FROM schema_migrations").Scan(&dirty))
		require.True(t, dirty)
	})

	t.Run("FailedFlywayRowIsRefused", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		src := files(map[string]string{"V1__a.sql": "CREATE TABLE a (id int);", "V1_1__b.sql": "CREATE TABLE b (id int);"})
		b.exec(t, `CREATE TABLE a (id int);
CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL,
	type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum int, installed_by varchar(100) NOT NULL,
	installed_on timestamp NOT NULL DEFAULT now(), execution_time int NOT NULL, success boolean NOT NULL);
INSERT INTO flyway_schema_history VALUES (1, '1', 'a', 'SQL', 'V1__a.sql', 0, 'me', now(), 1, true),
	(2, '1.1', 'b', 'SQL', 'V1_1__b.sql', 0, 'me', now(), 1, false)`)
		_, err := b.migrator(t, src).Migrate(ctx, migrate.Opts{})
		var fe *toolhistory.UnfinishedError
		require.ErrorAs(t, err, &fe)
		require.Equal(t, "1.1", fe.Version)
		var n int
		require.NoError(t, b.direct.QueryRow(ctx, "SELECT count(*) FROM pg_class WHERE relname IN ('b', 'schema_migrations')").Scan(&n))
		require.Zero(t, n)
	})

	t.Run("GooseDownSectionNeverRuns", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		src := files(map[string]string{"20230412093000_users.sql": "-- +goose Up\nCREATE TABLE users (id bigint PRIMARY KEY, name text);\n-- +goose Down\nDROP TABLE users;\n"})
		res, err := b.migrator(t, src).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err, b.logs.String())
		require.Equal(t, 1, res.Applied)
		var n int
		require.NoError(t, b.direct.QueryRow(ctx, "SELECT count(*) FROM pg_class WHERE relname = 'users' AND relkind = 'r'").Scan(&n))
		require.Equal(t, 1, n)
	})

	t.Run("GooseHistoryWithAMissingRow", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.applyUp(t, 9)
		b.exec(t, `CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp DEFAULT now());
INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true), (3, true), (5, true), (10, true), (20, true), (21, true), (30, true)`)
		// 0011 (data only) has no row: the later recorded ones show it ran.
		res, err := b.migrator(t, trapHistory).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err, b.logs.String())
		require.Equal(t, 9, res.Reconciled)
		require.Equal(t, all, b.canaries(t))
		var inferred string
		require.NoError(t, b.direct.QueryRow(ctx, "SELECT evidence->>'inferred' FROM schema_migrations WHERE version = '11'").Scan(&inferred))
		require.Contains(t, inferred, "0030")
	})

	t.Run("OtherToolsHistoriesAreEvidence", func(t *testing.T) {
		t.Parallel()
		src := files(map[string]string{"0001_a.sql": "CREATE TABLE a (id int);", "0002_b.sql": "CREATE TABLE b (id int);", "0003_c.sql": "CREATE TABLE c (id int);"})
		for tool, table := range map[string]string{
			"sqlx": `CREATE TABLE _sqlx_migrations (version bigint PRIMARY KEY, description text NOT NULL, installed_on timestamptz NOT NULL DEFAULT now(),
	success boolean NOT NULL, checksum bytea NOT NULL, execution_time bigint NOT NULL);
INSERT INTO _sqlx_migrations VALUES (1, 'a', now(), true, '\x00', 1), (2, 'b', now(), true, '\x00', 1)`,
			"Prisma": `CREATE TABLE "_prisma_migrations" (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz,
	migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count integer NOT NULL DEFAULT 0);
INSERT INTO "_prisma_migrations" VALUES ('1', 'x', now(), '0001_a', NULL, NULL, now(), 1), ('2', 'x', now(), '0002_b', NULL, NULL, now(), 1)`,
			"diesel": `CREATE TABLE __diesel_schema_migrations (version varchar(50) PRIMARY KEY NOT NULL, run_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP);
INSERT INTO __diesel_schema_migrations (version) VALUES ('0001'), ('0002')`,
			"the Supabase CLI": `CREATE SCHEMA supabase_migrations; CREATE TABLE supabase_migrations.schema_migrations (version text PRIMARY KEY, statements text[], name text);
INSERT INTO supabase_migrations.schema_migrations VALUES ('0001', NULL, 'a'), ('0002', NULL, 'b')`,
			// goose's table in the application's schema, read whatever the session's search_path.
			"goose": `CREATE SCHEMA app; CREATE TABLE app.goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp DEFAULT now());
INSERT INTO app.goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true)`,
		} {
			t.Run(strings.ReplaceAll(tool, " ", ""), func(t *testing.T) {
				t.Parallel()
				b := setup(t)
				// The two files the table records, only the first in place: the record wins.
				b.exec(t, "CREATE TABLE a (id int);\n"+table)
				res, err := b.migrator(t, src).Migrate(ctx, migrate.Opts{})
				require.NoError(t, err, b.logs.String())
				require.Equal(t, []int{2, 1}, []int{res.Reconciled, res.Applied}, res.Summary())
				var by string
				require.NoError(t, b.direct.QueryRow(ctx, "SELECT evidence->>'recorded_by' FROM schema_migrations WHERE version = '2'").Scan(&by))
				require.Equal(t, tool, by)
			})
		}
	})

	t.Run("UnfinishedRowsOfOtherToolsAreRefused", func(t *testing.T) {
		t.Parallel()
		src := files(map[string]string{"0001_a.sql": "CREATE TABLE a (id int);", "0002_b.sql": "CREATE TABLE b (id int);"})
		for name, table := range map[string]string{
			"SqlxFailed": `CREATE TABLE _sqlx_migrations (version bigint PRIMARY KEY, description text NOT NULL, installed_on timestamptz NOT NULL DEFAULT now(),
	success boolean NOT NULL, checksum bytea NOT NULL, execution_time bigint NOT NULL);
INSERT INTO _sqlx_migrations VALUES (1, 'a', now(), true, '\x00', 1), (2, 'b', now(), false, '\x00', 1)`,
			"PrismaNotFinished": `CREATE TABLE "_prisma_migrations" (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz,
	migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count integer NOT NULL DEFAULT 0);
INSERT INTO "_prisma_migrations" VALUES ('1', 'x', now(), '0001_a', NULL, NULL, now(), 1), ('2', 'x', NULL, '0002_b', 'failed', NULL, now(), 0)`,
			"PrismaRolledBack": `CREATE TABLE "_prisma_migrations" (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz,
	migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count integer NOT NULL DEFAULT 0);
INSERT INTO "_prisma_migrations" VALUES ('1', 'x', now(), '0001_a', NULL, NULL, now(), 1), ('2', 'x', NULL, '0002_b', 'failed', now(), now(), 0)`,
		} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				b := setup(t)
				b.exec(t, "CREATE TABLE a (id int);\n"+table)
				_, err := b.migrator(t, src).Migrate(ctx, migrate.Opts{})
				var fe *toolhistory.UnfinishedError
				require.ErrorAs(t, err, &fe)
				require.Equal(t, "2", strings.TrimLeft(fe.Version, "0"))
				var n int
				require.NoError(t, b.direct.QueryRow(ctx, "SELECT count(*) FROM pg_class WHERE relname IN ('b', 'schema_migrations')").Scan(&n))
				require.Zero(t, n, "nothing written")
			})
		}
	})

	t.Run("AnOldSchemaMigrationsDroppedIsNotSteadys", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		src := files(map[string]string{
			"0001_leave_golang_migrate.sql": "DROP TABLE IF EXISTS schema_migrations;\nCREATE TABLE a (id int);",
			"0002_b.sql":                    "CREATE TABLE b (id int);",
		})
		res, err := b.migrator(t, src).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err, b.logs.String())
		require.Equal(t, 2, res.Applied)
		require.Contains(t, b.logs.String(), "not run: it drops another tool's schema_migrations")
		total, _ := b.historyCount(t)
		require.Equal(t, 2, total, "steady's history survives the file")

		_, err = migrate.New(migrate.Config{Pool: b.pool, Migrations: files(map[string]string{"0001_x.sql": "ALTER TABLE schema_migrations ADD COLUMN x int;"})})
		require.NoError(t, err)
		_, err = b.migrator(t, files(map[string]string{"0001_x.sql": "ALTER TABLE schema_migrations ADD COLUMN x int;"})).Plan(ctx)
		var own *migrate.OwnTableError
		require.ErrorAs(t, err, &own, "any other change to steady's own table is refused")
		require.ErrorContains(t, err, "--schema steady")
	})
}
