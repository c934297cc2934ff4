package catalog_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/fingerprint"
)

var (
	_ catalog.Querier = (*pgx.Conn)(nil)
	_ catalog.Querier = (*pgxpool.Pool)(nil)
	_ catalog.Querier = pgx.Tx(nil)
)

// fixtureSQL builds one object of every kind, and a few that must not be mistaken for others.
const fixtureSQL = `
CREATE SCHEMA app;
CREATE EXTENSION citext SCHEMA app;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE app.status AS ENUM ('new', 'done');
CREATE TYPE address AS (street text, city text);
CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
CREATE TYPE floatrange AS RANGE (subtype = float8);
CREATE TABLE leads (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	phone_whatsapp text,
	name character varying(32) NOT NULL,
	created_at timestamp with time zone NOT NULL DEFAULT now(),
	mood mood,
	moods mood[],
	status app.status,
	statuses app.status[],
	nick app.citext,
	contact email,
	score numeric(10,2),
	dropped_later text
);
ALTER TABLE leads DROP COLUMN dropped_later;
ALTER TABLE leads ADD CONSTRAINT leads_name_check CHECK (name <> '') NOT VALID;
ALTER TABLE leads ADD CONSTRAINT leads_phone_check CHECK (phone_whatsapp <> '');
CREATE INDEX leads_created_at_idx ON leads (created_at);
CREATE TABLE events (id bigint, at timestamptz) PARTITION BY RANGE (at);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE FUNCTION app.add(a int, b int) RETURNS int LANGUAGE sql AS 'SELECT a + b';
CREATE FUNCTION app.add(a text, b text) RETURNS text LANGUAGE sql AS 'SELECT a || b';
CREATE PROCEDURE app.noop() LANGUAGE sql AS 'SELECT 1';
CREATE TRIGGER leads_touch BEFORE UPDATE ON leads FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TRIGGER leads_touch_off BEFORE INSERT ON leads FOR EACH ROW EXECUTE FUNCTION touch();
CREATE POLICY leads_own ON leads FOR SELECT USING (true);
ALTER TABLE leads DISABLE TRIGGER leads_touch_off;
CREATE VIEW lead_names AS SELECT id, name FROM leads;
CREATE MATERIALIZED VIEW lead_counts AS SELECT count(*) AS n FROM leads;
CREATE SEQUENCE invoice_numbers;
CREATE TABLE dupes (email text);
INSERT INTO dupes VALUES ('a@example.com'), ('a@example.com');
`

type bundle struct {
	db   *dbtest.DB
	snap *catalog.Snapshot // read through the pooler after the fixture was built
}

// setup builds the fixture in a fresh database, with an INVALID index left by a failed
// CREATE UNIQUE INDEX CONCURRENTLY, and reads a snapshot through the pooler.
func setup(t *testing.T) *bundle {
	t.Helper()
	ctx := context.Background()
	db := dbtest.New(t)
	direct := connect(t, db.DirectURL)
	_, err := direct.Exec(ctx, fixtureSQL)
	require.NoError(t, err)
	_, err = direct.Exec(ctx, "CREATE UNIQUE INDEX CONCURRENTLY dupes_email_key ON dupes (email)")
	var pgErr *pgconn.PgError
	require.ErrorAs(t, err, &pgErr)
	require.Equal(t, "23505", pgErr.Code) // unique_violation: the index stays, INVALID

	snap, err := catalog.Read(ctx, connect(t, db.PoolerURL))
	require.NoError(t, err)
	return &bundle{db: db, snap: snap}
}

// connect opens a connection that works through a transaction pooler: exec mode, no prepared
// statements.
func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(url)
	require.NoError(t, err)
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	conn, err := pgx.ConnectConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.WithoutCancel(ctx)) })
	return conn
}

func obj(kind fingerprint.Kind, schema, table, name string) fingerprint.Object {
	return fingerprint.Object{Kind: kind, Schema: schema, Table: table, Name: name}
}

func ptr[T any](v T) *T { return &v }

type checkCase struct {
	name   string
	effect fingerprint.Effect
	want   catalog.Result
}

