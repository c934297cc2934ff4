package migrate_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"testing/fstest"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/migfiles"
	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/internal/shadow"
)

// Each lesson is PostgreSQL behaviour that a model derived from the SQL text got wrong on a
// history published by another project: three files of our own that show it. Every prefix of
// each is adopted with no history table and must end exactly as the whole history, as
// PostgreSQL prints both.
var lessons = []struct {
	name    string
	files   fstest.MapFS
	derived bool // the derived model knows this rule too
}{
	{"ConditionalConstraintInADoBlock", files(map[string]string{
		"001_accounts.up.sql": `CREATE TABLE accounts (id bigint PRIMARY KEY, email text);`,
		"002_email_unique.up.sql": `ALTER TABLE accounts DROP CONSTRAINT IF EXISTS accounts_email_key;
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'accounts_email_key') THEN
		ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE (email);
	END IF;
END $$;`,
		"003_email_lower.up.sql": `CREATE INDEX accounts_email_lower ON accounts (lower(email));`,
	}), true},
	{"AddConstraintUsingIndexRenamesIt", files(map[string]string{
		"001_codes.up.sql":      `CREATE TABLE codes (id bigint, code text); CREATE UNIQUE INDEX codes_code_idx ON codes (code);`,
		"002_code_key.up.sql":   `ALTER TABLE codes ADD CONSTRAINT codes_code_key UNIQUE USING INDEX codes_code_idx;`,
		"003_codes_note.up.sql": `ALTER TABLE codes ADD COLUMN note text;`,
	}), true},
	{"OwnTransactionBlocks", files(map[string]string{
		"001_items.up.sql": `CREATE TABLE items (id serial PRIMARY KEY, name text);`,
		"002_identity.up.sql": `BEGIN;
ALTER TABLE items ALTER COLUMN id DROP DEFAULT;
DROP SEQUENCE items_id_seq;
COMMIT;
BEGIN;
ALTER TABLE items ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;
COMMIT;`,
		"003_tags.up.sql": `CREATE TABLE tags (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, item_id integer REFERENCES items (id));`,
	}), false},
	{"ViewDroppedByCascadeAndMadeAgain", files(map[string]string{
		"001_orders.up.sql": `CREATE TABLE orders (id bigint PRIMARY KEY, total numeric);
CREATE VIEW order_totals AS SELECT id, total FROM orders;
CREATE MATERIALIZED VIEW order_totals_mview AS SELECT * FROM order_totals;`,
		"002_refunds.up.sql": `DROP VIEW order_totals CASCADE;
CREATE VIEW order_totals AS SELECT id, total FROM orders;
CREATE MATERIALIZED VIEW order_totals_mview AS SELECT * FROM order_totals;
CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));`,
		"003_mview_index.up.sql": `CREATE INDEX order_totals_mview_id ON order_totals_mview (id);`,
	}), false},
	{"UniqueRepeatingThePrimaryKey", files(map[string]string{
		"001_countries.up.sql": `CREATE TABLE countries (code varchar(2) PRIMARY KEY NOT NULL UNIQUE, name text);`,
		"002_region.up.sql":    `ALTER TABLE countries ADD COLUMN region text;`,
		"003_by_region.up.sql": `CREATE INDEX countries_region ON countries (region);`,
	}), true},
	{"RowLevelSecurityPolicy", files(map[string]string{
		"001_notes.up.sql":  `CREATE TABLE notes (id bigint PRIMARY KEY, owner text NOT NULL); ALTER TABLE notes ENABLE ROW LEVEL SECURITY;`,
		"002_policy.up.sql": `CREATE POLICY notes_owner ON notes USING (owner = current_user);`,
		"003_body.up.sql":   `ALTER TABLE notes ADD COLUMN body text;`,
	}), true},
	{"NowFrozenInAView", files(map[string]string{
		"001_posts.up.sql": `CREATE TABLE posts (id bigint PRIMARY KEY, published timestamp NOT NULL);
CREATE VIEW post_age AS SELECT id, published < ('now'::timestamp - interval '1 month') AS old FROM posts;`,
		"002_recent.up.sql": `CREATE VIEW recent_posts AS SELECT id FROM posts WHERE published > 'now'::timestamp - interval '1 day';`,
		"003_title.up.sql":  `ALTER TABLE posts ADD COLUMN title text;`,
	}), false},
	{"DefaultNullStoresNone", files(map[string]string{
		"001_users.up.sql": `CREATE TABLE users (id bigint PRIMARY KEY, email text DEFAULT NULL);`,
		"002_lock.up.sql": `ALTER TABLE users ADD COLUMN locked_at timestamptz DEFAULT NULL,
	ADD COLUMN size int DEFAULT NULL::integer, ADD COLUMN version int DEFAULT 1;`,
		"003_unversioned.up.sql": `ALTER TABLE users ALTER COLUMN version SET DEFAULT NULL;`,
	}), true},
	{"EnumRemadeUnderItsOwnName", files(map[string]string{
		"001_quotes.up.sql": `CREATE TYPE "Source" AS ENUM ('MANUAL', 'YAHOO', 'RAKUTEN');
CREATE TABLE "Quote" (id text PRIMARY KEY, "source" "Source" NOT NULL, "sources" "Source"[]);`,
		// How Prisma removes an enum label.
		"002_no_rakuten.up.sql": `BEGIN;
CREATE TYPE "Source_new" AS ENUM ('MANUAL', 'YAHOO');
ALTER TABLE "Quote" ALTER COLUMN "source" TYPE "Source_new" USING ("source"::text::"Source_new");
ALTER TABLE "Quote" ALTER COLUMN "sources" TYPE "Source_new"[] USING ("sources"::text[]::"Source_new"[]);
ALTER TYPE "Source" RENAME TO "Source_old";
ALTER TYPE "Source_new" RENAME TO "Source";
DROP TYPE "Source_old";
COMMIT;`,
		"003_price.up.sql":     `ALTER TABLE "Quote" ADD COLUMN price double precision;`,
		"004_coingecko.up.sql": `ALTER TYPE "Source" ADD VALUE 'COINGECKO';`,
		"005_isin.up.sql":      `ALTER TABLE "Quote" ADD COLUMN isin text;`,
	}), true},
	// A project leaving golang-migrate checks, in its first file, that the old tool's
	// schema_migrations (steady's history table's name too) has nothing left to run: the
	// migration must not see its own history row.
	{"TheFirstMigrationReadsTheOldToolsHistory", files(map[string]string{
		"001_leave_golang_migrate.up.sql": `DO $$
BEGIN
	IF EXISTS (SELECT FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'schema_migrations') THEN
		IF EXISTS (SELECT FROM public.schema_migrations) THEN
			RAISE EXCEPTION 'finish the old migrations with the old tool first';
		END IF;
	END IF;
END $$;
DROP TABLE IF EXISTS public.schema_migrations;
CREATE TABLE accounts (id bigint PRIMARY KEY);`,
		"002_notes.up.sql": `CREATE TABLE notes (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts);`,
	}), true},
	// DROP COLUMN takes along the indexes and constraints of its table that involve the column:
	// a foreign key, a CHECK, a one-column and a two-column index.
	{"ColumnDropTakesItsIndexesAndConstraints", files(map[string]string{
		"001_otts.up.sql": `CREATE TABLE users (user_id bigint PRIMARY KEY, email text NOT NULL UNIQUE, phone text UNIQUE);
CREATE TABLE otts (
	user_id integer NOT NULL CHECK (user_id > 0),
	ott text UNIQUE NOT NULL,
	expires bigint NOT NULL,
	CONSTRAINT fk_otts_user_id FOREIGN KEY (user_id) REFERENCES users (user_id) ON DELETE CASCADE
);
CREATE INDEX otts_user_id_index ON otts (user_id);
CREATE INDEX otts_user_expires ON otts (expires, user_id);`,
		"002_otts_by_email.up.sql": `ALTER TABLE otts ADD COLUMN email text;
UPDATE otts SET email = (SELECT email FROM users WHERE users.user_id = otts.user_id);
ALTER TABLE otts DROP COLUMN user_id, ALTER COLUMN email SET NOT NULL;`,
		"003_otts_email_index.up.sql": `CREATE INDEX otts_email_index ON otts (email);
ALTER TABLE users DROP COLUMN phone;`,
		"004_users_name.up.sql": `ALTER TABLE users ADD COLUMN name text;`,
	}), true},
	{"ExpressionsStoredRewritten", files(map[string]string{
		"001_jobs.up.sql": `CREATE TABLE jobs (id bigint, state varchar(20), is_deleted boolean);`,
		"002_live.up.sql": `CREATE INDEX jobs_live ON jobs (id) WHERE (jobs.is_deleted IS FALSE AND state = 'COMPLETED');
ALTER TABLE jobs ADD CONSTRAINT jobs_state_check CHECK (state IN ('QUEUED', 'COMPLETED'));`,
		"003_note.up.sql": `ALTER TABLE jobs ADD COLUMN note text;`,
	}), false},
}

