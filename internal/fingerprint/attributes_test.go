package fingerprint

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseViewColumns(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		sql     string
		columns []string
	}{
		{"AliasesColumnsFunctions", "CREATE VIEW v AS SELECT l.id, name AS n, lower(email), count(*) FROM leads l GROUP BY 1, 2, 3",
			[]string{"id", "n", "lower", "count"}},
		{"ColumnList", "CREATE VIEW v (a, b) AS SELECT 1, 2", []string{"a", "b"}},
		{"ShortColumnList", "CREATE VIEW v (x) AS SELECT id, name FROM leads", []string{"x", "name"}},
		{"Casts", "CREATE VIEW v AS SELECT id::text, 1::text, (a + b)::int, '{}'::jsonb FROM t",
			[]string{"id", "text", "int4", "jsonb"}},
		{"Anonymous", "CREATE VIEW v AS SELECT 1, a + b, NOT a FROM t", []string{"?column?", "?column?", "?column?"}},
		{"KeywordsAndFunctions", "CREATE VIEW v AS SELECT current_date, coalesce(a, b), greatest(a, b), CASE WHEN a THEN 1 END, nullif(a, b), ARRAY[a] FROM t",
			[]string{"current_date", "coalesce", "greatest", "case", "nullif", "array"}},
		{"QuotedAlias", `CREATE VIEW v AS SELECT id AS "Id" FROM t`, []string{"Id"}},
		{"Union", "CREATE VIEW v AS SELECT a FROM x UNION ALL SELECT b FROM y", []string{"a"}},
		{"Values", "CREATE VIEW v AS VALUES (1, 'a')", []string{"column1", "column2"}},
		{"WithClause", "CREATE VIEW v AS WITH x AS (SELECT 1 AS one) SELECT one, one AS two FROM x", []string{"one", "two"}},
		{"Star", "CREATE VIEW v AS SELECT * FROM leads", nil},
		{"QualifiedStar", "CREATE VIEW v AS SELECT id, l.* FROM leads l", nil},
		{"StarCoveredByColumnListIsStillUnknown", "CREATE VIEW v (a) AS SELECT * FROM leads", nil},
		{"ScalarSubqueryNotMirrored", "CREATE VIEW v AS SELECT (SELECT max(id) FROM leads)", nil},
		{"ScalarSubqueryAliased", "CREATE VIEW v AS SELECT (SELECT max(id) FROM leads) AS top", []string{"top"}},
		{"TooManyColumnNames", "CREATE VIEW v (a, b) AS SELECT 1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := parseOne(t, tt.sql)
			require.Len(t, st.Effects, 1)
			require.Equal(t, tt.columns, st.Effects[0].Columns)
		})
	}
}

