package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// withDB points rawURL at database name.
func withDB(rawURL, name string) string {
	u, _ := url.Parse(rawURL)
	u.Path = "/" + name
	return u.String()
}

// withHostPort points rawURL at another address (the latency proxy).
func withHostPort(rawURL, hostport string) string {
	u, _ := url.Parse(rawURL)
	u.Host = hostport
	return u.String()
}

func admin(ctx context.Context, cfg *config) (*pgx.Conn, error) {
	return pgx.Connect(ctx, withDB(cfg.directURL, "postgres"))
}

// createDB makes an empty database (or a copy of template) and returns its name.
func createDB(ctx context.Context, cfg *config, template string) (string, error) {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "bench_" + hex.EncodeToString(b)
	c, err := admin(ctx, cfg)
	if err != nil {
		return "", err
	}
	defer c.Close(ctx)
	sql := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize()
	if template != "" {
		sql += " TEMPLATE " + pgx.Identifier{template}.Sanitize()
		// PgBouncer keeps idle server connections to the template; a template must have none.
		if _, err := c.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", template); err != nil {
			return "", err
		}
	}
	if _, err = c.Exec(ctx, sql); err != nil {
		return name, err
	}
	// Each scenario measures from a clean start: the dirty pages of the one before (a million
	// rows updated, an index catalog built) are written now, not by the checkpointer while the
	// next one's pgbench runs, which would charge that I/O to whatever comes first.
	_, err = c.Exec(ctx, "CHECKPOINT")
	return name, err
}

func dropDB(ctx context.Context, cfg *config, name string) {
	c, err := admin(ctx, cfg)
	if err != nil {
		return
	}
	defer c.Close(ctx)
	_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
}

// statementsSent is what pg_stat_statements counted in a database: every statement the server
// executed there, whoever sent it.
func statementsSent(ctx context.Context, cfg *config, db string) (int64, error) {
	c, err := admin(ctx, cfg)
	if err != nil {
		return 0, err
	}
	defer c.Close(ctx)
	var n int64
	err = c.QueryRow(ctx, `SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements
		WHERE toplevel AND dbid = (SELECT oid FROM pg_database WHERE datname = $1)`, db).Scan(&n)
	return n, err
}

// runSQLFiles executes migration files directly, leaving no history (the adoption case).
func runSQLFiles(ctx context.Context, cfg *config, db string, src fs.FS) error {
	c, err := pgx.Connect(ctx, withDB(cfg.directURL, db))
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	names, err := fs.Glob(src, "*.sql")
	if err != nil {
		return err
	}
	for _, n := range names {
		body, err := fs.ReadFile(src, n)
		if err != nil {
			return err
		}
		if _, err := c.Exec(ctx, string(body), pgx.QueryExecModeSimpleProtocol); err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
	}
	return nil
}

// latencyProxy starts a toxiproxy on loopback in front of upstream adding oneWay latency in
// each direction, and returns its address.
func latencyProxy(upstream string, oneWay time.Duration) (string, func(), error) {
	server := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	proxy := toxiproxy.NewProxy(server, "pgbouncer", "127.0.0.1:0", upstream)
	if err := proxy.Start(); err != nil {
		return "", nil, err
	}
	ms := strconv.FormatInt(oneWay.Milliseconds(), 10)
	for _, stream := range []string{"upstream", "downstream"} {
		body := fmt.Sprintf(`{"name":"latency_%s","type":"latency","stream":"%s","attributes":{"latency":%s,"jitter":0}}`, stream, stream, ms)
		if _, err := proxy.Toxics.AddToxicJson(strings.NewReader(body)); err != nil {
			proxy.Stop()
			return "", nil, err
		}
	}
	return proxy.Listen, proxy.Stop, nil
}

func hostPort(rawURL string) string {
	u, _ := url.Parse(rawURL)
	host, port, _ := net.SplitHostPort(u.Host)
	return net.JoinHostPort(host, port)
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[len(s)/2]
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p)
	return s[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func ratio(a, b time.Duration) string { return fmt.Sprintf("%.2f×", float64(a)/float64(b)) }

// execOn runs one statement on a database, directly.
func execOn(ctx context.Context, cfg *config, db, sql string) error {
	c, err := pgx.Connect(ctx, withDB(cfg.directURL, db))
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, sql)
	return err
}

// spread is the range of the ratio over the runs, paired as they were alternated: the noise a
// target must clear ("spread 0.91–1.07×").
func spread(steady, baseline []time.Duration) string {
	n := min(len(steady), len(baseline))
	if n == 0 {
		return "no runs"
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range n {
		r := float64(steady[i]) / float64(baseline[i])
		lo, hi = math.Min(lo, r), math.Max(hi, r)
	}
	return fmt.Sprintf("spread %.2f–%.2f×", lo, hi)
}