func TestShadowJudgesEveryPrefix(t *testing.T) {
	t.Parallel()
	for _, l := range lessons {
		t.Run(l.name, func(t *testing.T) {
			t.Parallel()
			want := fullHistory(t, l.files)
			ms := parsed(t, l.files)
			judges := []string{"Shadow"}
			if l.derived {
				judges = append(judges, "Derived")
			}
			for _, judge := range judges {
				for k := range len(ms) + 1 {
					t.Run(fmt.Sprintf("%s/Prefix%d", judge, k), func(t *testing.T) {
						t.Parallel()
						b := setup(t)
						b.applyAsTool(t, ms[:k])
						m := b.migrator(t, l.files, func(c *migrate.Config) {
							if judge == "Shadow" {
								c.Shadow = b.shadow(t)
							}
						})
						res, err := m.Migrate(context.Background(), migrate.Opts{})
						require.NoError(t, err, b.logs.String())
						require.Zero(t, res.Drift, res.Summary())
						wantJudge := map[string]migrate.Judge{"Shadow": migrate.JudgeShadow, "Derived": migrate.JudgeDerived}[judge]
						if k == 0 {
							wantJudge = migrate.JudgeFresh
						}
						require.Equal(t, wantJudge, res.Plan.Judge, res.Plan.JudgeWhy)
						require.Equal(t, []int{k, len(ms) - k}, []int{res.Reconciled, res.Applied},
							"the prefix reconciled, the files after it run: %s\n%s", res.Summary(), b.logs.String())
						got, err := catalog.ReadState(context.Background(), b.pool)
						require.NoError(t, err)
						require.Empty(t, catalog.Diff(want, catalog.MaskFrozenTimes(got.Without(migrate.BookkeepingKey("public")))), "the schema at the end differs from the whole history's")

						again, err := b.migrator(t, l.files).Migrate(context.Background(), migrate.Opts{})
						require.NoError(t, err)
						require.True(t, again.Unchanged, "a second run verifies in one round trip: %s\n%s", again.Summary(), b.logs.String())
					})
				}
			}
		})
	}
}

