package fingerprint

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Helpers that spell expected effects briefly.

func obj(kind Kind, schema, name string) Object {
	return Object{Kind: kind, Schema: schema, Name: name}
}

func child(kind Kind, table, name string) Object {
	return Object{Kind: kind, Schema: "public", Table: table, Name: name}
}

func present(o Object) Effect { return Effect{Object: o} }

func absent(o Object) Effect { return Effect{Object: o, Absent: true} }

func column(table, name, typ string, notNull, hasDefault bool) Effect {
	return Effect{Object: child(KindColumn, table, name), Type: typ, NotNull: &notNull, HasDefault: &hasDefault}
}

// chosen marks a name PostgreSQL chose, not the statement.
func chosen(e Effect) Effect {
	e.NameChosen = true
	return e
}

// backing is the index a primary key or unique constraint builds under its chosen name.
func backing(schema, table, name string) Effect {
	return Effect{Object: Object{Kind: KindIndex, Schema: schema, Table: table, Name: name}, NameChosen: true, BacksConstraint: true}
}

// cascade marks a DROP … CASCADE.
func cascade(e Effect) Effect {
	e.Cascade = true
	return e
}

func withDefault(e Effect, def string) Effect {
	e.Default = def
	return e
}

func constraint(table, name string, validated bool, definition string) Effect {
	return Effect{Object: child(KindConstraint, table, name), Validated: validated, Definition: definition}
}

// parseOne parses sql, which must hold exactly one statement after splitting.
func parseOne(t *testing.T, sql string) Statement {
	t.Helper()
	m, err := Parse("test.sql", sql)
	require.NoError(t, err)
	require.Len(t, m.Statements, 1)
	return m.Statements[0]
}

func TestParseStatements(t *testing.T) {
	t.Parallel()

	sql := `-- steady:no-transaction
-- A header comment.

/* a block
   comment */
CREATE TABLE a (id int);   -- trailing comment

   -- indented comment
SELECT 'x;y'; SELECT 2;
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$
  SELECT 1; -- steady:not-a-directive inside a body
$$;
INSERT INTO a VALUES (1)
-- after the last statement
`
	m, err := Parse("0001_x.sql", sql)
	require.NoError(t, err)
	require.True(t, m.NoTransaction)

	type want struct {
		line int
		node string
		sql  string
	}
	var got []want
	for i, st := range m.Statements {
		require.Equal(t, i, st.Index)
		got = append(got, want{st.Line, st.Node, st.SQL})
	}
	require.Equal(t, []want{
		{6, "CreateStmt", "CREATE TABLE a (id int)"},
		{9, "SelectStmt", "SELECT 'x;y'"},
		{9, "SelectStmt", "SELECT 2"},
		{10, "CreateFunctionStmt", "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$\n  SELECT 1; -- steady:not-a-directive inside a body\n$$"},
		{13, "InsertStmt", "INSERT INTO a VALUES (1)"},
	}, got)

	t.Run("ByteOrderMark", func(t *testing.T) {
		t.Parallel()
		m, err := Parse("bom.sql", "\ufeffSELECT 1;\nSELECT 2;")
		require.NoError(t, err)
		require.Len(t, m.Statements, 2)
		require.Equal(t, "SELECT 1", m.Statements[0].SQL)
		require.Equal(t, 2, m.Statements[1].Line)
	})

	t.Run("Empty", func(t *testing.T) {
		t.Parallel()
		m, err := Parse("empty.sql", "-- nothing here\n")
		require.NoError(t, err)
		require.Empty(t, m.Statements)
		require.False(t, m.NoTransaction)
	})
}

