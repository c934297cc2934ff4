package workers_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/catalogfiles"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/indexes"
	"github.com/steadydb/steady/jobs"
	"github.com/steadydb/steady/workers"
)

// buildBundle is one test's database, its POOLER and DIRECT pools, and a River client in PollOnly
// mode on the POOLER (PgBouncer, transaction mode) working the indexes queue.
type buildBundle struct {
	ctx    context.Context
	db     *dbtest.DB
	pooler *dbconn.Pool
	direct *pgxpool.Pool
	client *river.Client[pgx.Tx]
	events <-chan *river.Event
	steps  *stepLog
	logs   *dbtest.LogBuffer
}

type buildOpts struct {
	workers    int                                      // default 2
	retryBase  time.Duration                            // default 100ms
	busySnooze time.Duration                            // default 200ms
	timeout    time.Duration                            // the job's; default the worker's (1h)
	beforeOpen func(t *testing.T, direct *pgxpool.Pool) // runs before POOLER connects
	parallel   int                                      // the worker's ParallelWorkers
	window     *indexes.Window
}

func setupBuild(t *testing.T, opts buildOpts) *buildBundle {
	t.Helper()
	db := dbtest.NewMigrated(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	direct, err := pgxpool.New(ctx, db.DirectURL)
	require.NoError(t, err)
	t.Cleanup(direct.Close)
	if opts.beforeOpen != nil {
		opts.beforeOpen(t, direct)
	}
	pools, err := dbconn.Open(ctx, dbconn.Config{PoolerURL: db.PoolerURL}, dbconn.OpenOpts{Detect: true})
	require.NoError(t, err)
	t.Cleanup(pools.Close)
	require.Equal(t, dbconn.ModeTransaction, pools.Pooler.Mode)

	b := &buildBundle{ctx: ctx, db: db, pooler: pools.Pooler, direct: direct, steps: &stepLog{}, logs: &dbtest.LogBuffer{}}
	logger := slog.New(slog.NewJSONHandler(b.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	worker, err := workers.NewIndexBuild(workers.IndexBuildConfig{
		Pool: pools.Long.Pool, Logger: logger, Timeout: opts.timeout,
		RetryBase: cmpOr(opts.retryBase, 100*time.Millisecond), BusySnooze: cmpOr(opts.busySnooze, 200*time.Millisecond),
		AfterStep: b.steps.add, ParallelWorkers: opts.parallel, Window: opts.window, Catalog: catalogfiles.ShippedIndexes(),
	})
	require.NoError(t, err)
	ws := river.NewWorkers()
	river.AddWorker(ws, worker)
	b.client, err = river.NewClient(riverpgxv5.New(pools.Pooler.Pool), &river.Config{
		Logger:            logger,
		PollOnly:          true, // LISTEN/NOTIFY is silently dropped through PgBouncer
		FetchPollInterval: 50 * time.Millisecond, FetchCooldown: 20 * time.Millisecond,
		Queues:   map[string]river.QueueConfig{jobs.QueueIndexes: {MaxWorkers: cmpOr(opts.workers, 2)}},
		Workers:  ws,
		TestOnly: true,
	})
	require.NoError(t, err)
	b.events, _ = b.client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed,
		river.EventKindJobCancelled, river.EventKindJobSnoozed)
	require.NoError(t, b.client.Start(context.Background()))
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		require.NoError(t, b.client.StopAndCancel(stopCtx))
	})
	return b
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func (b *buildBundle) enqueue(t *testing.T, opts indexes.EnqueueOpts) []indexes.Enqueued {
	t.Helper()
	res, err := indexes.Enqueue(b.ctx, workers.IndexBuildJobs{Client: b.client}, b.pooler, catalogfiles.ShippedIndexes(), opts)
	require.NoError(t, err)
	return res
}

func (b *buildBundle) exec(t *testing.T, sql string) {
	t.Helper()
	_, err := b.direct.Exec(b.ctx, sql, pgx.QueryExecModeSimpleProtocol)
	require.NoError(t, err)
}

// next waits for the next River event that matches.
func (b *buildBundle) next(t *testing.T, match func(*river.Event) bool) *river.Event {
	t.Helper()
	deadline := time.After(2 * time.Minute)
	for {
		select {
		case ev := <-b.events:
			if match(ev) {
				return ev
			}
		case <-deadline:
			t.Fatalf("no matching River event within 2 minutes; logs:\n%s", b.logs)
		}
	}
}

// finished waits for n jobs to reach a final state and returns them.
func (b *buildBundle) finished(t *testing.T, n int) []*rivertype.JobRow {
	t.Helper()
	var out []*rivertype.JobRow
	for len(out) < n {
		ev := b.next(t, func(ev *river.Event) bool { return ev.Job.FinalizedAt != nil })
		out = append(out, ev.Job)
	}
	return out
}

func failedAttempt(attempt int) func(*river.Event) bool {
	return func(ev *river.Event) bool { return ev.Kind == river.EventKindJobFailed && ev.Job.Attempt == attempt }
}

func completed(ev *river.Event) bool { return ev.Kind == river.EventKindJobCompleted }

// status reads the catalog indexes of table (every table when empty) by name.
func (b *buildBundle) status(t *testing.T, table string) map[string]indexes.Status {
	t.Helper()
	all, err := indexes.ReadStatus(b.ctx, b.pooler, catalogfiles.ShippedIndexes())
	require.NoError(t, err)
	out := map[string]indexes.Status{}
	for _, st := range all {
		if table == "" || st.Table == table {
			out[st.Name] = st
		}
	}
	return out
}

func (b *buildBundle) requireAllValid(t *testing.T, table string) {
	t.Helper()
	for _, st := range b.status(t, table) {
		require.Equal(t, indexes.Valid, st.State, "%s: %s %s", st.Name, st.Found, st.Detail)
	}
}

// hold opens a transaction that holds ROW EXCLUSIVE on table, as any writer does: a concurrent
// index build on the table waits for it once its INVALID index is in the catalog.
func (b *buildBundle) hold(t *testing.T, table string) pgx.Tx {
	t.Helper()
	tx, err := b.direct.Begin(b.ctx)
	require.NoError(t, err)
	_, err = tx.Exec(b.ctx, "LOCK TABLE "+pgx.Identifier{table}.Sanitize()+" IN ROW EXCLUSIVE MODE")
	require.NoError(t, err)
	t.Cleanup(func() { _ = tx.Rollback(context.Background()) })
	return tx
}

// waitProgress waits, with a deadline, until a build on table is running and waiting.
func (b *buildBundle) waitProgress(t *testing.T, table string) indexes.Progress {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		progress, err := indexes.ReadProgress(b.ctx, b.direct)
		require.NoError(t, err)
		for _, p := range progress {
			if p.Table == table && p.Index != "" {
				return p
			}
		}
		time.Sleep(20 * time.Millisecond) // polling the catalog, as the deadline above bounds
	}
	t.Fatalf("no index build on %s within a minute; logs:\n%s", table, b.logs)
	return indexes.Progress{}
}

