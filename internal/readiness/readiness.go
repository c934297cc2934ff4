package readiness

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/steadydb/steady/internal/redact"
)

// MigrationStep is the worker's migration step (wiring.Migrated satisfies it): whether it has
// finished, and then its one-line summary or its error.
type MigrationStep interface {
	Finished() (summary string, err error, done bool)
}

// Pinger is the POOLER pool (*pgxpool.Pool satisfies it).
type Pinger interface {
	Ping(ctx context.Context) error
}

// Runner is the River client's state (wiring.RiverState satisfies it).
type Runner interface {
	Running() bool
}

// LintFindings are the lint findings the migration step ran with (wiring.Migrated satisfies it).
type LintFindings interface {
	LintFindings() []string
}

// Heartbeat is the worker's heartbeat (*liveness.Heartbeat satisfies it).
type Heartbeat interface {
	Health() (ok bool, reason string)
}

// Config configures a Checker.
type Config struct {
	Migration MigrationStep
	Pooler    Pinger
	River     Runner
	Lint      LintFindings // optional
	Heartbeat Heartbeat    // optional: a "heartbeat" check, with the live workers it last counted

	PingTimeout     time.Duration // bound of one POOLER ping; default 1s
	MinPingInterval time.Duration // a ping result is reused this long; default 250ms
}

// Check is one check's verdict.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Reason string `json:"reason"`
}

// Report is the answer of /readyz.
type Report struct {
	Ready  bool    `json:"ready"`
	Checks []Check `json:"checks"`
}

// Checker evaluates readiness. It is an http.Handler for /readyz.
type Checker struct {
	cfg      Config
	draining atomic.Bool

	pingMu   sync.Mutex // held during a ping: concurrent probes wait and share its result
	pingAt   time.Time
	pingTook time.Duration
	pingErr  error
}

// New validates cfg.
func New(cfg Config) (*Checker, error) {
	if cfg.Migration == nil || cfg.Pooler == nil || cfg.River == nil {
		return nil, errors.New("readiness: Config.Migration, Pooler and River are required")
	}
	cfg.PingTimeout = cmp.Or(cfg.PingTimeout, time.Second)
	cfg.MinPingInterval = cmp.Or(cfg.MinPingInterval, 250*time.Millisecond)
	return &Checker{cfg: cfg}, nil
}

// Drain makes the worker not ready from now on (it is stopping).
func (c *Checker) Drain() { c.draining.Store(true) }

// Check runs every check.
func (c *Checker) Check(ctx context.Context) Report {
	summary, err, done := c.cfg.Migration.Finished()
	checks := []Check{migrations(summary, err, done), c.pooler(ctx), c.river(done)}
	if c.cfg.Lint != nil {
		// Not a reason to be unready (never fail the deploy, as the Python migration runner promised), but said here.
		if fs := c.cfg.Lint.LintFindings(); len(fs) > 0 {
			checks = append(checks, Check{Name: "lint", OK: true,
				Reason: fmt.Sprintf("migrations ran with %d lint findings (STEADY_STRICT=false): %s", len(fs), strings.Join(fs, "; "))})
		}
	}
	if c.cfg.Heartbeat != nil && done {
		ok, reason := c.cfg.Heartbeat.Health()
		checks = append(checks, Check{Name: "heartbeat", OK: ok, Reason: reason})
	}
	if c.draining.Load() {
		checks = append(checks, Check{Name: "shutdown", Reason: "the worker is stopping"})
	}
	ready := true
	for i := range checks {
		checks[i].Reason = oneLine(redact.Text(checks[i].Reason))
		ready = ready && checks[i].OK
	}
	return Report{Ready: ready, Checks: checks}
}

func migrations(summary string, err error, done bool) Check {
	switch {
	case !done:
		return Check{Name: "migrations", Reason: "the migration step is running"}
	case err != nil:
		return Check{Name: "migrations", Reason: "the migration step failed: " + err.Error()}
	}
	return Check{Name: "migrations", OK: true, Reason: cmp.Or(summary, "done")}
}

func (c *Checker) pooler(ctx context.Context) Check {
	c.pingMu.Lock()
	defer c.pingMu.Unlock()
	if c.pingAt.IsZero() || time.Since(c.pingAt) >= c.cfg.MinPingInterval {
		ctx, cancel := context.WithTimeout(ctx, c.cfg.PingTimeout)
		start := time.Now()
		err := c.cfg.Pooler.Ping(ctx)
		if err != nil && ctx.Err() != nil {
			err = errors.New("no answer within " + c.cfg.PingTimeout.String())
		}
		cancel()
		c.pingAt, c.pingTook, c.pingErr = time.Now(), time.Since(start), err
	}
	if c.pingErr != nil {
		return Check{Name: "pooler", Reason: "ping failed: " + c.pingErr.Error()}
	}
	return Check{Name: "pooler", OK: true, Reason: "answered in " + c.pingTook.Round(10*time.Microsecond).String()}
}

func (c *Checker) river(migrated bool) Check {
	switch {
	case c.cfg.River.Running():
		return Check{Name: "river", OK: true, Reason: "running"}
	case !migrated:
		return Check{Name: "river", Reason: "starts after the migration step"}
	case c.draining.Load():
		return Check{Name: "river", Reason: "stopped"}
	}
	return Check{Name: "river", Reason: "not running (it did not start, or it stopped; see the logs)"}
}

// ServeHTTP answers 200 with the report when ready, 503 otherwise.
func (c *Checker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rep := c.Check(r.Context())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if !rep.Ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(rep)
}

// oneLine keeps a joined multi-error readable in one JSON string and bounded in size.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 1000 {
		s = string(r[:1000]) + "…"
	}
	return s
}
