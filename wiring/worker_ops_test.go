package wiring_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/httpauth"
	"github.com/steadydb/steady/internal/lint"
	"github.com/steadydb/steady/internal/readiness"
	"github.com/steadydb/steady/internal/redact"
	"github.com/steadydb/steady/migrations"
	"github.com/steadydb/steady/wiring"
)

// deadline bounds every wait on a log line or an HTTP state.
const deadline = 60 * time.Second

// opsArgs is a job the tests enqueue; Block makes it run until released or cancelled.
type opsArgs struct {
	Block bool `json:"block"`
}

func (opsArgs) Kind() string { return "steady_ops_test" }

type opsWorker struct {
	river.WorkerDefaults[opsArgs]
	started chan int64
	release chan struct{}
}

func (w *opsWorker) Work(ctx context.Context, job *river.Job[opsArgs]) error {
	if !job.Args.Block {
		return nil
	}
	w.started <- job.ID
	select {
	case <-w.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// logs collects the worker's JSON log lines and wakes waiters on each one.
type logs struct {
	mu      sync.Mutex
	lines   []map[string]any
	raw     strings.Builder
	changed chan struct{}
}

func newLogs() *logs { return &logs{changed: make(chan struct{})} }

// Write receives one record per call (slog's JSON handler writes each record at once).
func (l *logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.raw.Write(p)
	var e map[string]any
	if err := json.Unmarshal(p, &e); err != nil {
		e = map[string]any{"msg": "UNPARSEABLE", "line": string(p)}
	}
	l.lines = append(l.lines, e)
	close(l.changed)
	l.changed = make(chan struct{})
	return len(p), nil
}

// wait returns the first line whose msg starts with prefix.
func (l *logs) wait(t *testing.T, prefix string) map[string]any {
	t.Helper()
	timeout := time.After(deadline)
	for {
		l.mu.Lock()
		for _, e := range l.lines {
			if strings.HasPrefix(fmt.Sprint(e["msg"]), prefix) {
				l.mu.Unlock()
				return e
			}
		}
		changed := l.changed
		l.mu.Unlock()
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("no log line %q within %s; logs:\n%s", prefix, deadline, l.text())
		}
	}
}

// index is the position of the first line whose msg starts with prefix, -1 if none.
func (l *logs) index(prefix string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, e := range l.lines {
		if strings.HasPrefix(fmt.Sprint(e["msg"]), prefix) {
			return i
		}
	}
	return -1
}

func (l *logs) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.raw.String()
}

type workerBundle struct {
	db     *dbtest.DB
	app    *fx.App
	client *river.Client[pgx.Tx]
	worker *opsWorker
	logs   *logs
	base   string // http://host:port
	start  chan error
	creds  httpauth.Credentials
}

type workerOpts struct {
	extra       []string // SQL of migrations added after the shipped ones
	addr        string
	creds       httpauth.Credentials
	lockTimeout time.Duration
	beforeStart func(db *dbtest.DB) // arranges the database before the worker starts
	lint        *lint.Linter
	dbConfig    func(db *dbtest.DB) dbconn.Config // default: DIRECT and the shared PgBouncer
}

// startWorker starts the worker as `steady worker` does, on a migrated database, and returns
// once its HTTP server listens (Start may still be running the migration step).
func startWorker(t *testing.T, opts workerOpts) *workerBundle {
	t.Helper()
	b := &workerBundle{db: dbtest.NewMigrated(t), logs: newLogs(), start: make(chan error, 1), creds: opts.creds,
		worker: &opsWorker{started: make(chan int64, 1), release: make(chan struct{})}}
	log := slog.New(slog.NewJSONHandler(b.logs, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: redact.ReplaceAttr}))
	cfg := wiring.WorkerConfig{
		DB:       dbconn.Config{DirectURL: b.db.DirectURL, PoolerURL: b.db.PoolerURL},
		Migrate:  wiring.MigrateConfig{Source: source(t, opts.extra), LockTimeout: opts.lockTimeout, Lint: opts.lint},
		HTTPAddr: cmpOr(opts.addr, "127.0.0.1:0"),
		HTTPAuth: opts.creds,
		River:    wiring.RiverConfig{SoftStopTimeout: deadline},
	}
	if opts.dbConfig != nil {
		cfg.DB = opts.dbConfig(b.db)
	}
	if opts.beforeStart != nil {
		opts.beforeStart(b.db)
	}
	b.app = fx.New(wiring.Worker(cfg, log),
		fx.Provide(fx.Annotate(func() wiring.WorkerRegistration {
			return func(ws *river.Workers) { river.AddWorker(ws, b.worker) }
		}, fx.ResultTags(`group:"river_workers"`))),
		fx.Populate(&b.client),
	)
	require.NoError(t, b.app.Err())
	go func() { b.start <- b.app.Start(context.Background()) }()
	t.Cleanup(func() {
		close(b.worker.release)
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		_ = b.app.Stop(ctx)
	})
	addr := fmt.Sprint(b.logs.wait(t, "http listening")["addr"])
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	b.base = "http://127.0.0.1:" + port
	return b
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// source is the shipped migrations plus extra ones, numbered after them.
func source(t *testing.T, extra []string) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	entries, err := fs.ReadDir(migrations.FS, ".")
	require.NoError(t, err)
	for _, e := range entries {
		data, err := fs.ReadFile(migrations.FS, e.Name())
		require.NoError(t, err)
		m[e.Name()] = &fstest.MapFile{Data: data}
	}
	shipped := 0
	for name := range m {
		if strings.HasSuffix(name, ".sql") {
			shipped++
		}
	}
	for i, sql := range extra {
		m[fmt.Sprintf("%04d_ops_extra_%d.sql", shipped+i+1, i+1)] = &fstest.MapFile{Data: []byte(sql)}
	}
	return m
}

