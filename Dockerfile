# Multi-stage: pg_query_go is cgo, so the build stage needs gcc; the runtime stage needs libc.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -o /out/steady ./cmd/steady

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates wget && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/steady /usr/local/bin/steady
USER nobody
# /healthz, /readyz (open), /metrics and /river (credentials required off loopback). The worker
# listens on 127.0.0.1:8080 unless STEADY_HTTP_ADDR says otherwise (0.0.0.0:8080 in a container,
# with STEADY_HTTP_TOKEN or STEADY_HTTP_USER/STEADY_HTTP_PASSWORD).
EXPOSE 8080
# SIGTERM stops it gracefully: /readyz turns 503, River soft-stops (30s), then HTTP closes.
STOPSIGNAL SIGTERM
ENTRYPOINT ["steady"]
CMD ["worker"]
