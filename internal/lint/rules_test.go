package lint_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/lint"
)

// lintSet lints files that run one after another (one pending set), offline when snap is nil.
func lintSet(t *testing.T, l *lint.Linter, snap *catalog.Snapshot, sqls ...string) *lint.Report {
	t.Helper()
	var set []lint.File
	for i, sql := range sqls {
		name := fmt.Sprintf("%04d_test.sql", i+1)
		m, err := fingerprint.Parse(name, sql)
		require.NoError(t, err)
		set = append(set, lint.File{Name: name, SQL: sql, Migration: m})
	}
	return l.Lint(set, snap)
}

// setup is a linter without the style rules (info about column types), which most tests
// leave aside.
func setup(t *testing.T) *lint.Linter {
	t.Helper()
	l, err := lint.New(lint.Config{Levels: map[string]lint.Level{
		"prefer-identity": lint.LevelOff, "prefer-bigint-over-int": lint.LevelOff, "prefer-bigint-over-smallint": lint.LevelOff,
		"prefer-text-field": lint.LevelOff, "prefer-timestamp-tz": lint.LevelOff, "ban-char-field": lint.LevelOff,
	}})
	require.NoError(t, err)
	return l
}

func rules(rep *lint.Report) []string {
	out := []string{}
	for _, f := range rep.Findings {
		out = append(out, f.Rule)
	}
	return out
}