// stepLog records every statement the worker ran.
type stepLog struct {
	mu    sync.Mutex
	steps []indexes.Step
}

func (l *stepLog) add(s indexes.Step) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.steps = append(l.steps, s)
}

// of returns the statements run for the index (and its replacement), as "action" or
// "action!" when it failed.
func (l *stepLog) of(index string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, s := range l.steps {
		if s.Index == index || s.Index == index+indexes.ReplacementSuffix {
			a := string(s.Action)
			if s.Err != nil {
				a += "!"
			}
			out = append(out, a)
		}
	}
	return out
}

func (l *stepLog) all() []indexes.Step {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.steps)
}

const seedBusiness = `INSERT INTO business (name, slug) VALUES ('Acme', 'acme')`

func TestIndexBuild(t *testing.T) {
	t.Parallel()

	t.Run("BuildsTheCatalogOneIndexAtATimePerTable", func(t *testing.T) {
		t.Parallel()
		b := setupBuild(t, buildOpts{workers: 4})
		// Enough rows that a build takes a moment.
		b.exec(t, seedBusiness)
		b.exec(t, `INSERT INTO leads (business_id, status, phone_e164, created_at)
			SELECT 1, 'new', '+97250' || lpad(g::text, 7, '0'), now() - g * interval '1 minute' FROM generate_series(1, 50000) g`)
		b.exec(t, `INSERT INTO call_log (business_id, lead_id, call_sid, direction, from_number, to_number, started_at)
			SELECT 1, 1 + g % 50000, 'CA' || g, 'inbound', '+972500000000', '+972500000001', now() - g * interval '1 second'
			FROM generate_series(1, 100000) g`)

		c := catalogfiles.ShippedIndexes()
		b.enqueue(t, indexes.EnqueueOpts{})
		for _, job := range b.finished(t, len(c.Tables())) {
			require.Equal(t, rivertype.JobStateCompleted, job.State, "%s: %v", job.EncodedArgs, job.Errors)
		}
		b.requireAllValid(t, "")
		for _, ix := range c.All() {
			require.Equal(t, []string{"create"}, b.steps.of(ix.Name), ix.Name)
		}

		// Never two statements on one table at once; tables in parallel.
		byTable := map[string][]indexes.Step{}
		for _, s := range b.steps.all() {
			byTable[s.Table] = append(byTable[s.Table], s)
		}
		var overlapsAcrossTables int
		for table, steps := range byTable {
			slices.SortFunc(steps, func(x, y indexes.Step) int { return x.Start.Compare(y.Start) })
			for i := 1; i < len(steps); i++ {
				require.False(t, steps[i].Start.Before(steps[i-1].End), "%s: %s started before %s ended", table, steps[i].Index, steps[i-1].Index)
			}
			for other, os := range byTable {
				if other > table {
					for _, s := range steps {
						for _, o := range os {
							if s.Start.Before(o.End) && o.Start.Before(s.End) {
								overlapsAcrossTables++
							}
						}
					}
				}
			}
		}
		t.Logf("statements on different tables that overlapped: %d", overlapsAcrossTables)
	})

	t.Run("HealsAnInvalidUniqueIndexOnceDuplicatesAreFixed", func(t *testing.T) {
		t.Parallel()
		// A long backoff: the heal must come from the next enqueue, as an operator runs it.
		b := setupBuild(t, buildOpts{retryBase: time.Hour})
		b.exec(t, seedBusiness)
		b.exec(t, `INSERT INTO call_log (business_id, call_sid, direction, from_number, to_number, recording_sid)
			VALUES (1, 'CA1', 'inbound', '+972500000000', '+972500000001', 'RE1'),
			       (1, 'CA2', 'inbound', '+972500000000', '+972500000001', 'RE1')`)

		b.enqueue(t, indexes.EnqueueOpts{Tables: []string{"call_log"}})
		failed := b.next(t, failedAttempt(1))
		require.Equal(t, rivertype.JobStateRetryable, failed.Job.State)
		require.Contains(t, failed.Job.Errors[0].Error, "could not create unique index")
		st := b.status(t, "call_log")
		require.Equal(t, indexes.Invalid, st["call_log_recording_sid_idx"].State)
		require.Equal(t, indexes.Valid, st["call_log_lead_started_at_idx"].State)
		require.Contains(t, b.logs.String(), "unique index over duplicate rows")
		require.Contains(t, b.logs.String(), "SELECT recording_sid, count(*) FROM call_log GROUP BY recording_sid HAVING count(*) > 1")
		require.NotContains(t, b.logs.String(), "RE1", "row values stay out of the logs")

		b.exec(t, `UPDATE call_log SET recording_sid = 'RE2' WHERE call_sid = 'CA2'`)
		res := b.enqueue(t, indexes.EnqueueOpts{RetryWaiting: true})
		i := slices.IndexFunc(res, func(e indexes.Enqueued) bool { return e.Table == "call_log" })
		require.Equal(t, indexes.EnqueueRetried, res[i].Action)

		done := b.next(t, func(ev *river.Event) bool { return completed(ev) && ev.Job.ID == failed.Job.ID })
		require.Equal(t, 2, done.Job.Attempt)
		b.requireAllValid(t, "call_log")
		require.Equal(t, []string{"create!", "drop", "create"}, b.steps.of("call_log_recording_sid_idx"))
	})

	t.Run("HealsABuildCancelledByStatementTimeout", func(t *testing.T) {
		t.Parallel()
		var db string
		b := setupBuild(t, buildOpts{retryBase: time.Second, beforeOpen: func(t *testing.T, direct *pgxpool.Pool) {
			// As a server or role setting would: the pooler cannot lift it per session.
			db = pgx.Identifier{directDB(t, direct)}.Sanitize()
			_, err := direct.Exec(context.Background(), "ALTER DATABASE "+db+" SET statement_timeout = '3s'")
			require.NoError(t, err)
		}})
		blocker := b.hold(t, "reminders")

		b.enqueue(t, indexes.EnqueueOpts{Tables: []string{"reminders"}})
		failed := b.next(t, failedAttempt(1))
		require.NoError(t, blocker.Rollback(b.ctx))
		require.Contains(t, failed.Job.Errors[0].Error, "statement timeout")
		// The log names what set it, and the statement that overrides it for steady's role only
		// (the application's roles keep the database's timeout). JSON escapes the quotes.
		quoted := strings.ReplaceAll(db, `"`, `\"`)
		require.Contains(t, b.logs.String(), `index build cancelled by statement_timeout (3s, set by ALTER DATABASE `+quoted+` SET statement_timeout)`)
		require.Contains(t, b.logs.String(), `run ALTER ROLE \"steady\" IN DATABASE `+quoted+` SET statement_timeout = 0`)

		b.next(t, func(ev *river.Event) bool { return completed(ev) && ev.Job.ID == failed.Job.ID })
		b.requireAllValid(t, "reminders")
		require.Equal(t, []string{"create!", "drop", "create"}, b.steps.of("reminders_due_pending_idx"))
	})

	t.Run("HealsABuildCutShortByItsTimeout", func(t *testing.T) {
		t.Parallel()
		b := setupBuild(t, buildOpts{timeout: 2 * time.Second, retryBase: time.Second})
		blocker := b.hold(t, "contracts")

		b.enqueue(t, indexes.EnqueueOpts{Tables: []string{"contracts"}})
		failed := b.next(t, failedAttempt(1))
		// The job's context cancelled the build on the server, through PgBouncer.
		progress, err := indexes.ReadProgress(b.ctx, b.direct)
		require.NoError(t, err)
		require.Empty(t, progress)
		require.NoError(t, blocker.Rollback(b.ctx))
		require.Contains(t, b.logs.String(), "attempt stopped (timeout or shutdown)")

		b.next(t, func(ev *river.Event) bool { return completed(ev) && ev.Job.ID == failed.Job.ID })
		b.requireAllValid(t, "contracts")
		require.Equal(t, []string{"create!", "drop", "create"}, b.steps.of("contracts_lead_idx"))
	})

	t.Run("RetriesAfterItsBackendIsTerminated", func(t *testing.T) {
		t.Parallel()
		b := setupBuild(t, buildOpts{})
		blocker := b.hold(t, "push_subscriptions")
		b.enqueue(t, indexes.EnqueueOpts{Tables: []string{"push_subscriptions"}})

		build := b.waitProgress(t, "push_subscriptions")
		require.Equal(t, "push_subscriptions_user_idx", build.Index)
		var terminated bool
		require.NoError(t, b.direct.QueryRow(b.ctx, "SELECT pg_terminate_backend($1)", build.PID).Scan(&terminated))
		require.True(t, terminated)
		require.NoError(t, blocker.Rollback(b.ctx))

		failed := b.next(t, failedAttempt(1))
		done := b.next(t, completed)
		require.Equal(t, failed.Job.ID, done.Job.ID)
		require.Equal(t, 2, done.Job.Attempt)
		b.requireAllValid(t, "push_subscriptions")
		require.Equal(t, []string{"create!", "drop", "create"}, b.steps.of("push_subscriptions_user_idx"))
	})

	t.Run("WaitsForAnotherBuildOnTheTable", func(t *testing.T) {
		t.Parallel()
		b := setupBuild(t, buildOpts{})
		blocker := b.hold(t, "activities")
		manual := make(chan error, 1)
		go func() {
			_, err := b.direct.Exec(b.ctx, "CREATE INDEX CONCURRENTLY activities_manual_idx ON activities (kind)")
			manual <- err
		}()
		b.waitProgress(t, "activities")

		b.enqueue(t, indexes.EnqueueOpts{Tables: []string{"activities"}})
		snoozed := b.next(t, func(ev *river.Event) bool { return ev.Kind == river.EventKindJobSnoozed })
		require.Empty(t, b.steps.all(), "nothing runs on the table while the other build does")
		require.NoError(t, blocker.Rollback(b.ctx))
		require.NoError(t, <-manual)
		manualDone := time.Now()

		done := b.next(t, func(ev *river.Event) bool { return completed(ev) && ev.Job.ID == snoozed.Job.ID })
		require.Equal(t, 1, done.Job.Attempt, "a snooze is not a failed attempt")
		b.requireAllValid(t, "activities")
		for _, s := range b.steps.all() {
			require.True(t, s.Start.After(manualDone.Add(-time.Second)))
		}
	})

	t.Run("CancelsAJobForATableOutsideTheCatalog", func(t *testing.T) {
		t.Parallel()
		b := setupBuild(t, buildOpts{})
		_, err := b.client.Insert(b.ctx, jobs.IndexBuildArgs{Table: "leads; DROP TABLE leads"}, nil)
		require.NoError(t, err)
		ev := b.next(t, func(ev *river.Event) bool { return ev.Job.FinalizedAt != nil })
		require.Equal(t, rivertype.JobStateCancelled, ev.Job.State)
		require.Contains(t, ev.Job.Errors[0].Error, "not in the index catalog")
		require.Empty(t, b.steps.all())
	})

	t.Run("RebuildsAnIndexDroppedAfterItsJobCompleted", func(t *testing.T) {
		t.Parallel()
		b := setupBuild(t, buildOpts{})
		b.enqueue(t, indexes.EnqueueOpts{Tables: []string{"threads"}})
		first := b.next(t, completed)
		b.exec(t, "DROP INDEX threads_lead_idx")

		res := b.enqueue(t, indexes.EnqueueOpts{Tables: []string{"threads"}})
		require.Equal(t, indexes.EnqueueRetried, res[0].Action, "the completed unique job blocks a new one: it is run again")
		require.Equal(t, first.Job.ID, res[0].JobID)
		b.next(t, completed)
		b.requireAllValid(t, "threads")
		require.Equal(t, []string{"create", "create"}, b.steps.of("threads_lead_idx"))
		require.Equal(t, []string{"create"}, b.steps.of("threads_business_inbox_idx"))
	})
}

