package catalog_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/dbtest"
)

func stateConn(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(url)
	require.NoError(t, err)
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec // as dbconn's pools
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestReadState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("PostgreSQLPrintsWhatTheStatementsWrote", func(t *testing.T) {
		t.Parallel()
		// Two spellings of one schema: the states are equal, whatever the SQL said.
		a, b := stateConn(t, dbtest.New(t).PoolerURL), stateConn(t, dbtest.New(t).PoolerURL)
		_, err := a.Exec(ctx, `CREATE TABLE jobs (id bigint, state varchar(20), is_deleted boolean);
CREATE INDEX jobs_live ON jobs (id) WHERE (jobs.is_deleted IS FALSE AND state = 'COMPLETED');
CREATE TABLE codes (code varchar(2) PRIMARY KEY NOT NULL UNIQUE)`)
		require.NoError(t, err)
		_, err = b.Exec(ctx, `create table public.jobs (id int8, state character varying(20), is_deleted bool);
create index jobs_live on public.jobs using btree (id) where ((is_deleted is false) and ((state)::text = 'COMPLETED'::text));
create table codes (code varchar(2) not null, constraint codes_pkey primary key (code))`)
		require.NoError(t, err)
		sa, err := catalog.ReadState(ctx, a)
		require.NoError(t, err)
		sb, err := catalog.ReadState(ctx, b)
		require.NoError(t, err)
		require.Empty(t, catalog.Diff(sa, sb))
		require.Equal(t, "CREATE INDEX jobs_live ON public.jobs USING btree (id) WHERE ((is_deleted IS FALSE) AND ((state)::text = 'COMPLETED'::text))",
			sa["index public.jobs_live"])
		require.NotContains(t, sa, "index public.codes_code_key", "PostgreSQL makes no UNIQUE that repeats the primary key")
	})

	t.Run("SearchPathDoesNotChangeTheSpelling", func(t *testing.T) {
		t.Parallel()
		db := dbtest.New(t)
		conn := stateConn(t, db.DirectURL)
		_, err := conn.Exec(ctx, `CREATE SCHEMA app; CREATE TYPE app.mood AS ENUM ('ok'); CREATE TABLE app.t (m app.mood);
CREATE EXTENSION citext; CREATE TABLE u (e citext)`)
		require.NoError(t, err)
		before, err := catalog.ReadState(ctx, conn)
		require.NoError(t, err)
		_, err = conn.Exec(ctx, "SET search_path = app, public")
		require.NoError(t, err)
		after, err := catalog.ReadState(ctx, conn)
		require.NoError(t, err)
		require.Empty(t, catalog.Diff(before, after))
		require.Equal(t, "#1 app.mood", before["column app.t.m"])
		require.NotContains(t, before, "type public.citext", "an extension's objects are its version")
		require.Contains(t, before, "extension citext")
	})

	// Read through the pooler, and prepared: through DIRECT, where the statement stays on its
	// session, and through the pooler, where a read may reach a session that never saw it.
	for _, c := range []struct {
		name    string
		direct  bool
		prepare bool
	}{{"IncrementalReadsEqualFullReads", false, false}, {"PreparedReadsEqualFullReads", true, true}, {"PreparedReadsThroughThePooler", false, true}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			incrementalReads(t, c.direct, c.prepare)
		})
	}

	t.Run("PreparedReadFindingNoStatementReadsUnprepared", func(t *testing.T) {
		t.Parallel()
		conn := stateConn(t, dbtest.New(t).DirectURL)
		r := catalog.StateReader{Prepare: true}
		_, err := r.Read(ctx, conn)
		require.NoError(t, err)
		require.Equal(t, 1, preparedReads(t, conn), "the first read prepared its statement")
		// What a transaction pooler does to a session's statement: the next read reaches a
		// server session that does not have it.
		_, err = conn.Exec(ctx, "DEALLOCATE ALL", pgx.QueryExecModeSimpleProtocol)
		require.NoError(t, err)
		_, err = conn.Exec(ctx, "CREATE TABLE t (id int)")
		require.NoError(t, err)
		got, err := r.Read(ctx, conn)
		require.NoError(t, err)
		require.Contains(t, got, "table public.t")
		_, err = r.Read(ctx, conn)
		require.NoError(t, err)
		require.Equal(t, -1, preparedReads(t, conn), "no statement prepared again")
	})
}

