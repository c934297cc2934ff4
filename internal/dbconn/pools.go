package dbconn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/redact"
)

// Pool is one role's pool, made once at startup.
type Pool struct {
	*pgxpool.Pool
	Role Role
	URL  string // redacted
	// Mode is the mode in force: the POOLER setting when it is transaction or session,
	// otherwise what detection concluded (ModeUnknown when the process does not detect).
	Mode      PoolMode
	Setting   PoolMode   // POOLER: auto, transaction or session; "" for DIRECT
	Detection *Detection // nil when not detected
	Warning   string     // the detection's evidence contradicts the setting

	gate *gate // SetGate's
}

// Pools holds the pools of a process: two on POOLER always, and the migration role's when the
// process migrates (Long when the decision is POOLER).
//
// Pooler sends no cancel request when a statement is given up on; Long and Migration do. A
// cancel request whose client is gone before PgBouncer 1.18 forwarded it crashes PgBouncer, and
// a process killed with -9 cannot wait for its own: the pool that runs all the time (River,
// heartbeats, backfill batches: each statement short or bounded by its own statement_timeout)
// must not send them. Long connects only when used.
type Pools struct {
	Decision  Decision
	Schema    bookkeeping.Schema // of steady's tables and River's (Config.Schema)
	Migration *Pool              // nil unless OpenOpts.Migrate
	Pooler    *Pool
	// Long is POOLER for long statements that must be stopped on the server when given up on:
	// index builds (a CREATE INDEX CONCURRENTLY left running keeps waiting for the table's
	// writers), migrations through POOLER and demo-data's load (they hold locks).
	Long *Pool

	preflight *Preflight // OpenOpts.DeferIdentity
}

// Preflight returns the check Open left to the caller's first round trip (OpenOpts.DeferIdentity),
// nil when Open made it.
func (p *Pools) Preflight() *Preflight { return p.preflight }

// OpenOpts says what a process needs.
type OpenOpts struct {
	// Migrate probes DIRECT once and opens the migration role's pool.
	Migrate bool
	// Detect finds each pool's mode (two connections and two queries) and logs it. Long-running
	// processes want it (River polls only behind a transaction pooler); one-shot commands skip
	// it, and their pools use QueryExecModeExec, which is safe behind any pooler.
	Detect bool
	// DeferIdentity lets a process that migrates through the POOLER alone (no
	// DATABASE_URL_DIRECT, no detection) read what the POOLER reaches in its own first round
	// trip instead of one of Open's: Open returns without Decision.Pooler, and Pools.Preflight
	// queues the read into that round trip and checks it (the refusal, then the decision's log
	// line) before anything is written. A no-op deploy then costs one round trip after the
	// connection. Ignored otherwise: the identity is read alongside the probe or by detection.
	DeferIdentity bool
}

// Open resolves the roles and opens one pool per role. It is the only place steady creates pools.
func Open(ctx context.Context, cfg Config, opts OpenOpts) (*Pools, error) {
	r, err := NewResolver(cfg)
	if err != nil {
		return nil, err
	}
	cfg = r.cfg
	pooler, err := openPool(ctx, cfg, Pooler, r.urls.pooler, opts.Detect, r.poolerMode, dropCancels)
	if err != nil {
		return nil, err
	}
	long, err := pooler.sibling(cfg, r.urls.pooler)
	if err != nil {
		pooler.Close()
		return nil, err
	}
	if opts.Detect {
		// The mode matters to the long-running worker (River polls behind a transaction pooler);
		// a one-shot command logs only its own work.
		cfg.Logger.Info("index builds, backfills and River use POOLER", pooler.modeAttrs()...)
		if pooler.Warning != "" {
			cfg.Logger.Warn("⚠️ pool mode setting contradicts the evidence", slog.String("warning", pooler.Warning))
		}
	}
	p := &Pools{Pooler: pooler, Long: long, Schema: r.schema}
	if !opts.Migrate {
		return p, nil
	}
	if opts.DeferIdentity && r.urls.direct == "" && pooler.Detection == nil {
		p.Decision = r.probe(ctx) // no I/O: there is no DIRECT to probe
		p.Migration = long
		p.preflight = &Preflight{r: r, pools: p}
		return p, nil
	}
	p.Decision, err = r.resolve(ctx, pooler.identity(cfg, long))
	if err != nil {
		long.Close()
		pooler.Close()
		return nil, err
	}
	if p.Decision.MigrationRole == Pooler {
		p.Migration = long
		return p, nil
	}
	p.Migration, err = openPool(ctx, cfg, Direct, r.urls.direct, opts.Detect, "", sendCancels)
	if err != nil {
		long.Close()
		pooler.Close()
		// DIRECT answered the probe a moment ago; failing now is not a reason to flip roles
		// mid-run (the choice is locked), so it is an error.
		return nil, err
	}
	if opts.Detect {
		cfg.Logger.Info("migrations use DIRECT", p.Migration.modeAttrs()...)
	}
	return p, nil
}