func TestIndexBuildReplacesADifferentIndex(t *testing.T) {
	t.Parallel()
	const name = "leads_business_status_idx"
	for testName, tc := range map[string]struct {
		prepare []string // run on DIRECT before the build
		steps   []string // what the build runs for the index
	}{
		"AnotherDefinition": {
			prepare: []string{"CREATE INDEX leads_business_status_idx ON leads (business_id)"},
			steps:   []string{"create_replacement", "drop", "rename"},
		},
		"SwapInterruptedAfterTheReplacementWasBuilt": {
			prepare: []string{
				"CREATE INDEX leads_business_status_idx ON leads (business_id)",
				"CREATE INDEX leads_business_status_idx_steady_new ON leads (business_id, status)",
			},
			steps: []string{"drop", "rename"},
		},
		"SwapInterruptedAfterTheOldIndexWasDropped": {
			prepare: []string{"CREATE INDEX leads_business_status_idx_steady_new ON leads (business_id, status)"},
			steps:   []string{"rename"},
		},
		"ReplacementLeftInvalid": {
			prepare: []string{
				"CREATE INDEX leads_business_status_idx ON leads (business_id)",
				seedBusiness,
				"INSERT INTO leads (business_id) VALUES (1), (1)",
				// Fails over the duplicates and leaves the replacement INVALID.
				"CREATE UNIQUE INDEX CONCURRENTLY leads_business_status_idx_steady_new ON leads (business_id)",
			},
			steps: []string{"drop_replacement", "create_replacement", "drop", "rename"},
		},
	} {
		t.Run(testName, func(t *testing.T) {
			t.Parallel()
			b := setupBuild(t, buildOpts{})
			for _, sql := range tc.prepare {
				_, _ = b.direct.Exec(b.ctx, sql, pgx.QueryExecModeSimpleProtocol) // the last one may fail on purpose
			}
			before := b.status(t, "leads")[name]
			require.NotEqual(t, indexes.Valid, before.State)

			b.enqueue(t, indexes.EnqueueOpts{Tables: []string{"leads"}})
			b.next(t, completed)
			b.requireAllValid(t, "leads")
			require.Equal(t, tc.steps, b.steps.of(name))
			var leftover bool
			require.NoError(t, b.direct.QueryRow(b.ctx, "SELECT to_regclass('leads_business_status_idx_steady_new') IS NOT NULL").Scan(&leftover))
			require.False(t, leftover)
		})
	}
}