func TestParseDerivedEffects(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name     string
		sql      string
		effects  []Effect
		replaces bool
	}{
		{name: "Schema", sql: "CREATE SCHEMA IF NOT EXISTS crm",
			effects: []Effect{present(Object{Kind: KindSchema, Name: "crm"})}},
		{name: "SchemaAuthorization", sql: "CREATE SCHEMA AUTHORIZATION joe",
			effects: []Effect{present(Object{Kind: KindSchema, Name: "joe"})}},
		{name: "SchemaAuthorizationCurrentUser", sql: "CREATE SCHEMA AUTHORIZATION CURRENT_USER"},
		{name: "Extension", sql: "CREATE EXTENSION IF NOT EXISTS citext",
			effects: []Effect{present(Object{Kind: KindExtension, Name: "citext"})}},
		{name: "Table", sql: `CREATE TABLE Leads (
				id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
				business_id bigint NOT NULL REFERENCES business,
				email text UNIQUE,
				status text NOT NULL DEFAULT 'new',
				score int CHECK (score >= 0),
				total int GENERATED ALWAYS AS (score * 2) STORED,
				CONSTRAINT leads_status_check CHECK (status <> '') NOT VALID
			)`,
			effects: []Effect{
				present(obj(KindTable, "public", "leads")),
				column("leads", "id", "bigint", true, true), // an identity counts as a default, as in internal/catalog
				column("leads", "business_id", "bigint", true, false),
				column("leads", "email", "text", false, false),
				withDefault(column("leads", "status", "text", true, true), "'new'"),
				column("leads", "score", "integer", false, false),
				column("leads", "total", "integer", false, true),
				chosen(constraint("leads", "leads_pkey", true, "PRIMARY KEY (id)")),
				backing("public", "leads", "leads_pkey"), // the index the primary key builds
				chosen(constraint("leads", "leads_business_id_fkey", true, "FOREIGN KEY (business_id) REFERENCES business")),
				chosen(constraint("leads", "leads_email_key", true, "UNIQUE (email)")),
				backing("public", "leads", "leads_email_key"),
				chosen(constraint("leads", "leads_score_check", true, "CHECK (score >= '0')")),
				constraint("leads", "leads_status_check", true, "CHECK (status <> '')"),                      // CREATE TABLE ignores NOT VALID
				{Object: Object{Kind: KindSequence, Schema: "public", Table: "leads", Name: "leads_id_seq"}}, // the identity's sequence
			}},
		{name: "TableConstraints", sql: `CREATE TABLE crm.pairs (
				a int, b int, c serial,
				PRIMARY KEY (a, b),
				UNIQUE (b, c),
				FOREIGN KEY (c) REFERENCES other,
				CHECK (a > 0), CHECK (a < 10), CHECK (a < b),
				CONSTRAINT pairs_named_fk FOREIGN KEY (a) REFERENCES other
			)`,
			effects: []Effect{
				present(obj(KindTable, "crm", "pairs")),
				{Object: Object{Kind: KindColumn, Schema: "crm", Table: "pairs", Name: "a"}, Type: "integer", NotNull: ptr(true), HasDefault: ptr(false)},
				{Object: Object{Kind: KindColumn, Schema: "crm", Table: "pairs", Name: "b"}, Type: "integer", NotNull: ptr(true), HasDefault: ptr(false)},
				{Object: Object{Kind: KindColumn, Schema: "crm", Table: "pairs", Name: "c"}, Type: "integer", NotNull: ptr(true), HasDefault: ptr(true)},
				{Object: Object{Kind: KindConstraint, Schema: "crm", Table: "pairs", Name: "pairs_pkey"}, Validated: true, Definition: "PRIMARY KEY (a, b)", NameChosen: true},
				backing("crm", "pairs", "pairs_pkey"),
				{Object: Object{Kind: KindConstraint, Schema: "crm", Table: "pairs", Name: "pairs_b_c_key"}, Validated: true, Definition: "UNIQUE (b, c)", NameChosen: true},
				backing("crm", "pairs", "pairs_b_c_key"),
				{Object: Object{Kind: KindConstraint, Schema: "crm", Table: "pairs", Name: "pairs_c_fkey"}, Validated: true, Definition: "FOREIGN KEY (c) REFERENCES other", NameChosen: true},
				{Object: Object{Kind: KindConstraint, Schema: "crm", Table: "pairs", Name: "pairs_a_check"}, Validated: true, Definition: "CHECK (a > '0')", NameChosen: true},
				{Object: Object{Kind: KindConstraint, Schema: "crm", Table: "pairs", Name: "pairs_a_check1"}, Validated: true, Definition: "CHECK (a < '10')", NameChosen: true},
				{Object: Object{Kind: KindConstraint, Schema: "crm", Table: "pairs", Name: "pairs_named_fk"}, Validated: true, Definition: "FOREIGN KEY (a) REFERENCES other"},
				{Object: Object{Kind: KindSequence, Schema: "crm", Table: "pairs", Name: "pairs_c_seq"}}, // serial's sequence
			}},
		{name: "TableLongNamesTruncated", sql: "CREATE TABLE a_table_name_that_is_long_enough_to_need_truncation (" +
			"a_column_name_that_is_also_very_long_for_an_identifier int UNIQUE)",
			effects: []Effect{
				present(obj(KindTable, "public", "a_table_name_that_is_long_enough_to_need_truncation")),
				column("a_table_name_that_is_long_enough_to_need_truncation", "a_column_name_that_is_also_very_long_for_an_identifier", "integer", false, false),
				chosen(constraint("a_table_name_that_is_long_enough_to_need_truncation", "a_table_name_that_is_long_eno_a_column_name_that_is_also_ve_key", true,
					"UNIQUE (a_column_name_that_is_also_very_long_for_an_identifier)")),
				backing("public", "a_table_name_that_is_long_enough_to_need_truncation", "a_table_name_that_is_long_eno_a_column_name_that_is_also_ve_key"),
			}},
		// One index for the key: PostgreSQL does not create a UNIQUE that repeats the primary key.
		{name: "UniqueRepeatingThePrimaryKey", sql: "CREATE TABLE codes (code varchar(2) PRIMARY KEY NOT NULL UNIQUE)",
			effects: []Effect{
				present(obj(KindTable, "public", "codes")),
				column("codes", "code", "character varying(2)", true, false),
				chosen(constraint("codes", "codes_pkey", true, "PRIMARY KEY (code)")),
				backing("public", "codes", "codes_pkey"),
			}},
		// …and a named one gives the primary key its name.
		{name: "NamedUniqueRepeatingThePrimaryKey", sql: "CREATE TABLE codes (code text PRIMARY KEY, CONSTRAINT codes_code_u UNIQUE (code))",
			effects: []Effect{
				present(obj(KindTable, "public", "codes")),
				column("codes", "code", "text", true, false),
				constraint("codes", "codes_code_u", true, "PRIMARY KEY (code)"),
				{Object: Object{Kind: KindIndex, Schema: "public", Table: "codes", Name: "codes_code_u"}, BacksConstraint: true},
			}},
		{name: "TempTable", sql: "CREATE TEMP TABLE scratch (a int)"},
		// Conditional DDL in a DO block: whichever branch runs, the constraint is there after it.
		{name: "DoBlockConditionalConstraint", sql: `DO $$ BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'leads_email_key') THEN
		ALTER TABLE leads ADD CONSTRAINT leads_email_key UNIQUE (email);
	END IF;
END $$`,
			effects: []Effect{constraint("leads", "leads_email_key", true, "UNIQUE (email)"),
				{Object: Object{Kind: KindIndex, Schema: "public", Table: "leads", Name: "leads_email_key"}, BacksConstraint: true}}},
		{name: "Policy", sql: "CREATE POLICY own_rows ON app.notes FOR SELECT TO authenticated USING (auth.uid() = user_id)",
			effects: []Effect{present(Object{Kind: KindPolicy, Schema: "app", Table: "notes", Name: "own_rows"})}},
		{name: "DropPolicy", sql: "DROP POLICY IF EXISTS own_rows ON notes",
			effects: []Effect{absent(child(KindPolicy, "notes", "own_rows"))}},
		{name: "RenamePolicy", sql: "ALTER POLICY own_rows ON notes RENAME TO owner_rows",
			effects: []Effect{present(child(KindPolicy, "notes", "owner_rows")), absent(child(KindPolicy, "notes", "own_rows"))}},
		{name: "TableAs", sql: "CREATE TABLE snapshot AS SELECT 1 AS one",
			effects: []Effect{present(obj(KindTable, "public", "snapshot"))}},
		{name: "Index", sql: "CREATE UNIQUE INDEX IF NOT EXISTS leads_email_idx ON crm.leads (lower(email))",
			effects: []Effect{{Object: Object{Kind: KindIndex, Schema: "crm", Table: "leads", Name: "leads_email_idx"},
				Definition: "CREATE UNIQUE INDEX leads_email_idx ON leads USING btree (lower(email))"}}},
		{name: "IndexDefaultName", sql: "CREATE INDEX ON leads (lower(email), business_id) INCLUDE (status)",
			effects: []Effect{{Object: child(KindIndex, "leads", "leads_lower_business_id_status_idx"),
				Definition: "CREATE INDEX leads_lower_business_id_status_idx ON leads USING btree (lower(email), business_id) INCLUDE (status)"}}},
		{name: "IndexConcurrently", sql: "CREATE INDEX CONCURRENTLY IF NOT EXISTS leads_email_idx ON leads (email) TABLESPACE fast",
			effects: []Effect{{Object: child(KindIndex, "leads", "leads_email_idx"),
				Definition: "CREATE INDEX leads_email_idx ON leads USING btree (email)"}}},
		{name: "IndexConcurrentlyDefaultName", sql: "CREATE UNIQUE INDEX CONCURRENTLY ON leads (email) WHERE deleted_at IS NULL",
			effects: []Effect{{Object: child(KindIndex, "leads", "leads_email_idx"),
				Definition: "CREATE UNIQUE INDEX leads_email_idx ON leads USING btree (email) WHERE deleted_at IS NULL"}}},
		{name: "Enum", sql: "CREATE TYPE mood AS ENUM ('Happy', 'in between')",
			effects: []Effect{
				present(obj(KindType, "public", "mood")),
				present(child(KindEnumValue, "mood", "Happy")),
				present(child(KindEnumValue, "mood", "in between")),
			}},
		{name: "EnumAddValue", sql: "ALTER TYPE crm.mood ADD VALUE IF NOT EXISTS 'calm' BEFORE 'sad'",
			effects: []Effect{present(Object{Kind: KindEnumValue, Schema: "crm", Table: "mood", Name: "calm"})}},
		{name: "EnumRenameValue", sql: "ALTER TYPE mood RENAME VALUE 'sad' TO 'blue'",
			effects: []Effect{present(child(KindEnumValue, "mood", "blue")), absent(child(KindEnumValue, "mood", "sad"))}},
		{name: "CompositeType", sql: "CREATE TYPE pair AS (a int, b text)",
			effects: []Effect{present(obj(KindType, "public", "pair"))}},
		{name: "Domain", sql: "CREATE DOMAIN crm.posint AS integer CHECK (VALUE > 0)",
			effects: []Effect{present(obj(KindType, "crm", "posint"))}},
		{name: "RangeType", sql: "CREATE TYPE floatrange AS RANGE (subtype = float8)",
			effects: []Effect{present(obj(KindType, "public", "floatrange"))}},
		{name: "Function", sql: "CREATE FUNCTION crm.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
			effects: []Effect{{Object: obj(KindFunction, "crm", "touch"), Source: " BEGIN RETURN NEW; END "}}},
		{name: "FunctionEscapedString", sql: `CREATE FUNCTION greet() RETURNS text LANGUAGE sql AS E'SELECT ''hi''\t'`,
			effects: []Effect{{Object: obj(KindFunction, "public", "greet"), Source: "SELECT 'hi'\t"}}},
		{name: "FunctionAtomicBody", sql: "CREATE FUNCTION one() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END",
			effects: []Effect{present(obj(KindFunction, "public", "one"))}},
		{name: "FunctionReturnBody", sql: "CREATE FUNCTION one() RETURNS int LANGUAGE sql RETURN 1",
			effects: []Effect{present(obj(KindFunction, "public", "one"))}},
		{name: "FunctionC", sql: "CREATE FUNCTION add_one(int) RETURNS int LANGUAGE C AS 'funcs', 'add_one_v2'",
			effects: []Effect{{Object: obj(KindFunction, "public", "add_one"), Source: "add_one_v2"}}},
		{name: "FunctionCDefaultSymbol", sql: "CREATE FUNCTION add_one(int) RETURNS int LANGUAGE c AS 'funcs'",
			effects: []Effect{{Object: obj(KindFunction, "public", "add_one"), Source: "add_one"}}},
		{name: "FunctionOrReplace", sql: "CREATE OR REPLACE FUNCTION touch() RETURNS int LANGUAGE sql AS 'SELECT 1'",
			effects: []Effect{{Object: obj(KindFunction, "public", "touch"), Source: "SELECT 1"}}, replaces: true},
		{name: "Procedure", sql: "CREATE PROCEDURE cleanup() LANGUAGE sql AS 'SELECT 1'",
			effects: []Effect{{Object: obj(KindFunction, "public", "cleanup"), Source: "SELECT 1"}}},
		{name: "Trigger", sql: "CREATE TRIGGER leads_touch BEFORE UPDATE ON leads FOR EACH ROW EXECUTE FUNCTION touch()",
			effects: []Effect{present(child(KindTrigger, "leads", "leads_touch"))}},
		{name: "View", sql: "CREATE VIEW crm.lead_board AS SELECT 1 AS one",
			effects: []Effect{{Object: obj(KindView, "crm", "lead_board"), Columns: []string{"one"}}}},
		{name: "ViewOrReplace", sql: "CREATE OR REPLACE VIEW lead_board AS SELECT 1 AS one",
			effects: []Effect{{Object: obj(KindView, "public", "lead_board"), Columns: []string{"one"}}}, replaces: true},
		{name: "ViewStar", sql: "CREATE VIEW lead_board AS SELECT l.*, 1 AS one FROM leads l",
			effects: []Effect{present(obj(KindView, "public", "lead_board"))}},
		{name: "MaterializedView", sql: "CREATE MATERIALIZED VIEW stats AS SELECT 1 AS one",
			effects: []Effect{{Object: obj(KindView, "public", "stats"), Columns: []string{"one"}}}},
		{name: "MaterializedViewColumnList", sql: "CREATE MATERIALIZED VIEW stats (total) AS SELECT count(*), max(id) FROM leads",
			effects: []Effect{{Object: obj(KindView, "public", "stats"), Columns: []string{"total", "max"}}}},
		{name: "Sequence", sql: "CREATE SEQUENCE IF NOT EXISTS invoice_no",
			effects: []Effect{present(obj(KindSequence, "public", "invoice_no"))}},

		{name: "AddColumn", sql: "ALTER TABLE leads ADD COLUMN IF NOT EXISTS phone varchar(20) NOT NULL DEFAULT '' CONSTRAINT leads_phone_check CHECK (phone <> '') REFERENCES phones (number)",
			effects: []Effect{
				withDefault(column("leads", "phone", "character varying(20)", true, true), "''"),
				constraint("leads", "leads_phone_check", true, "CHECK (phone <> '')"),
				chosen(constraint("leads", "leads_phone_fkey", true, "FOREIGN KEY (phone) REFERENCES phones (number)")),
			}},
		{name: "DropColumn", sql: "ALTER TABLE leads DROP COLUMN IF EXISTS whatsapp_jid",
			effects: []Effect{absent(child(KindColumn, "leads", "whatsapp_jid"))}},
		{name: "AlterColumnType", sql: "ALTER TABLE leads ALTER COLUMN score TYPE bigint USING score::bigint",
			effects: []Effect{{Object: child(KindColumn, "leads", "score"), Alter: true, Type: "bigint"}}},
		{name: "SetNotNull", sql: "ALTER TABLE leads ALTER COLUMN status SET NOT NULL",
			effects: []Effect{{Object: child(KindColumn, "leads", "status"), Alter: true, NotNull: ptr(true)}}},
		{name: "DropNotNull", sql: "ALTER TABLE leads ALTER status DROP NOT NULL",
			effects: []Effect{{Object: child(KindColumn, "leads", "status"), Alter: true, NotNull: ptr(false)}}},
		{name: "SetDefault", sql: "ALTER TABLE leads ALTER COLUMN status SET DEFAULT 'new'",
			effects: []Effect{{Object: child(KindColumn, "leads", "status"), Alter: true, HasDefault: ptr(true), Default: "'new'"}}},
		{name: "DropDefault", sql: "ALTER TABLE leads ALTER COLUMN status DROP DEFAULT",
			effects: []Effect{{Object: child(KindColumn, "leads", "status"), Alter: true, HasDefault: ptr(false)}}},
		{name: "AddConstraint", sql: "ALTER TABLE leads ADD CONSTRAINT leads_status_check CHECK (status ~ '^[a-z]+$')",
			effects: []Effect{constraint("leads", "leads_status_check", true, "CHECK (status ~ '^[a-z]+$')")}},
		{name: "AddConstraintNotValid", sql: "ALTER TABLE leads ADD CONSTRAINT leads_status_check CHECK (status <> '') NOT VALID",
			effects: []Effect{constraint("leads", "leads_status_check", false, "CHECK (status <> '')")}},
		{name: "AddPrimaryKeyUnnamed", sql: "ALTER TABLE leads ADD PRIMARY KEY (id)",
			effects: []Effect{chosen(constraint("leads", "leads_pkey", true, "PRIMARY KEY (id)")), backing("public", "leads", "leads_pkey")}},
		{name: "AddUniqueUnnamed", sql: "ALTER TABLE leads ADD UNIQUE (email)",
			effects: []Effect{chosen(constraint("leads", "leads_email_key", true, "UNIQUE (email)")), backing("public", "leads", "leads_email_key")}},
		{name: "AddForeignKeyUnnamed", sql: "ALTER TABLE leads ADD FOREIGN KEY (business_id) REFERENCES business NOT VALID",
			effects: []Effect{chosen(constraint("leads", "leads_business_id_fkey", false, "FOREIGN KEY (business_id) REFERENCES business"))}},
		{name: "AddCheckUnnamedOneColumn", sql: "ALTER TABLE leads ADD CHECK (score > 0 AND score < 100)",
			effects: []Effect{chosen(constraint("leads", "leads_score_check", true, "CHECK (score > '0' AND score < '100')"))}},
		{name: "AddCheckUnnamedTwoColumns", sql: "ALTER TABLE leads ADD CHECK (score > bonus)"},
		{name: "AddUniqueUsingIndex", sql: "ALTER TABLE leads ADD UNIQUE USING INDEX leads_email_uidx",
			effects: []Effect{constraint("leads", "leads_email_uidx", true, "")}}, // the index defines it
		// PostgreSQL renames the index to the constraint's name (seen in published histories).
		{name: "AddNamedUniqueUsingIndexRenamesIt", sql: "ALTER TABLE leads ADD CONSTRAINT leads_email_key UNIQUE USING INDEX leads_email_uidx",
			effects: []Effect{constraint("leads", "leads_email_key", true, ""),
				{Object: Object{Kind: KindIndex, Schema: "public", Table: "leads", Name: "leads_email_key"}, BacksConstraint: true},
				absent(Object{Kind: KindIndex, Schema: "public", Name: "leads_email_uidx"})}},
		{name: "ValidateConstraint", sql: "ALTER TABLE leads VALIDATE CONSTRAINT leads_status_check",
			effects: []Effect{{Object: child(KindConstraint, "leads", "leads_status_check"), Alter: true, Validated: true}}},
		{name: "DropConstraint", sql: "ALTER TABLE leads DROP CONSTRAINT IF EXISTS leads_status_check",
			effects: []Effect{absent(child(KindConstraint, "leads", "leads_status_check"))}},
		{name: "OtherAlterTable", sql: "ALTER TABLE leads ALTER COLUMN notes SET STORAGE EXTERNAL"},
		{name: "AlterIndex", sql: "ALTER INDEX leads_email_idx SET (fillfactor = 70)"},

		{name: "RenameTable", sql: "ALTER TABLE leads RENAME TO prospects",
			effects: []Effect{present(obj(KindTable, "public", "prospects")), absent(obj(KindTable, "public", "leads"))}},
		{name: "RenameColumn", sql: "ALTER TABLE business RENAME COLUMN phone TO phone_e164",
			effects: []Effect{present(child(KindColumn, "business", "phone_e164")), absent(child(KindColumn, "business", "phone"))}},
		{name: "RenameConstraint", sql: "ALTER TABLE leads RENAME CONSTRAINT a TO b",
			effects: []Effect{present(child(KindConstraint, "leads", "b")), absent(child(KindConstraint, "leads", "a"))}},
		{name: "RenameIndex", sql: "ALTER INDEX crm.a RENAME TO b",
			effects: []Effect{present(obj(KindIndex, "crm", "b")), absent(obj(KindIndex, "crm", "a"))}},
		{name: "RenameType", sql: "ALTER TYPE mood RENAME TO feeling",
			effects: []Effect{present(obj(KindType, "public", "feeling")), absent(obj(KindType, "public", "mood"))}},
		{name: "RenameView", sql: "ALTER VIEW a RENAME TO b",
			effects: []Effect{present(obj(KindView, "public", "b")), absent(obj(KindView, "public", "a"))}},
		{name: "RenameMaterializedView", sql: "ALTER MATERIALIZED VIEW a RENAME TO b",
			effects: []Effect{present(obj(KindView, "public", "b")), absent(obj(KindView, "public", "a"))}},
		{name: "RenameTrigger", sql: "ALTER TRIGGER a ON leads RENAME TO b",
			effects: []Effect{present(child(KindTrigger, "leads", "b")), absent(child(KindTrigger, "leads", "a"))}},
		{name: "RenameSequence", sql: "ALTER SEQUENCE a RENAME TO b",
			effects: []Effect{present(obj(KindSequence, "public", "b")), absent(obj(KindSequence, "public", "a"))}},
		{name: "RenameSchema", sql: "ALTER SCHEMA a RENAME TO b",
			effects: []Effect{present(Object{Kind: KindSchema, Name: "b"}), absent(Object{Kind: KindSchema, Name: "a"})}},
		{name: "RenameFunction", sql: "ALTER FUNCTION a(int) RENAME TO b",
			effects: []Effect{present(obj(KindFunction, "public", "b")), absent(obj(KindFunction, "public", "a"))}},

		{name: "DropTables", sql: "DROP TABLE IF EXISTS a, crm.b CASCADE",
			effects: []Effect{cascade(absent(obj(KindTable, "public", "a"))), cascade(absent(obj(KindTable, "crm", "b")))}},
		{name: "DropView", sql: "DROP VIEW a", effects: []Effect{absent(obj(KindView, "public", "a"))}},
		{name: "DropMaterializedView", sql: "DROP MATERIALIZED VIEW a", effects: []Effect{absent(obj(KindView, "public", "a"))}},
		{name: "DropIndex", sql: "DROP INDEX CONCURRENTLY IF EXISTS a", effects: []Effect{absent(obj(KindIndex, "public", "a"))}},
		{name: "DropSequence", sql: "DROP SEQUENCE a", effects: []Effect{absent(obj(KindSequence, "public", "a"))}},
		{name: "DropTypes", sql: "DROP TYPE a, crm.b",
			effects: []Effect{absent(obj(KindType, "public", "a")), absent(obj(KindType, "crm", "b"))}},
		{name: "DropDomain", sql: "DROP DOMAIN a", effects: []Effect{absent(obj(KindType, "public", "a"))}},
		{name: "DropFunctions", sql: "DROP FUNCTION a(int), crm.b",
			effects: []Effect{absent(obj(KindFunction, "public", "a")), absent(obj(KindFunction, "crm", "b"))}},
		{name: "DropProcedure", sql: "DROP PROCEDURE a", effects: []Effect{absent(obj(KindFunction, "public", "a"))}},
		{name: "DropTrigger", sql: "DROP TRIGGER IF EXISTS a ON crm.leads",
			effects: []Effect{absent(Object{Kind: KindTrigger, Schema: "crm", Table: "leads", Name: "a"})}},
		{name: "DropSchema", sql: "DROP SCHEMA a", effects: []Effect{absent(Object{Kind: KindSchema, Name: "a"})}},
		{name: "DropExtension", sql: "DROP EXTENSION a", effects: []Effect{absent(Object{Kind: KindExtension, Name: "a"})}},
		{name: "DropRole", sql: "DROP ROLE a"},

		{name: "Insert", sql: "INSERT INTO a VALUES (1)"},
		{name: "Update", sql: "UPDATE a SET b = 1"},
		{name: "Delete", sql: "DELETE FROM a"},
		{name: "Grant", sql: "GRANT SELECT ON a TO b"},
		{name: "Comment", sql: "COMMENT ON TABLE a IS 'x'"},
		{name: "Do", sql: "DO $$ BEGIN END $$"},
		{name: "Set", sql: "SET lock_timeout = '1s'"},
		{name: "Select", sql: "SELECT 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := parseOne(t, tt.sql)
			require.Equal(t, tt.effects, st.Effects)
			require.Equal(t, len(tt.effects) > 0, st.Verifiable())
			require.Equal(t, tt.replaces, st.Replaces)
			require.False(t, st.Explicit)
			require.Equal(t, strings.HasPrefix(tt.name, "DoBlock"), st.FromBody, "a DO block's effects are evidence only")
		})
	}
}