func runChecks(t *testing.T, snap *catalog.Snapshot, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, snap.Check(tc.effect))
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	b := setup(t)

	t.Run("Schema", func(t *testing.T) {
		t.Parallel()
		app := obj(fingerprint.KindSchema, "", "", "app")
		nope := obj(fingerprint.KindSchema, "", "", "nope")
		runChecks(t, b.snap, []checkCase{
			{"Present", fingerprint.Effect{Object: app}, catalog.Result{Holds: true, Exists: true, Found: "schema app"}},
			{"Missing", fingerprint.Effect{Object: nope}, catalog.Result{}},
			{"AbsentHolds", fingerprint.Effect{Object: nope, Absent: true}, catalog.Result{Holds: true}},
			{"AbsentFails", fingerprint.Effect{Object: app, Absent: true}, catalog.Result{Exists: true, Found: "schema app"}},
			{"SystemSchemasUnseen", fingerprint.Effect{Object: obj(fingerprint.KindSchema, "", "", "pg_catalog")}, catalog.Result{}},
		})
	})

	t.Run("Extension", func(t *testing.T) {
		t.Parallel()
		runChecks(t, b.snap, []checkCase{
			{"Present", fingerprint.Effect{Object: obj(fingerprint.KindExtension, "public", "", "citext")},
				catalog.Result{Holds: true, Exists: true, Found: "extension citext 1.6 in schema app"}},
			{"Missing", fingerprint.Effect{Object: obj(fingerprint.KindExtension, "", "", "hstore")}, catalog.Result{}},
		})
	})

	t.Run("Table", func(t *testing.T) {
		t.Parallel()
		runChecks(t, b.snap, []checkCase{
			{"Present", fingerprint.Effect{Object: obj(fingerprint.KindTable, "public", "", "leads")},
				catalog.Result{Holds: true, Exists: true, Found: "table public.leads (11 columns)"}},
			{"SchemaDefaultsToPublic", fingerprint.Effect{Object: obj(fingerprint.KindTable, "", "", "leads")},
				catalog.Result{Holds: true, Exists: true, Found: "table public.leads (11 columns)"}},
			{"Partitioned", fingerprint.Effect{Object: obj(fingerprint.KindTable, "public", "", "events")},
				catalog.Result{Holds: true, Exists: true, Found: "partitioned table public.events (2 columns)"}},
			{"Missing", fingerprint.Effect{Object: obj(fingerprint.KindTable, "public", "", "contracts")}, catalog.Result{}},
			{"OtherSchema", fingerprint.Effect{Object: obj(fingerprint.KindTable, "app", "", "leads")}, catalog.Result{}},
			{"Absent", fingerprint.Effect{Object: obj(fingerprint.KindTable, "public", "", "contracts"), Absent: true}, catalog.Result{Holds: true}},
			{"NameHeldByView", fingerprint.Effect{Object: obj(fingerprint.KindTable, "public", "", "lead_names")},
				catalog.Result{Conflict: "view public.lead_names"}},
			{"NameHeldByType", fingerprint.Effect{Object: obj(fingerprint.KindTable, "public", "", "mood")},
				catalog.Result{Conflict: "enum type public.mood ('sad', 'ok', 'happy')"}},
		})
	})

	t.Run("Column", func(t *testing.T) {
		t.Parallel()
		col := func(name string) fingerprint.Object { return obj(fingerprint.KindColumn, "public", "leads", name) }
		runChecks(t, b.snap, []checkCase{
			{"Present", fingerprint.Effect{Object: col("phone_whatsapp"), Type: "text"},
				catalog.Result{Holds: true, Exists: true, Found: "column public.leads.phone_whatsapp text NULL"}},
			{"PresentNoAttributes", fingerprint.Effect{Object: col("phone_whatsapp")},
				catalog.Result{Holds: true, Exists: true, Found: "column public.leads.phone_whatsapp text NULL"}},
			{"AllAttributesMatch", fingerprint.Effect{Object: col("created_at"), Type: "timestamp with time zone", NotNull: ptr(true), HasDefault: ptr(true)},
				catalog.Result{Holds: true, Exists: true, Found: "column public.leads.created_at timestamp with time zone NOT NULL DEFAULT"}},
			{"IdentityHasDefault", fingerprint.Effect{Object: col("id"), Type: "bigint", NotNull: ptr(true), HasDefault: ptr(true)},
				catalog.Result{Holds: true, Exists: true, Found: "column public.leads.id bigint NOT NULL DEFAULT"}},
			{"Typmod", fingerprint.Effect{Object: col("score"), Type: "numeric(10,2)"},
				catalog.Result{Holds: true, Exists: true, Found: "column public.leads.score numeric(10,2) NULL"}},
			{"PublicEnumUnqualified", fingerprint.Effect{Object: col("mood"), Type: "mood"},
				catalog.Result{Holds: true, Exists: true, Found: "column public.leads.mood mood NULL"}},
			{"PublicQualifiedWantIsCanonicalized", fingerprint.Effect{Object: col("moods"), Type: "public.mood[]"},
				catalog.Result{Holds: true, Exists: true, Found: "column public.leads.moods mood[] NULL"}},
			{"OtherSchemaQualified", fingerprint.Effect{Object: col("status"), Type: "app.status"},
				catalog.Result{Holds: true, Exists: true, Found: "column public.leads.status app.status NULL"}},
			{"OtherSchemaArray", fingerprint.Effect{Object: col("statuses"), Type: "app.status[]"},
				catalog.Result{Holds: true, Exists: true, Found: "column public.leads.statuses app.status[] NULL"}},
			{"ExtensionTypeQualified", fingerprint.Effect{Object: col("nick"), Type: "citext"},
				catalog.Result{Holds: true, Exists: true, Found: "column public.leads.nick app.citext NULL", Drift: "type is app.citext, want citext"}},
			{"Domain", fingerprint.Effect{Object: col("contact"), Type: "email"},
				catalog.Result{Holds: true, Exists: true, Found: "column public.leads.contact email NULL"}},
			{"TypeDrift", fingerprint.Effect{Object: col("name"), Type: "character varying(64)"},
				catalog.Result{Holds: true, Exists: true, Found: "column public.leads.name character varying(32) NOT NULL", Drift: "type is character varying(32), want character varying(64)"}},
			{"EveryDrift", fingerprint.Effect{Object: col("phone_whatsapp"), Type: "character varying(32)", NotNull: ptr(true), HasDefault: ptr(true)},
				catalog.Result{Holds: true, Exists: true, Found: "column public.leads.phone_whatsapp text NULL",
					Drift: "type is text, want character varying(32); is nullable, want NOT NULL; has no default, want one"}},
			{"NullableAndNoDefaultDrift", fingerprint.Effect{Object: col("created_at"), NotNull: ptr(false), HasDefault: ptr(false)},
				catalog.Result{Holds: true, Exists: true, Found: "column public.leads.created_at timestamp with time zone NOT NULL DEFAULT",
					Drift: "is NOT NULL, want nullable; has a default, want none"}},
			{"AlterDiffers", fingerprint.Effect{Object: col("phone_whatsapp"), Alter: true, NotNull: ptr(true)},
				catalog.Result{Exists: true, Found: "column public.leads.phone_whatsapp text NULL", Drift: "is nullable, want NOT NULL"}},
			{"AlterMatches", fingerprint.Effect{Object: col("name"), Alter: true, Type: "character varying(32)", NotNull: ptr(true)},
				catalog.Result{Holds: true, Exists: true, Found: "column public.leads.name character varying(32) NOT NULL"}},
			{"AlterMissing", fingerprint.Effect{Object: col("fax"), Alter: true, NotNull: ptr(true)}, catalog.Result{}},
			{"Missing", fingerprint.Effect{Object: col("fax"), Type: "text"}, catalog.Result{}},
			{"DroppedColumnIsMissing", fingerprint.Effect{Object: col("dropped_later")}, catalog.Result{}},
			{"SystemColumnIsMissing", fingerprint.Effect{Object: col("ctid")}, catalog.Result{}},
			{"MissingTable", fingerprint.Effect{Object: obj(fingerprint.KindColumn, "public", "contracts", "id")}, catalog.Result{}},
			{"Absent", fingerprint.Effect{Object: col("fax"), Absent: true}, catalog.Result{Holds: true}},
			{"AbsentFails", fingerprint.Effect{Object: col("phone_whatsapp"), Absent: true, Type: "integer"},
				catalog.Result{Exists: true, Found: "column public.leads.phone_whatsapp text NULL"}},
			{"ViewColumn", fingerprint.Effect{Object: obj(fingerprint.KindColumn, "public", "lead_names", "name")},
				catalog.Result{Holds: true, Exists: true, Found: "column public.lead_names.name character varying(32) NULL"}},
			{"MaterializedViewColumn", fingerprint.Effect{Object: obj(fingerprint.KindColumn, "public", "lead_counts", "n"), Type: "bigint"},
				catalog.Result{Holds: true, Exists: true, Found: "column public.lead_counts.n bigint NULL"}},
		})
	})

	t.Run("Constraint", func(t *testing.T) {
		t.Parallel()
		con := func(name string) fingerprint.Object { return obj(fingerprint.KindConstraint, "public", "leads", name) }
		const notValid = "constraint public.leads.leads_name_check CHECK (((name)::text <> ''::text)) NOT VALID"
		const valid = "constraint public.leads.leads_phone_check CHECK ((phone_whatsapp <> ''::text))"
		runChecks(t, b.snap, []checkCase{
			{"PrimaryKey", fingerprint.Effect{Object: con("leads_pkey"), Validated: true},
				catalog.Result{Holds: true, Exists: true, Found: "constraint public.leads.leads_pkey PRIMARY KEY (id)"}},
			{"Validated", fingerprint.Effect{Object: con("leads_phone_check"), Validated: true},
				catalog.Result{Holds: true, Exists: true, Found: valid}},
			{"NotValidWanted", fingerprint.Effect{Object: con("leads_name_check")},
				catalog.Result{Holds: true, Exists: true, Found: notValid}},
			{"NotValidDrift", fingerprint.Effect{Object: con("leads_name_check"), Validated: true},
				catalog.Result{Holds: true, Exists: true, Found: notValid, Drift: "constraint is NOT VALID, want validated"}},
			{"ValidateNotYetRun", fingerprint.Effect{Object: con("leads_name_check"), Alter: true, Validated: true},
				catalog.Result{Exists: true, Found: notValid, Drift: "constraint is NOT VALID, want validated"}},
			{"ValidateRun", fingerprint.Effect{Object: con("leads_phone_check"), Alter: true, Validated: true},
				catalog.Result{Holds: true, Exists: true, Found: valid}},
			{"Missing", fingerprint.Effect{Object: con("leads_email_check")}, catalog.Result{}},
			{"OtherTable", fingerprint.Effect{Object: obj(fingerprint.KindConstraint, "public", "dupes", "leads_pkey")}, catalog.Result{}},
			{"Absent", fingerprint.Effect{Object: con("leads_email_check"), Absent: true}, catalog.Result{Holds: true}},
		})
	})

	t.Run("Index", func(t *testing.T) {
		t.Parallel()
		idx := func(table, name string) fingerprint.Object { return obj(fingerprint.KindIndex, "public", table, name) }
		const created = "index public.leads_created_at_idx CREATE INDEX leads_created_at_idx ON public.leads USING btree (created_at)"
		const invalid = "index public.dupes_email_key CREATE UNIQUE INDEX dupes_email_key ON public.dupes USING btree (email) INVALID NOT READY"
		runChecks(t, b.snap, []checkCase{
			{"Present", fingerprint.Effect{Object: idx("leads", "leads_created_at_idx")}, catalog.Result{Holds: true, Exists: true, Found: created}},
			{"TableUnknown", fingerprint.Effect{Object: idx("", "leads_created_at_idx")}, catalog.Result{Holds: true, Exists: true, Found: created}},
			{"OtherTable", fingerprint.Effect{Object: idx("dupes", "leads_created_at_idx")},
				catalog.Result{Holds: true, Exists: true, Found: created, Drift: "index is on public.leads, want public.dupes"}},
			{"Invalid", fingerprint.Effect{Object: idx("dupes", "dupes_email_key")},
				catalog.Result{Holds: true, Exists: true, Found: invalid, Drift: "index is INVALID; index is not ready", Invalid: true}},
			{"InvalidAlter", fingerprint.Effect{Object: idx("dupes", "dupes_email_key"), Alter: true},
				catalog.Result{Exists: true, Found: invalid, Drift: "index is INVALID; index is not ready", Invalid: true}},
			{"InvalidAbsent", fingerprint.Effect{Object: idx("dupes", "dupes_email_key"), Absent: true},
				catalog.Result{Exists: true, Found: invalid, Invalid: true}},
			{"Missing", fingerprint.Effect{Object: idx("leads", "leads_phone_idx")}, catalog.Result{}},
			{"Absent", fingerprint.Effect{Object: idx("leads", "leads_phone_idx"), Absent: true}, catalog.Result{Holds: true}},
			{"NameHeldByTable", fingerprint.Effect{Object: idx("leads", "dupes")}, catalog.Result{Conflict: "table public.dupes (1 columns)"}},
		})
	})

	t.Run("Type", func(t *testing.T) {
		t.Parallel()
		typ := func(schema, name string) fingerprint.Object { return obj(fingerprint.KindType, schema, "", name) }
		runChecks(t, b.snap, []checkCase{
			{"Enum", fingerprint.Effect{Object: typ("public", "mood")},
				catalog.Result{Holds: true, Exists: true, Found: "enum type public.mood ('sad', 'ok', 'happy')"}},
			{"EnumOtherSchema", fingerprint.Effect{Object: typ("app", "status")},
				catalog.Result{Holds: true, Exists: true, Found: "enum type app.status ('new', 'done')"}},
			{"Composite", fingerprint.Effect{Object: typ("public", "address")},
				catalog.Result{Holds: true, Exists: true, Found: "composite type public.address"}},
			{"Domain", fingerprint.Effect{Object: typ("public", "email")},
				catalog.Result{Holds: true, Exists: true, Found: "domain public.email"}},
			{"Range", fingerprint.Effect{Object: typ("public", "floatrange")},
				catalog.Result{Holds: true, Exists: true, Found: "range type public.floatrange"}},
			{"Missing", fingerprint.Effect{Object: typ("public", "status")}, catalog.Result{}},
			{"TableRowTypeIsNotAType", fingerprint.Effect{Object: typ("public", "leads")},
				catalog.Result{Conflict: "table public.leads (11 columns)"}},
			{"SequenceHoldsNoTypeName", fingerprint.Effect{Object: typ("public", "invoice_numbers")}, catalog.Result{}},
			{"Absent", fingerprint.Effect{Object: typ("public", "status"), Absent: true}, catalog.Result{Holds: true}},
		})
	})

	t.Run("EnumValue", func(t *testing.T) {
		t.Parallel()
		runChecks(t, b.snap, []checkCase{
			{"Present", fingerprint.Effect{Object: obj(fingerprint.KindEnumValue, "public", "mood", "happy")},
				catalog.Result{Holds: true, Exists: true, Found: "enum value 'happy' of public.mood"}},
			{"Missing", fingerprint.Effect{Object: obj(fingerprint.KindEnumValue, "public", "mood", "angry")}, catalog.Result{}},
			{"OtherEnum", fingerprint.Effect{Object: obj(fingerprint.KindEnumValue, "app", "status", "happy")}, catalog.Result{}},
		})
	})

	t.Run("Function", func(t *testing.T) {
		t.Parallel()
		runChecks(t, b.snap, []checkCase{
			{"Present", fingerprint.Effect{Object: obj(fingerprint.KindFunction, "public", "", "touch")},
				catalog.Result{Holds: true, Exists: true, Found: "function public.touch()"}},
			{"AnyArguments", fingerprint.Effect{Object: obj(fingerprint.KindFunction, "app", "", "add")},
				catalog.Result{Holds: true, Exists: true, Found: "function app.add(a integer, b integer); function app.add(a text, b text)"}},
			{"Procedure", fingerprint.Effect{Object: obj(fingerprint.KindFunction, "app", "", "noop")},
				catalog.Result{Holds: true, Exists: true, Found: "procedure app.noop()"}},
			{"Missing", fingerprint.Effect{Object: obj(fingerprint.KindFunction, "public", "", "add")}, catalog.Result{}},
			{"Absent", fingerprint.Effect{Object: obj(fingerprint.KindFunction, "public", "", "add"), Absent: true}, catalog.Result{Holds: true}},
		})
	})

	t.Run("Trigger", func(t *testing.T) {
		t.Parallel()
		trg := func(table, name string) fingerprint.Object {
			return obj(fingerprint.KindTrigger, "public", table, name)
		}
		runChecks(t, b.snap, []checkCase{
			{"Present", fingerprint.Effect{Object: trg("leads", "leads_touch")},
				catalog.Result{Holds: true, Exists: true, Found: "trigger public.leads.leads_touch"}},
			{"Disabled", fingerprint.Effect{Object: trg("leads", "leads_touch_off")},
				catalog.Result{Holds: true, Exists: true, Found: "trigger public.leads.leads_touch_off (disabled)"}},
			{"OtherTable", fingerprint.Effect{Object: trg("dupes", "leads_touch")}, catalog.Result{}},
			{"Missing", fingerprint.Effect{Object: trg("leads", "leads_audit")}, catalog.Result{}},
		})
	})

	t.Run("View", func(t *testing.T) {
		t.Parallel()
		runChecks(t, b.snap, []checkCase{
			{"Present", fingerprint.Effect{Object: obj(fingerprint.KindView, "public", "", "lead_names")},
				catalog.Result{Holds: true, Exists: true, Found: "view public.lead_names"}},
			{"Materialized", fingerprint.Effect{Object: obj(fingerprint.KindView, "public", "", "lead_counts")},
				catalog.Result{Holds: true, Exists: true, Found: "materialized view public.lead_counts"}},
			{"Missing", fingerprint.Effect{Object: obj(fingerprint.KindView, "public", "", "lead_emails")}, catalog.Result{}},
			{"NameHeldByTable", fingerprint.Effect{Object: obj(fingerprint.KindView, "public", "", "leads")},
				catalog.Result{Conflict: "table public.leads (11 columns)"}},
		})
	})

	t.Run("Sequence", func(t *testing.T) {
		t.Parallel()
		runChecks(t, b.snap, []checkCase{
			{"Present", fingerprint.Effect{Object: obj(fingerprint.KindSequence, "public", "", "invoice_numbers")},
				catalog.Result{Holds: true, Exists: true, Found: "sequence public.invoice_numbers"}},
			{"Identity", fingerprint.Effect{Object: obj(fingerprint.KindSequence, "public", "", "leads_id_seq")},
				catalog.Result{Holds: true, Exists: true, Found: "sequence public.leads_id_seq"}},
			{"Missing", fingerprint.Effect{Object: obj(fingerprint.KindSequence, "public", "", "order_numbers")}, catalog.Result{}},
			{"TypeNameIsFree", fingerprint.Effect{Object: obj(fingerprint.KindSequence, "public", "", "mood")}, catalog.Result{}},
		})
	})

	t.Run("Policy", func(t *testing.T) {
		t.Parallel()
		pol := func(table, name string) fingerprint.Object { return obj(fingerprint.KindPolicy, "public", table, name) }
		runChecks(t, b.snap, []checkCase{
			{"Present", fingerprint.Effect{Object: pol("leads", "leads_own")},
				catalog.Result{Holds: true, Exists: true, Found: "policy public.leads.leads_own"}},
			{"Missing", fingerprint.Effect{Object: pol("leads", "leads_other")}, catalog.Result{}},
			{"DroppedHolds", fingerprint.Effect{Object: pol("leads", "leads_other"), Absent: true}, catalog.Result{Holds: true}},
		})
	})

	t.Run("UnknownKind", func(t *testing.T) {
		t.Parallel()
		got := b.snap.Check(fingerprint.Effect{Object: obj("rule", "public", "leads", "r"), Absent: true})
		require.Equal(t, catalog.Result{Drift: `catalog cannot check objects of kind "rule"`}, got)
	})
}

