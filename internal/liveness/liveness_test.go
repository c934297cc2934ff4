package liveness_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/liveness"
)

// deadline bounds every wait.
const deadline = time.Minute

type bundle struct {
	db     *dbtest.DB
	pooler *pgxpool.Pool // through PgBouncer in transaction mode
	direct *pgxpool.Pool // the test's own reads and arrangements
	logs   *dbtest.LogBuffer
	log    *slog.Logger
}

// setup is a migrated database (River's tables included) with a POOLER pool.
func setup(t *testing.T) *bundle {
	t.Helper()
	db := dbtest.NewMigrated(t)
	log, logs := dbtest.Logger(t)
	pools, direct := dbtest.Open(t, db, log)
	return &bundle{db: db, pooler: pools.Pooler.Pool, direct: direct, logs: logs, log: log}
}

// heartbeat starts a registered worker and stops it at the end of the test.
func (b *bundle) heartbeat(t *testing.T, cfg liveness.Config) *liveness.Heartbeat {
	t.Helper()
	cfg.Pool, cfg.Logger = b.pooler, b.log
	h, err := liveness.New(cfg)
	require.NoError(t, err)
	require.NoError(t, h.Start(context.Background()))
	t.Cleanup(func() { require.NoError(t, h.Stop(context.Background())) })
	return h
}

func (b *bundle) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	_, err := b.direct.Exec(context.Background(), sql, args...)
	require.NoError(t, err, sql)
}

// worker registers a row as another process would, its last heartbeat age ago.
func (b *bundle) worker(t *testing.T, id string, pid int, hostKey string, age, deadAfter time.Duration) {
	t.Helper()
	b.exec(t, `INSERT INTO steady_workers (id, host, pid, host_key, heartbeat_at, heartbeat_every, dead_after)
		VALUES ($1, 'elsewhere', $2, $3, now() - make_interval(secs => $4), interval '1 second', make_interval(secs => $5))`,
		id, pid, hostKey, age.Seconds(), deadAfter.Seconds())
}

// runningJob inserts a River job that client is working, as River's fetch leaves it.
func (b *bundle) runningJob(t *testing.T, client string, attempt, maxAttempts int, metadata string) int64 {
	t.Helper()
	var id int64
	require.NoError(t, b.direct.QueryRow(context.Background(), `INSERT INTO river_job
		(args, kind, max_attempts, queue, state, attempt, attempted_at, attempted_by, scheduled_at, metadata)
		VALUES ('{}', 'liveness_test', $2, 'default', 'running', $1, now(), ARRAY['steady.earlier.1.00000000', $3], now() - interval '1 hour', $4)
		RETURNING id`, attempt, maxAttempts, client, metadata).Scan(&id))
	return id
}

type jobRow struct {
	State        string
	Attempt      int
	ScheduledAge time.Duration
	Finalized    bool
	Errors       []map[string]any
	RescueCount  *int
}

func (b *bundle) job(t *testing.T, id int64) jobRow {
	t.Helper()
	var j jobRow
	var age float64
	var errs []string
	require.NoError(t, b.direct.QueryRow(context.Background(), `SELECT state::text, attempt,
		extract(epoch FROM now() - scheduled_at)::float8, finalized_at IS NOT NULL,
		array(SELECT e::text FROM unnest(errors) e), (metadata->>'river:rescue_count')::int
		FROM river_job WHERE id = $1`, id).Scan(&j.State, &j.Attempt, &age, &j.Finalized, &errs, &j.RescueCount))
	j.ScheduledAge = time.Duration(age * float64(time.Second))
	for _, e := range errs {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(e), &m))
		j.Errors = append(j.Errors, m)
	}
	return j
}

func (b *bundle) deadAt(t *testing.T, id string) *time.Time {
	t.Helper()
	var at *time.Time
	require.NoError(t, b.direct.QueryRow(context.Background(), `SELECT dead_at FROM steady_workers WHERE id = $1`, id).Scan(&at))
	return at
}