func (b *workerBundle) waitStarted(t *testing.T) {
	t.Helper()
	select {
	case err := <-b.start:
		require.NoError(t, err)
	case <-time.After(deadline):
		t.Fatalf("worker did not start within %s; logs:\n%s", deadline, b.logs.text())
	}
}

// get returns the status and body of a GET, authenticated when auth is set.
func (b *workerBundle) get(t *testing.T, path string, auth func(*http.Request)) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", b.base+path, nil)
	require.NoError(t, err)
	if auth != nil {
		auth(req)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

func (b *workerBundle) readyz(t *testing.T) (int, readiness.Report) {
	t.Helper()
	code, body := b.get(t, "/readyz", nil)
	var rep readiness.Report
	require.NoError(t, json.Unmarshal([]byte(body), &rep), body)
	return code, rep
}

// waitReadyz polls /readyz until it answers want, within the deadline.
func (b *workerBundle) waitReadyz(t *testing.T, want int) readiness.Report {
	t.Helper()
	timeout := time.After(deadline)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		code, rep := b.readyz(t)
		if code == want {
			return rep
		}
		select {
		case <-tick.C:
		case <-timeout:
			t.Fatalf("/readyz never answered %d within %s; last %d %+v; logs:\n%s", want, deadline, code, rep, b.logs.text())
		}
	}
}

func checkOf(t *testing.T, rep readiness.Report, name string) readiness.Check {
	t.Helper()
	for _, c := range rep.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no check %q in %+v", name, rep)
	return readiness.Check{}
}

