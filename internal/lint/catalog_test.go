package lint_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/lint"
)

// readSnapshot reads the catalog of a demo database as steady does, through the pooler.
func readSnapshot(t *testing.T, url string) *catalog.Snapshot {
	t.Helper()
	ctx := context.Background()
	pool := newPool(ctx, t, url)
	t.Cleanup(pool.Close)
	snap, err := catalog.Read(ctx, pool)
	require.NoError(t, err)
	return snap
}

// TestSeverityFollowsTheTable lints the same statement against the demo data at two scales:
// leads holds 20 000 rows at scale 1 and 60 000 at scale 3.
func TestSeverityFollowsTheTable(t *testing.T) {
	t.Parallel()
	const stmt = "CREATE INDEX leads_business_status_idx ON leads (business_id, status);"
	small := readSnapshot(t, demoDB(t, 1).PoolerURL)
	large := readSnapshot(t, demoDB(t, 3).PoolerURL)
	l, err := lint.New(lint.Config{WarnRows: 30_000, ErrorRows: 50_000})
	require.NoError(t, err)

	one := func(snap *catalog.Snapshot) lint.Finding {
		rep := lintSet(t, l, snap, stmt)
		require.Len(t, rep.Findings, 1)
		return rep.Findings[0]
	}
	s, g := one(small), one(large)
	require.Equal(t, "require-concurrent-index-creation", s.Rule)
	require.Equal(t, lint.Info, s.Severity, "20 000 rows: under the warning threshold")
	require.Equal(t, lint.Error, g.Severity, "60 000 rows: over the error threshold")
	require.Equal(t, int64(20_000), s.Size.Rows)
	require.Equal(t, int64(60_000), g.Size.Rows)
	require.Equal(t, "public.leads", g.Table)
	require.Equal(t, "index build", g.Size.Work)
	require.Positive(t, s.Size.LockMillis)
	require.Greater(t, g.Size.LockMillis, 2*s.Size.LockMillis, "three times the table, about three times the lock")

	t.Run("BetweenTheThresholds", func(t *testing.T) {
		t.Parallel()
		l, err := lint.New(lint.Config{WarnRows: 10_000, ErrorRows: 50_000})
		require.NoError(t, err)
		rep := lintSet(t, l, small, stmt)
		require.Equal(t, lint.Warning, rep.Findings[0].Severity)
	})

	t.Run("OfflineIsAWarning", func(t *testing.T) {
		t.Parallel()
		rep := lintSet(t, l, nil, stmt)
		require.Equal(t, lint.Warning, rep.Findings[0].Severity)
		require.Nil(t, rep.Findings[0].Size)
	})
}

