package historytest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestComparisonControls shows that the sweep's checks can pass and can fail without steady:
// a database that the tool's way of applying brings to the end in two steps, with the tool's
// history table in the way, passes them; a database one migration short, or with a data
// statement run twice, fails them.
func TestComparisonControls(t *testing.T) {
	t.Parallel()
	for _, h := range ownHistories(t) {
		t.Run(h.name, func(t *testing.T) {
			t.Parallel()
			ref := buildReference(t, h)
			n := len(h.files)

			t.Run("TheToolFinishingAPrefixConverges", func(t *testing.T) {
				t.Parallel()
				k := n / 2
				db := setup(t, h, ref.upDir, k, toolHistorySQL(h, k, historyCases[1]))
				applyFiles(t, h, db.PoolerURL, ref.upDir, h.files[k:])
				got := h.withoutBookkeeping(schemaDump(t, db.DirectURL))
				require.Equal(t, ref.dump, got, diffDumps(t, "whole history", ref.dump, "two steps", got))
				counts, err := canaryCounts(context.Background(), db.DirectURL)
				require.NoError(t, err)
				require.Empty(t, canaryMismatch(ref.canaries, counts))
			})

			t.Run("OneMigrationShortIsCaught", func(t *testing.T) {
				t.Parallel()
				db := setup(t, h, ref.upDir, n-1, "")
				counts, err := canaryCounts(context.Background(), db.DirectURL)
				require.NoError(t, err)
				schemaDiffers := h.withoutBookkeeping(schemaDump(t, db.DirectURL)) != ref.dump
				require.True(t, schemaDiffers || canaryMismatch(ref.canaries, counts) != "",
					"a database without %s passes the checks", h.files[n-1].file)
			})

			t.Run("RerunIsCounted", func(t *testing.T) {
				t.Parallel()
				// What a data statement run a second time leaves (re-running a whole file
				// would fail in most histories: its seed rows exist already).
				db := setup(t, h, ref.upDir, n, "")
				psql(t, db.PoolerURL, "INSERT INTO canary (migration, step) SELECT migration, step FROM canary ORDER BY id DESC LIMIT 1;\n")
				counts, err := canaryCounts(context.Background(), db.DirectURL)
				require.NoError(t, err)
				require.Contains(t, canaryMismatch(ref.canaries, counts), "ran 2 times")
			})
		})
	}
}

// TestDumpFilterKeepsOnlyTheHistory: the filter leaves out steady's, River's and the tools'
// objects, and nothing else.
func TestDumpFilterKeepsOnlyTheHistory(t *testing.T) {
	t.Parallel()
	dump := `SET client_encoding = 'UTF8';

--
-- Name: river_job_state; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.river_job_state AS ENUM ('available');

--
-- Name: river_job_notify(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.river_job_notify() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: orders; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.orders (id bigint NOT NULL);

--
-- Name: COLUMN river_job.kind; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.river_job.kind IS 'x';

--
-- Name: goose_db_version id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.goose_db_version ALTER COLUMN id SET DEFAULT nextval('public.goose_db_version_id_seq'::regclass);

--
-- Name: flyway_schema_history_s_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX flyway_schema_history_s_idx ON public.flyway_schema_history USING btree (success);

--
-- Name: orders_customer_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orders_customer_idx ON public.orders USING btree (customer_id);

--
-- Name: schema_migrations_python schema_migrations_python_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations_python ADD CONSTRAINT schema_migrations_python_pkey PRIMARY KEY (version);

--
-- Name: steady_migration_lease; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.steady_migration_lease (id int);

--
-- PostgreSQL database dump complete
--

`
	got := withoutBookkeeping(dump)
	require.Contains(t, got, "SET client_encoding")
	require.Contains(t, got, "CREATE TABLE public.orders")
	require.Contains(t, got, "CREATE INDEX orders_customer_idx")
	for _, gone := range []string{"river_job", "default_tablespace", "goose_db_version", "flyway_schema_history", "schema_migrations_python", "steady_migration_lease"} {
		require.NotContains(t, got, gone)
	}
}

// TestDumpFilterLeavesOutSchemas: the Supabase CLI's schema and the schema the sweep's
// arguments give steady's tables go with everything in them; grants on the history's own
// objects stay.
func TestDumpFilterLeavesOutSchemas(t *testing.T) {
	t.Parallel()
	dump := `--
-- Name: steady; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA steady;

--
-- Name: supabase_migrations; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA supabase_migrations;

--
-- Name: journals; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.journals (id bigint NOT NULL);

--
-- Name: leases; Type: TABLE; Schema: steady; Owner: -
--

CREATE TABLE steady.leases (id int);

--
-- Name: schema_migrations; Type: TABLE; Schema: supabase_migrations; Owner: -
--

CREATE TABLE supabase_migrations.schema_migrations (version text NOT NULL);

--
-- Name: _prisma_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public._prisma_migrations (id character varying(36) NOT NULL);

--
-- Name: __diesel_schema_migrations __diesel_schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.__diesel_schema_migrations ADD CONSTRAINT __diesel_schema_migrations_pkey PRIMARY KEY (version);

--
-- Name: TABLE journals; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.journals TO anon;

--
-- Name: supabase_realtime; Type: PUBLICATION; Schema: -; Owner: -
--

CREATE PUBLICATION supabase_realtime;

`
	got := withoutBookkeeping(dump, "steady")
	for _, kept := range []string{"CREATE TABLE public.journals", "GRANT SELECT ON TABLE public.journals TO anon", "CREATE PUBLICATION supabase_realtime"} {
		require.Contains(t, got, kept)
	}
	for _, gone := range []string{"SCHEMA steady", "steady.leases", "supabase_migrations", "_prisma_migrations", "__diesel_schema_migrations"} {
		require.NotContains(t, got, gone)
	}
	require.Contains(t, withoutBookkeeping(dump), "CREATE TABLE steady.leases", "without --schema, a schema named steady is the history's")
}