func TestHeartbeat(t *testing.T) {
	t.Parallel()

	t.Run("RegistersAndIsAliveByTheServersClock", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		h := b.heartbeat(t, liveness.Config{Interval: 200 * time.Millisecond})
		census, err := liveness.Read(context.Background(), b.pooler, bookkeeping.Schema{})
		require.NoError(t, err)
		require.Len(t, census.Alive, 1)
		w := census.Alive[0]
		require.Equal(t, h.ClientID(), w.ID)
		require.Equal(t, os.Getpid(), w.PID)
		require.True(t, w.Alive)
		require.Equal(t, 200*time.Millisecond, w.Interval)
		require.Equal(t, 800*time.Millisecond, w.DeadAfter, "four heartbeats by default")
		require.Less(t, w.Up, deadline)
		// The client's clock plays no part: the server's is what the census reports.
		var serverNow time.Time
		require.NoError(t, b.direct.QueryRow(context.Background(), `SELECT now()`).Scan(&serverNow))
		require.WithinDuration(t, serverNow, census.Now, deadline)

		// It heartbeats: the row's heartbeat moves on.
		first := w.HeartbeatAt
		dbtest.WaitFor(t, deadline, func() bool {
			ws, err := liveness.Alive(context.Background(), b.pooler, bookkeeping.Schema{})
			require.NoError(t, err)
			return len(ws) == 1 && ws[0].HeartbeatAt.After(first)
		}, "the heartbeat never moved")
		ok, reason := h.Health()
		require.True(t, ok, reason)
		require.Contains(t, reason, "1 worker alive")
	})

	t.Run("StopDeregisters", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		cfg := liveness.Config{Pool: b.pooler, Logger: b.log, Interval: 200 * time.Millisecond}
		h, err := liveness.New(cfg)
		require.NoError(t, err)
		require.NoError(t, h.Start(context.Background()))
		require.NoError(t, h.Stop(context.Background()))
		census, err := liveness.Read(context.Background(), b.pooler, bookkeeping.Schema{})
		require.NoError(t, err)
		require.Empty(t, census.Alive)
		require.Empty(t, census.Dead, "a graceful stop is not a death")
	})

	t.Run("NoRegistryMeansNoWorkers", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		census, err := liveness.Read(context.Background(), b.pooler, bookkeeping.Schema{})
		require.NoError(t, err)
		require.Empty(t, census.Alive)
		require.Nil(t, census.LastHeartbeat)
		require.False(t, census.Now.IsZero())
		res, err := liveness.Rescue(context.Background(), b.pooler, bookkeeping.Schema{}, "steady.me.1.00000000", nil)
		require.NoError(t, err)
		require.Empty(t, res.Jobs)
	})

	t.Run("SilentWorkerIsDeclaredDeadAndItsJobsRetriedAtOnce", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		const silent = "steady.elsewhere.41.aaaaaaaa"
		b.worker(t, silent, 41, "", time.Minute, 20*time.Second)
		retry := b.runningJob(t, silent, 3, 10, `{}`)
		b.exec(t, `INSERT INTO river_leader (leader_id, elected_at, expires_at) VALUES ($1, now(), now() + interval '15 seconds')`, silent)
		discard := b.runningJob(t, silent, 10, 10, `{}`)
		cancel := b.runningJob(t, silent, 2, 10, `{"cancel_attempted_at": "2025-01-01T00:00:00Z", "river:rescue_count": 1}`)

		me := b.heartbeat(t, liveness.Config{Interval: time.Second})
		require.NotNil(t, b.deadAt(t, silent), "declared dead by the starting worker")

		j := b.job(t, retry)
		require.Equal(t, "retryable", j.State)
		require.Equal(t, 3, j.Attempt, "the attempt is kept: the rescue counts as a failed attempt")
		require.Less(t, j.ScheduledAge, deadline, "scheduled now, not an hour ago and not after a backoff")
		require.False(t, j.Finalized)
		require.Len(t, j.Errors, 1)
		require.Equal(t, float64(3), j.Errors[0]["attempt"])
		require.Contains(t, j.Errors[0]["error"], "Stuck job rescued by steady: worker "+silent+" is dead: no heartbeat for ")
		require.Contains(t, j.Errors[0]["error"], "declared dead by "+me.ClientID())
		require.Equal(t, 1, *j.RescueCount)

		j = b.job(t, discard)
		require.Equal(t, "discarded", j.State, "no attempt left")
		require.True(t, j.Finalized)
		j = b.job(t, cancel)
		require.Equal(t, "cancelled", j.State, "a cancel was asked for")
		require.Equal(t, 2, *j.RescueCount)

		var leaders int
		require.NoError(t, b.direct.QueryRow(context.Background(), `SELECT count(*) FROM river_leader`).Scan(&leaders))
		require.Zero(t, leaders, "its River leadership released: a live client is elected at its next attempt")

		census, err := liveness.Read(context.Background(), b.pooler, bookkeeping.Schema{})
		require.NoError(t, err)
		require.Len(t, census.Dead, 1)
		require.Equal(t, silent, census.Dead[0].ID)
		require.Contains(t, census.Dead[0].DeadReason, "(its bound: 20s)")
		require.Contains(t, b.logs.String(), "worker declared dead")
	})

	t.Run("JobsOfLiveAndForeignClientsAreKept", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		const slow = "steady.slow.42.bbbbbbbb"
		// Slow but alive: its last heartbeat is 5s old, within its 1m bound.
		b.worker(t, slow, 42, "", 5*time.Second, time.Minute)
		slowJob := b.runningJob(t, slow, 1, 10, `{}`)
		// River's default id (an older steady, any River client): left to River's own rescuer.
		foreign := b.runningJob(t, "somehost_2025_01_01T00_00_00_000000", 1, 10, `{}`)
		// A steady client without a row stopped, or died over a day ago.
		unknown := b.runningJob(t, "steady.gone.43.cccccccc", 1, 10, `{}`)

		b.exec(t, `INSERT INTO river_leader (leader_id, elected_at, expires_at) VALUES ($1, now(), now() + interval '15 seconds')`, slow)
		me := b.heartbeat(t, liveness.Config{Interval: time.Second})
		mine := b.runningJob(t, me.ClientID(), 1, 10, `{}`)
		res, err := liveness.Rescue(context.Background(), b.pooler, bookkeeping.Schema{}, me.ClientID(), nil)
		require.NoError(t, err)
		require.Empty(t, res.Jobs, "the unknown client's job went at the start")

		require.Equal(t, "running", b.job(t, slowJob).State)
		require.Nil(t, b.deadAt(t, slow))
		var leader string
		require.NoError(t, b.direct.QueryRow(context.Background(), `SELECT leader_id FROM river_leader`).Scan(&leader))
		require.Equal(t, slow, leader, "a live leader keeps its leadership")
		require.Equal(t, "running", b.job(t, foreign).State)
		require.Equal(t, "running", b.job(t, mine).State)
		j := b.job(t, unknown)
		require.Equal(t, "retryable", j.State)
		require.Contains(t, j.Errors[0]["error"], "is not registered")
	})

	t.Run("PreviousIncarnationOnThisMachineIsDeadAtOnce", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		// A process that has exited: its pid is gone from this process table.
		p := exec.Command("true")
		require.NoError(t, p.Run())
		gone := p.Process.Pid
		key := liveness.HostKeyForTest()
		require.NotEmpty(t, key)
		const earlier, sibling = "steady.here.1.dddddddd", "steady.here.2.eeeeeeee"
		b.worker(t, earlier, gone, key, 0, time.Hour)
		b.worker(t, sibling, os.Getppid(), key, 0, time.Hour) // alive on this machine
		job := b.runningJob(t, earlier, 1, 10, `{}`)

		b.heartbeat(t, liveness.Config{Interval: time.Second})
		require.NotNil(t, b.deadAt(t, earlier), "dead at once, without waiting for its hour")
		require.Nil(t, b.deadAt(t, sibling))
		j := b.job(t, job)
		require.Equal(t, "retryable", j.State)
		require.Contains(t, j.Errors[0]["error"], "is gone from elsewhere")
	})

	t.Run("AWorkerDeclaredDeadIsFenced", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		fenced := make(chan error, 1)
		h := b.heartbeat(t, liveness.Config{Interval: 200 * time.Millisecond, OnFenced: func(err error) { fenced <- err }})
		// The others saw it silent past its bound (as after SIGSTOP) and declared it dead. Its own
		// heartbeat may land between the two statements and keep it alive (that is the rule):
		// then it is made silent again.
		var res liveness.RescueResult
		require.Eventually(t, func() bool {
			b.exec(t, `UPDATE steady_workers SET heartbeat_at = now() - interval '1 minute' WHERE id = $1`, h.ClientID())
			var err error
			res, err = liveness.Rescue(context.Background(), b.pooler, bookkeeping.Schema{}, "steady.other.7.ffffffff", nil)
			require.NoError(t, err)
			return len(res.Dead) == 1
		}, deadline, 10*time.Millisecond)
		select {
		case err := <-fenced:
			require.ErrorIs(t, err, liveness.ErrFenced)
			require.Contains(t, err.Error(), "declared dead by steady.other.7.ffffffff")
		case <-time.After(deadline):
			t.Fatal("the fenced worker was never told")
		}
		ok, reason := h.Health()
		require.False(t, ok)
		require.Contains(t, reason, "declared dead")
		require.NotNil(t, b.deadAt(t, h.ClientID()), "its heartbeat did not bring it back")
	})

	t.Run("AHeartbeatLandingFirstKeepsTheWorkerAlive", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		b := setup(t)
		const late = "steady.late.44.abababab"
		b.worker(t, late, 44, "", time.Minute, 20*time.Second)
		job := b.runningJob(t, late, 1, 10, `{}`)
		// Its heartbeat holds the row when the rescue looks at it.
		tx, err := b.direct.Begin(ctx)
		require.NoError(t, err)
		defer tx.Rollback(ctx) //nolint:errcheck
		_, err = tx.Exec(ctx, `UPDATE steady_workers SET heartbeat_at = now() WHERE id = $1`, late)
		require.NoError(t, err)
		type out struct {
			res liveness.RescueResult
			err error
		}
		done := make(chan out, 1)
		go func() {
			res, err := liveness.Rescue(ctx, b.pooler, bookkeeping.Schema{}, "steady.me.45.cdcdcdcd", nil)
			done <- out{res, err}
		}()
		b.db.WaitForLockWaiter(t)
		require.NoError(t, tx.Commit(ctx))
		o := <-done
		require.NoError(t, o.err)
		require.Empty(t, o.res.Dead)
		require.Nil(t, b.deadAt(t, late))
		require.Equal(t, "running", b.job(t, job).State)
	})

	t.Run("DeadRowsAreDeletedAfterADay", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.worker(t, "steady.old.49.34343434", 49, "", 50*time.Hour, 20*time.Second)
		b.worker(t, "steady.recent.50.56565656", 50, "", 2*time.Hour, 20*time.Second)
		b.exec(t, `UPDATE steady_workers SET dead_at = now() - interval '2 days' WHERE id = 'steady.old.49.34343434'`)
		b.exec(t, `UPDATE steady_workers SET dead_at = now() - interval '1 hour' WHERE id = 'steady.recent.50.56565656'`)
		_, err := liveness.Rescue(context.Background(), b.pooler, bookkeeping.Schema{}, "steady.me.51.78787878", nil)
		require.NoError(t, err)
		census, err := liveness.Read(context.Background(), b.pooler, bookkeeping.Schema{})
		require.NoError(t, err)
		require.Len(t, census.Dead, 1, "doctor still shows the one that died an hour ago")
		require.Equal(t, "steady.recent.50.56565656", census.Dead[0].ID)
	})

	t.Run("TwoRescuersGiveAJobBackOnce", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		b := setup(t)
		const silent = "steady.silent.46.efefefef"
		b.worker(t, silent, 46, "", time.Minute, 20*time.Second)
		var ids []int64
		for range 20 {
			ids = append(ids, b.runningJob(t, silent, 1, 10, `{}`))
		}
		var wg sync.WaitGroup
		results := make([]liveness.RescueResult, 4)
		for i := range results {
			wg.Go(func() {
				res, err := liveness.Rescue(ctx, b.pooler, bookkeeping.Schema{}, "steady.rescuer.47.0000000"+string(rune('0'+i)), nil)
				if err != nil {
					t.Error(err)
				}
				results[i] = res
			})
		}
		wg.Wait()
		// Whichever statement saw the worker alive in its snapshot left the jobs to the next beat.
		res, err := liveness.Rescue(ctx, b.pooler, bookkeeping.Schema{}, "steady.rescuer.47.00000009", nil)
		require.NoError(t, err)
		results = append(results, res)
		rescued, dead := 0, 0
		for _, r := range results {
			rescued += len(r.Jobs)
			dead += len(r.Dead)
		}
		require.Equal(t, len(ids), rescued, "every job given back exactly once")
		require.Equal(t, 1, dead)
		for _, id := range ids {
			j := b.job(t, id)
			require.Equal(t, "retryable", j.State)
			require.Len(t, j.Errors, 1)
		}
	})
}

