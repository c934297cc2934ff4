package workers_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/backfills"
	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/catalogfiles"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/demodata"
	"github.com/steadydb/steady/jobs"
	"github.com/steadydb/steady/workers"
)

// bundle is one test's database, with River working backfills on its POOLER (PgBouncer in
// transaction mode, so River polls) and a direct pool for the test's own reads.
type bundle struct {
	db     *dbtest.DB
	pooler *pgxpool.Pool
	direct *pgxpool.Pool
	store  *backfills.Store
	runner *backfills.Runner
	client *river.Client[pgx.Tx]
	logs   *dbtest.LogBuffer
}

func setup(t *testing.T, cfg backfills.Config) *bundle {
	t.Helper()
	ctx := context.Background()
	db := dbtest.NewMigrated(t)
	log, logs := dbtest.Logger(t)
	pools, direct := dbtest.Open(t, db, log)
	tables, err := bookkeeping.New(bookkeeping.Config{Pool: pools.Pooler.Pool, Logger: log})
	require.NoError(t, err)
	require.NoError(t, tables.Ensure(ctx))

	cfg.Logger = log
	runner, err := backfills.NewRunner(pools.Pooler.Pool, catalogfiles.ShippedBackfills(), cfg)
	require.NoError(t, err)
	store := backfills.NewStore(pools.Pooler.Pool, tables, catalogfiles.ShippedBackfills())
	w := river.NewWorkers()
	workers.RegisterBackfills(w, runner, store, nil, log)
	client, err := river.NewClient(riverpgxv5.New(pools.Pooler.Pool), &river.Config{
		Logger:            log,
		PollOnly:          true, // LISTEN/NOTIFY does not work through the pooler
		FetchPollInterval: 100 * time.Millisecond,
		Queues: map[string]river.QueueConfig{
			jobs.QueueBackfills: {MaxWorkers: 4},
			jobs.QueueDefault:   {MaxWorkers: 2},
		},
		Workers:  w,
		TestOnly: true,
	})
	require.NoError(t, err)
	require.NoError(t, client.Start(ctx))
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, client.StopAndCancel(stopCtx))
	})
	return &bundle{db: db, pooler: pools.Pooler.Pool, direct: direct, store: store, runner: runner, client: client, logs: logs}
}

func (b *bundle) start(t *testing.T, name string, slices int) backfills.StartResult {
	t.Helper()
	bf, ok := catalogfiles.ShippedBackfills().Lookup(name)
	require.True(t, ok)
	res, err := b.store.Start(context.Background(), workers.BackfillJobs{Client: b.client}, bf, backfills.StartOpts{Slices: slices, Trigger: backfills.TriggerManual})
	require.NoError(t, err)
	return res
}

func (b *bundle) count(t *testing.T, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	require.NoError(t, b.direct.QueryRow(context.Background(), sql, args...).Scan(&n), sql)
	return n
}

func (b *bundle) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	_, err := b.direct.Exec(context.Background(), sql, args...)
	require.NoError(t, err, sql)
}

// pending counts the rows of a whole table that the backfill still has to change.
func (b *bundle) pending(t *testing.T, name string) int64 {
	t.Helper()
	bf, _ := catalogfiles.ShippedBackfills().Lookup(name)
	return b.count(t, `SELECT count(*) FROM (`+bf.Pending+`) AS p`, int64(-1)<<62, int64(1)<<62)
}

func (b *bundle) status(t *testing.T, name string) backfills.RunStatus {
	t.Helper()
	sts, err := b.store.Status(context.Background(), name)
	require.NoError(t, err)
	return sts[0]
}

// waitState waits for the latest run of name to reach state.
func (b *bundle) waitState(t *testing.T, name string, state backfills.State, within time.Duration) backfills.RunStatus {
	t.Helper()
	var st backfills.RunStatus
	dbtest.WaitFor(t, within, func() bool {
		st = b.status(t, name)
		require.NotContains(t, []backfills.State{backfills.StateFailed, backfills.StateCancelled}, st.State,
			"%s: %s", name, st.Error)
		return st.State == state
	}, "backfill %s never became %s", name, state)
	return st
}