func TestParseColumnTypes(t *testing.T) {
	t.Parallel()

	tests := []struct{ decl, want string }{
		{"int", "integer"}, {"integer", "integer"}, {"int4", "integer"},
		{"bigint", "bigint"}, {"int8", "bigint"}, {"smallint", "smallint"}, {"int2", "smallint"},
		{"serial", "integer"}, {"serial4", "integer"}, {"bigserial", "bigint"}, {"smallserial", "smallint"},
		{"varchar", "character varying"}, {"varchar(255)", "character varying(255)"},
		{"character varying(5)", "character varying(5)"},
		{"char", "character(1)"}, {"char(3)", "character(3)"}, {"character(2)", "character(2)"},
		{"bpchar(4)", "character(4)"}, {"bpchar", "bpchar"}, {`"char"`, `"char"`},
		{"text", "text"}, {"bool", "boolean"}, {"boolean", "boolean"},
		{"float8", "double precision"}, {"double precision", "double precision"}, {"float", "double precision"},
		{"float4", "real"}, {"real", "real"}, {"float(10)", "real"},
		{"numeric", "numeric"}, {"numeric(10,2)", "numeric(10,2)"}, {"numeric(20, 0)", "numeric(20,0)"},
		{"numeric(10)", "numeric(10,0)"}, {"decimal(5,1)", "numeric(5,1)"},
		{"timestamptz", "timestamp with time zone"}, {"timestamp with time zone", "timestamp with time zone"},
		{"timestamp", "timestamp without time zone"}, {"timestamp(3)", "timestamp(3) without time zone"},
		{"timestamp(3) with time zone", "timestamp(3) with time zone"}, {"timestamptz(6)", "timestamp(6) with time zone"},
		{"time", "time without time zone"}, {"time(2)", "time(2) without time zone"},
		{"timetz", "time with time zone"}, {"time(2) with time zone", "time(2) with time zone"},
		{"date", "date"}, {"interval", "interval"}, {"interval(3)", "interval(3)"},
		{"interval day to second(2)", "interval day to second(2)"}, {"interval year to month", "interval year to month"},
		{"uuid", "uuid"}, {"json", "json"}, {"jsonb", "jsonb"}, {"bytea", "bytea"}, {"inet", "inet"},
		{"citext", "citext"}, {"public.citext", "citext"}, {"pg_catalog.int4", "integer"}, {"pg_catalog.text", "text"},
		{"bit", "bit(1)"}, {"bit(3)", "bit(3)"}, {"varbit", "bit varying"}, {"bit varying(5)", "bit varying(5)"},
		{"text[]", "text[]"}, {"integer[]", "integer[]"}, {"int[][]", "integer[]"},
		{"varchar(20)[]", "character varying(20)[]"}, {"text ARRAY", "text[]"},
		{"mood", "mood"}, {"public.mood", "mood"}, {"crm.stage", "crm.stage"}, {"mood[]", "mood[]"},
		{`"Status"`, `"Status"`}, {`crm."Kind"`, `crm."Kind"`}, {`"user"`, `"user"`},
		{"geometry(Point, 4326)", ""}, // modifiers only the type's typmodout can print: not checked
	}
	for _, tt := range tests {
		t.Run(tt.decl, func(t *testing.T) {
			t.Parallel()
			st := parseOne(t, "ALTER TABLE t ADD COLUMN c "+tt.decl)
			require.Equal(t, tt.want, st.Effects[0].Type)
		})
	}
}

