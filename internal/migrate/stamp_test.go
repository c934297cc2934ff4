package migrate_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/migfiles"
	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/migrations"
)

// stamped migrates the shipped set and checks that the next run takes the no-op fast path.
func stamped(t *testing.T) (*bundle, int) {
	t.Helper()
	b := setup(t)
	n := len(shipped(t))
	_, err := b.migrator(t, migrations.FS).Migrate(context.Background(), migrate.Opts{})
	require.NoError(t, err)
	res, err := b.migrator(t, migrations.FS).Migrate(context.Background(), migrate.Opts{})
	require.NoError(t, err)
	require.True(t, res.Unchanged, "the run after a clean one takes the fast path")
	return b, n
}

// recorded is what `steady status` shows: each migration's state from a fresh plan.
func (b *bundle) recorded(t *testing.T) map[migfiles.Version]migrate.State {
	t.Helper()
	plan, err := b.migrator(t, migrations.FS).Plan(context.Background())
	require.NoError(t, err)
	out := map[migfiles.Version]migrate.State{}
	for _, mp := range plan.Migrations {
		out[mp.Version] = mp.State
	}
	return out
}

func (b *bundle) versions(t *testing.T, sql string) []int64 {
	t.Helper()
	rows, err := b.direct.Query(context.Background(), sql)
	require.NoError(t, err)
	var out []int64
	for rows.Next() {
		var v int64
		require.NoError(t, rows.Scan(&v))
		out = append(out, v)
	}
	require.NoError(t, rows.Err())
	return out
}

// requireAllRecorded asserts what status reports after the run: every migration applied or
// reconciled, each with its row in the history.
func (b *bundle) requireAllRecorded(t *testing.T, n int) {
	t.Helper()
	for v, st := range b.recorded(t) {
		require.Contains(t, []migrate.State{migrate.StateApplied, migrate.StateReconciled}, st, "migration %s", v)
	}
	total, _ := b.historyCount(t)
	require.Equal(t, n, total)
}

// TestNoOpStampCoversTheHistory: the one-round-trip no-op check covers the rows of
// schema_migrations, so that migrate never says "unchanged" while status lists a migration as
// pending or changed.
func TestNoOpStampCoversTheHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("DeletedRowsAreVerifiedInFullAndComeBack", func(t *testing.T) {
		t.Parallel()
		b, n := stamped(t)
		last := b.versions(t, "SELECT version::bigint FROM schema_migrations ORDER BY version::bigint DESC LIMIT 3")
		require.Len(t, last, 3)
		b.exec(t, "DELETE FROM schema_migrations WHERE version IN (SELECT version FROM schema_migrations ORDER BY version::bigint DESC LIMIT 3)")
		before := b.recorded(t)
		for _, v := range last {
			require.Equal(t, migrate.StatePending, before[migfiles.Version(strconv.FormatInt(v, 10))], "status before the run, migration %d", v)
		}

		res, err := b.migrator(t, migrations.FS).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		require.False(t, res.Unchanged, "a deleted history row must bring back the full verification")
		require.NotNil(t, res.Plan)
		require.Equal(t, 3, res.Reconciled, "what is present comes back reconciled, nothing runs again: %s", res.Summary())
		require.Zero(t, res.Failed+res.Drift, b.logs.String())
		b.requireAllRecorded(t, n)
		require.ElementsMatch(t, last, b.versions(t, "SELECT version::bigint FROM schema_migrations ORDER BY version::bigint DESC LIMIT 3"))

		// The full verification stamped again: the next run is a no-op once more.
		res, err = b.migrator(t, migrations.FS).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		require.True(t, res.Unchanged)
	})

	t.Run("TruncatedHistoryComesBack", func(t *testing.T) {
		t.Parallel()
		b, n := stamped(t)
		b.exec(t, "TRUNCATE schema_migrations")
		for v, st := range b.recorded(t) {
			require.Equal(t, migrate.StatePending, st, "status before the run, migration %d", v)
		}

		res, err := b.migrator(t, migrations.FS).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		require.False(t, res.Unchanged, "a truncated history must bring back the full verification")
		require.Equal(t, n, res.Applied+res.Reconciled, res.Summary())
		require.Zero(t, res.Failed+res.Drift, b.logs.String())
		b.requireAllRecorded(t, n)
	})

	t.Run("ChangedChecksumIsReported", func(t *testing.T) {
		t.Parallel()
		b, _ := stamped(t)
		b.exec(t, "UPDATE schema_migrations SET checksum = 'edited' WHERE version = '2'")

		res, err := b.migrator(t, migrations.FS).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		require.False(t, res.Unchanged, "an edited checksum must bring back the full verification")
		require.Equal(t, migrate.StateChecksumChanged, res.Plan.Migrations[1].State)
		require.Equal(t, 1, res.Drift)
		require.Equal(t, migrate.StateChecksumChanged, b.recorded(t)["2"], "status agrees")
		// Not stamped: every run keeps reporting it.
		res, err = b.migrator(t, migrations.FS).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		require.False(t, res.Unchanged)
		require.Equal(t, 1, res.Drift)
	})

	t.Run("AnyWriteToTheDecidingColumnsStepsAside", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct{ name, sql string }{
			{"Insert", "INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, 'not_a_file', 'x')"},
			{"UpdateName", "UPDATE schema_migrations SET name = name || '_renamed' WHERE version = '3'"},
			{"UpdateReconciled", "UPDATE schema_migrations SET reconciled = NOT reconciled WHERE version = '4'"},
			// Two rows whose hashes could cancel in a sum of one column: the count and the
			// per-row hash still differ.
			{"SwapChecksums", "UPDATE schema_migrations h SET checksum = o.checksum FROM schema_migrations o WHERE (h.version, o.version) IN (('5', '6'), ('6', '5'))"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				b, _ := stamped(t)
				b.exec(t, tc.sql)
				res, err := b.migrator(t, migrations.FS).Migrate(ctx, migrate.Opts{})
				require.NoError(t, err)
				require.False(t, res.Unchanged, "the fast path must step aside after: %s", tc.sql)
				require.NotNil(t, res.Plan)
			})
		}
	})

	t.Run("WritesOutsideTheDecidingColumnsKeepTheFastPath", func(t *testing.T) {
		t.Parallel()
		b, _ := stamped(t)
		// applied_at, evidence and duration_ms say how a migration ran, not whether it did.
		b.exec(t, "UPDATE schema_migrations SET applied_at = applied_at - interval '1 day', duration_ms = duration_ms + 1")
		res, err := b.migrator(t, migrations.FS).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		require.True(t, res.Unchanged)
	})

	t.Run("StampTableOfAnOlderSteadyIsUpgraded", func(t *testing.T) {
		t.Parallel()
		b, _ := stamped(t)
		// As the release before the versioned tables left it, from before the history's digest.
		b.exec(t, `ALTER TABLE steady_migration_state RENAME TO schema_migrations_state;
			ALTER TABLE schema_migrations_state DROP COLUMN history_digest; DROP TABLE steady_schema_versions`)
		// The stamp is unreadable: verify in full, upgrade steady's tables and stamp again.
		// The upgrade changes the catalog, so one more full run stamps the version after it.
		for i := range 2 {
			res, err := b.migrator(t, migrations.FS).Migrate(ctx, migrate.Opts{})
			require.NoError(t, err)
			require.False(t, res.Unchanged, "run %d", i+1)
			require.Zero(t, res.Applied+res.Reconciled+res.Failed+res.Drift, res.Summary())
		}
		res, err := b.migrator(t, migrations.FS).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		require.True(t, res.Unchanged)
	})
}
