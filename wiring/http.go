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
)

// HTTPModule serves the worker's endpoints on WorkerConfig.HTTPAddr.
var HTTPModule = fx.Module("http",
	fx.Provide(http.NewServeMux),
	fx.Invoke(registerHealth, serveHTTP),
)

func registerHealth(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
}

func serveHTTP(lc fx.Lifecycle, cfg WorkerConfig, mux *http.ServeMux, log *slog.Logger) {
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			// Listen before returning so a taken or bad address fails the start.
			l, err := net.Listen("tcp", cfg.HTTPAddr)
			if err != nil {
				return fmt.Errorf("listen on STEADY_HTTP_ADDR %s: %w", cfg.HTTPAddr, err)
			}
			log.Info("http listening", slog.String("addr", l.Addr().String()))
			go func() {
				if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
					log.Error("http server stopped", slog.Any("error", err))
				}
			}()
			return nil
		},
		OnStop: srv.Shutdown,
	})
}