func TestParseSplitsAlterTable(t *testing.T) {
	t.Parallel()

	sql := `CREATE TABLE leads (id int);

ALTER TABLE ONLY crm."Leads"
    ADD COLUMN phone text NOT NULL DEFAULT '',
    DROP COLUMN IF EXISTS jid,
    ALTER COLUMN score TYPE bigint USING score::bigint,
    ADD CONSTRAINT leads_phone_check CHECK (phone ~ '^\+[0-9]+$') NOT VALID,
    ALTER COLUMN notes SET STORAGE EXTERNAL;
`
	m, err := Parse("split.sql", sql)
	require.NoError(t, err)
	require.Len(t, m.Statements, 6)

	leads := func(kind Kind, name string) Object {
		return Object{Kind: kind, Schema: "crm", Table: "Leads", Name: name}
	}
	want := []struct {
		sql     string
		effects []Effect
	}{
		{`ALTER TABLE ONLY crm."Leads" ADD COLUMN phone text NOT NULL DEFAULT ''`,
			[]Effect{{Object: leads(KindColumn, "phone"), Type: "text", NotNull: ptr(true), HasDefault: ptr(true), Default: "''"}}},
		{`ALTER TABLE ONLY crm."Leads" DROP IF EXISTS jid`,
			[]Effect{{Object: leads(KindColumn, "jid"), Absent: true}}},
		{`ALTER TABLE ONLY crm."Leads" ALTER COLUMN score TYPE bigint USING score::bigint`,
			[]Effect{{Object: leads(KindColumn, "score"), Alter: true, Type: "bigint"}}},
		{`ALTER TABLE ONLY crm."Leads" ADD CONSTRAINT leads_phone_check CHECK (phone ~ E'^\\+[0-9]+$') NOT VALID`,
			[]Effect{{Object: leads(KindConstraint, "leads_phone_check"), Definition: `CHECK (phone ~ E'^\\+[0-9]+$')`}}},
		{`ALTER TABLE ONLY crm."Leads" ALTER COLUMN notes SET STORAGE external`, nil},
	}
	for i, w := range want {
		st := m.Statements[i+1]
		require.Equal(t, i+1, st.Index)
		require.Equal(t, 3, st.Line, "split statements keep the line of the ALTER TABLE")
		require.Equal(t, "AlterTableStmt", st.Node)
		require.Equal(t, w.sql, st.SQL)
		require.Equal(t, w.effects, st.Effects)

		// The deparsed text is SQL the parser reads back to the same statement.
		again := parseOne(t, st.SQL)
		require.Equal(t, st.SQL, again.SQL)
		require.Equal(t, st.Effects, again.Effects)
	}

	t.Run("SingleSubCommandKeepsItsText", func(t *testing.T) {
		t.Parallel()
		st := parseOne(t, "alter table leads\n  add column x int")
		require.Equal(t, "alter table leads\n  add column x int", st.SQL)
	})

	t.Run("ExplicitIsNotSplit", func(t *testing.T) {
		t.Parallel()
		st := parseOne(t, "-- steady:fingerprint column leads.a\nALTER TABLE leads ADD COLUMN a int, ADD COLUMN b int")
		require.True(t, st.Explicit)
		require.Equal(t, "ALTER TABLE leads ADD COLUMN a int, ADD COLUMN b int", st.SQL)
		require.Equal(t, []Effect{present(child(KindColumn, "leads", "a"))}, st.Effects)
	})
}

