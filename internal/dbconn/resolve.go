package dbconn

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/redact"
)

// Decision is the locked choice of the migration role.
type Decision struct {
	MigrationRole Role
	Reason        string        // why DIRECT was not used (redacted); "" for DIRECT
	Single        bool          // both roles come from one DATABASE_URL
	ProbeTime     time.Duration // how long the DIRECT probe took; 0 when there was none
}

// Resolver probes DIRECT at most once and remembers the answer for the life of the process.
type Resolver struct {
	cfg        Config
	urls       urls
	poolerMode PoolMode // the setting: ModeAuto, ModeTransaction or ModeSession
	schema     bookkeeping.Schema

	once     sync.Once
	decision Decision
}

// NewResolver validates cfg. It does not touch the network.
func NewResolver(cfg Config) (*Resolver, error) {
	cfg = cfg.withDefaults()
	u, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	mode, err := ParsePoolerMode(cfg.PoolerMode)
	if err != nil {
		return nil, err
	}
	schema, err := ParseSchema(cfg.Schema)
	if err != nil {
		return nil, err
	}
	return &Resolver{cfg: cfg, urls: u, poolerMode: mode, schema: schema}, nil
}

// Resolve returns the migration role. The first call probes DIRECT (bounded by DirectTimeout)
// and logs the decision; every later call returns that decision without any I/O.
func (r *Resolver) Resolve(ctx context.Context) Decision {
	r.once.Do(func() {
		r.decision = r.probe(ctx)
		r.logDecision()
	})
	return r.decision
}

func (r *Resolver) probe(ctx context.Context) Decision {
	d := Decision{Single: r.urls.single}
	if r.urls.direct == "" {
		d.MigrationRole, d.Reason = Pooler, "DATABASE_URL_DIRECT is not set"
		return d
	}
	start := time.Now()
	err := probeOnce(ctx, r.urls.direct, r.cfg.DirectTimeout)
	d.ProbeTime = time.Since(start)
	if err != nil {
		d.MigrationRole, d.Reason = Pooler, oneLine(redact.Error(err))
		return d
	}
	d.MigrationRole = Direct
	return d
}

// probeOnce makes one real connection and one round trip: pgxpool connects lazily, so only a
// round trip proves the server answers. A listener that accepts and never answers costs the
// timeout, never more.
func probeOnce(ctx context.Context, rawURL string, timeout time.Duration) error {
	// The timeout is the probe's whole budget: the attempt stops ProbeMargin before it, so that
	// noticing the deadline and closing the socket fit inside (2-7 ms measured on 2 busy cores).
	ctx, cancel := context.WithTimeout(ctx, timeout-ProbeMargin(timeout))
	defer cancel()
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return err
	}
	trackCancels(&cfg.Config, sendCancels)
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return errors.New("no answer within " + timeout.String())
		}
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return conn.Ping(ctx)
}

func (r *Resolver) logDecision() {
	attrs := []any{slog.String("direct_url", redact.URL(r.urls.direct))}
	if r.decision.Single {
		attrs = append(attrs, slog.String("source", "single DATABASE_URL for both roles"))
	}
	if r.decision.ProbeTime > 0 {
		attrs = append(attrs, slog.String("probe", r.decision.ProbeTime.Round(100*time.Microsecond).String()))
	}
	if r.decision.MigrationRole == Direct {
		r.cfg.Logger.Info("✅ Using DIRECT", attrs...)
		return
	}
	attrs = append(attrs, slog.String("reason", r.decision.Reason))
	r.cfg.Logger.Info("✅ Using POOLER (DIRECT unavailable - locked)", attrs...)
}

// oneLine folds pgconn's multi-line connect errors (one line per address tried) into one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n\t", " | ")), " ")
}
