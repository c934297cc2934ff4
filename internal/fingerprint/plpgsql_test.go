package fingerprint_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/fingerprint"
)

func TestPlpgsqlBody(t *testing.T) {
	t.Parallel()
	t.Run("BranchesFlattenedInOrder", func(t *testing.T) {
		t.Parallel()
		body := `
DECLARE n int := 0;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'leads_x') THEN
    CREATE INDEX leads_x ON leads (x);
  ELSIF n > 1 THEN
    UPDATE leads SET a = 1;
  ELSE
    EXECUTE 'ALTER TABLE leads ADD COLUMN y int';
  END IF;
  PERFORM pg_sleep(0);
EXCEPTION WHEN others THEN
  DELETE FROM leads;
END`
		parts, err := fingerprint.PlpgsqlBody(body, "")
		require.NoError(t, err)
		require.Equal(t, []fingerprint.BodyPart{
			{Line: 5, SQL: "CREATE INDEX leads_x ON leads (x)"},
			{Line: 7, SQL: "UPDATE leads SET a = 1"},
			{Line: 9, SQL: "ALTER TABLE leads ADD COLUMN y int", Execute: true},
			{Line: 11, SQL: "SELECT pg_sleep(0)"},
			{Line: 13, SQL: "DELETE FROM leads"},
		}, parts)
	})
	t.Run("DynamicExecute", func(t *testing.T) {
		t.Parallel()
		body := `DECLARE t text; q text;
BEGIN
  FOREACH t IN ARRAY ARRAY['leads', 'calls'] LOOP
    EXECUTE format('CREATE INDEX %I ON %I (created_at)', t || '_created_idx', t);
    EXECUTE 'GRANT SELECT ON ' || quote_ident(t) || ' TO reporting';
    EXECUTE format('UPDATE %I SET note = %L', t, 'x');
  END LOOP;
  EXECUTE q;
  EXECUTE 'ANALYZE ' || 'leads';
END`
		parts, err := fingerprint.PlpgsqlBody(body, "")
		require.NoError(t, err)
		require.Equal(t, []fingerprint.BodyPart{
			{Line: 4, SQL: "format('CREATE INDEX %I ON %I (created_at)', t || '_created_idx', t)", Execute: true, Dynamic: true,
				Template: "CREATE INDEX steady_dynamic ON steady_dynamic (created_at)"},
			{Line: 5, SQL: "'GRANT SELECT ON ' || quote_ident(t) || ' TO reporting'", Execute: true, Dynamic: true,
				Template: "GRANT SELECT ON steady_dynamic TO reporting"},
			{Line: 6, SQL: "format('UPDATE %I SET note = %L', t, 'x')", Execute: true, Dynamic: true,
				Template: "UPDATE steady_dynamic SET note = 'steady_dynamic'"},
			{Line: 8, SQL: "q", Execute: true, Dynamic: true},
			{Line: 9, SQL: "ANALYZE leads", Execute: true},
		}, parts)
	})
	t.Run("TriggerFunction", func(t *testing.T) {
		t.Parallel()
		parts, err := fingerprint.PlpgsqlBody("BEGIN NEW.updated_at := now(); INSERT INTO audit VALUES (NEW.id); RETURN NEW; END", "() RETURNS trigger")
		require.NoError(t, err)
		require.Equal(t, []fingerprint.BodyPart{{Line: 1, SQL: "INSERT INTO audit VALUES (NEW.id)"}}, parts)
	})
	t.Run("DoesNotParse", func(t *testing.T) {
		t.Parallel()
		_, err := fingerprint.PlpgsqlBody("BEGIN SELECT 1 INTO undeclared; END", "")
		require.ErrorContains(t, err, "parse PL/pgSQL body")
	})
}