// waitJobsFinished waits until no backfill job of the database is waiting or running.
func (b *bundle) waitJobsFinished(t *testing.T) {
	t.Helper()
	dbtest.WaitFor(t, time.Minute, func() bool {
		return b.count(t, `SELECT count(*) FROM river_job WHERE kind = $1
			AND state NOT IN ('completed', 'cancelled', 'discarded')`, jobs.BackfillKind) == 0
	}, "backfill jobs still live")
}

// phones loads n leads with WhatsApp numbers in every format the product's clients wrote, and the
// table expected(id, phone) with what each must become, computed here without SQL.
func phones(t *testing.T, b *bundle, n int, idOf func(i int) int64) {
	t.Helper()
	ctx := context.Background()
	var business int64
	require.NoError(t, b.direct.QueryRow(ctx, `INSERT INTO business (name, slug) VALUES ('Bulk', 'bulk') RETURNING id`).Scan(&business))
	b.exec(t, `CREATE TABLE expected (id bigint PRIMARY KEY, phone text)`)
	leads, expected := make([][]any, n), make([][]any, n)
	for i := range n {
		in := phoneFormat(i)
		id := idOf(i)
		leads[i] = []any{id, business, fmt.Sprintf("Lead %d", i), in}
		expected[i] = []any{id, normalised(in)}
	}
	_, err := b.direct.CopyFrom(ctx, pgx.Identifier{"leads"}, []string{"id", "business_id", "full_name", "phone_whatsapp"}, pgx.CopyFromRows(leads))
	require.NoError(t, err)
	_, err = b.direct.CopyFrom(ctx, pgx.Identifier{"expected"}, []string{"id", "phone"}, pgx.CopyFromRows(expected))
	require.NoError(t, err)
	b.exec(t, `SELECT setval(pg_get_serial_sequence('leads', 'id'), (SELECT max(id) FROM leads))`)
}

func phoneFormat(i int) *string {
	d := fmt.Sprintf("5%d%07d", i%9, i%10_000_000)
	var s string
	switch i % 12 {
	case 0, 1, 2:
		s = "+972" + d
	case 3:
		s = "0" + d[:2] + "-" + d[2:5] + "-" + d[5:]
	case 4:
		s = "972 " + d[:2] + " " + d[2:5] + " " + d[5:]
	case 5:
		s = "972" + d + "@s.whatsapp.net"
	case 6:
		s = "00972" + d
	case 7:
		s = "whatsapp:+1 (415) 555-" + fmt.Sprintf("%04d", i%10_000)
	case 8:
		return nil
	case 9:
		s = "  "
	case 10:
		s = "n/a"
	default:
		s = "(0" + d[:1] + ") " + d[1:4] + "." + d[4:]
	}
	return &s
}

var attemptRE = regexp.MustCompile(`msg="backfill slice attempt" .*? from_key=(-?[0-9]+)`)

var (
	e164     = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	intl00   = regexp.MustCompile(`^00[1-9][0-9]{6,14}$`)
	national = regexp.MustCompile(`^0[1-9][0-9]{7,8}$`)
	bare     = regexp.MustCompile(`^[1-9][0-9]{9,14}$`)
)

// normalised is the oracle: what leads_phone_whatsapp must make of in.
func normalised(in *string) *string {
	if in == nil || strings.Trim(*in, " ") == "" {
		return nil
	}
	s, _, _ := strings.Cut(*in, "@")
	d := strings.Map(func(r rune) rune {
		if r == '+' || (r >= '0' && r <= '9') {
			return r
		}
		return -1
	}, s)
	var out string
	switch {
	case e164.MatchString(d):
		out = d
	case intl00.MatchString(d):
		out = "+" + d[2:]
	case national.MatchString(d):
		out = "+972" + d[1:]
	case bare.MatchString(d):
		out = "+" + d
	default:
		out = *in
	}
	return &out
}