// TestWorkerLifecycle follows one worker from a blocked migration step to a graceful stop.
func TestWorkerLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	// A lock on leads, taken before the worker starts, makes the migration step wait until the
	// test releases it.
	var lockTx pgx.Tx
	b := startWorker(t, workerOpts{
		extra:       []string{"ALTER TABLE leads ADD COLUMN ops_probe integer;\n"},
		lockTimeout: time.Second,
		beforeStart: func(db *dbtest.DB) {
			conn, err := pgx.Connect(ctx, db.DirectURL)
			require.NoError(t, err)
			t.Cleanup(func() { conn.Close(context.Background()) })
			lockTx, err = conn.Begin(ctx)
			require.NoError(t, err)
			_, err = lockTx.Exec(ctx, "LOCK TABLE leads IN ACCESS EXCLUSIVE MODE")
			require.NoError(t, err)
		},
	})

	t.Run("NotReadyWhileTheMigrationStepRuns", func(t *testing.T) {
		b.db.WaitForLockWaiter(t)
		code, rep := b.readyz(t)
		require.Equal(t, http.StatusServiceUnavailable, code)
		require.False(t, rep.Ready)
		require.Equal(t, readiness.Check{Name: "migrations", Reason: "the migration step is running"}, checkOf(t, rep, "migrations"))
		require.Equal(t, "starts after the migration step", checkOf(t, rep, "river").Reason)
		require.True(t, checkOf(t, rep, "pooler").OK)

		code, body := b.get(t, "/metrics", nil)
		require.Equal(t, http.StatusOK, code)
		require.Contains(t, body, `steady_migration_step_status{status="running"} 1`)
	})

	t.Run("ReadyAfterTheMigrationStep", func(t *testing.T) {
		require.NoError(t, lockTx.Rollback(ctx))
		b.waitStarted(t)
		rep := b.waitReadyz(t, http.StatusOK)
		require.True(t, rep.Ready)
		require.Contains(t, checkOf(t, rep, "migrations").Reason, "1 applied")
		require.Equal(t, "running", checkOf(t, rep, "river").Reason)
	})

	t.Run("MetricsAfterRealWork", func(t *testing.T) {
		done, cancel := b.client.Subscribe(river.EventKindJobCompleted)
		defer cancel()
		_, err := b.client.Insert(ctx, opsArgs{}, nil)
		require.NoError(t, err)
		select {
		case ev := <-done:
			require.Equal(t, "steady_ops_test", ev.Job.Kind)
		case <-time.After(deadline):
			t.Fatal("job never completed")
		}

		code, body := b.get(t, "/metrics", nil)
		require.Equal(t, http.StatusOK, code)
		total := 1 // the extra migration
		for name := range source(t, nil).(fstest.MapFS) {
			if strings.HasSuffix(name, ".sql") {
				total++
			}
		}
		for _, want := range []string{
			`steady_db_migration_role{role="DIRECT"} 1`,
			`steady_db_migration_role{role="POOLER"} 0`,
			`steady_migration_step_status{status="succeeded"} 1`,
			`steady_migration_step_migrations{outcome="applied"} 1`,
			`steady_migration_step_migrations{outcome="failed"} 0`,
			fmt.Sprintf(`steady_migrations{state="applied"} %d`, total),
			`steady_migrations{state="pending"} 0`,
			`steady_river_jobs{kind="steady_ops_test",state="completed"} 1`,
			`steady_river_jobs_query_success 1`,
			`steady_index_builds{outcome="completed"} `,
			`steady_db_pool_connections{role="POOLER",state="max"}`,
			"steady_db_direct_probe_seconds ",
			// The backfills the worker starts at its first start (BackfillModule's progress).
			"steady_backfill_progress_query_success 1",
			`steady_backfill_rows_done{backfill="`,
			`steady_backfill_rows_remaining{backfill="`,
			`steady_backfill_rows_per_second{backfill="`,
			"go_goroutines ",
			"process_cpu_seconds_total ",
		} {
			require.Contains(t, body, want)
		}
	})

	t.Run("RiverUIThroughThePrefix", func(t *testing.T) {
		code, body := b.get(t, "/river/", nil)
		require.Equal(t, http.StatusOK, code)
		require.Contains(t, body, `href="/river/`)
		code, body = b.get(t, "/river/api/jobs?state=completed", nil)
		require.Equal(t, http.StatusOK, code, body)
		require.Contains(t, body, `"kind":"steady_ops_test"`)
		code, body = b.get(t, "/river/api/health-checks/complete", nil)
		require.Equal(t, http.StatusOK, code, body)
	})

	t.Run("StopFlipsReadinessThenStopsRiverThenHTTP", func(t *testing.T) {
		_, err := b.client.Insert(ctx, opsArgs{Block: true}, nil)
		require.NoError(t, err)
		select {
		case <-b.worker.started:
		case <-time.After(deadline):
			t.Fatal("blocking job never started")
		}
		stopped := make(chan error, 1)
		go func() {
			stopCtx, cancel := context.WithTimeout(ctx, deadline)
			defer cancel()
			stopped <- b.app.Stop(stopCtx)
		}()

		// River is waiting for the running job: not ready, yet still serving.
		rep := b.waitReadyz(t, http.StatusServiceUnavailable)
		require.Equal(t, "the worker is stopping", checkOf(t, rep, "shutdown").Reason)
		code, _ := b.get(t, "/healthz", nil)
		require.Equal(t, http.StatusOK, code)
		require.Equal(t, -1, b.logs.index("River client stopped"))

		b.worker.release <- struct{}{}
		select {
		case err := <-stopped:
			require.NoError(t, err)
		case <-time.After(deadline):
			t.Fatal("stop did not return")
		}
		drain, riverStop, httpStop := b.logs.index("stopping: /readyz answers 503"), b.logs.index("River client stopped"), b.logs.index("http server stopped")
		require.True(t, drain >= 0 && drain < riverStop && riverStop < httpStop, "drain %d, River %d, http %d", drain, riverStop, httpStop)
		_, err = http.Get(b.base + "/healthz")
		require.Error(t, err)
	})

	require.NotContains(t, b.logs.text(), redact.PasswordOf(b.db.PoolerURL))
}