// TestRules runs each rule on its violating form and on its safe form, offline, through the
// real parser. The tables (leads, business, call_log) are not created in the set, so they are
// taken to exist.
func TestRules(t *testing.T) {
	t.Parallel()
	l := setup(t)
	tests := []struct {
		name string
		sqls []string // one pending set
		want []string // the rules found, in order
	}{
		{"RequireConcurrentIndexCreation", []string{"CREATE INDEX leads_status_idx ON leads (status);"},
			[]string{"require-concurrent-index-creation"}},
		{"RequireConcurrentIndexCreationSafe", []string{"-- steady:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS leads_status_idx ON leads (status);"}, nil},
		{"RequireConcurrentIndexCreationNewTable", []string{"CREATE TABLE notes (id bigint, lead_id bigint);\nCREATE INDEX notes_lead_idx ON notes (lead_id);"}, nil},
		{"RequireConcurrentIndexCreationTableFromEarlierFile", []string{"CREATE TABLE notes (id bigint, lead_id bigint);", "CREATE INDEX notes_lead_idx ON notes (lead_id);"}, nil},
		{"RequireConcurrentIndexCreationRenamedNewTable", []string{"CREATE TABLE notes_tmp (id bigint);\nALTER TABLE notes_tmp RENAME TO notes;\nCREATE INDEX notes_id_idx ON notes (id);"}, nil},

		{"RequireConcurrentIndexDeletion", []string{"DROP INDEX leads_status_idx;"}, []string{"require-concurrent-index-deletion"}},
		{"RequireConcurrentIndexDeletionSafe", []string{"-- steady:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS leads_status_idx;"}, nil},

		{"ConstraintMissingNotValidForeignKey", []string{"ALTER TABLE call_log ADD CONSTRAINT call_log_lead_fk FOREIGN KEY (lead_id) REFERENCES leads (id);"},
			[]string{"constraint-missing-not-valid"}},
		{"ConstraintMissingNotValidCheck", []string{"ALTER TABLE leads ADD CONSTRAINT leads_status_check CHECK (status <> '');"},
			[]string{"constraint-missing-not-valid"}},
		{"ConstraintMissingNotValidSafe", []string{
			"ALTER TABLE call_log ADD CONSTRAINT call_log_lead_fk FOREIGN KEY (lead_id) REFERENCES leads (id) NOT VALID;\n" +
				"ALTER TABLE leads ADD CONSTRAINT leads_status_check CHECK (status <> '') NOT VALID;",
			"ALTER TABLE call_log VALIDATE CONSTRAINT call_log_lead_fk;\nALTER TABLE leads VALIDATE CONSTRAINT leads_status_check;"}, nil},
		{"ConstraintMissingNotValidValidatedInTheSameTransaction", []string{
			"ALTER TABLE leads ADD CONSTRAINT leads_status_check CHECK (status <> '') NOT VALID;\nALTER TABLE leads VALIDATE CONSTRAINT leads_status_check;"},
			[]string{"constraint-missing-not-valid"}},
		{"ConstraintMissingNotValidValidatedOutsideATransaction", []string{
			"-- steady:no-transaction\nALTER TABLE leads ADD CONSTRAINT leads_status_check CHECK (status <> '') NOT VALID;\nALTER TABLE leads VALIDATE CONSTRAINT leads_status_check;"}, nil},
		{"ConstraintMissingNotValidInlineOnNewColumn", []string{"ALTER TABLE leads ADD COLUMN score integer CHECK (score >= 0);"},
			[]string{"constraint-missing-not-valid"}},

		{"AddingNotNullableField", []string{"ALTER TABLE business ALTER COLUMN webhook_secret SET NOT NULL;"}, []string{"adding-not-nullable-field"}},
		{"AddingNotNullableFieldSafe", []string{
			"ALTER TABLE business ADD CONSTRAINT business_webhook_secret_nn CHECK (webhook_secret IS NOT NULL) NOT VALID;",
			"ALTER TABLE business VALIDATE CONSTRAINT business_webhook_secret_nn;",
			"ALTER TABLE business ALTER COLUMN webhook_secret SET NOT NULL;\nALTER TABLE business DROP CONSTRAINT business_webhook_secret_nn;"}, nil},

		{"AddingRequiredField", []string{"ALTER TABLE leads ADD COLUMN tier text NOT NULL;"}, []string{"adding-required-field"}},
		{"AddingRequiredFieldSafe", []string{"ALTER TABLE leads ADD COLUMN tier text NOT NULL DEFAULT 'free';"}, nil},

		{"AddingFieldWithVolatileDefault", []string{"ALTER TABLE leads ADD COLUMN token uuid DEFAULT gen_random_uuid();"}, []string{"adding-field-with-default"}},
		{"AddingFieldWithSerial", []string{"ALTER TABLE leads ADD COLUMN seq bigserial;"}, []string{"adding-field-with-default"}},
		{"AddingFieldWithIdentity", []string{"ALTER TABLE leads ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY;"}, []string{"adding-field-with-default"}},
		{"AddingFieldGeneratedStored", []string{"ALTER TABLE leads ADD COLUMN lname text GENERATED ALWAYS AS (lower(full_name)) STORED;"}, []string{"adding-field-with-default"}},
		{"AddingFieldWithUnknownFunction", []string{"ALTER TABLE leads ADD COLUMN code text DEFAULT make_code();"}, []string{"adding-field-with-default"}},
		{"AddingFieldWithDefaultSafe", []string{"ALTER TABLE leads ADD COLUMN tier text DEFAULT 'free', ADD COLUMN seen_at timestamptz DEFAULT now(), ADD COLUMN flags jsonb NOT NULL DEFAULT '{}'::jsonb, ADD COLUMN day date DEFAULT CURRENT_DATE;"}, nil},
		{"AddingFieldThenSetDefaultSafe", []string{"ALTER TABLE business ADD COLUMN secret text;\nALTER TABLE business ALTER COLUMN secret SET DEFAULT encode(gen_random_bytes(32), 'hex');"}, nil},

		{"ChangingColumnTypeUnknownOffline", []string{"ALTER TABLE leads ALTER COLUMN status TYPE varchar(40);"}, []string{"changing-column-type"}},
		{"ChangingColumnTypeRewrite", []string{"ALTER TABLE leads ADD COLUMN code varchar(10);", "ALTER TABLE leads ALTER COLUMN code TYPE integer USING code::integer;"},
			[]string{"changing-column-type"}},
		{"ChangingColumnTypeNarrower", []string{"ALTER TABLE leads ADD COLUMN code varchar(20);", "ALTER TABLE leads ALTER COLUMN code TYPE varchar(10);"},
			[]string{"changing-column-type"}},
		{"ChangingColumnTypeBinaryCoercible", []string{"ALTER TABLE leads ADD COLUMN code varchar(10);",
			"ALTER TABLE leads ALTER COLUMN code TYPE varchar(20);\nALTER TABLE leads ALTER COLUMN code TYPE text;"}, nil},

		{"DisallowedUniqueConstraint", []string{"ALTER TABLE leads ADD CONSTRAINT leads_email_key UNIQUE (email);"}, []string{"disallowed-unique-constraint"}},
		{"DisallowedUniqueConstraintSafe", []string{"ALTER TABLE leads ADD CONSTRAINT leads_email_key UNIQUE USING INDEX leads_email_idx;"}, nil},
		{"AddingSerialPrimaryKeyField", []string{"ALTER TABLE tabs ADD PRIMARY KEY (id);"}, []string{"adding-serial-primary-key-field"}},
		{"AddingSerialPrimaryKeyFieldSafe", []string{"ALTER TABLE tabs ADD CONSTRAINT tabs_pkey PRIMARY KEY USING INDEX tabs_id_idx;"}, nil},

		{"RenamingColumn", []string{"ALTER TABLE business RENAME COLUMN phone TO phone_e164;"}, []string{"renaming-column"}},
		{"RenamingColumnSafe", []string{"ALTER TABLE business ADD COLUMN phone_e164 text;"}, nil},
		{"RenamingTable", []string{"ALTER TABLE leads RENAME TO contacts;"}, []string{"renaming-table"}},
		{"RenamingTableSafe", []string{"CREATE TABLE contacts (id bigint PRIMARY KEY);"}, nil},

		{"BanDropColumn", []string{"ALTER TABLE leads DROP COLUMN whatsapp_jid;"}, []string{"ban-drop-column"}},
		{"BanDropColumnOfNewTable", []string{"CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;"}, nil},
		{"BanDropTable", []string{"DROP TABLE baileys_sessions;"}, []string{"ban-drop-table"}},
		{"BanDropTableNewInTheSet", []string{"CREATE TABLE scratch (id int);", "DROP TABLE scratch;"}, nil},

		{"BanConcurrentIndexCreationInTransaction", []string{"ALTER TABLE leads ADD COLUMN tier text;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS leads_status_idx ON leads (status);"},
			[]string{"ban-concurrent-index-creation-in-transaction"}},
		// Alone in its file it runs outside a transaction, as golang-migrate and Flyway users expect.
		{"ConcurrentIndexAloneInItsFile", []string{"CREATE INDEX CONCURRENTLY IF NOT EXISTS leads_status_idx ON leads (status);"}, nil},
		// A concurrent build has a fingerprint (its index, valid), so it is robust in steady's terms.
		{"BanConcurrentIndexCreationInTransactionOnNewTable", []string{"CREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY t_a_idx ON t (a);"},
			[]string{"ban-concurrent-index-creation-in-transaction"}},
		{"BanConcurrentIndexCreationInTransactionSafe", []string{"-- steady:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS leads_status_idx ON leads (status);"}, nil},

		// A block around the whole file is the file's own all-or-nothing: steady runs it as written.
		{"TransactionBlockAroundTheFile", []string{"BEGIN;\nALTER TABLE leads ADD COLUMN tier text;\nCOMMIT;"}, nil},
		{"TransactionNestingStatementOutside", []string{"BEGIN;\nALTER TABLE leads ADD COLUMN tier text;\nCOMMIT;\nALTER TABLE business ADD COLUMN tier text;"}, []string{"transaction-nesting"}},
		{"TransactionNestingLeftOpen", []string{"BEGIN;\nALTER TABLE leads ADD COLUMN tier text;"}, []string{"transaction-nesting"}},
		{"TransactionNestingTwice", []string{"BEGIN;\nBEGIN;\nALTER TABLE leads ADD COLUMN tier text;\nCOMMIT;"}, []string{"transaction-nesting"}},
		{"TransactionNestingSafe", []string{"ALTER TABLE leads ADD COLUMN tier text;\nSAVEPOINT a;\nRELEASE SAVEPOINT a;"}, nil},

		{"PreferRobustStmtsInsert", []string{"ALTER TABLE leads ADD COLUMN tier text;\nINSERT INTO tiers (name) VALUES ('free');"}, []string{"prefer-robust-stmts"}},
		{"PreferRobustStmtsUpdateIncrement", []string{"ALTER TABLE leads ADD COLUMN score int;\nUPDATE leads SET score = score + 1 WHERE id < 1000;"}, []string{"prefer-robust-stmts"}},
		{"PreferRobustStmtsDo", []string{"ALTER TABLE leads ADD COLUMN tier text;\nDO $$ BEGIN PERFORM 1; END $$;"}, []string{"prefer-robust-stmts"}},
		{"PreferRobustStmtsSafe", []string{"ALTER TABLE leads ADD COLUMN tier text;\n" +
			"INSERT INTO tiers (name) VALUES ('free') ON CONFLICT DO NOTHING;\n" +
			"INSERT INTO tiers (name) SELECT 'pro' WHERE NOT EXISTS (SELECT 1 FROM tiers WHERE name = 'pro');\n" +
			"UPDATE business SET webhook_secret = encode(gen_random_bytes(32), 'hex') WHERE webhook_secret IS NULL AND id < 100;\n" +
			"UPDATE leads SET tier = 'free' WHERE id = 1;\n" +
			"COMMENT ON COLUMN leads.tier IS 'plan';\n" +
			"-- steady:fingerprint column leads.tier\nINSERT INTO audit (what) VALUES ('tier');"}, nil},
		{"PreferRobustStmtsNeverPartial", []string{"INSERT INTO tiers (name) VALUES ('free');\nUPDATE leads SET score = score + 1 WHERE id = 1;"}, nil},

		// require-timeout-settings is not a steady rule: steady sets lock_timeout itself.
		{"NoTimeoutSettingsNeeded", []string{"ALTER TABLE leads ADD COLUMN tier text;"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rep := lintSet(t, l, nil, tt.sqls...)
			require.Equal(t, append([]string{}, tt.want...), rules(rep), "%+v", rep.Findings)
			for _, f := range rep.Findings {
				require.NotEmpty(t, f.Why, f.Rule)
				require.NotEmpty(t, f.Safe, f.Rule)
				require.NotEmpty(t, f.Detail, f.Rule)
			}
		})
	}
}

func TestEveryRuleIsAllowable(t *testing.T) {
	t.Parallel()
	var names []string
	for _, r := range lint.Rules {
		names = append(names, r.Name)
	}
	slices.Sort(names)
	require.Equal(t, fingerprint.LintRules, names, "fingerprint.LintRules must list exactly the lint's rules")
}