func TestParseDirectives(t *testing.T) {
	t.Parallel()

	t.Run("Fingerprint", func(t *testing.T) {
		t.Parallel()
		sql := `CREATE TABLE a (id int);

-- steady:fingerprint constraint contract_templates.contract_templates_builtin_key_key
-- steady:fingerprint   index crm.seeded_idx
-- an ordinary comment in between

--steady:fingerprint enum_value crm.Mood."In Between" absent
INSERT INTO contract_templates VALUES (1);
-- steady:fingerprint column "Leads".Phone
UPDATE "Leads" SET "Phone" = '';
`
		m, err := Parse("directives.sql", sql)
		require.NoError(t, err)
		require.Len(t, m.Statements, 3)
		require.False(t, m.NoTransaction)

		require.False(t, m.Statements[0].Explicit)
		insert := m.Statements[1]
		require.True(t, insert.Explicit)
		require.Equal(t, 8, insert.Line)
		require.Equal(t, []Effect{
			present(child(KindConstraint, "contract_templates", "contract_templates_builtin_key_key")),
			present(obj(KindIndex, "crm", "seeded_idx")),
			absent(Object{Kind: KindEnumValue, Schema: "crm", Table: "mood", Name: "In Between"}),
		}, insert.Effects)
		require.Equal(t, []Effect{present(child(KindColumn, "Leads", "phone"))}, m.Statements[2].Effects)
	})

	t.Run("ReplacesDerived", func(t *testing.T) {
		t.Parallel()
		st := parseOne(t, "-- steady:fingerprint table leads absent\nCREATE TABLE leads (id int)")
		require.True(t, st.Explicit)
		require.Equal(t, []Effect{absent(obj(KindTable, "public", "leads"))}, st.Effects)
	})

	t.Run("Names", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			directive string
			want      Object
		}{
			{"schema crm", Object{Kind: KindSchema, Name: "crm"}},
			{"extension citext", Object{Kind: KindExtension, Name: "citext"}},
			{"table Leads", obj(KindTable, "public", "leads")},
			{"type crm.mood", obj(KindType, "crm", "mood")},
			{"function touch", obj(KindFunction, "public", "touch")},
			{"view crm.board", obj(KindView, "crm", "board")},
			{"sequence seq", obj(KindSequence, "public", "seq")},
			{"index idx", obj(KindIndex, "public", "idx")},
			{"column leads.phone", child(KindColumn, "leads", "phone")},
			{"constraint crm.leads.c", Object{Kind: KindConstraint, Schema: "crm", Table: "leads", Name: "c"}},
			{"trigger leads.t", child(KindTrigger, "leads", "t")},
			{"enum_value mood.Happy", child(KindEnumValue, "mood", "Happy")},
			{`table "My ""Table"""`, obj(KindTable, "public", `My "Table"`)},
		}
		for _, tt := range tests {
			st := parseOne(t, "-- steady:fingerprint "+tt.directive+"\nSELECT 1")
			require.Equal(t, []Effect{present(tt.want)}, st.Effects, tt.directive)
		}
	})

	t.Run("Errors", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name, sql string
			line      int
			message   string
		}{
			{"UnknownDirective", "SELECT 1;\n-- steady:no-transactions\nSELECT 2;", 2,
				`unknown directive "steady:no-transactions"`},
			{"NoTransactionArgs", "-- steady:no-transaction please\nSELECT 1", 1, "takes no arguments"},
			{"UnknownKind", "-- steady:fingerprint tabel leads\nSELECT 1", 1, `unknown kind "tabel"`},
			{"MissingName", "-- steady:fingerprint table\nSELECT 1", 1, "want: -- steady:fingerprint <kind> <name> [absent]"},
			{"NotAbsent", "-- steady:fingerprint table a gone\nSELECT 1", 1, `unexpected "gone"`},
			{"ColumnUnqualified", "-- steady:fingerprint column phone\nSELECT 1", 1,
				`column "phone": want table.name or schema.table.name`},
			{"TableTooQualified", "-- steady:fingerprint table a.b.c\nSELECT 1", 1,
				`table "a.b.c": want name or schema.name`},
			{"SchemaQualified", "-- steady:fingerprint schema a.b\nSELECT 1", 1, `schema "a.b": want name`},
			{"EmptyPart", "-- steady:fingerprint column leads.\nSELECT 1", 1, `column "leads."`},
			{"UnterminatedQuote", "-- steady:fingerprint table \"a\nSELECT 1", 1, "unterminated"},
			{"NoStatementAfter", "SELECT 1;\n\n-- steady:fingerprint table a\n", 3, "is followed by no statement"},
			{"InsideStatement", "SELECT 1,\n-- steady:fingerprint table a\n2;", 2, "must stand on the lines just before a statement"},
			{"NotOnOwnLine", "SELECT 1; -- steady:no-transaction\n", 1, "must be on a line of its own"},
		}
		for _, tt := range tests {
			_, err := Parse("bad.sql", tt.sql)
			var perr *ParseError
			require.True(t, errors.As(err, &perr), "%s: %v", tt.name, err)
			require.Equal(t, "bad.sql", perr.File, tt.name)
			require.Equal(t, tt.line, perr.Line, tt.name)
			require.Contains(t, perr.Message, tt.message, tt.name)
		}
	})

	t.Run("IgnoredInStringsAndBlockComments", func(t *testing.T) {
		t.Parallel()
		m, err := Parse("x.sql", "/* -- steady:bogus */\nSELECT '\n-- steady:bogus\n';")
		require.NoError(t, err)
		require.Len(t, m.Statements, 1)
	})
}

