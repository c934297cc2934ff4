package wiring

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"go.uber.org/fx"
	"riverqueue.com/riverui"

	"github.com/steadydb/steady/internal/httpauth"
)

// RiverUIPrefix is where the River UI is mounted.
const RiverUIPrefix = "/river"

// RiverUIModule mounts the River UI at /river (guarded off loopback). It reads and acts on jobs
// through the worker's River client, so through the POOLER pool.
var RiverUIModule = fx.Module("riverui",
	fx.Invoke(mountRiverUI),
)

func mountRiverUI(lc fx.Lifecycle, mux *http.ServeMux, guard *httpauth.Guard, client *river.Client[pgx.Tx], log *slog.Logger) error {
	h, err := riverui.NewHandler(&riverui.HandlerOpts{
		Endpoints: riverui.NewEndpoints(client, nil),
		Logger:    log.With(slog.String("component", "riverui")),
		Prefix:    RiverUIPrefix,
	})
	if err != nil {
		return err
	}
	// "/river/" also answers "/river" with a redirect (http.ServeMux).
	mux.Handle(RiverUIPrefix+"/", guard.Wrap(h))
	// Its background count queries live until stop, not until the start deadline.
	ctx, cancel := context.WithCancel(context.Background())
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error { return h.Start(ctx) },
		OnStop:  func(context.Context) error { cancel(); return nil },
	})
	return nil
}