// identity reads what the POOLER reaches: what detection's first query saw, or else one query on
// long, the pool migrations through POOLER use (so that its connection serves them next).
func (p *Pool) identity(cfg Config, long *Pool) poolerIdentity {
	if d := p.Detection; d != nil && d.Reached != nil {
		return func(context.Context) (*Identity, error) { return d.Reached, nil }
	}
	return func(ctx context.Context) (*Identity, error) {
		ctx, cancel := context.WithTimeout(ctx, 3*cfg.DirectTimeout) // bounded as detection is
		defer cancel()
		id, err := readIdentity(ctx, long)
		if err != nil {
			return nil, &ConnectError{Role: Pooler, URL: long.URL, Err: errors.New(oneLine(redact.Error(err)))}
		}
		return &id, nil
	}
}

// modeAttrs describe the pool's mode for the log: in force, set, detected and why.
func (p *Pool) modeAttrs() []any {
	attrs := []any{slog.String("url", p.URL), slog.String("pool_mode", string(p.Mode))}
	if p.Setting != "" {
		attrs = append(attrs, slog.String("pool_mode_setting", string(p.Setting)))
	}
	if d := p.Detection; d != nil {
		attrs = append(attrs, slog.String("detected_pool_mode", string(d.Mode)), slog.Bool("detection_positive", d.Positive),
			slog.String("pool_mode_evidence", d.Evidence))
	}
	return attrs
}

// Close closes every pool once.
func (p *Pools) Close() {
	if p.Migration != nil && p.Migration != p.Long {
		p.Migration.Close()
	}
	p.Long.Close()
	p.Pooler.Close()
}

// sibling opens another pool on p's URL, with p's mode, whose connections send cancel requests.
func (p *Pool) sibling(cfg Config, rawURL string) (*Pool, error) {
	pc, g, err := poolConfig(cfg, p.Role, rawURL, sendCancels)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), pc) // connects lazily
	if err != nil {
		return nil, &ConnectError{Role: p.Role, URL: p.URL, Err: errors.New(oneLine(redact.Error(err)))}
	}
	s := *p
	s.Pool, s.gate = pool, g
	return &s, nil
}

func openPool(ctx context.Context, cfg Config, role Role, rawURL string, detect bool, setting PoolMode, rule cancelRule) (*Pool, error) {
	pc, g, err := poolConfig(cfg, role, rawURL, rule)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Pool, error) {
		return nil, &ConnectError{Role: role, URL: redact.URL(rawURL), Err: errors.New(oneLine(redact.Error(err)))}
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return fail(err)
	}
	p := &Pool{Pool: pool, Role: role, URL: redact.URL(rawURL), Setting: setting, gate: g}
	if detect {
		d, err := detectWithin(ctx, cfg, pool)
		if err != nil {
			pool.Close()
			return fail(err)
		}
		d.Evidence = redact.Error(errors.New(d.Evidence))
		p.Detection = &d
	}
	p.Mode, p.Warning = resolveMode(role, setting, p.Detection)
	return p, nil
}

func detectWithin(ctx context.Context, cfg Config, pool *pgxpool.Pool) (Detection, error) {
	// Bounded like the probe: an unreachable server must not hang startup, and a busy pooler
	// that does not answer in time is assumed to be a transaction pooler.
	ctx, cancel := context.WithTimeout(ctx, 3*cfg.DirectTimeout)
	defer cancel()
	return DetectPoolMode(ctx, pool)
}

func poolConfig(cfg Config, role Role, rawURL string, rule cancelRule) (*pgxpool.Config, *gate, error) {
	pc, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, nil, &URLError{Name: "DATABASE_URL_" + string(role), URL: redact.URL(rawURL), Err: errors.New(redact.Error(err))}
	}
	if pc.ConnConfig.RuntimeParams["application_name"] == "" {
		pc.ConnConfig.RuntimeParams["application_name"] = cfg.ApplicationName
	}
	// Every pool runs in exec mode (unnamed statements, one round trip): nothing prepared is
	// left on a server connection a pooler hands to another client (docs/architecture.md,
	// "Prepared statements through a pooler"), whatever a URL turns out to point at, and a
	// batch naming a table that does not exist yet fails at that statement instead of when the whole batch is prepared. steady's
	// queries are few and different; a statement cache would buy nothing.
	pc.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	trackCancels(&pc.ConnConfig.Config, rule)
	if !strings.Contains(rawURL, "pool_max_conns") {
		pc.MaxConns = cfg.MaxConns
	}
	pc.MaxConns = max(pc.MaxConns, 2) // pool-mode detection holds two connections
	g := &gate{}
	g.install(pc)
	return pc, g, nil
}

// ConnectError reports a role that could not be reached.
type ConnectError struct {
	Role Role
	URL  string // redacted
	Err  error  // redacted
}

func (e *ConnectError) Error() string {
	return fmt.Sprintf("connect %s (%s): %v", e.Role, e.URL, e.Err)
}
func (e *ConnectError) Unwrap() error { return e.Err }