// fullHistory is the schema the files make on an empty database, applied as their tool would.
func fullHistory(t *testing.T, files fstest.MapFS) catalog.State {
	t.Helper()
	b := setup(t)
	b.applyAsTool(t, parsed(t, files))
	s, err := catalog.ReadState(context.Background(), b.pool)
	require.NoError(t, err)
	return catalog.MaskFrozenTimes(s.Without(migrate.BookkeepingKey("public")))
}

func parsed(t *testing.T, files fstest.MapFS) []migfiles.Migration {
	t.Helper()
	ms, err := migfiles.Load(files)
	require.NoError(t, err)
	require.NoError(t, migfiles.Parse(ms))
	return ms
}

// applyAsTool brings the database to a prefix the way a team that never used steady got there.
func (b *bundle) applyAsTool(t *testing.T, ms []migfiles.Migration) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), b.db.PoolerURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	for i := range ms {
		require.NoError(t, migfiles.ApplyAsTool(context.Background(), conn, &ms[i]))
	}
}

// shadow is the shadow steady uses by default: a database it creates through the pooler.
func (b *bundle) shadow(t *testing.T) migrate.ShadowConfig {
	t.Helper()
	pools, err := dbconn.Open(context.Background(), dbconn.Config{PoolerURL: b.db.PoolerURL, Logger: b.log}, dbconn.OpenOpts{Migrate: true})
	require.NoError(t, err)
	t.Cleanup(pools.Close)
	return migrate.ShadowConfig{Open: shadow.Settings{}.Opener(pools, b.log)}
}

func TestShadowDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	history := lessons[3].files // its second file proves nothing by the objects it makes again

	t.Run("StatesAreKeptAndDatabaseDropped", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		ms := parsed(t, history)
		b.applyAsTool(t, ms[:2])
		res, err := b.migrator(t, history, func(c *migrate.Config) { c.Shadow = b.shadow(t) }).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		took, cached, ok := res.Plan.ShadowReplay()
		require.True(t, ok)
		require.False(t, cached, "the first adoption replays")
		require.Positive(t, took)
		require.Contains(t, b.logs.String(), "replayed the history on a shadow database")
		require.Contains(t, res.Plan.JudgeWhy, "created through POOLER")
		shadowName := regexpFind(t, `steady_shadow_[0-9a-f]+`, res.Plan.JudgeWhy)
		var left bool
		require.NoError(t, b.direct.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", shadowName).Scan(&left))
		require.False(t, left, "the shadow database is dropped when its states are read")

		// The history lost: steady infers again, from the states it kept.
		b.exec(t, "TRUNCATE schema_migrations")
		b.logs.Reset()
		res, err = b.migrator(t, history, func(c *migrate.Config) { c.Shadow = b.shadow(t) }).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		_, cached, _ = res.Plan.ShadowReplay()
		require.True(t, cached, "a second adoption of the same files reads the kept states")
		require.NotContains(t, b.logs.String(), "replayed the history on a shadow database")
		require.Equal(t, 3, res.Reconciled, res.Summary())
	})

	t.Run("RecordedHistoryNeedsNoShadow", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		_, err := b.migrator(t, history).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		b.exec(t, "CREATE TABLE later (id int)") // the stamp no longer holds: a full plan
		plan, err := b.migrator(t, history, func(c *migrate.Config) {
			c.Shadow = migrate.ShadowConfig{Open: func(context.Context) (*shadow.DB, error) {
				t.Error("a history steady records entirely needs no shadow")
				return nil, fmt.Errorf("not wanted")
			}}
		}).Plan(ctx)
		require.NoError(t, err)
		require.Equal(t, migrate.JudgeRecorded, plan.Judge)
	})

	t.Run("PlatformObjectsGoInTheSetup", func(t *testing.T) {
		t.Parallel()
		platform := files(map[string]string{
			"001_profiles.up.sql": `CREATE TABLE profiles (id uuid PRIMARY KEY, owner uuid NOT NULL DEFAULT auth.uid());`,
			"002_policy.up.sql":   `ALTER TABLE profiles ENABLE ROW LEVEL SECURITY; CREATE POLICY own ON profiles USING (owner = auth.uid());`,
		})
		const setupSQL = `CREATE SCHEMA auth; CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS 'SELECT NULL::uuid';`
		b := setup(t)
		b.exec(t, setupSQL)
		b.applyAsTool(t, parsed(t, platform)[:1])

		plan, err := b.migrator(t, platform, func(c *migrate.Config) { c.Shadow = b.shadow(t) }).Plan(ctx)
		require.NoError(t, err)
		require.Equal(t, migrate.JudgeDerived, plan.Judge, "without the platform's objects the history does not replay")
		require.Contains(t, plan.JudgeWhy, `the shadow stopped at 001_profiles.up.sql:1: ERROR: schema "auth" does not exist`)
		require.Contains(t, plan.JudgeWhy, "--shadow-setup")

		res, err := b.migrator(t, platform, func(c *migrate.Config) {
			c.Shadow = b.shadow(t)
			c.Shadow.Setup, c.Shadow.SetupFile = setupSQL, "platform.sql"
		}).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		require.Equal(t, migrate.JudgeShadow, res.Plan.Judge, res.Plan.JudgeWhy)
		require.Equal(t, []int{1, 1}, []int{res.Reconciled, res.Applied}, res.Summary())
	})
}

func regexpFind(t *testing.T, pattern, s string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindString(s)
	require.NotEmpty(t, m, "no %s in %q", pattern, s)
	return m
}

func TestDerivedModelFollowsCascade(t *testing.T) {
	t.Parallel()
	// DROP VIEW … CASCADE takes the materialized view built on it and the index on that; the
	// file after it makes both again. Adopted at the cascade, the derived model must run the
	// re-creations rather than find them in place.
	history := files(map[string]string{
		"001_posts.up.sql": `CREATE TABLE posts (id bigint PRIMARY KEY, score int);
CREATE VIEW post_stats AS SELECT id, score FROM posts;
CREATE MATERIALIZED VIEW popular_posts AS SELECT id FROM post_stats WHERE score > 10;
CREATE INDEX popular_posts_id_idx ON popular_posts (id);`,
		"002_stats_again.up.sql": `DROP VIEW post_stats CASCADE;
CREATE VIEW post_stats AS SELECT id, score, score * 2 AS weight FROM posts;`,
		"003_popular_again.up.sql": `CREATE MATERIALIZED VIEW popular_posts AS SELECT id FROM post_stats WHERE weight > 20;
CREATE INDEX popular_posts_id_idx ON popular_posts (id);`,
	})
	want := fullHistory(t, history)
	ms := parsed(t, history)
	for k := range len(ms) + 1 {
		t.Run(fmt.Sprintf("Prefix%d", k), func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.applyAsTool(t, ms[:k])
			res, err := b.migrator(t, history).Migrate(context.Background(), migrate.Opts{})
			require.NoError(t, err, b.logs.String())
			got, err := catalog.ReadState(context.Background(), b.pool)
			require.NoError(t, err)
			require.Empty(t, catalog.Diff(want, catalog.MaskFrozenTimes(got.Without(migrate.BookkeepingKey("public")))), "%s\n%s", res.Summary(), b.logs.String())
		})
	}
}
