package fingerprint

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func rel(schema, name string) Object { return Object{Kind: KindRelation, Schema: schema, Name: name} }

func TestParseRefs(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		sql     string
		refs    []Object
		unknown bool
	}{
		{name: "CreateTable", sql: `CREATE TABLE leads (
				id bigint PRIMARY KEY,
				parent bigint REFERENCES leads,
				business_id bigint REFERENCES crm.business (id),
				mood mood,
				status app.status NOT NULL DEFAULT 'new',
				LIKE templates.lead_base)`,
			refs: []Object{
				rel("crm", "business"), rel("templates", "lead_base"),
				obj(KindType, "app", "status"), obj(KindType, "public", "mood"),
			}},
		{name: "CreateTempTableIsNotItsOwnRef", sql: "CREATE TEMP TABLE scratch (a int)"},
		{name: "PartitionOf", sql: "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
			refs: []Object{rel("public", "events")}},
		{name: "CreateTableAs", sql: "CREATE TABLE lead_copy AS SELECT * FROM leads",
			refs: []Object{rel("public", "leads")}},
		{name: "InsertWithCTE", sql: "WITH recent AS (SELECT * FROM leads WHERE created_at > now() - interval '1 day') INSERT INTO archive SELECT * FROM recent",
			refs: []Object{obj(KindFunction, "public", "now"), rel("public", "archive"), rel("public", "leads")}},
		{name: "UpdateFrom", sql: "UPDATE leads l SET business_name = b.name FROM crm.business b WHERE b.id = l.business_id",
			refs: []Object{rel("crm", "business"), rel("public", "leads")}},
		{name: "DeleteUsingSubquery", sql: "DELETE FROM leads WHERE id IN (SELECT lead_id FROM spam)",
			refs: []Object{rel("public", "leads"), rel("public", "spam")}},
		{name: "SequenceLiterals", sql: "ALTER TABLE leads ADD COLUMN n bigint DEFAULT nextval('crm.invoice_seq')",
			refs: []Object{obj(KindFunction, "public", "nextval"), rel("crm", "invoice_seq"), rel("public", "leads")}},
		{name: "RegclassLiteral", sql: `SELECT setval('"Invoices"'::regclass, 10)`,
			refs: []Object{obj(KindFunction, "public", "setval"), rel("public", "Invoices")}},
		{name: "CastToUserType", sql: "UPDATE leads SET mood = 'ok'::crm.mood, note = note::text",
			refs: []Object{rel("public", "leads"), obj(KindType, "crm", "mood")}},
		{name: "BuiltinsLeftOut", sql: "SELECT pg_catalog.lower('A'), 1::int, 'x'::varchar(3), '{}'::jsonb, now()::timestamptz",
			refs: []Object{obj(KindFunction, "public", "now")}},
		{name: "AlterColumnType", sql: "ALTER TABLE leads ALTER COLUMN score TYPE bigint",
			refs: []Object{child(KindColumn, "leads", "score"), rel("public", "leads")}},
		{name: "AddColumn", sql: "ALTER TABLE leads ADD COLUMN phone text",
			refs: []Object{rel("public", "leads")}},
		{name: "DropColumn", sql: "ALTER TABLE leads DROP COLUMN phone",
			refs: []Object{child(KindColumn, "leads", "phone"), rel("public", "leads")}},
		{name: "DropColumnIfExists", sql: "ALTER TABLE leads DROP COLUMN IF EXISTS phone",
			refs: []Object{rel("public", "leads")}},
		{name: "ValidateConstraint", sql: "ALTER TABLE leads VALIDATE CONSTRAINT leads_phone_check",
			refs: []Object{child(KindConstraint, "leads", "leads_phone_check"), rel("public", "leads")}},
		{name: "AddForeignKey", sql: "ALTER TABLE leads ADD FOREIGN KEY (business_id) REFERENCES business",
			refs: []Object{rel("public", "business"), rel("public", "leads")}},
		{name: "AddUniqueUsingIndex", sql: "ALTER TABLE leads ADD CONSTRAINT leads_email_key UNIQUE USING INDEX leads_email_uidx",
			refs: []Object{obj(KindIndex, "public", "leads_email_uidx"), rel("public", "leads")}},
		{name: "CreateIndex", sql: "CREATE INDEX CONCURRENTLY leads_email_idx ON crm.leads (lower(email))",
			refs: []Object{obj(KindFunction, "public", "lower"), rel("crm", "leads")}},
		{name: "CreateTrigger", sql: "CREATE TRIGGER leads_touch BEFORE UPDATE ON leads FOR EACH ROW EXECUTE FUNCTION crm.touch()",
			refs: []Object{obj(KindFunction, "crm", "touch"), rel("public", "leads")}},
		{name: "CreateView", sql: "CREATE OR REPLACE VIEW lead_board AS SELECT l.id, b.name FROM leads l JOIN business b ON b.id = l.business_id",
			refs: []Object{rel("public", "business"), rel("public", "leads")}},
		{name: "CreateViewWithCTE", sql: "CREATE VIEW v AS WITH x AS (SELECT 1 AS one) SELECT one FROM x"},
		{name: "FunctionPlpgsqlBodyIsNotAUse", sql: `CREATE FUNCTION touch(m mood) RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN UPDATE audit SET at = now(); RETURN NEW; END $$`,
			refs: []Object{obj(KindType, "public", "mood")}},
		{name: "FunctionSQLBody", sql: "CREATE FUNCTION lead_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM leads'",
			refs: []Object{obj(KindFunction, "public", "count"), rel("public", "leads")}},
		{name: "FunctionSQLBodyUnparsable", sql: "CREATE FUNCTION broken() RETURNS int LANGUAGE sql AS 'SELEC 1'",
			unknown: true},
		{name: "FunctionAtomicBody", sql: "CREATE FUNCTION lead_count() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM leads; END",
			refs: []Object{obj(KindFunction, "public", "count"), rel("public", "leads")}},
		{name: "Do", sql: "DO $$ BEGIN UPDATE leads SET x = 1; END $$", unknown: true},
		{name: "Call", sql: "CALL crm.backfill(10)", refs: []Object{obj(KindFunction, "crm", "backfill")}, unknown: true},
		{name: "Execute", sql: "EXECUTE backfill_plan", unknown: true},
		{name: "DropTables", sql: "DROP TABLE leads, crm.business",
			refs: []Object{obj(KindTable, "crm", "business"), obj(KindTable, "public", "leads")}},
		{name: "DropIfExists", sql: "DROP TABLE IF EXISTS leads"},
		{name: "DropIndex", sql: "DROP INDEX CONCURRENTLY leads_email_idx", refs: []Object{obj(KindIndex, "public", "leads_email_idx")}},
		{name: "RenameColumn", sql: "ALTER TABLE leads RENAME COLUMN phone TO phone_e164",
			refs: []Object{child(KindColumn, "leads", "phone"), rel("public", "leads")}},
		{name: "RenameTable", sql: "ALTER TABLE leads RENAME TO prospects", refs: []Object{rel("public", "leads")}},
		{name: "RenameType", sql: "ALTER TYPE mood RENAME TO feeling", refs: []Object{obj(KindType, "public", "mood")}},
		{name: "AddEnumValue", sql: "ALTER TYPE crm.mood ADD VALUE 'calm'", refs: []Object{obj(KindType, "crm", "mood")}},
		{name: "CommentOnColumn", sql: "COMMENT ON COLUMN crm.leads.phone IS 'E.164'",
			refs: []Object{{Kind: KindColumn, Schema: "crm", Table: "leads", Name: "phone"}}},
		{name: "CommentOnTable", sql: "COMMENT ON TABLE leads IS 'x'", refs: []Object{obj(KindTable, "public", "leads")}},
		{name: "Grant", sql: "GRANT SELECT ON leads TO reporting", refs: []Object{rel("public", "leads")}},
		{name: "Set", sql: "SET lock_timeout = '1s'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := parseOne(t, tt.sql)
			require.Equal(t, tt.refs, st.Refs)
			require.Equal(t, tt.unknown, st.RefsUnknown)
		})
	}

	t.Run("SplitAlterTableRefsPerSubCommand", func(t *testing.T) {
		t.Parallel()
		m, err := Parse("split.sql", "ALTER TABLE leads ADD COLUMN mood mood, DROP CONSTRAINT leads_old_check")
		require.NoError(t, err)
		require.Len(t, m.Statements, 2)
		require.Equal(t, []Object{rel("public", "leads"), obj(KindType, "public", "mood")}, m.Statements[0].Refs)
		require.Equal(t, []Object{child(KindConstraint, "leads", "leads_old_check"), rel("public", "leads")}, m.Statements[1].Refs)
	})

	t.Run("ExplicitKeepsRefs", func(t *testing.T) {
		t.Parallel()
		st := parseOne(t, "-- steady:fingerprint column leads.phone\nUPDATE leads SET phone = b.phone FROM business b")
		require.True(t, st.Explicit)
		require.Equal(t, []Object{rel("public", "business"), rel("public", "leads")}, st.Refs)
	})
}