func TestConfig(t *testing.T) {
	t.Parallel()
	b := &pgxpool.Pool{}
	for name, tc := range map[string]struct {
		cfg  liveness.Config
		want string
	}{
		"NoPool":           {liveness.Config{}, "Config.Pool"},
		"IntervalTooShort": {liveness.Config{Pool: b, Interval: time.Millisecond}, "heartbeat interval 1ms: want 100ms to 1m0s"},
		"BoundTooShort":    {liveness.Config{Pool: b, Interval: time.Second, DeadAfter: 2 * time.Second}, "dead-after bound 2s: want at least 3 heartbeat intervals (3s)"},
		"LongClientID":     {liveness.Config{Pool: b, ClientID: string(make([]byte, 101))}, "at most 100 characters"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := liveness.New(tc.cfg)
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
	id := liveness.NewClientID()
	require.Regexp(t, `^steady\.[A-Za-z0-9_-]+\.\d+\.[0-9a-f]{8}$`, id)
	require.NotEqual(t, id, liveness.NewClientID(), "new for every process start")
	require.False(t, errors.Is(nil, liveness.ErrFenced))
}

// TestRacingWorkersRegisterOnAFreshDatabase starts workers at once, as separate processes
// would (each with its own Tables), on a database without any of steady's tables: one makes
// them, the others wait for it, and every worker registers.
func TestRacingWorkersRegisterOnAFreshDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pools, err := dbconn.Open(ctx, dbconn.Config{PoolerURL: db.PoolerURL}, dbconn.OpenOpts{})
	require.NoError(t, err)
	t.Cleanup(pools.Close)
	var wg sync.WaitGroup
	hs := make([]*liveness.Heartbeat, 4)
	errs := make([]error, len(hs))
	for i := range hs {
		wg.Go(func() {
			tables, err := bookkeeping.New(bookkeeping.Config{Pool: pools.Pooler.Pool})
			if err == nil {
				hs[i], err = liveness.New(liveness.Config{Pool: pools.Pooler.Pool, Tables: tables})
			}
			if err == nil {
				err = hs[i].Start(ctx)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err)
		require.NoError(t, hs[i].Stop(ctx))
	}
	census, err := liveness.Read(ctx, pools.Pooler, bookkeeping.Schema{})
	require.NoError(t, err)
	require.Empty(t, census.Alive, "each deregistered at its stop")
	var versions int
	require.NoError(t, pools.Pooler.QueryRow(ctx, `SELECT count(*) FROM steady_schema_versions`).Scan(&versions))
	require.Equal(t, bookkeeping.Latest(), versions, "each version applied once")
}

// TestCutOffWorkerJudgesNobodyAtOnce blocks a worker's heartbeats for longer than its bound
// (as a database restart would, for every worker) and checks that, once they land again, it
// waits a full bound before declaring a silent worker dead.
func TestCutOffWorkerJudgesNobodyAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	const interval, deadAfter = 200 * time.Millisecond, time.Second
	me := b.heartbeat(t, liveness.Config{Interval: interval, DeadAfter: deadAfter})

	// The test holds the worker's row: its heartbeats time out.
	tx, err := b.direct.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx) //nolint:errcheck
	_, err = tx.Exec(ctx, `SELECT FROM steady_workers WHERE id = $1 FOR UPDATE`, me.ClientID())
	require.NoError(t, err)
	const silent = "steady.silent.48.12121212"
	b.worker(t, silent, 48, "", time.Minute, 20*time.Second)
	job := b.runningJob(t, silent, 1, 10, `{}`)
	dbtest.WaitFor(t, deadline, func() bool {
		ok, reason := me.Health()
		return !ok && strings.Contains(reason, "no heartbeat has landed")
	}, "the heartbeats never failed")
	require.Equal(t, "running", b.job(t, job).State, "no rescue while its own heartbeats fail")
	require.NoError(t, tx.Commit(ctx))

	dbtest.WaitFor(t, deadline, func() bool { return b.job(t, job).State == "retryable" }, "the silent worker's job was never given back")
	var back time.Time
	for line := range strings.Lines(b.logs.String()) {
		if strings.Contains(line, `msg="heartbeat works again"`) {
			at, _, _ := strings.Cut(strings.TrimPrefix(line, "time="), " ")
			back, err = time.Parse(time.RFC3339Nano, at)
			require.NoError(t, err)
		}
	}
	require.False(t, back.IsZero(), "its heartbeat never came back:\n%s", b.logs.String())
	var rescuedAt time.Time
	require.NoError(t, b.direct.QueryRow(ctx, `SELECT (errors[1]->>'at')::timestamptz FROM river_job WHERE id = $1`, job).Scan(&rescuedAt))
	require.GreaterOrEqual(t, rescuedAt.Sub(back), deadAfter-50*time.Millisecond,
		"declared the silent worker dead %s after its own heartbeats came back, within the bound", rescuedAt.Sub(back))
}

// A worker whose heartbeat is overdue sends nothing through its gated pool until a heartbeat
// lands: had the others declared it dead meanwhile, what it sends (River's record of a job's
// outcome) would overwrite the job's new attempt elsewhere. A heartbeat that lands opens the
// gate again; one that finds the worker dead fences it, and the gate stays shut.
func TestGateHoldsStatementsWhileTheHeartbeatIsOverdue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigrated(t)
	log, logs := dbtest.Logger(t)
	pools, direct := dbtest.Open(t, db, log)
	b := &bundle{db: db, pooler: pools.Pooler.Pool, direct: direct, logs: logs, log: log}
	fenced := make(chan error, 1)
	me := b.heartbeat(t, liveness.Config{Interval: 100 * time.Millisecond, DeadAfter: 600 * time.Millisecond,
		OnFenced: func(err error) { fenced <- err }})
	pools.Pooler.SetGate(me.Gate)
	statement := func() error {
		_, err := pools.Pooler.Exec(ctx, `INSERT INTO steady_workers (id, host, pid, heartbeat_every, dead_after)
			VALUES ('steady.sent.1.' || gen_random_uuid(), 'gate', 1, interval '1 second', interval '3 seconds')`)
		return err
	}
	sent := func() int {
		var n int
		require.NoError(t, direct.QueryRow(ctx, `SELECT count(*) FROM steady_workers WHERE host = 'gate'`).Scan(&n))
		return n
	}
	require.NoError(t, statement(), "a worker whose heartbeat is on time sends")

	// The test holds the worker's row: its heartbeats wait, and it cannot know whether the
	// others have declared it dead.
	hold := func() pgx.Tx {
		tx, err := direct.Begin(ctx)
		require.NoError(t, err)
		t.Cleanup(func() { _ = tx.Rollback(ctx) }) // before the heartbeat's Stop, which needs the row
		_, err = tx.Exec(ctx, `SELECT FROM steady_workers WHERE id = $1 FOR UPDATE`, me.ClientID())
		require.NoError(t, err)
		return tx
	}
	tx := hold()
	dbtest.WaitFor(t, deadline, func() bool { return statement() != nil }, "statements went on while the heartbeat was overdue")
	before := sent()
	require.ErrorIs(t, statement(), liveness.ErrHeartbeatOverdue)
	require.Equal(t, before, sent(), "a held statement reached the database")
	require.NoError(t, tx.Commit(ctx))
	dbtest.WaitFor(t, deadline, func() bool { return statement() == nil }, "the gate stayed shut after a heartbeat landed")

	// Declared dead while its heartbeats wait: the heartbeat that lands fences it.
	tx = hold()
	_, err := tx.Exec(ctx, `UPDATE steady_workers SET dead_at = now(), dead_reason = 'the test' WHERE id = $1`, me.ClientID())
	require.NoError(t, err)
	dbtest.WaitFor(t, deadline, func() bool { return errors.Is(statement(), liveness.ErrHeartbeatOverdue) },
		"statements went on while the heartbeat was overdue")
	before = sent()
	require.NoError(t, tx.Commit(ctx))
	select {
	case err := <-fenced:
		require.ErrorIs(t, err, liveness.ErrFenced)
	case <-time.After(deadline):
		t.Fatal("the heartbeat never found the worker dead")
	}
	require.ErrorIs(t, statement(), liveness.ErrFenced, "a fenced worker sends nothing")
	require.Equal(t, before, sent())
}