func TestSameConstraint(t *testing.T) {
	t.Parallel()

	// want is written in a migration; found is how PostgreSQL 15's pg_get_constraintdef
	// prints it (copied from a server).
	tests := []struct {
		name        string
		want, found string
		same        bool
	}{
		{"ImplicitCasts", "CHECK (name <> '')", "CHECK (((name)::text <> ''::text))", true},
		{"NumericConstant", "CHECK (price > 0)", "CHECK ((price > (0)::numeric))", true},
		{"NegativeConstant", "CHECK (delta > -1)", "CHECK ((delta > '-1'::integer))", true},
		{"In", "CHECK (status IN ('new', 'done'))", "CHECK ((status = ANY (ARRAY['new'::text, 'done'::text])))", true},
		{"InVarchar", "CHECK (status IN ('new', 'done'))",
			"CHECK (((status)::text = ANY ((ARRAY['new'::character varying, 'done'::character varying])::text[])))", true},
		{"InOne", "CHECK (status IN ('new'))", "CHECK ((status = 'new'::text))", true},
		{"NotIn", "CHECK (status NOT IN ('a', 'b'))", "CHECK ((status <> ALL (ARRAY['a'::text, 'b'::text])))", true},
		{"Between", "CHECK (score BETWEEN 0 AND 100)", "CHECK (((score >= 0) AND (score <= 100)))", true},
		{"Like", "CHECK (email LIKE '%@%')", "CHECK ((email ~~ '%@%'::text))", true},
		{"AndFlattened", "CHECK (a > 0 AND (b > 0 AND c > 0))", "CHECK (((a > 0) AND (b > 0) AND (c > 0)))", true},
		{"CaseElseNull", "CHECK (CASE WHEN a > 0 THEN b END IS NOT NULL)",
			"CHECK ((CASE WHEN (a > 0) THEN b ELSE NULL::integer END IS NOT NULL))", true},
		{"OtherConstant", "CHECK (price > 0)", "CHECK ((price > (10)::numeric))", false},
		{"OtherOperator", "CHECK (price > 0)", "CHECK ((price >= (0)::numeric))", false},
		{"OtherColumn", "CHECK (price > 0)", "CHECK ((cost > (0)::numeric))", false},
		{"NotValidIgnored", "CHECK (a > 0)", "CHECK ((a > 0)) NOT VALID", true},
		{"ForeignKeyImplicitColumns", "FOREIGN KEY (lead_id) REFERENCES leads", "FOREIGN KEY (lead_id) REFERENCES leads(id)", true},
		{"ForeignKeyPublicSchema", "FOREIGN KEY (lead_id) REFERENCES public.leads (id)", "FOREIGN KEY (lead_id) REFERENCES leads(id)", true},
		{"ForeignKeyOtherSchema", "FOREIGN KEY (lead_id) REFERENCES crm.leads (id)", "FOREIGN KEY (lead_id) REFERENCES app.leads(id)", false},
		{"ForeignKeyActions", "FOREIGN KEY (lead_id) REFERENCES leads ON DELETE CASCADE",
			"FOREIGN KEY (lead_id) REFERENCES leads(id) ON DELETE CASCADE", true},
		{"ForeignKeyOtherAction", "FOREIGN KEY (lead_id) REFERENCES leads ON DELETE CASCADE",
			"FOREIGN KEY (lead_id) REFERENCES leads(id) ON DELETE SET NULL", false},
		{"ForeignKeyOtherColumns", "FOREIGN KEY (lead_id) REFERENCES leads (code)", "FOREIGN KEY (lead_id) REFERENCES leads(id)", false},
		{"Unique", "UNIQUE (a, b)", "UNIQUE (a, b)", true},
		{"UniqueOtherColumns", "UNIQUE (a, b)", "UNIQUE (b, a)", false},
		{"UniqueNullsNotDistinct", "UNIQUE NULLS NOT DISTINCT (a)", "UNIQUE (a)", false},
		{"Deferrable", "UNIQUE (a) DEFERRABLE INITIALLY DEFERRED", "UNIQUE (a) DEFERRABLE INITIALLY DEFERRED", true},
		{"KindDiffers", "UNIQUE (a)", "PRIMARY KEY (a)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			same, err := SameConstraint(tt.want, tt.found)
			require.NoError(t, err)
			require.Equal(t, tt.same, same)
		})
	}

	t.Run("CanonicalFormIsStable", func(t *testing.T) {
		t.Parallel()
		canon, err := CanonicalConstraint("CHECK (((name)::text <> ''::text)) NOT VALID")
		require.NoError(t, err)
		require.Equal(t, "CHECK (name <> '')", canon)
		again, err := CanonicalConstraint(canon)
		require.NoError(t, err)
		require.Equal(t, canon, again)
	})

	t.Run("Uncomparable", func(t *testing.T) {
		t.Parallel()
		for _, clause := range []string{
			"CHECK (name SIMILAR TO 'a%')",
			"CHECK (a BETWEEN SYMMETRIC 1 AND 2)",
			"CHECK (a IN (b, c))",
			"EXCLUDE USING gist (r WITH &&)",
			"UNIQUE USING INDEX t_a_idx",
		} {
			_, err := CanonicalConstraint(clause)
			require.ErrorIs(t, err, errUncomparable, clause)
			st := parseOne(t, "ALTER TABLE t ADD CONSTRAINT c "+clause)
			require.Empty(t, st.Effects[0].Definition, clause)
		}
	})

	t.Run("NotAConstraint", func(t *testing.T) {
		t.Parallel()
		_, err := SameConstraint("CHECK (a > 0)", "DROP TABLE x")
		require.ErrorContains(t, err, `constraint "DROP TABLE x"`)
	})
}