// TestLintWithCatalog: what the catalog adds to the rules, on demo data at scale 1.
func TestLintWithCatalog(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := demoDB(t, 1)
	// A table that was never vacuumed or analyzed: its size is unknown.
	pool := newPool(ctx, t, db.DirectURL)
	t.Cleanup(pool.Close)
	_, err := pool.Exec(ctx, "CREATE TABLE imports (id bigint, payload text); INSERT INTO imports SELECT g, 'x' FROM generate_series(1, 1000) g; CREATE TABLE drafts (id bigint)")
	require.NoError(t, err)
	snap := readSnapshot(t, db.PoolerURL)
	l := setup(t)

	tests := []struct {
		name     string
		sqls     []string
		rule     string // "" for no finding
		severity lint.Severity
		detail   string
	}{
		{"ColumnTypeFromTheCatalogRewrite", []string{"ALTER TABLE leads ALTER COLUMN status TYPE varchar(40);"},
			"changing-column-type", lint.Info, "(from text): the table is rewritten"},
		{"ColumnTypeFromTheCatalogBinaryCoercible", []string{"ALTER TABLE leads ALTER COLUMN status TYPE text;"}, "", 0, ""},
		{"TableCreatedInTheSet", []string{"CREATE TABLE notes (id bigint);", "CREATE INDEX notes_id_idx ON notes (id);"}, "", 0, ""},
		{"TableNotInTheCatalog", []string{"CREATE INDEX ghosts_idx ON ghosts (id);"}, "", 0, ""},
		{"NeverAnalyzed", []string{"CREATE INDEX imports_id_idx ON imports (id);"}, "require-concurrent-index-creation", lint.Warning, "imports"},
		{"RequiredFieldOnAnEmptyTable", []string{"ALTER TABLE baileys_sessions ADD COLUMN device text NOT NULL;"}, "adding-required-field", lint.Info, "device"},
		{"RequiredFieldOnATableWithRows", []string{"ALTER TABLE leads ADD COLUMN plan text NOT NULL;"}, "adding-required-field", lint.Error, "plan"},
		{"DropIndexFindsItsTableInTheCatalog", []string{"DROP INDEX users_email_key;"}, "require-concurrent-index-deletion", lint.Info, "(on public.users)"},
		{"DropIndexThatDoesNotExist", []string{"DROP INDEX IF EXISTS no_such_idx;"}, "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rep := lintSet(t, l, snap, tt.sqls...)
			if tt.rule == "" {
				require.Empty(t, rep.Findings)
				return
			}
			require.Len(t, rep.Findings, 1, "%+v", rep.Findings)
			f := rep.Findings[0]
			require.Equal(t, tt.rule, f.Rule)
			require.Equal(t, tt.severity, f.Severity)
			require.Contains(t, f.Detail, tt.detail)
			require.NotNil(t, f.Size)
		})
	}

	// A table never analysed has no size in the catalog; one bounded read through the pooler
	// tells an empty table, where ADD COLUMN … NOT NULL succeeds, from one with rows.
	t.Run("ProbeTellsEmptyFromNot", func(t *testing.T) {
		t.Parallel()
		pooler := newPool(ctx, t, db.PoolerURL)
		t.Cleanup(pooler.Close)
		probe := lint.PoolProbe{Pool: pooler}
		lintOne := func(sql string, p lint.RowProbe) lint.Finding {
			m, err := fingerprint.Parse("0001_x.sql", sql)
			require.NoError(t, err)
			rep := l.LintContext(ctx, []lint.File{{Name: "0001_x.sql", SQL: sql, Migration: m}}, snap, lint.LintOpts{Probe: p})
			require.Len(t, rep.Findings, 1, "%+v", rep.Findings)
			return rep.Findings[0]
		}
		const empty, full = "ALTER TABLE drafts ADD COLUMN title text NOT NULL;", "ALTER TABLE imports ADD COLUMN source text NOT NULL;"
		require.Equal(t, lint.Error, lintOne(empty, nil).Severity, "without a probe the size is unknown")
		f := lintOne(empty, probe)
		require.Equal(t, lint.Info, f.Severity, "empty: the statement succeeds")
		require.True(t, f.Size.Probed)
		require.Zero(t, f.Size.Rows)
		f = lintOne(full, probe)
		require.Equal(t, lint.Error, f.Severity, "rows: the statement fails")
		require.True(t, f.Size.Probed)
		require.Equal(t, int64(-1), f.Size.Rows)
		require.Equal(t, lint.Warning, lintOne("CREATE INDEX drafts_id_idx ON drafts (id);", nil).Severity)
		require.Equal(t, lint.Info, lintOne("CREATE INDEX drafts_id_idx ON drafts (id);", probe).Severity)
	})

	t.Run("UnknownSizeIsSaid", func(t *testing.T) {
		t.Parallel()
		rep := lintSet(t, l, snap, "CREATE INDEX imports_id_idx ON imports (id);")
		require.Equal(t, int64(-1), rep.Findings[0].Size.Rows)
		require.Zero(t, rep.Findings[0].Size.LockMillis)
	})
}
