package lint_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/lint"
	"github.com/steadydb/steady/internal/migfiles"
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
		// The index that backed a constraint went with it: IF EXISTS then drops nothing (a
		// published history does this after each DROP CONSTRAINT); another index is dropped.
		{"RequireConcurrentIndexDeletionGoneWithItsConstraint", []string{"ALTER TABLE leads DROP CONSTRAINT IF EXISTS leads_phone_key;\nDROP INDEX IF EXISTS leads_phone_key;\nDROP INDEX IF EXISTS leads_status_idx;"},
			[]string{"require-concurrent-index-deletion"}},
		{"RequireConcurrentIndexDeletionWithoutIfExists", []string{"ALTER TABLE leads DROP CONSTRAINT leads_phone_key;\nDROP INDEX leads_phone_key;"},
			[]string{"require-concurrent-index-deletion"}},

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

		{"BanTruncateCascade", []string{"TRUNCATE leads CASCADE;"}, []string{"ban-truncate-cascade"}},
		{"TruncateWithoutCascade", []string{"TRUNCATE import_staging;"}, nil},
		{"RequireConcurrentReindex", []string{"REINDEX TABLE leads;\nREINDEX INDEX leads_pkey;"}, []string{"require-concurrent-reindex", "require-concurrent-reindex"}},
		{"RequireConcurrentReindexSafe", []string{"REINDEX INDEX CONCURRENTLY leads_pkey;"}, nil},
		{"BanVacuumFull", []string{"VACUUM FULL leads;"}, []string{"ban-vacuum-full"}},
		{"VacuumAnalyzeSafe", []string{"VACUUM ANALYZE leads;"}, nil},
		{"BanCluster", []string{"CLUSTER leads USING leads_pkey;"}, []string{"ban-cluster"}},
		{"ChangingTablePersistence", []string{"ALTER TABLE leads SET LOGGED;"}, []string{"changing-table-persistence"}},
		{"RequireConcurrentRefresh", []string{"REFRESH MATERIALIZED VIEW lead_stats;"}, []string{"require-concurrent-refresh"}},
		{"RequireConcurrentRefreshSafe", []string{"REFRESH MATERIALIZED VIEW CONCURRENTLY lead_stats;"}, nil},
		{"RefreshOfAViewCreatedInTheSet", []string{"CREATE MATERIALIZED VIEW lead_stats AS SELECT 1 AS n;\nREFRESH MATERIALIZED VIEW lead_stats;"}, nil},
		{"BanLockTable", []string{"LOCK TABLE leads IN ACCESS EXCLUSIVE MODE;"}, []string{"ban-lock-table"}},
		{"LockTableRowShareSafe", []string{"LOCK TABLE leads IN ROW SHARE MODE;"}, nil},
		{"UnbatchedBackfill", []string{"UPDATE leads SET status = 'new';"}, []string{"unbatched-backfill"}},
		{"UnbatchedBackfillIsNull", []string{"UPDATE leads SET status = 'new' WHERE status IS NULL;"}, []string{"unbatched-backfill"}},
		{"UnbatchedDelete", []string{"DELETE FROM leads;"}, []string{"unbatched-backfill"}},
		{"BoundedUpdateSafe", []string{"UPDATE leads SET status = 'new' WHERE id = 42;\nDELETE FROM sessions WHERE expires_at < now() - interval '30 days';"}, nil},
		{"BackfillInDDLTransaction", []string{"ALTER TABLE leads ADD COLUMN tier text;\nUPDATE leads SET tier = 'free' WHERE tier IS NULL;"}, []string{"backfill-in-ddl-transaction"}},
		{"BackfillNewColumnWhereByValue", []string{"ALTER TABLE leads ADD COLUMN tier text;\nUPDATE leads SET tier = 'gold' WHERE plan = 'enterprise';"}, []string{"backfill-in-ddl-transaction"}},
		{"BoundedUpdateOfOldColumnAfterAlter", []string{"ALTER TABLE leads ADD COLUMN tier text;\nUPDATE leads SET status = 'new' WHERE id = 42;"}, nil},
		{"BackfillAfterDisableTrigger", []string{"ALTER TABLE leads DISABLE TRIGGER ALL;\nUPDATE leads SET status = lower(status);\nALTER TABLE leads ENABLE TRIGGER ALL;"}, []string{"backfill-in-ddl-transaction"}},
		{"BackfillInItsOwnTransaction", []string{"-- steady:no-transaction\nALTER TABLE leads ADD COLUMN tier text;\nUPDATE leads SET tier = 'free' WHERE id < 1000;"}, nil},
		{"NewEnumValueUsedInTransaction", []string{"ALTER TYPE lead_status ADD VALUE 'archived';\nUPDATE leads SET status = 'archived' WHERE id = 1;"}, []string{"new-enum-value-used-in-transaction"}},
		{"NewEnumValueAlone", []string{"ALTER TYPE lead_status ADD VALUE IF NOT EXISTS 'archived';"}, nil},
		{"DoBlockCreateIndex", []string{"DO $$\nBEGIN\n  IF true THEN\n    CREATE INDEX leads_x_idx ON leads (x);\n  END IF;\nEND $$;"}, []string{"require-concurrent-index-creation"}},
		{"DoBlockExecuteFormat", []string{"DO $$\nBEGIN\n  EXECUTE format('ALTER TABLE %I ALTER COLUMN id TYPE bigint', 'leads');\nEND $$;"}, []string{"changing-column-type"}},
		{"DoBlockDynamic", []string{"DO $$\nDECLARE q text := current_setting('app.sql');\nBEGIN\n  EXECUTE q;\nEND $$;"}, []string{"dynamic-sql-not-analysed"}},
		{"DoBlockConcurrently", []string{"DO $$ BEGIN EXECUTE 'CREATE INDEX CONCURRENTLY leads_y_idx ON leads (y)'; END $$;"}, []string{"ban-concurrent-index-creation-in-transaction"}},
		{"DoBlockSafe", []string{"DO $$\nBEGIN\n  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'reporting') THEN\n    CREATE ROLE reporting;\n  END IF;\n  EXECUTE format('GRANT SELECT ON %I TO reporting', 'leads');\nEND $$;"}, nil},
		{"AddColumnReferencesNoDefault", []string{"ALTER TABLE leads ADD COLUMN owner_id bigint REFERENCES users (id);"}, nil},
		{"AddColumnReferencesWithDefault", []string{"ALTER TABLE leads ADD COLUMN owner_id bigint DEFAULT 1 REFERENCES users (id);"}, []string{"constraint-missing-not-valid"}},
		{"ConcurrentlyInsideOwnBlock", []string{"BEGIN;\nCREATE INDEX CONCURRENTLY leads_z_idx ON leads (z);\nCOMMIT;"}, []string{"ban-concurrent-index-creation-in-transaction"}},

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

