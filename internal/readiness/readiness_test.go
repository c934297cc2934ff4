package readiness_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/internal/readiness"
	"github.com/steadydb/steady/internal/redact"
)

// step is a migration step whose outcome the test sets.
type step struct {
	mu   sync.Mutex
	res  *migrate.Result
	err  error
	done bool
}

func (s *step) Outcome() (*migrate.Result, error, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.res, s.err, s.done
}

func (s *step) finish(res *migrate.Result, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.res, s.err, s.done = res, err, true
}

type runner struct{ running atomic.Bool }

// lintFindings are the findings a migration step ran with.
type lintFindings []string

func (l lintFindings) LintFindings() []string { return l }

// heartbeat is the worker's heartbeat as readiness sees it, set by the test.
type heartbeat struct {
	mu     sync.Mutex
	ok     bool
	reason string
}

func (h *heartbeat) Health() (bool, string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ok, h.reason
}

func (h *heartbeat) set(ok bool, reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ok, h.reason = ok, reason
}

func (r *runner) Running() bool { return r.running.Load() }

// countingPinger counts the pings that reach the real pool.
type countingPinger struct {
	readiness.Pinger
	n atomic.Int64
}

func (c *countingPinger) Ping(ctx context.Context) error {
	c.n.Add(1)
	return c.Pinger.Ping(ctx)
}

type bundle struct {
	checker *readiness.Checker
	step    *step
	river   *runner
	pinger  *countingPinger
}

func setup(t *testing.T, poolerURL string, cfg readiness.Config) *bundle {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), poolerURL)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	b := &bundle{step: &step{}, river: &runner{}, pinger: &countingPinger{Pinger: pool}}
	cfg.Migration, cfg.Pooler, cfg.River = b.step, b.pinger, b.river
	b.checker, err = readiness.New(cfg)
	require.NoError(t, err)
	return b
}

func (b *bundle) get(t *testing.T) (int, readiness.Report) {
	t.Helper()
	w := httptest.NewRecorder()
	b.checker.ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil))
	require.Equal(t, "application/json", w.Header().Get("Content-Type"))
	var rep readiness.Report
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &rep), w.Body.String())
	return w.Code, rep
}

func check(t *testing.T, rep readiness.Report, name string) readiness.Check {
	t.Helper()
	for _, c := range rep.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no check %q in %+v", name, rep)
	return readiness.Check{}
}

