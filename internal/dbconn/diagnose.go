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
}

// Report is the result of Diagnose.
type Report struct {
	MigrationRole Role       `json:"migration_role"`
	Reason        string     `json:"reason,omitempty"`
	Single        bool       `json:"single_url"`
	ProbeMS       float64    `json:"probe_ms"`
	Direct        RoleReport `json:"direct"`
	Pooler        RoleReport `json:"pooler"`
}

// OK reports whether the roles the product needs answer: POOLER always, and the locked
// migration role.
func (r Report) OK() bool {
	if !r.Pooler.Reachable {
		return false
	}
	return r.MigrationRole == Pooler || r.Direct.Reachable
}

// Diagnose resolves the migration role exactly as a migrating process does (one probe, one log
// line), then examines each configured role with one connection of its own.
func Diagnose(ctx context.Context, cfg Config) (Report, error) {
	r, err := NewResolver(cfg)
	if err != nil {
		return Report{}, err
	}
	d := r.Resolve(ctx)
	rep := Report{MigrationRole: d.MigrationRole, Reason: d.Reason, Single: d.Single,
		ProbeMS: float64(d.ProbeTime.Microseconds()) / 1000}
	switch {
	case r.urls.direct == "":
	case d.MigrationRole == Pooler:
		// The probe already failed: dialling again would only repeat it (a black-holed DIRECT
		// would cost its timeout twice).
		rep.Direct = RoleReport{URL: redact.URL(r.urls.direct), Error: d.Reason}
	default:
		rep.Direct = examine(ctx, r.cfg, Direct, r.urls.direct, "")
	}
	rep.Pooler = examine(ctx, r.cfg, Pooler, r.urls.pooler, r.poolerMode)
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
	pc, err := poolConfig(cfg, role, rawURL, sendCancels)
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
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&rep.ServerVersion); err != nil {
		return fail(err)
	}
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