func TestSnapshotTable(t *testing.T) {
	t.Parallel()
	b := setup(t)

	t.Run("Columns", func(t *testing.T) {
		t.Parallel()
		table, ok := b.snap.Table("public", "leads")
		require.True(t, ok)
		table.Rows, table.HeapBytes, table.TotalBytes = 0, 0, 0 // TestSnapshotTableSize
		require.Equal(t, catalog.Table{Schema: "public", Name: "leads", Columns: []catalog.Column{
			{Name: "id", Type: "bigint", NotNull: true, HasDefault: true},
			{Name: "phone_whatsapp", Type: "text"},
			{Name: "name", Type: "character varying(32)", NotNull: true},
			{Name: "created_at", Type: "timestamp with time zone", NotNull: true, HasDefault: true, Default: "now()"},
			{Name: "mood", Type: "mood"},
			{Name: "moods", Type: "mood[]"},
			{Name: "status", Type: "app.status"},
			{Name: "statuses", Type: "app.status[]"},
			{Name: "nick", Type: "app.citext"},
			{Name: "contact", Type: "email"},
			{Name: "score", Type: "numeric(10,2)"},
		}}, table)
	})

	t.Run("ColumnsAreACopy", func(t *testing.T) {
		t.Parallel()
		table, _ := b.snap.Table("public", "dupes")
		table.Columns[0].Name = "changed"
		again, _ := b.snap.Table("public", "dupes")
		require.Equal(t, "email", again.Columns[0].Name)
	})

	t.Run("PartitionedTable", func(t *testing.T) {
		t.Parallel()
		table, ok := b.snap.Table("public", "events")
		require.True(t, ok)
		require.Len(t, table.Columns, 2)
	})

	t.Run("ViewIsNotATable", func(t *testing.T) {
		t.Parallel()
		_, ok := b.snap.Table("public", "lead_names")
		require.False(t, ok)
	})

	t.Run("Missing", func(t *testing.T) {
		t.Parallel()
		_, ok := b.snap.Table("public", "contracts")
		require.False(t, ok)
	})
}