func TestReadiness(t *testing.T) {
	t.Parallel()

	t.Run("NotReadyWhileMigratingThenReady", func(t *testing.T) {
		t.Parallel()
		db := dbtest.New(t)
		b := setup(t, db.PoolerURL, readiness.Config{})

		code, rep := b.get(t)
		require.Equal(t, http.StatusServiceUnavailable, code)
		require.False(t, rep.Ready)
		require.Equal(t, readiness.Check{Name: "migrations", Reason: "the migration step is running"}, check(t, rep, "migrations"))
		require.True(t, check(t, rep, "pooler").OK)
		require.Equal(t, "starts after the migration step", check(t, rep, "river").Reason)

		b.step.finish(&migrate.Result{Total: 3, Reconciled: 3}, nil)
		b.river.running.Store(true)
		code, rep = b.get(t)
		require.Equal(t, http.StatusOK, code)
		require.True(t, rep.Ready)
		require.Contains(t, check(t, rep, "migrations").Reason, "3 reconciled")
		require.Equal(t, []string{"migrations", "pooler", "river"}, names(rep))
	})

	t.Run("FailedMigrationIsReportedRedacted", func(t *testing.T) {
		t.Parallel()
		db := dbtest.New(t)
		b := setup(t, db.PoolerURL, readiness.Config{})
		pw := redact.PasswordOf(db.PoolerURL)
		b.step.finish(&migrate.Result{Failed: 1}, errors.New("migration 0007 leads: connect postgres://steady:"+pw+"@db/x:\nrelation \"business\" does not exist"))
		b.river.running.Store(true)

		code, rep := b.get(t)
		require.Equal(t, http.StatusServiceUnavailable, code)
		m := check(t, rep, "migrations")
		require.False(t, m.OK)
		require.Contains(t, m.Reason, `the migration step failed: migration 0007 leads`)
		require.Contains(t, m.Reason, `postgres://steady:***@db/x: relation "business" does not exist`)
		require.NotContains(t, m.Reason, pw)
	})

	t.Run("LintFindingsAreReportedWhileReady", func(t *testing.T) {
		t.Parallel()
		db := dbtest.New(t)
		lf := lintFindings{"0039_x.sql:2:1 error require-concurrent-index-creation: CREATE INDEX i on public.leads without CONCURRENTLY"}
		b := setup(t, db.PoolerURL, readiness.Config{Lint: lf})
		b.step.finish(&migrate.Result{Total: 39, Applied: 1}, nil)
		b.river.running.Store(true)
		code, rep := b.get(t)
		require.Equal(t, http.StatusOK, code, "a lint finding never makes the worker unready")
		l := check(t, rep, "lint")
		require.True(t, l.OK)
		require.Contains(t, l.Reason, "migrations ran with 1 lint findings (STEADY_STRICT=false): 0039_x.sql:2:1 error require-concurrent-index-creation")

		none := setup(t, db.PoolerURL, readiness.Config{Lint: lintFindings{}})
		none.step.finish(&migrate.Result{}, nil)
		none.river.running.Store(true)
		_, rep = none.get(t)
		require.Equal(t, []string{"migrations", "pooler", "river"}, names(rep))
	})

	t.Run("PoolerRefused", func(t *testing.T) {
		t.Parallel()
		b := setup(t, "postgres://steady:x@127.0.0.1:1/steady?sslmode=disable", readiness.Config{})
		b.step.finish(&migrate.Result{}, nil)
		b.river.running.Store(true)
		code, rep := b.get(t)
		require.Equal(t, http.StatusServiceUnavailable, code)
		require.Contains(t, check(t, rep, "pooler").Reason, "ping failed")
	})

	t.Run("PoolerSilentIsBoundedByPingTimeout", func(t *testing.T) {
		t.Parallel()
		// A listener that accepts and never answers costs exactly the timeout.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		var held []net.Conn
		done := make(chan struct{})
		t.Cleanup(func() {
			l.Close()
			<-done
			for _, c := range held {
				c.Close()
			}
		})
		go func() {
			defer close(done)
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				held = append(held, c)
			}
		}()
		b := setup(t, "postgres://steady:x@"+l.Addr().String()+"/steady?sslmode=disable", readiness.Config{PingTimeout: 200 * time.Millisecond})
		start := time.Now()
		code, rep := b.get(t)
		require.Less(t, time.Since(start), 5*time.Second)
		require.Equal(t, http.StatusServiceUnavailable, code)
		require.Equal(t, "ping failed: no answer within 200ms", check(t, rep, "pooler").Reason)
	})

	t.Run("DrainMakesItNotReady", func(t *testing.T) {
		t.Parallel()
		db := dbtest.New(t)
		b := setup(t, db.PoolerURL, readiness.Config{})
		b.step.finish(&migrate.Result{}, nil)
		b.river.running.Store(true)
		code, _ := b.get(t)
		require.Equal(t, http.StatusOK, code)

		b.checker.Drain()
		code, rep := b.get(t)
		require.Equal(t, http.StatusServiceUnavailable, code)
		require.Equal(t, readiness.Check{Name: "shutdown", Reason: "the worker is stopping"}, check(t, rep, "shutdown"))
	})

	t.Run("HeartbeatReportsTheLiveWorkers", func(t *testing.T) {
		t.Parallel()
		db := dbtest.New(t)
		hb := &heartbeat{ok: true, reason: "steady.vm.12.ab heartbeats every 5s; 2 workers alive"}
		b := setup(t, db.PoolerURL, readiness.Config{Heartbeat: hb})
		code, rep := b.get(t)
		require.Equal(t, http.StatusServiceUnavailable, code, "not ready while the migration step runs, healthy heartbeat or not")
		require.False(t, rep.Ready)
		require.Equal(t, []string{"migrations", "pooler", "river"}, names(rep), "registered after the migration step")
		b.step.finish(&migrate.Result{}, nil)
		b.river.running.Store(true)
		code, rep = b.get(t)
		require.Equal(t, http.StatusOK, code)
		require.Equal(t, readiness.Check{Name: "heartbeat", OK: true, Reason: hb.reason}, check(t, rep, "heartbeat"))

		hb.set(false, "no heartbeat has landed for 21s (bound 20s): connection refused")
		code, rep = b.get(t)
		require.Equal(t, http.StatusServiceUnavailable, code, "the others are about to declare it dead")
		require.False(t, check(t, rep, "heartbeat").OK)
	})

	t.Run("ConcurrentProbesShareOnePing", func(t *testing.T) {
		t.Parallel()
		db := dbtest.New(t)
		b := setup(t, db.PoolerURL, readiness.Config{MinPingInterval: time.Hour})
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() { b.checker.Check(context.Background()) })
		}
		wg.Wait()
		require.Equal(t, int64(1), b.pinger.n.Load())
	})
}

func names(rep readiness.Report) []string {
	var out []string
	for _, c := range rep.Checks {
		out = append(out, c.Name)
	}
	return out
}