func directDB(t *testing.T, p *pgxpool.Pool) string {
	t.Helper()
	var name string
	require.NoError(t, p.QueryRow(context.Background(), "SELECT current_database()").Scan(&name))
	return name
}

// parallelWorkers is table's parallel_workers storage parameter, "" when unset.
func (b *buildBundle) parallelWorkers(t *testing.T, table string) string {
	t.Helper()
	var v *string
	require.NoError(t, b.direct.QueryRow(b.ctx, `SELECT (SELECT option_value FROM pg_options_to_table(
		(SELECT reloptions FROM pg_class WHERE oid = to_regclass($1))) WHERE option_name = 'parallel_workers')`, table).Scan(&v))
	if v == nil {
		return ""
	}
	return *v
}

// parallelPlan reports whether the planner would scan table in parallel, with parallelism made
// free so that only the table's own setting decides.
func (b *buildBundle) parallelPlan(t *testing.T, table string) bool {
	t.Helper()
	tx, err := b.direct.Begin(b.ctx)
	require.NoError(t, err)
	defer tx.Rollback(b.ctx) //nolint:errcheck
	_, err = tx.Exec(b.ctx, `SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0;
		SET LOCAL min_parallel_table_scan_size = 0; SET LOCAL max_parallel_workers_per_gather = 2`, pgx.QueryExecModeSimpleProtocol)
	require.NoError(t, err)
	rows, err := tx.Query(b.ctx, "EXPLAIN SELECT count(*) FROM "+pgx.Identifier{table}.Sanitize(), pgx.QueryExecModeSimpleProtocol)
	require.NoError(t, err)
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	for _, l := range lines {
		if strings.Contains(l, "Gather") {
			return true
		}
	}
	return false
}