// TestHoldAlive: a transaction that records a job's outcome itself first checks that the
// worker is alive, and the others cannot declare it dead until that transaction ends; a worker
// already declared dead is refused and fenced.
func TestHoldAlive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	fenced := make(chan error, 1)
	me := b.heartbeat(t, liveness.Config{Interval: time.Second, DeadAfter: 3 * time.Second,
		OnFenced: func(err error) { fenced <- err }})
	markDead := func() error {
		// As the others' marking does, bounded: it must wait for the holding transaction.
		tx, err := b.direct.Begin(ctx)
		require.NoError(t, err)
		defer tx.Rollback(ctx) //nolint:errcheck
		_, err = tx.Exec(ctx, `SET LOCAL lock_timeout = '200ms'`)
		require.NoError(t, err)
		if _, err = tx.Exec(ctx, `UPDATE steady_workers SET dead_at = now(), dead_reason = 'the test' WHERE id = $1`, me.ClientID()); err != nil {
			return err
		}
		return tx.Commit(ctx)
	}

	tx, err := b.pooler.Begin(ctx)
	require.NoError(t, err)
	require.NoError(t, me.HoldAlive(ctx, tx), "a live worker")
	var pgErr *pgconn.PgError
	require.ErrorAs(t, markDead(), &pgErr, "declared dead while a transaction held it alive")
	require.Equal(t, "55P03", pgErr.Code)
	require.NoError(t, tx.Commit(ctx))

	require.NoError(t, markDead(), "once the transaction ended")
	tx, err = b.pooler.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx) //nolint:errcheck
	require.ErrorIs(t, me.HoldAlive(ctx, tx), liveness.ErrFenced)
	select {
	case err := <-fenced:
		require.ErrorIs(t, err, liveness.ErrFenced)
	case <-time.After(deadline):
		t.Fatal("the dead worker was not fenced")
	}
}