func TestWorkerReportsAFailedMigrationStep(t *testing.T) {
	t.Parallel()
	b := startWorker(t, workerOpts{extra: []string{"ALTER TABLE ops_no_such_table ADD COLUMN x integer;\n"}})
	b.waitStarted(t) // not strict: the worker keeps running

	code, rep := b.readyz(t)
	require.Equal(t, http.StatusServiceUnavailable, code)
	m := checkOf(t, rep, "migrations")
	require.False(t, m.OK)
	require.Contains(t, m.Reason, "the migration step failed")
	require.Contains(t, m.Reason, "ops_no_such_table")
	require.NotContains(t, m.Reason, redact.PasswordOf(b.db.PoolerURL))

	code, body := b.get(t, "/metrics", nil)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `steady_migration_step_status{status="failed"} 1`)
	require.Contains(t, body, `steady_migration_step_migrations{outcome="failed"} 1`)
}

// A migration with a lint finding runs (not strict) and /readyz says so, ready all the same.
func TestWorkerReportsLintFindings(t *testing.T) {
	t.Parallel()
	l, err := lint.New(lint.Config{WarnRows: 5, ErrorRows: 1000})
	require.NoError(t, err)
	tenLeads := func(db *dbtest.DB) {
		conn, err := pgx.Connect(context.Background(), db.DirectURL)
		require.NoError(t, err)
		defer conn.Close(context.Background())
		_, err = conn.Exec(context.Background(), `INSERT INTO business (name, slug) VALUES ('Ops', 'ops');
			INSERT INTO leads (business_id, full_name) SELECT (SELECT id FROM business), 'Lead ' || g FROM generate_series(1, 10) g;
			ANALYZE leads`)
		require.NoError(t, err)
	}
	b := startWorker(t, workerOpts{lint: l, beforeStart: tenLeads,
		extra: []string{"-- An index built the blocking way.\nCREATE INDEX ops_leads_status_idx ON leads (status);\n"}})
	b.waitStarted(t)
	rep := b.waitReadyz(t, http.StatusOK)
	c := checkOf(t, rep, "lint")
	require.True(t, c.OK)
	require.Contains(t, c.Reason, "migrations ran with 1 lint findings (STEADY_STRICT=false): 0039_ops_extra_1.sql:2:1 warning require-concurrent-index-creation")
}

func TestWorkerOffLoopback(t *testing.T) {
	t.Parallel()

	t.Run("RefusesToStartWithoutCredentials", func(t *testing.T) {
		t.Parallel()
		// No database: the refusal comes before anything connects.
		app := fx.New(wiring.Worker(wiring.WorkerConfig{
			DB:       dbconn.Config{PoolerURL: "postgres://steady:x@127.0.0.1:1/steady"},
			HTTPAddr: "0.0.0.0:0",
		}, slog.New(slog.NewTextHandler(io.Discard, nil))))
		var ee *httpauth.ExposedError
		require.True(t, errors.As(app.Err(), &ee), "%v", app.Err())
	})

	t.Run("GuardsMetricsAndRiverUI", func(t *testing.T) {
		t.Parallel()
		b := startWorker(t, workerOpts{addr: "0.0.0.0:0",
			creds: httpauth.Credentials{User: "ops", Password: "Ops-Pass-6120", Token: "Ops-Token-3391"}})
		b.waitStarted(t)
		require.Equal(t, true, b.logs.wait(t, "http listening")["exposed"])
		bearer := func(r *http.Request) { r.Header.Set("Authorization", "Bearer Ops-Token-3391") }
		basic := func(r *http.Request) { r.SetBasicAuth("ops", "Ops-Pass-6120") }
		wrong := func(r *http.Request) { r.SetBasicAuth("ops", "nope") }

		for _, path := range []string{"/metrics", "/river/", "/river/api/jobs?state=completed"} {
			code, _ := b.get(t, path, nil)
			require.Equal(t, http.StatusUnauthorized, code, path)
			code, _ = b.get(t, path, wrong)
			require.Equal(t, http.StatusUnauthorized, code, path)
			code, _ = b.get(t, path, bearer)
			require.Equal(t, http.StatusOK, code, path)
			code, _ = b.get(t, path, basic)
			require.Equal(t, http.StatusOK, code, path)
		}
		code, _ := b.get(t, "/healthz", nil)
		require.Equal(t, http.StatusOK, code)
		b.waitReadyz(t, http.StatusOK) // open without credentials
		for _, secret := range []string{"Ops-Pass-6120", "Ops-Token-3391", redact.PasswordOf(b.db.PoolerURL)} {
			require.NotContains(t, b.logs.text(), secret)
		}
	})
}