func (b *buildBundle) reloptionsRecord(t *testing.T, table string) (recorded bool, value *string) {
	t.Helper()
	err := b.direct.QueryRow(b.ctx, `SELECT parallel_workers FROM steady_index_reloptions WHERE table_name = $1`, table).Scan(&value)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	require.NoError(t, err)
	return true, value
}

func TestIndexBuildParallelWorkers(t *testing.T) {
	t.Parallel()

	t.Run("OneProcessPerBuildThenTheTablesOwnValueIsBack", func(t *testing.T) {
		t.Parallel()
		b := setupBuild(t, buildOpts{})
		b.exec(t, seedBusiness)
		b.exec(t, `ALTER TABLE call_log SET (parallel_workers = 3)`)
		require.True(t, b.parallelPlan(t, "call_log"), "before the build the table is scanned in parallel")
		blocker := b.hold(t, "call_log")
		b.enqueue(t, indexes.EnqueueOpts{Tables: []string{"call_log"}})

		// While the build runs: the table asks for no parallel worker, its own value is recorded,
		// and the application's plans scan it with one process.
		build := b.waitProgress(t, "call_log")
		require.Equal(t, "0", b.parallelWorkers(t, "call_log"))
		recorded, was := b.reloptionsRecord(t, "call_log")
		require.True(t, recorded)
		require.Equal(t, "3", *was)
		require.False(t, b.parallelPlan(t, "call_log"), "no parallel scan of the table during its build")
		var modes []string
		require.NoError(t, b.direct.QueryRow(b.ctx, `SELECT array_agg(mode ORDER BY mode) FROM pg_locks
			WHERE relation = 'call_log'::regclass AND pid = $1 AND granted`, build.PID).Scan(&modes))
		require.Equal(t, []string{"ShareUpdateExclusiveLock"}, modes, "the build holds no lock that blocks the application")

		require.NoError(t, blocker.Rollback(b.ctx))
		b.next(t, completed)
		b.requireAllValid(t, "call_log")
		require.Equal(t, "3", b.parallelWorkers(t, "call_log"), "put back")
		recorded, _ = b.reloptionsRecord(t, "call_log")
		require.False(t, recorded)
		require.True(t, b.parallelPlan(t, "call_log"))
		require.Contains(t, b.logs.String(), "parallel workers limited for the build")
	})

	t.Run("UnsetStaysUnset", func(t *testing.T) {
		t.Parallel()
		b := setupBuild(t, buildOpts{})
		b.enqueue(t, indexes.EnqueueOpts{Tables: []string{"threads"}})
		b.next(t, completed)
		b.requireAllValid(t, "threads")
		require.Empty(t, b.parallelWorkers(t, "threads"))
		recorded, _ := b.reloptionsRecord(t, "threads")
		require.False(t, recorded)
	})

	t.Run("LeftAloneWhenOff", func(t *testing.T) {
		t.Parallel()
		b := setupBuild(t, buildOpts{parallel: -1})
		b.exec(t, `ALTER TABLE reminders SET (parallel_workers = 2)`)
		blocker := b.hold(t, "reminders")
		b.enqueue(t, indexes.EnqueueOpts{Tables: []string{"reminders"}})
		b.waitProgress(t, "reminders")
		require.Equal(t, "2", b.parallelWorkers(t, "reminders"))
		require.NoError(t, blocker.Rollback(b.ctx))
		b.next(t, completed)
		require.Equal(t, "2", b.parallelWorkers(t, "reminders"))
	})

	t.Run("AnInterruptedBuildIsPutBack", func(t *testing.T) {
		t.Parallel()
		b := setupBuild(t, buildOpts{})
		// A first build creates the bookkeeping; then the state a crash mid-build leaves: the
		// table at steady's value, its own value recorded, an INVALID index.
		b.enqueue(t, indexes.EnqueueOpts{Tables: []string{"threads"}})
		b.next(t, completed)
		b.exec(t, `ALTER TABLE activities SET (parallel_workers = 0)`)
		b.exec(t, `INSERT INTO steady_index_reloptions (table_name, parallel_workers) VALUES ('activities', '4')`)
		b.exec(t, `ALTER TABLE contracts SET (parallel_workers = 0)`)
		b.exec(t, `INSERT INTO steady_index_reloptions (table_name, parallel_workers) VALUES ('contracts', NULL)`)

		// A build of the table keeps the recorded value and puts it back.
		b.enqueue(t, indexes.EnqueueOpts{Tables: []string{"contracts"}})
		b.next(t, completed)
		require.Empty(t, b.parallelWorkers(t, "contracts"), "unset, as before the interrupted build")
		recorded, _ := b.reloptionsRecord(t, "contracts")
		require.False(t, recorded)

		// The worker's start puts back what no build is running on.
		require.NoError(t, indexes.RestoreParallel(b.ctx, b.pooler.Pool, bookkeeping.Schema{}, slog.New(slog.NewTextHandler(b.logs, nil))))
		require.Equal(t, "4", b.parallelWorkers(t, "activities"))
		recorded, _ = b.reloptionsRecord(t, "activities")
		require.False(t, recorded)
		require.Contains(t, b.logs.String(), "parallel workers put back after an interrupted build")
	})

	t.Run("RestoreLeavesARunningBuildAlone", func(t *testing.T) {
		t.Parallel()
		b := setupBuild(t, buildOpts{})
		b.exec(t, `ALTER TABLE push_subscriptions SET (parallel_workers = 5)`)
		blocker := b.hold(t, "push_subscriptions")
		b.enqueue(t, indexes.EnqueueOpts{Tables: []string{"push_subscriptions"}})
		b.waitProgress(t, "push_subscriptions")
		require.NoError(t, indexes.RestoreParallel(b.ctx, b.pooler.Pool, bookkeeping.Schema{}, slog.New(slog.NewTextHandler(b.logs, nil))))
		require.Equal(t, "0", b.parallelWorkers(t, "push_subscriptions"), "its build puts it back")
		require.NoError(t, blocker.Rollback(b.ctx))
		b.next(t, completed)
		require.Equal(t, "5", b.parallelWorkers(t, "push_subscriptions"))
	})
}