func TestParseSyntaxError(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name, sql string
		line      int
		message   string
	}{
		{"NearToken", "SELECT 1;\n\nCREATE TABLE (id int);\n", 3, `syntax error at or near "("`},
		{"AfterMultibyteText", "-- שלום עולם, ünïcödé\nSELECT 'ü';\nSELEC 1;", 3, `syntax error at or near "SELEC"`},
		{"EndOfInput", "SELECT 1;\nCREATE TABLE t (\n\n\n", 2, "syntax error at end of input"},
		{"UnterminatedString", "SELECT 1;\nSELECT 'abc;\n", 2, "unterminated quoted string at or near \"'abc;\n\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("0007_broken.sql", tt.sql)
			var perr *ParseError
			require.True(t, errors.As(err, &perr), "%v", err)
			require.Equal(t, tt.line, perr.Line)
			require.Equal(t, tt.message, perr.Message)
			require.True(t, strings.HasPrefix(err.Error(), "0007_broken.sql:"), err.Error())
		})
	}
}

func TestParseAllowDirectives(t *testing.T) {
	t.Parallel()

	t.Run("AttachedToTheNextStatement", func(t *testing.T) {
		t.Parallel()
		sql := `CREATE TABLE a (id int);
-- steady:allow ban-drop-column nothing reads "jid" since release 41
-- an ordinary comment in between
--steady:allow	ban-drop-column   the mobile app's "v2" API stopped sending it
ALTER TABLE leads DROP COLUMN jid, DROP COLUMN jid_seen_at;
SELECT 1;
`
		m, err := Parse("allow.sql", sql)
		require.NoError(t, err)
		require.Len(t, m.Statements, 4)
		require.Empty(t, m.Statements[0].Allows)
		require.Empty(t, m.Statements[3].Allows)
		want := []Allow{
			{Rule: "ban-drop-column", Reason: `nothing reads "jid" since release 41`, Line: 2},
			{Rule: "ban-drop-column", Reason: `the mobile app's "v2" API stopped sending it`, Line: 4},
		}
		// The ALTER TABLE is split per sub-command; both parts carry the directives.
		require.Equal(t, want, m.Statements[1].Allows)
		require.Equal(t, want, m.Statements[2].Allows)
		require.Equal(t, 5, m.Statements[2].Line)
	})

	t.Run("Errors", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name, sql string
			line      int
			message   string
		}{
			{"UnknownRule", "SELECT 1;\n-- steady:allow ban-everything because\nSELECT 2;", 2, `unknown rule "ban-everything"`},
			{"NoReason", "-- steady:allow ban-drop-column\nALTER TABLE a DROP COLUMN b", 1, "ban-drop-column needs a reason"},
			{"NoReasonBlanks", "-- steady:allow ban-drop-column   \t\nALTER TABLE a DROP COLUMN b", 1, "needs a reason"},
			{"NoRule", "-- steady:allow\nSELECT 1", 1, "want: -- steady:allow <rule> <reason>"},
			{"TimeoutRuleIsSteadys", "-- steady:allow require-timeout-settings we set it\nSELECT 1", 1, "steady sets lock_timeout"},
			{"NoStatementAfter", "SELECT 1;\n-- steady:allow ban-drop-table gone\n", 2, "is followed by no statement"},
			{"InsideStatement", "SELECT 1,\n-- steady:allow ban-drop-table x\n2;", 2, "must stand on the lines just before a statement"},
		}
		for _, tt := range tests {
			_, err := Parse("bad.sql", tt.sql)
			var perr *ParseError
			require.True(t, errors.As(err, &perr), "%s: %v", tt.name, err)
			require.Equal(t, "bad.sql", perr.File, tt.name)
			require.Equal(t, tt.line, perr.Line, tt.name)
			require.Contains(t, perr.Message, tt.message, tt.name)
		}
	})

	t.Run("LeftOutOfChecksums", func(t *testing.T) {
		t.Parallel()
		plain := "-- header\nALTER TABLE a DROP COLUMN b;\n"
		allowed := "-- header\n  -- steady:allow ban-drop-column nothing reads it\nALTER TABLE a DROP COLUMN b;\n"
		require.Equal(t, plain, string(WithoutAllows([]byte(allowed))))
		require.Equal(t, plain, string(WithoutAllows([]byte(plain))))
		other := "-- steady:allowance is not a directive\nSELECT 1;\n"
		require.Equal(t, other, string(WithoutAllows([]byte(other))))
	})
}
