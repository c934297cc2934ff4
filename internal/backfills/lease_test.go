package backfills_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/backfills"
	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/catalogfiles"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/liveness"
	"github.com/steadydb/steady/jobs"
	"github.com/steadydb/steady/workers"
)

const phone = "leads_phone_whatsapp"

// bundle is a migrated database with n leads to normalise, one run of phone started with its
// job inserted (no River client works it: the tests call the runner themselves), and a counter
// of committed changes per row.
type bundle struct {
	pooler *pgxpool.Pool // through PgBouncer in transaction mode
	direct *pgxpool.Pool
	store  *backfills.Store
	run    backfills.StartResult
	logs   *dbtest.LogBuffer
	log    *slog.Logger
}

func setup(t *testing.T, n int) *bundle {
	t.Helper()
	ctx := context.Background()
	db := dbtest.NewMigrated(t)
	log, logs := dbtest.Logger(t)
	pools, direct := dbtest.Open(t, db, log)
	tables, err := bookkeeping.New(bookkeeping.Config{Pool: pools.Pooler.Pool, Logger: log})
	require.NoError(t, err)
	b := &bundle{pooler: pools.Pooler.Pool, direct: direct, store: backfills.NewStore(pools.Pooler.Pool, tables, catalogfiles.ShippedBackfills()), logs: logs, log: log}
	b.exec(t, `INSERT INTO business (name, slug) VALUES ('Lease', 'lease')`)
	b.exec(t, fmt.Sprintf(`INSERT INTO leads (business_id, full_name, phone_whatsapp)
		SELECT 1, d, '0' || d FROM generate_series(1, %d) AS g, LATERAL (SELECT '5' || lpad(g::text, 8, '0') AS d) AS n`, n))
	b.exec(t, `ALTER TABLE leads ADD COLUMN touches int NOT NULL DEFAULT 0`)
	b.exec(t, `CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN NEW.touches := OLD.touches + 1; RETURN NEW; END $$`)
	b.exec(t, `CREATE TRIGGER touch BEFORE UPDATE ON leads FOR EACH ROW EXECUTE FUNCTION touch()`)
	require.NoError(t, tables.Ensure(ctx))
	ins, err := river.NewClient(riverpgxv5.New(b.pooler), &river.Config{Logger: log})
	require.NoError(t, err)
	bf, _ := catalogfiles.ShippedBackfills().Lookup(phone)
	b.run, err = b.store.Start(ctx, workers.BackfillJobs{Client: ins}, bf, backfills.StartOpts{Slices: 1, Trigger: backfills.TriggerManual})
	require.NoError(t, err)
	return b
}

func (b *bundle) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	_, err := b.direct.Exec(context.Background(), sql, args...)
	require.NoError(t, err, sql)
}

func (b *bundle) count(t *testing.T, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	require.NoError(t, b.direct.QueryRow(context.Background(), sql, args...).Scan(&n), sql)
	return n
}

func (b *bundle) runner(t *testing.T, fence func(error)) *backfills.Runner {
	t.Helper()
	r, err := backfills.NewRunner(b.pooler, catalogfiles.ShippedBackfills(), backfills.Config{MinBatch: 100, MaxBatch: 100, InitialBatch: 100,
		AttemptDuration: time.Minute, Fence: fence, Logger: b.log})
	require.NoError(t, err)
	return r
}

func (b *bundle) args() backfills.SliceJob {
	return backfills.SliceJob{Backfill: phone, Run: b.run.Run, Slice: 0}
}

type attemptResult struct {
	res backfills.Result
	err error
}