func TestIndexBuildWindow(t *testing.T) {
	t.Parallel()

	t.Run("ClosedWindowWaitsUntilItOpens", func(t *testing.T) {
		t.Parallel()
		// Twelve hours from now, for an hour: closed whenever the test runs.
		w, err := indexes.ParseWindow(fmt.Sprintf("0 %d * * * 1h", (time.Now().UTC().Hour()+12)%24))
		require.NoError(t, err)
		b := setupBuild(t, buildOpts{window: w})
		b.enqueue(t, indexes.EnqueueOpts{Tables: []string{"threads"}})
		snoozed := b.next(t, func(ev *river.Event) bool { return ev.Kind == river.EventKindJobSnoozed })
		opens := w.NextOpen(time.Now())
		require.WithinRange(t, snoozed.Job.ScheduledAt, opens.Add(-time.Second), opens.Add(6*time.Second),
			"snoozed until the window opens")
		require.Empty(t, snoozed.Job.Errors, "a wait for the window is not a failed attempt")
		require.Empty(t, b.steps.all(), "nothing built outside the window")
		require.Equal(t, indexes.Missing, b.status(t, "threads")["threads_lead_idx"].State)
		require.Contains(t, b.logs.String(), "waiting for the build window")
	})

	t.Run("OpenWindowBuilds", func(t *testing.T) {
		t.Parallel()
		w, err := indexes.ParseWindow("* * * * * 1h") // opens every minute for an hour: always open
		require.NoError(t, err)
		b := setupBuild(t, buildOpts{window: w})
		b.enqueue(t, indexes.EnqueueOpts{Tables: []string{"threads"}})
		b.next(t, completed)
		b.requireAllValid(t, "threads")
	})
}
