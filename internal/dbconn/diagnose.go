package dbconn

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/steadydb/steady/internal/redact"
)

// RoleReport is what Diagnose found about one role.
type RoleReport struct {
	URL       string `json:"url"` // redacted; "" when not configured
	Reachable bool   `json:"reachable"`
	Error     string `json:"error,omitempty"` // redacted
	// PoolMode is the mode in force (what steady acts on); Detected what detection concluded
	// and why; PoolModeSetting the POOLER's setting (auto, transaction, session).
	PoolMode        PoolMode   `json:"pool_mode,omitempty"`
	PoolModeSetting PoolMode   `json:"pool_mode_setting,omitempty"`
	Detected        *Detection `json:"detected,omitempty"`
	Warning         string     `json:"warning,omitempty"` // the evidence contradicts the setting
	ServerVersion   string     `json:"server_version,omitempty"`
	RoundTripMS     float64    `json:"round_trip_ms,omitempty"` // median of 5 round trips
	Identity        *Identity  `json:"identity,omitempty"`      // what the role reaches
	ReadOnly        string     `json:"read_only,omitempty"`     // why its sessions cannot write
}

// Report is the result of Diagnose.
type Report struct {
	MigrationRole Role       `json:"migration_role"`
	Reason        string     `json:"reason,omitempty"`
	Single        bool       `json:"single_url"`
	ProbeMS       float64    `json:"probe_ms"`
	Direct        RoleReport `json:"direct"`
	Pooler        RoleReport `json:"pooler"`
	// Comparison is what DIRECT and POOLER reach, when both answered and come from two URLs.
	Comparison *Comparison `json:"comparison,omitempty"`
	// Refused is why migrate, status and worker would refuse (exit 2) and write nothing.
	Refused string `json:"refused,omitempty"`
}

// OK reports whether the roles the product needs answer: POOLER always, and the locked
// migration role.
func (r Report) OK() bool {
	if !r.Pooler.Reachable {
		return false
	}
	return r.MigrationRole == Pooler || r.Direct.Reachable
}

// Diagnose resolves the migration role exactly as a migrating process does (one probe, the
// identity check, one log line), then examines each configured role with one connection of its
// own.
func Diagnose(ctx context.Context, cfg Config) (Report, error) {
	r, err := NewResolver(cfg)
	if err != nil {
		return Report{}, err
	}
	pooler := examine(ctx, r.cfg, Pooler, r.urls.pooler, r.poolerMode)
	d, err := r.resolve(ctx, func(context.Context) (*Identity, error) {
		if pooler.Identity == nil {
			return nil, errors.New(pooler.Error)
		}
		return pooler.Identity, nil
	})
	rep := Report{MigrationRole: d.MigrationRole, Reason: d.Reason, Single: d.Single,
		ProbeMS: float64(d.ProbeTime.Microseconds()) / 1000, Pooler: pooler}
	if errors.As(err, new(*RefusedError)) {
		rep.Refused = err.Error()
	}
	switch {
	case r.urls.direct == "":
	case d.Direct == nil:
		// The probe already failed: dialling again would only repeat it (a black-holed DIRECT
		// would cost its timeout twice).
		rep.Direct = RoleReport{URL: redact.URL(r.urls.direct), Error: d.Reason}
	default:
		rep.Direct = examine(ctx, r.cfg, Direct, r.urls.direct, "")
	}
	if a, b := rep.Direct.Identity, rep.Pooler.Identity; a != nil && b != nil && !d.Single {
		c := Compare(*a, *b)
		rep.Comparison = &c
	}
	return rep, nil
}

func examine(ctx context.Context, cfg Config, role Role, rawURL string, setting PoolMode) RoleReport {
	rep := RoleReport{URL: redact.URL(rawURL), PoolModeSetting: setting}
	fail := func(err error) RoleReport {
		rep.Error = oneLine(redact.Error(err))
		return rep
	}
	ctx, cancel := context.WithTimeout(ctx, 3*cfg.DirectTimeout)
	defer cancel()
	pc, _, err := poolConfig(cfg, role, rawURL, sendCancels)
	if err != nil {
		return fail(err)
	}
	cc := pc.ConnConfig.Copy()
	cc.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return fail(err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	id, err := examineIdentity(ctx, conn, &rep.ServerVersion)
	if err != nil {
		return fail(err)
	}
	rep.Identity, rep.ReadOnly = &id, id.cannotWrite()
	var rtts []time.Duration
	for range 5 {
		start := time.Now()
		if _, err := conn.Exec(ctx, "SELECT 1"); err != nil {
			return fail(err)
		}
		rtts = append(rtts, time.Since(start))
	}
	slices.Sort(rtts)
	rep.RoundTripMS = float64(rtts[2].Microseconds()) / 1000
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return fail(err)
	}
	defer pool.Close()
	d, err := DetectPoolMode(ctx, pool)
	if err != nil {
		return fail(err)
	}
	d.Evidence = redact.Error(errors.New(d.Evidence))
	rep.Detected = &d
	rep.PoolMode, rep.Warning = resolveMode(role, setting, &d)
	rep.Reachable = true
	return rep
}

// examineIdentity reads what conn reaches, the server's version and, where the role may read
// it (managed services often revoke it), the system identifier: a function the role may not
// execute fails the whole statement, so it is asked for in a statement of its own.
func examineIdentity(ctx context.Context, conn *pgx.Conn, version *string) (Identity, error) {
	var id Identity
	var mayReadControl bool
	err := conn.QueryRow(ctx, `SELECT current_setting('server_version'),
		has_function_privilege('pg_catalog.pg_control_system()', 'EXECUTE'), `+identityColumns).
		Scan(append([]any{version, &mayReadControl}, id.dest()...)...)
	if err != nil || !mayReadControl {
		return id, err
	}
	return id, conn.QueryRow(ctx, "SELECT system_identifier::text FROM pg_catalog.pg_control_system()").Scan(&id.SystemID)
}
