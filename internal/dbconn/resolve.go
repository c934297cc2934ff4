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
	// Direct is what the probe reached, nil when DIRECT did not answer; Pooler what the POOLER's
	// first query reached, nil when the process did not read it (Open reads it when migrating).
	Direct, Pooler *Identity
}

// Resolver probes DIRECT at most once and remembers the answer for the life of the process.
type Resolver struct {
	cfg        Config
	urls       urls
	poolerMode PoolMode // the setting: ModeAuto, ModeTransaction or ModeSession
	schema     bookkeeping.Schema

	once     sync.Once
	decision Decision
	err      error // the POOLER's identity could not be read, or a refusal
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
	d, _ := r.resolve(ctx, nil)
	return d
}

// poolerIdentity reads what the POOLER reaches.
type poolerIdentity func(context.Context) (*Identity, error)

// resolve is Resolve that also reads what the POOLER reaches with pooler, alongside the probe
// so that it costs the run no time, and refuses (a *RefusedError, and no decision logged) when
// the roles cannot be used as configured. An error reading the POOLER is returned as is.
func (r *Resolver) resolve(ctx context.Context, pooler poolerIdentity) (Decision, error) {
	r.once.Do(func() {
		r.decision, r.err = r.decide(ctx, pooler)
		if r.err == nil {
			r.err = refusal(r.decision, redact.URL(r.urls.direct), redact.URL(r.urls.pooler))
		}
		if !errors.As(r.err, new(*RefusedError)) {
			r.logDecision()
		}
	})
	return r.decision, r.err
}

// decide probes DIRECT and, with pooler, reads what the POOLER reaches at the same time.
func (r *Resolver) decide(ctx context.Context, pooler poolerIdentity) (Decision, error) {
	if pooler == nil {
		return r.probe(ctx), nil
	}
	if r.urls.single {
		// One DATABASE_URL: what the probe reached is what the POOLER reaches.
		d := r.probe(ctx)
		if d.Pooler = d.Direct; d.Pooler != nil {
			return d, nil
		}
		var err error
		d.Pooler, err = pooler(ctx)
		return d, err
	}
	var id *Identity
	var err error
	read := make(chan struct{})
	go func() {
		defer close(read)
		id, err = pooler(ctx)
	}()
	d := r.probe(ctx)
	<-read
	d.Pooler = id
	return d, err
}

func (r *Resolver) probe(ctx context.Context) Decision {
	d := Decision{Single: r.urls.single}
	if r.urls.direct == "" {
		d.MigrationRole, d.Reason = Pooler, "DATABASE_URL_DIRECT is not set"
		return d
	}
	start := time.Now()
	id, err := probeOnce(ctx, r.urls.direct, r.cfg.DirectTimeout)
	d.ProbeTime = time.Since(start)
	if err != nil {
		d.MigrationRole, d.Reason = Pooler, oneLine(redact.Error(err))
		return d
	}
	d.Direct = &id
	// A standby answers but refuses every write; migrations would fail on it, one by one.
	if why := id.cannotWrite(); why != "" {
		d.MigrationRole, d.Reason = Pooler, "DIRECT reaches "+why+": migrations need the primary"
		return d
	}
	d.MigrationRole = Direct
	return d
}

// probeOnce makes one real connection and one round trip, which reads what DIRECT reaches
// (pgxpool connects lazily, so only a round trip proves the server answers). A listener that
// accepts and never answers costs the timeout, never more.
func probeOnce(ctx context.Context, rawURL string, timeout time.Duration) (Identity, error) {
	// The timeout is the probe's whole budget: the attempt stops ProbeMargin before it, so that
	// noticing the deadline and closing the socket fit inside (2-7 ms measured on 2 busy cores).
	ctx, cancel := context.WithTimeout(ctx, timeout-ProbeMargin(timeout))
	defer cancel()
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return Identity{}, err
	}
	trackCancels(&cfg.Config, sendCancels)
	noAnswer := func(err error) error {
		if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return errors.New("no answer within " + timeout.String())
		}
		return err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return Identity{}, noAnswer(err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	id, err := readIdentity(ctx, conn)
	return id, noAnswer(err)
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
