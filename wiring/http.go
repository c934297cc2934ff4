package wiring

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"go.uber.org/fx"

	"github.com/steadydb/steady/internal/httpauth"
)

// HTTPModule serves the worker's endpoints on WorkerConfig.HTTPAddr. The guard refuses to
// build (and so the worker to start) on a non-loopback address without credentials.
//
// The server starts before the migration step (it is invoked before anything depends on
// Migrated) so /readyz can answer "not ready" while migrating; fx stops in reverse, so it
// shuts down after River has stopped.
var HTTPModule = fx.Module("http",
	fx.Provide(http.NewServeMux, newGuard),
	fx.Invoke(registerHealth, serveHTTP),
)

func newGuard(cfg WorkerConfig) (*httpauth.Guard, error) {
	return httpauth.NewGuard(cfg.HTTPAddr, cfg.HTTPAuth)
}

func registerHealth(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
}

func serveHTTP(lc fx.Lifecycle, cfg WorkerConfig, mux *http.ServeMux, guard *httpauth.Guard, log *slog.Logger) {
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			// Listen before returning so a taken or bad address fails the start.
			l, err := net.Listen("tcp", cfg.HTTPAddr)
			if err != nil {
				return fmt.Errorf("listen on STEADY_HTTP_ADDR %s: %w", cfg.HTTPAddr, err)
			}
			log.Info("http listening", slog.String("addr", l.Addr().String()),
				slog.Bool("exposed", guard.Exposed()), slog.String("auth", guard.Schemes()))
			go func() {
				if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
					log.Error("http server stopped", slog.Any("error", err))
				}
			}()
			return nil
		},
		OnStop: func(ctx context.Context) error {
			err := srv.Shutdown(ctx)
			log.Info("http server stopped")
			return err
		},
	})
}