// TestToolRules: a file is judged as the tool of its format runs it.
func TestToolRules(t *testing.T) {
	t.Parallel()
	l := setup(t)
	const cic = "CREATE INDEX CONCURRENTLY IF NOT EXISTS leads_status_idx ON leads (status);"
	tests := []struct {
		name   string
		format migfiles.Format
		noTx   bool
		sql    string
		want   []string // severity rule
	}{
		{"GooseWithoutNoTransaction", migfiles.FormatGoose, false, cic, []string{"error ban-concurrent-index-creation-in-transaction"}},
		{"GooseNoTransaction", migfiles.FormatGoose, true, cic, nil},
		{"DbmateWithoutTransactionFalse", migfiles.FormatDbmate, false, cic, []string{"error ban-concurrent-index-creation-in-transaction"}},
		{"GolangMigrateAlone", migfiles.FormatGolangMigrate, false, cic, nil},
		{"FlywayAlone", migfiles.FormatFlyway, false, cic, nil},
		{"GolangMigrateMixed", migfiles.FormatGolangMigrate, false, "ALTER TABLE leads ADD COLUMN tier text;\n" + cic, []string{"warning ban-concurrent-index-creation-in-transaction"}},
		{"GooseOwnBlockInAWrappedFile", migfiles.FormatGoose, false, "BEGIN;\nALTER TABLE leads ADD COLUMN tier text;\nCOMMIT;", []string{"warning transaction-nesting"}},
		{"GooseNoTransactionOwnBlock", migfiles.FormatGoose, true, "BEGIN;\nALTER TABLE leads ADD COLUMN tier text;\nCOMMIT;\n" + cic, nil},
		{"GolangMigrateOwnBlock", migfiles.FormatGolangMigrate, false, "BEGIN;\nALTER TABLE leads ADD COLUMN tier text;\nCOMMIT;", nil},
		{"GooseNoTransactionBackfillCommitsAlone", migfiles.FormatGoose, true, "ALTER TABLE leads ADD COLUMN tier text;\nUPDATE leads SET tier = 'free' WHERE id < 10;", nil},
		{"GooseWrappedBackfill", migfiles.FormatGoose, false, "ALTER TABLE leads ADD COLUMN tier text;\nUPDATE leads SET tier = 'free';", []string{"warning backfill-in-ddl-transaction"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := fingerprint.Parse("x.sql", tt.sql)
			require.NoError(t, err)
			rep := l.Lint([]lint.File{{Name: "x.sql", SQL: tt.sql, Migration: m, Format: tt.format, NoTransaction: tt.noTx}}, nil)
			var got []string
			for _, f := range rep.Findings {
				got = append(got, f.Severity.String()+" "+f.Rule)
			}
			require.Equal(t, tt.want, got, "%+v", rep.Findings)
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