// preparedReads is how many times the session ran a prepared state read with its generic
// plan, -1 when it has none.
func preparedReads(t *testing.T, conn *pgx.Conn) int {
	t.Helper()
	var n int
	err := conn.QueryRow(context.Background(), `SELECT coalesce(sum(generic_plans), -1) FROM pg_prepared_statements
		WHERE name LIKE 'steady_state_%' AND custom_plans = 0`, pgx.QueryExecModeSimpleProtocol).Scan(&n)
	require.NoError(t, err)
	return n
}

func incrementalReads(t *testing.T, direct, prepare bool) {
	ctx := context.Background()
	db := dbtest.New(t)
	url := db.PoolerURL
	if direct {
		url = db.DirectURL
	}
	conn := stateConn(t, url)
	r := catalog.StateReader{Prepare: prepare}
	// Each step changes objects whose names others print: a reader that read only what
	// changed would miss the view, the foreign key, the function signature, the sequence.
	steps := []string{
		`CREATE SCHEMA app; CREATE TYPE app.mood AS ENUM ('ok'); CREATE TABLE app.a (id serial PRIMARY KEY, m app.mood, n int)`,
		`CREATE TABLE app.b (id int PRIMARY KEY, a_id int REFERENCES app.a (id)); CREATE VIEW app.v AS SELECT id, n FROM app.a`,
		`CREATE FUNCTION app.f(x app.mood) RETURNS int LANGUAGE sql AS 'SELECT 1'; COMMENT ON COLUMN app.a.n IS 'count'`,
		`ALTER TABLE app.a RENAME COLUMN n TO total`,
		`ALTER TABLE app.a RENAME TO accounts`,
		`ALTER TYPE app.mood RENAME TO feeling; ALTER TYPE app.feeling ADD VALUE 'meh'`,
		`CREATE INDEX b_a ON app.b (a_id); ALTER TABLE app.b DROP CONSTRAINT b_a_id_fkey`,
		`ALTER SCHEMA app RENAME TO core`,
		`ALTER TABLE core.accounts ENABLE ROW LEVEL SECURITY; CREATE POLICY own ON core.accounts USING (id > 0)`,
		`DROP VIEW core.v; ALTER TABLE core.accounts DROP COLUMN total; DROP INDEX core.b_a`,
		`DROP TABLE core.b; DROP FUNCTION core.f(core.feeling); CREATE PUBLICATION p FOR TABLE core.accounts`,
	}
	for i, step := range steps {
		_, err := conn.Exec(ctx, step)
		require.NoError(t, err, step)
		got, err := r.Read(ctx, conn)
		require.NoError(t, err)
		full, err := catalog.ReadState(ctx, conn)
		require.NoError(t, err)
		require.Empty(t, catalog.Diff(full, got), "step %d: %s", i+1, step)
	}
	if direct && prepare {
		require.Equal(t, len(steps), preparedReads(t, conn), "every read ran the one generic plan")
	}
}

func TestMaskFrozenTimes(t *testing.T) {
	t.Parallel()
	s := catalog.State{
		"view public.v":     "as SELECT (published < ('2026-12-07 14:31:02.123456'::timestamp without time zone - '1 mon'::interval)) AS old",
		"view public.w":     "as SELECT (d > '2026-12-07'::date), (t > '2026-12-07 14:31:02+00'::timestamp with time zone)",
		"column public.t.c": "#1 text default 'x'::text",
	}
	got := catalog.MaskFrozenTimes(s)
	require.Equal(t, "as SELECT (published < ('<frozen time>' - '1 mon'::interval)) AS old", got["view public.v"])
	require.Equal(t, "as SELECT (d > '<frozen time>'), (t > '<frozen time>')", got["view public.w"])
	require.Equal(t, s["column public.t.c"], got["column public.t.c"])
	require.Contains(t, s["view public.v"], "2026", "the state it was given is left as it was")
}