// A table's size comes from pg_class: estimates as of its last VACUUM or ANALYZE.
func TestSnapshotTableSize(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	conn := connect(t, db.DirectURL)
	_, err := conn.Exec(ctx, `CREATE TABLE notes (id bigint PRIMARY KEY, body text);
		INSERT INTO notes SELECT g, repeat('x', 100) FROM generate_series(1, 5000) g`)
	require.NoError(t, err)

	snap, err := catalog.Read(ctx, conn)
	require.NoError(t, err)
	table, ok := snap.Table("public", "notes")
	require.True(t, ok)
	require.Equal(t, int64(-1), table.Rows, "never analyzed: unknown")

	_, err = conn.Exec(ctx, "VACUUM ANALYZE notes")
	require.NoError(t, err)
	snap, err = catalog.Read(ctx, conn)
	require.NoError(t, err)
	table, _ = snap.Table("public", "notes")
	require.Equal(t, int64(5000), table.Rows)
	var heap, total int64
	require.NoError(t, conn.QueryRow(ctx, "SELECT pg_relation_size('notes'), pg_total_relation_size('notes')").Scan(&heap, &total))
	require.Equal(t, heap, table.HeapBytes)
	// pg_total_relation_size also counts the free space and visibility maps, which relpages does not.
	require.Greater(t, table.TotalBytes, table.HeapBytes, "the primary key's index counts")
	require.LessOrEqual(t, table.TotalBytes, total)
}

