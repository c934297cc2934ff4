package wiring

import (
	"cmp"
	"log/slog"
	"time"

	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/httpauth"
)

// WorkerConfig is everything the worker is configured with.
type WorkerConfig struct {
	DB       dbconn.Config
	Migrate  MigrateConfig
	River    RiverConfig
	Indexes  IndexesConfig
	Backfill BackfillConfig
	Liveness LivenessConfig
	HTTPAddr string // default 127.0.0.1:8080
	// HTTPAuth guards /metrics and /river; required when HTTPAddr is not loopback.
	HTTPAuth httpauth.Credentials

	// fx's 15 s default start timeout is too short for real migrations.
	StartTimeout time.Duration // default 30m
	StopTimeout  time.Duration // default 1m
}

// Worker is the fx application of `steady worker`.
func Worker(cfg WorkerConfig, log *slog.Logger) fx.Option {
	cfg.HTTPAddr = cmp.Or(cfg.HTTPAddr, "127.0.0.1:8080")
	// Refuse before anything connects: exposed without credentials is a configuration error.
	if _, err := httpauth.NewGuard(cfg.HTTPAddr, cfg.HTTPAuth); err != nil {
		return fx.Error(err)
	}
	cfg.DB.Logger = log
	return fx.Options(
		fx.Supply(cfg, log),
		fx.WithLogger(func() fxevent.Logger {
			l := &fxevent.SlogLogger{Logger: log}
			l.UseLogLevel(slog.LevelDebug)
			return l
		}),
		fx.StartTimeout(cmp.Or(cfg.StartTimeout, 30*time.Minute)),
		fx.StopTimeout(cmp.Or(cfg.StopTimeout, time.Minute)),
		DBModule,
		MigrateModule,
		HTTPModule,
		LivenessModule,
		RiverModule,
		IndexesModule,
		BackfillModule,
		// After River: their stop hooks run before River's (readiness flips to 503 first).
		ReadinessModule,
		MetricsModule,
		RiverUIModule,
	)
}