func TestBackfill(t *testing.T) {
	t.Parallel()
	const phone = "leads_phone_whatsapp"

	t.Run("OverAHundredThousandRowsEveryRowIsCorrect", func(t *testing.T) {
		t.Parallel()
		b := setup(t, backfills.Config{})
		const n = 120_000
		phones(t, b, n, func(i int) int64 { return int64(i + 1) })
		changes := b.count(t, `SELECT count(*) FROM leads l JOIN expected e USING (id) WHERE l.phone_whatsapp IS DISTINCT FROM e.phone`)
		require.Greater(t, changes, int64(n/2))
		require.Equal(t, changes, b.pending(t, phone))

		b.start(t, phone, 1)
		st := b.waitState(t, phone, backfills.StateDone, 3*time.Minute)

		require.Zero(t, b.count(t, `SELECT count(*) FROM leads l JOIN expected e USING (id) WHERE l.phone_whatsapp IS DISTINCT FROM e.phone`))
		require.Equal(t, int64(n), b.count(t, `SELECT count(*) FROM leads`))
		require.Zero(t, b.pending(t, phone))
		require.Equal(t, changes, st.RowsDone)
		require.Equal(t, int64(0), *st.RowsRemaining)
		var batches, size int64
		require.NoError(t, b.direct.QueryRow(context.Background(),
			`SELECT batches, batch_size FROM steady_backfill_slices WHERE run_id = $1`, st.Run).Scan(&batches, &size))
		require.Greater(t, batches, int64(1))
		require.NotEqual(t, int64(1000), size, "the batch size adapted")
		t.Logf("%d rows changed in %d batches; last batch size %d", changes, batches, size)

		// A rerun finds nothing to do: the predicate makes the backfill idempotent.
		b.start(t, phone, 2)
		require.Zero(t, b.waitState(t, phone, backfills.StateDone, time.Minute).RowsDone)
	})

	t.Run("EveryShippedBackfillOnDemoData", func(t *testing.T) {
		t.Parallel()
		b := setup(t, backfills.Config{})
		_, err := demodata.Load(context.Background(), b.pooler, 1, nil)
		require.NoError(t, err)
		before := map[string]int64{}
		for _, bf := range catalogfiles.ShippedBackfills() {
			before[bf.Name] = b.pending(t, bf.Name)
			require.Positive(t, before[bf.Name], "demo data gives %s work", bf.Name)
			b.start(t, bf.Name, 2)
		}
		for _, bf := range catalogfiles.ShippedBackfills() {
			st := b.waitState(t, bf.Name, backfills.StateDone, 3*time.Minute)
			require.Equal(t, before[bf.Name], st.RowsDone, bf.Name)
			require.Zero(t, b.pending(t, bf.Name), bf.Name)
		}
		// Checked again with queries written differently from the catalog's.
		for what, sql := range map[string]string{
			"leads_last_call": `SELECT count(*) FROM leads l
				JOIN (SELECT lead_id, direction, started_at,
				             row_number() OVER (PARTITION BY lead_id ORDER BY started_at DESC, id DESC) AS n
				      FROM call_log WHERE lead_id IS NOT NULL) c ON c.lead_id = l.id AND c.n = 1
				WHERE l.last_call_direction IS DISTINCT FROM c.direction OR l.last_call_at IS DISTINCT FROM c.started_at`,
			"leads_phone_whatsapp": `SELECT count(*) FROM leads WHERE phone_whatsapp !~ '^\+[1-9][0-9]{6,14}$' AND phone_whatsapp <> 'n/a'`,
			"threads_last_message_at": `SELECT count(*) FROM threads t
				JOIN (SELECT thread_id, coalesce(sent_at, created_at) AS at,
				             row_number() OVER (PARTITION BY thread_id ORDER BY coalesce(sent_at, created_at) DESC) AS n
				      FROM messages) m ON m.thread_id = t.id AND m.n = 1
				WHERE t.last_message_at IS DISTINCT FROM m.at`,
			"messages_delivered_at": `SELECT count(*) FROM broadcast_recipients r JOIN messages m ON m.id = r.message_id
				WHERE r.delivered_at IS NOT NULL AND m.delivered_at IS DISTINCT FROM r.delivered_at`,
			"broadcast_recipients_delivered": `SELECT count(*) FROM broadcast_recipients WHERE status = 'sent' AND delivered_at IS NOT NULL`,
			"business_webhook_secret":        `SELECT count(*) FROM business WHERE webhook_secret !~ '^[0-9a-f]{64}$'`,
		} {
			require.Zero(t, b.count(t, sql), what)
		}
		require.Equal(t, int64(20), b.count(t, `SELECT count(DISTINCT webhook_secret) FROM business`), "secrets are distinct")
	})

	t.Run("TransientBatchErrorIsRetriedInPlace", func(t *testing.T) {
		t.Parallel()
		b := setup(t, backfills.Config{})
		phones(t, b, 5_000, func(i int) int64 { return int64(i + 1) })
		// A sequence is not rolled back: the batch fails with a serialization failure once.
		b.exec(t, `CREATE SEQUENCE calls`)
		b.exec(t, `CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				IF nextval('calls') = 3 THEN RAISE EXCEPTION 'injected conflict' USING ERRCODE = '40001'; END IF;
				RETURN NEW;
			END $$`)
		b.exec(t, `CREATE TRIGGER fail_once BEFORE UPDATE ON leads FOR EACH ROW EXECUTE FUNCTION fail_once()`)
		b.start(t, phone, 1)
		b.waitState(t, phone, backfills.StateDone, time.Minute)
		require.Zero(t, b.count(t, `SELECT count(*) FROM leads l JOIN expected e USING (id) WHERE l.phone_whatsapp IS DISTINCT FROM e.phone`))
		require.Contains(t, b.logs.String(), "backfill batch failed; retrying")
		require.Contains(t, b.logs.String(), "injected conflict")
		require.Equal(t, int64(1), b.count(t, `SELECT max(attempt) FROM river_job WHERE kind = $1`, jobs.BackfillKind), "retried inside the attempt")
	})

	t.Run("FailedAttemptIsRetriedByRiverFromTheCheckpoint", func(t *testing.T) {
		t.Parallel()
		b := setup(t, backfills.Config{MaxBatch: 500})
		phones(t, b, 5_000, func(i int) int64 { return int64(i + 1) })
		// Not a transient error: the attempt fails, River retries the job, which resumes.
		b.exec(t, `CREATE SEQUENCE calls`)
		b.exec(t, `CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				IF NEW.id > 2500 AND nextval('calls') = 1 THEN RAISE EXCEPTION 'injected failure'; END IF;
				RETURN NEW;
			END $$`)
		b.exec(t, `CREATE TRIGGER fail_once BEFORE UPDATE ON leads FOR EACH ROW EXECUTE FUNCTION fail_once()`)
		res := b.start(t, phone, 1)
		st := b.waitState(t, phone, backfills.StateDone, time.Minute)
		require.Empty(t, st.Error, "a successful batch clears the error")
		require.Zero(t, b.count(t, `SELECT count(*) FROM leads l JOIN expected e USING (id) WHERE l.phone_whatsapp IS DISTINCT FROM e.phone`))
		var attempt int
		var errs []string
		require.NoError(t, b.direct.QueryRow(context.Background(), `SELECT attempt, array(SELECT e->>'error' FROM unnest(errors) e)
			FROM river_job WHERE kind = $1 AND args->>'run' = $2`, jobs.BackfillKind, fmt.Sprint(res.Run)).Scan(&attempt, &errs))
		require.Equal(t, 2, attempt)
		require.Len(t, errs, 1)
		require.Contains(t, errs[0], "injected failure")
		attempts := attemptRE.FindAllStringSubmatch(b.logs.String(), -1)
		require.Len(t, attempts, 2)
		require.Equal(t, "0", attempts[0][1])
		resumed, _ := strconv.ParseInt(attempts[1][1], 10, 64)
		require.True(t, resumed > 0 && resumed <= 2500, "the retry starts at the checkpoint (%d), not at the beginning", resumed)
	})

	t.Run("PauseThenResumeFromTheCheckpoint", func(t *testing.T) {
		t.Parallel()
		// No time to count: the remaining rows are extrapolated from progress.
		b := setup(t, backfills.Config{MaxBatch: 200, CountTimeout: time.Millisecond})
		phones(t, b, 40_000, func(i int) int64 { return int64(i + 1) })
		res := b.start(t, phone, 1)
		dbtest.WaitFor(t, time.Minute, func() bool {
			return b.count(t, `SELECT batches FROM steady_backfill_slices WHERE run_id = $1`, res.Run) >= 3
		}, "no batch ran")
		c, err := b.store.Pause(context.Background(), phone)
		require.NoError(t, err)
		require.Equal(t, 1, c.Slices)
		b.waitJobsFinished(t) // the job stops at its next batch boundary
		st := b.status(t, phone)
		require.Equal(t, backfills.StatePaused, st.State)
		require.Less(t, st.Progress, 1.0)
		require.True(t, st.Estimated)
		require.InEpsilon(t, b.pending(t, phone), *st.RowsRemaining, 0.2, "estimate %d", *st.RowsRemaining)
		cursor := b.count(t, `SELECT cursor_key FROM steady_backfill_slices WHERE run_id = $1`, res.Run)
		// Paused is durable: nothing works the slice, and enqueueing again does not restart it.
		again := b.start(t, phone, 1)
		require.False(t, again.Started)
		require.Equal(t, backfills.StatePaused, again.State)
		require.Zero(t, again.Requeued)
		require.Equal(t, cursor, b.count(t, `SELECT cursor_key FROM steady_backfill_slices WHERE run_id = $1`, res.Run))
		require.Zero(t, b.count(t, `SELECT count(*) FROM leads l JOIN expected e USING (id)
			WHERE l.id <= $1 AND l.phone_whatsapp IS DISTINCT FROM e.phone`, cursor), "everything before the checkpoint is done")
		require.Positive(t, b.pending(t, phone), "and the rest is not")

		c, err = b.store.Resume(context.Background(), workers.BackfillJobs{Client: b.client}, phone)
		require.NoError(t, err)
		require.Equal(t, 1, c.Requeued)
		done := b.waitState(t, phone, backfills.StateDone, 2*time.Minute)
		require.Equal(t, res.Run, done.Run, "the same run finished")
		require.Zero(t, b.count(t, `SELECT count(*) FROM leads l JOIN expected e USING (id) WHERE l.phone_whatsapp IS DISTINCT FROM e.phone`))
		require.Contains(t, b.logs.String(), fmt.Sprintf("from_key=%d", cursor), "resumed at the checkpoint")
	})

	t.Run("ResumeBeforeThePausedJobHasStopped", func(t *testing.T) {
		t.Parallel()
		b := setup(t, backfills.Config{MaxBatch: 200})
		phones(t, b, 20_000, func(i int) int64 { return int64(i + 1) })
		res := b.start(t, phone, 1)
		dbtest.WaitFor(t, time.Minute, func() bool {
			return b.count(t, `SELECT batches FROM steady_backfill_slices WHERE run_id = $1`, res.Run) >= 2
		}, "no batch ran")
		_, err := b.store.Pause(context.Background(), phone)
		require.NoError(t, err)
		c, err := b.store.Resume(context.Background(), workers.BackfillJobs{Client: b.client}, phone)
		require.NoError(t, err)
		require.Equal(t, 1, c.Requeued, "a job of a new generation, whatever the paused one is doing")
		b.waitState(t, phone, backfills.StateDone, 2*time.Minute)
		b.waitJobsFinished(t)
		require.Zero(t, b.count(t, `SELECT count(*) FROM leads l JOIN expected e USING (id) WHERE l.phone_whatsapp IS DISTINCT FROM e.phone`))
	})

	t.Run("CancelStopsForGood", func(t *testing.T) {
		t.Parallel()
		b := setup(t, backfills.Config{MaxBatch: 200})
		phones(t, b, 40_000, func(i int) int64 { return int64(i + 1) })
		res := b.start(t, phone, 1)
		dbtest.WaitFor(t, time.Minute, func() bool {
			return b.count(t, `SELECT batches FROM steady_backfill_slices WHERE run_id = $1`, res.Run) >= 3
		}, "no batch ran")
		_, err := b.store.Cancel(context.Background(), phone)
		require.NoError(t, err)
		b.waitJobsFinished(t)
		st := b.status(t, phone)
		require.Equal(t, backfills.StateCancelled, st.State)
		cursor := b.count(t, `SELECT cursor_key FROM steady_backfill_slices WHERE run_id = $1`, res.Run)
		require.Less(t, cursor, int64(40_000))
		// What committed stays; nothing after the checkpoint was touched.
		require.Zero(t, b.count(t, `SELECT count(*) FROM leads l JOIN expected e USING (id)
			WHERE l.id <= $1 AND l.phone_whatsapp IS DISTINCT FROM e.phone`, cursor))
		require.Equal(t, b.count(t, `SELECT count(*) FROM leads l JOIN expected e USING (id)
			WHERE l.id > $1 AND e.phone IS DISTINCT FROM l.phone_whatsapp`, cursor), b.pending(t, phone))
		_, err = b.store.Cancel(context.Background(), phone)
		require.ErrorIs(t, err, backfills.ErrNoActiveRun)
		require.True(t, b.start(t, phone, 1).Started, "a cancelled run does not block a new one")
	})

	t.Run("SlicesCoverTheKeySpaceExactlyOnce", func(t *testing.T) {
		t.Parallel()
		b := setup(t, backfills.Config{MaxBatch: 500})
		// Sparse keys: gaps of 1 to 13 between ids.
		phones(t, b, 30_000, func(i int) int64 { return int64(i)*7 + int64(i%13) + 5 })
		b.exec(t, `ALTER TABLE leads ADD COLUMN touches int NOT NULL DEFAULT 0`)
		b.exec(t, `CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN NEW.touches := OLD.touches + 1; RETURN NEW; END $$`)
		b.exec(t, `CREATE TRIGGER touch BEFORE UPDATE ON leads FOR EACH ROW EXECUTE FUNCTION touch()`)
		changes := b.pending(t, phone)
		res := b.start(t, phone, 4)
		require.Equal(t, 4, res.Slices)
		st := b.waitState(t, phone, backfills.StateDone, 2*time.Minute)
		require.Equal(t, changes, st.RowsDone)

		rows, err := b.direct.Query(context.Background(), `SELECT key_from, key_to, rows_done FROM steady_backfill_slices WHERE run_id = $1 ORDER BY slice`, res.Run)
		require.NoError(t, err)
		ranges, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct{ From, To, Done int64 }])
		require.NoError(t, err)
		require.Len(t, ranges, 4)
		require.Equal(t, b.count(t, `SELECT min(id) - 1 FROM leads`), ranges[0].From)
		require.Equal(t, b.count(t, `SELECT max(id) FROM leads`), ranges[3].To)
		for i := 1; i < len(ranges); i++ {
			require.Equal(t, ranges[i-1].To, ranges[i].From, "slices %d and %d meet", i-1, i)
			require.Positive(t, ranges[i].Done, "slice %d did work", i)
		}
		require.Zero(t, b.count(t, `SELECT count(*) FROM leads WHERE touches > 1`), "no row was changed twice")
		require.Equal(t, changes, b.count(t, `SELECT count(*) FROM leads WHERE touches = 1`))
		require.Zero(t, b.count(t, `SELECT count(*) FROM leads l JOIN expected e USING (id) WHERE l.phone_whatsapp IS DISTINCT FROM e.phone`))
		require.Equal(t, int64(4), b.count(t, `SELECT count(DISTINCT args->>'slice') FROM river_job WHERE kind = $1`, jobs.BackfillKind))
	})

	t.Run("HeldBackWhileASessionWaitsForALockOnTheTable", func(t *testing.T) {
		t.Parallel()
		b := setup(t, backfills.Config{MaxBatch: 100, LockTimeout: 200 * time.Millisecond, HealthEvery: 10 * time.Millisecond})
		phones(t, b, 20_000, func(i int) int64 { return int64(i + 1) })
		res := b.start(t, phone, 1)
		dbtest.WaitFor(t, time.Minute, func() bool {
			return b.count(t, `SELECT batches FROM steady_backfill_slices WHERE run_id = $1`, res.Run) >= 1
		}, "no batch ran")

		// A holds a lock the backfill shares; B (a migration's ALTER, say) queues behind A.
		ctx := context.Background()
		a, err := b.direct.Begin(ctx)
		require.NoError(t, err)
		defer a.Rollback(ctx) //nolint:errcheck
		_, err = a.Exec(ctx, `LOCK TABLE leads IN ROW EXCLUSIVE MODE`)
		require.NoError(t, err)
		bCtx, stopB := context.WithCancel(ctx)
		bDone := make(chan error, 1)
		go func() {
			_, err := b.direct.Exec(bCtx, `BEGIN; LOCK TABLE leads IN ACCESS EXCLUSIVE MODE; COMMIT`)
			bDone <- err
		}()
		st := func() backfills.RunStatus { return b.status(t, phone) }
		dbtest.WaitFor(t, time.Minute, func() bool { return strings.Contains(st().Throttled, "waiting for a lock on leads") },
			"the backfill never stepped aside")
		held := b.count(t, `SELECT cursor_key FROM steady_backfill_slices WHERE run_id = $1`, res.Run)
		require.Less(t, held, int64(20_000))

		stopB()
		<-bDone
		require.NoError(t, a.Rollback(ctx))
		done := b.waitState(t, phone, backfills.StateDone, time.Minute)
		require.Empty(t, done.Throttled)
		require.Zero(t, b.count(t, `SELECT count(*) FROM leads l JOIN expected e USING (id) WHERE l.phone_whatsapp IS DISTINCT FROM e.phone`))
		require.Contains(t, b.logs.String(), "backfill held back")
		require.Contains(t, b.logs.String(), "backfill no longer held back")
	})

	t.Run("YieldsToTheApplicationThenSpeedsUpWhenItIsIdle", func(t *testing.T) {
		t.Parallel()
		b := setup(t, backfills.Config{MinBatch: 50, MaxBatch: 50, Yield: 2})
		phones(t, b, 40_000, func(i int) int64 { return int64(i + 1) })
		ctx := context.Background()
		// The test's own reads pose as steady (its application_name): only the application counts.
		watch, err := pgxpool.New(ctx, b.db.DirectURL+"&application_name=steady")
		require.NoError(t, err)
		t.Cleanup(watch.Close)
		othersActive := func() int64 {
			var n int64
			require.NoError(t, watch.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
				WHERE datname = current_database() AND state = 'active' AND application_name <> 'steady'`).Scan(&n))
			return n
		}
		slice := func(run int64) (batches int64, held float64, throttled *string) {
			require.NoError(t, watch.QueryRow(ctx, `SELECT batches, coalesce((throttled_s->>'application')::float8, 0), throttled
				FROM steady_backfill_slices WHERE run_id = $1`, run).Scan(&batches, &held, &throttled))
			return
		}

		// The application: two sessions running a statement.
		appCtx, stopApp := context.WithCancel(ctx)
		defer stopApp()
		appDone := make(chan struct{}, 2)
		for range 2 {
			go func() {
				defer func() { appDone <- struct{}{} }()
				_, _ = b.direct.Exec(appCtx, `SELECT pg_sleep(3600)`)
			}()
		}
		dbtest.WaitFor(t, time.Minute, func() bool { return othersActive() == 2 }, "the application's sessions never became active")

		res := b.start(t, phone, 1)
		var st backfills.RunStatus
		dbtest.WaitFor(t, time.Minute, func() bool {
			st = b.status(t, phone)
			return strings.Contains(st.Throttled, "yielding to the application") && st.ThrottledSeconds[backfills.ReasonApplication] > 0
		}, "the backfill never yielded to the application")
		require.Equal(t, backfills.StateRunning, st.State)
		require.Positive(t, st.ThrottledShare())
		require.Positive(t, b.runner.ThrottledSeconds()[backfills.ReasonApplication], "steady_backfill_throttled_seconds_total{reason=application}")
		require.Regexp(t, `nice=4(\.\d+)?\b|nice=3\.\d+`, b.logs.String(), "two active sessions at yield 2 wait about 4 batches' time")

		// The application goes idle: within a few batches the slice works back to back again.
		stopApp()
		<-appDone
		<-appDone
		dbtest.WaitFor(t, time.Minute, func() bool { return othersActive() == 0 }, "the application's sessions are still active")
		batches, _, _ := slice(res.Run)
		var heldIdle float64
		dbtest.WaitFor(t, time.Minute, func() bool {
			n, held, throttled := slice(res.Run)
			heldIdle = held
			return throttled == nil && n > batches+20
		}, "the backfill kept yielding after the application went idle")
		n, _, _ := slice(res.Run)
		dbtest.WaitFor(t, time.Minute, func() bool {
			m, _, _ := slice(res.Run)
			st := b.status(t, phone)
			return m > n+20 || st.State == backfills.StateDone
		}, "no more batches ran")
		_, held, _ := slice(res.Run)
		require.Equal(t, heldIdle, held, "no wait for the application while it is idle")

		done := b.waitState(t, phone, backfills.StateDone, 3*time.Minute)
		require.Empty(t, done.Throttled)
		require.Positive(t, done.ThrottledSeconds[backfills.ReasonApplication])
		require.Less(t, done.ThrottledShare(), 1.0)
		require.Zero(t, b.count(t, `SELECT count(*) FROM leads l JOIN expected e USING (id) WHERE l.phone_whatsapp IS DISTINCT FROM e.phone`))
	})

	t.Run("EnqueueIsIdempotent", func(t *testing.T) {
		t.Parallel()
		b := setup(t, backfills.Config{MaxBatch: 100})
		phones(t, b, 20_000, func(i int) int64 { return int64(i + 1) })
		first := b.start(t, phone, 3)
		require.True(t, first.Started)
		second := b.start(t, phone, 5)
		require.False(t, second.Started)
		require.Equal(t, first.Run, second.Run)
		require.Equal(t, 3, second.Slices)
		require.Zero(t, second.Requeued, "every slice's job is alive")
		require.Contains(t, []backfills.State{backfills.StatePending, backfills.StateRunning}, second.State)
		require.Equal(t, int64(1), b.count(t, `SELECT count(*) FROM steady_backfill_runs`))
		require.Equal(t, int64(3), b.count(t, `SELECT count(*) FROM river_job WHERE kind = $1`, jobs.BackfillKind))
		b.waitState(t, phone, backfills.StateDone, 2*time.Minute)
	})

	t.Run("ScheduledRunsOncePerScheduledTime", func(t *testing.T) {
		t.Parallel()
		b := setup(t, backfills.Config{})
		phones(t, b, 1_000, func(i int) int64 { return int64(i + 1) })
		ctx := context.Background()
		slot := time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC)
		args := jobs.BackfillScheduledArgs{Backfill: phone, Slot: slot}
		first, err := b.client.Insert(ctx, args, nil)
		require.NoError(t, err)
		second, err := b.client.Insert(ctx, args, nil) // a second replica, a restart
		require.NoError(t, err)
		require.True(t, second.UniqueSkippedAsDuplicate)
		require.Equal(t, first.Job.ID, second.Job.ID)
		b.waitState(t, phone, backfills.StateDone, time.Minute)

		// Even once River has cleaned its completed jobs away, the slot is not run again.
		b.exec(t, `DELETE FROM river_job WHERE kind = $1`, jobs.BackfillScheduledKind)
		_, err = b.client.Insert(ctx, args, nil)
		require.NoError(t, err)
		dbtest.WaitFor(t, time.Minute, func() bool {
			return b.count(t, `SELECT count(*) FROM river_job WHERE kind = $1 AND state = 'completed'`, jobs.BackfillScheduledKind) == 1
		}, "the scheduled job did not run")
		require.Equal(t, int64(1), b.count(t, `SELECT count(*) FROM steady_backfill_runs WHERE slot = $1`, slot))
		require.Contains(t, b.logs.String(), "scheduled backfill already ran for this time")
	})
}