// TestLease runs two attempts at one slice at once, as after a rescue: the later claim owns the
// slice and the earlier attempt's next checkpoint write is refused.
func TestLease(t *testing.T) {
	t.Parallel()

	for name, tc := range map[string]struct {
		firstJob, secondJob int64
		fenced              bool
	}{
		// A resumed slice's new job: the old one just ends.
		"AnotherJobTakesOver": {firstJob: 7, secondJob: 8},
		// A rescued job's retry while the attempt it replaced still runs: that worker is fenced.
		"ALaterAttemptOfTheSameJobTakesOver": {firstJob: 7, secondJob: 7, fenced: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			const rows = 20_000
			b := setup(t, rows)
			var fences []error
			var mu sync.Mutex
			first := b.runner(t, func(err error) { mu.Lock(); fences = append(fences, err); mu.Unlock() })

			firstDone := make(chan attemptResult, 1)
			go func() {
				res, err := first.Run(ctx, b.args(), tc.firstJob)
				firstDone <- attemptResult{res, err}
			}()
			dbtest.WaitFor(t, time.Minute, func() bool {
				return b.count(t, `SELECT batches FROM steady_backfill_slices WHERE run_id = $1`, b.run.Run) >= 3
			}, "the first attempt made no progress")

			second, err := b.runner(t, nil).Run(ctx, b.args(), tc.secondJob)
			require.NoError(t, err)
			require.Equal(t, backfills.OutcomeDone, second.Outcome, "the later claim finishes the slice")

			r := <-firstDone
			require.NoError(t, r.err)
			require.Equal(t, backfills.OutcomeLost, r.res.Outcome)
			require.Equal(t, tc.secondJob, r.res.Holder)
			require.Contains(t, b.logs.String(), "backfill slice taken over by another attempt")

			// No row was changed twice: the loser wrote nothing after the claim, and its batch in
			// flight, if any, was refused and rolled back.
			require.Zero(t, b.count(t, `SELECT count(*) FROM leads WHERE touches > 1`))
			require.Zero(t, b.count(t, `SELECT count(*) FROM leads WHERE phone_whatsapp <> '+972' || full_name`))
			require.Equal(t, int64(rows), b.count(t, `SELECT rows_done FROM steady_backfill_slices WHERE run_id = $1`, b.run.Run))
			require.Equal(t, int64(2), b.count(t, `SELECT lease FROM steady_backfill_slices WHERE run_id = $1`, b.run.Run))

			mu.Lock()
			defer mu.Unlock()
			if !tc.fenced {
				require.Empty(t, fences)
				return
			}
			require.Len(t, fences, 1)
			var lost *backfills.LostError
			require.True(t, errors.As(fences[0], &lost), "%v", fences[0])
			require.Equal(t, int64(1), lost.Lease)
			require.Equal(t, int64(2), lost.Now)
		})
	}
}

// TestStalled reads the status of a run that nobody works, with and without live workers.
func TestStalled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, 1_000)
	store := b.store.WithStalledAfter(time.Minute)
	// The run made progress two minutes ago, at 12.5 rows/s.
	b.exec(t, `UPDATE steady_backfill_slices SET state = 'running', started_at = now() - interval '3 minutes',
		updated_at = now() - interval '2 minutes', rate_per_s = 12.5, rows_done = 10, cursor_key = key_from + 10`)
	b.exec(t, `UPDATE steady_backfill_runs SET created_at = now() - interval '3 minutes'`)
	status := func() backfills.RunStatus {
		t.Helper()
		sts, err := store.Status(ctx, phone)
		require.NoError(t, err)
		return sts[0]
	}

	t.Run("NoWorkerEverRan", func(t *testing.T) {
		st := status()
		require.Equal(t, backfills.StateStalled, st.State)
		require.True(t, st.State.Active())
		require.Equal(t, "no worker is running: start steady worker", st.Stalled)
		require.NotNil(t, st.StalledSince)
		require.Zero(t, st.RatePerS)
		require.Nil(t, st.ETASeconds)
	})

	h, err := liveness.New(liveness.Config{Pool: b.pooler, Interval: time.Second, Logger: b.log})
	require.NoError(t, err)
	require.NoError(t, h.Start(ctx))
	t.Cleanup(func() { require.NoError(t, h.Stop(context.Background())) })

	t.Run("ALiveWorkerWillPickTheJobUp", func(t *testing.T) {
		st := status()
		require.Equal(t, backfills.StateRunning, st.State)
		require.Equal(t, 12.5, st.RatePerS)
	})

	t.Run("ALiveWorkerButTheSliceHasNoJob", func(t *testing.T) {
		b.exec(t, `UPDATE river_job SET state = 'discarded', finalized_at = now() WHERE kind = $1`, jobs.BackfillKind)
		st := status()
		require.Equal(t, backfills.StateStalled, st.State)
		require.Equal(t, "slice 0 has no job a worker could pick up: steady backfill enqueue "+phone+" gives it one", st.Stalled)
		require.WithinDuration(t, time.Now().Add(-2*time.Minute), *st.StalledSince, 30*time.Second, "since its last progress")
	})

	t.Run("HeldByALiveWorkerIsNeverStalled", func(t *testing.T) {
		b.exec(t, `UPDATE river_job SET state = 'running', finalized_at = NULL, attempt = 1, attempted_at = now(),
			attempted_by = ARRAY[$2::text] WHERE kind = $1`, jobs.BackfillKind, h.ClientID())
		st := status()
		require.Equal(t, backfills.StateRunning, st.State, "slow (held back, say) but worked")
	})

	t.Run("WithinTheBoundItIsNotStalledYet", func(t *testing.T) {
		b.exec(t, `UPDATE river_job SET state = 'available', attempted_by = NULL WHERE kind = $1`, jobs.BackfillKind)
		require.NoError(t, h.Stop(ctx))
		b.exec(t, `UPDATE steady_backfill_slices SET updated_at = now()`)
		st := status()
		require.Equal(t, backfills.StateRunning, st.State)
		require.Zero(t, st.RatePerS, "but nobody works it: no rate")
		require.Nil(t, st.ETASeconds)
	})
}