func TestSnapshotIndex(t *testing.T) {
	t.Parallel()
	b := setup(t)

	t.Run("Valid", func(t *testing.T) {
		t.Parallel()
		idx, ok := b.snap.Index("public", "leads_pkey")
		require.True(t, ok)
		require.Positive(t, idx.SizeBytes) // a btree has at least its metapage
		idx.SizeBytes = 0
		require.Equal(t, catalog.Index{
			Schema: "public", Name: "leads_pkey", Table: "leads", Valid: true, Ready: true,
			Definition: "CREATE UNIQUE INDEX leads_pkey ON public.leads USING btree (id)",
		}, idx)
	})

	t.Run("InvalidAfterFailedConcurrentBuild", func(t *testing.T) {
		t.Parallel()
		idx, ok := b.snap.Index("public", "dupes_email_key")
		require.True(t, ok)
		require.False(t, idx.Valid)
		require.False(t, idx.Ready) // the build itself failed, so the index was never ready
		require.Equal(t, "dupes", idx.Table)
	})

	t.Run("Missing", func(t *testing.T) {
		t.Parallel()
		_, ok := b.snap.Index("public", "leads_phone_idx")
		require.False(t, ok)
	})

	t.Run("TableIsNotAnIndex", func(t *testing.T) {
		t.Parallel()
		_, ok := b.snap.Index("public", "leads")
		require.False(t, ok)
	})
}
