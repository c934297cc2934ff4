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
ENTRYPOINT ["steady"]
CMD ["worker"]
