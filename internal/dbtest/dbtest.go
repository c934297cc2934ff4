// Package dbtest gives each test its own PostgreSQL database, reachable both directly and
// through the PgBouncer (transaction mode) that make test starts, so database tests run in
// parallel without sharing state.
//
// It reads TEST_DATABASE_URL_DIRECT and TEST_DATABASE_URL_POOLER. When they are unset or the
// server does not answer, a test fails under CI=true and is skipped otherwise (run make test).
//
// For tests across servers it starts, on loopback and for the test's life only, a PgBouncer of
// its own (StartPgBouncer), a second PostgreSQL from initdb (StartServer) and a streaming hot
// standby of the test server (StartStandby, pg_basebackup -R).
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/steadydb/steady/internal/dbconn"
)

// DB is one test's own database.
type DB struct {
	Name      string
	DirectURL string // straight to PostgreSQL
	PoolerURL string // through PgBouncer in transaction mode
}

// Env returns the server-level URLs (database "steady") for tests that need no database of
// their own, failing or skipping as the package doc says when they are missing.
func Env(t testing.TB) (direct, pooler string) {
	t.Helper()
	if testing.Short() {
		t.Skip("dbtest: needs the test database (-short)")
	}
	direct, pooler = os.Getenv("TEST_DATABASE_URL_DIRECT"), os.Getenv("TEST_DATABASE_URL_POOLER")
	if direct == "" || pooler == "" {
		unavailable(t, errors.New("TEST_DATABASE_URL_DIRECT and TEST_DATABASE_URL_POOLER are not set (run make test)"))
	}
	return direct, pooler
}

// New creates an empty database for the test and drops it when the test ends.
func New(t testing.TB) *DB {
	t.Helper()
	return NewFromTemplate(t, "", nil)
}

var templates sync.Map // key -> *templateOnce

type templateOnce struct {
	once sync.Once
	err  error
}

// NewFromTemplate creates the test's database as a copy of a template built once per key and
// per server by setup (which receives the template's direct URL). Templates are shared across
// test binaries, so key must change whenever what setup builds changes.
func NewFromTemplate(t testing.TB, key string, setup func(ctx context.Context, directURL string) error) *DB {
	t.Helper()
	direct, pooler := Env(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	template := "template0"
	if setup != nil {
		template = "tpl_" + key
		v, _ := templates.LoadOrStore(key, &templateOnce{})
		tp := v.(*templateOnce)
		tp.once.Do(func() { tp.err = buildTemplate(ctx, direct, template, setup) })
		if tp.err != nil {
			t.Fatalf("dbtest: build template %s: %v", template, tp.err)
		}
	}

	name := "t_" + randomHex(8)
	admin := connectAdmin(t, ctx, direct)
	defer admin.Close(ctx)
	// FILE_COPY copies the template's files instead of writing each page to the WAL (the
	// default since PostgreSQL 15): on this throwaway server (fsync off) its checkpoint is
	// cheap, and a create-and-drop took 95 ms instead of 170 ms, most of it system time.
	_, err := admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s STRATEGY FILE_COPY",
		pgx.Identifier{name}.Sanitize(), pgx.Identifier{template}.Sanitize()))
	if err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	t.Cleanup(func() { Drop(t, name) })
	return &DB{Name: name, DirectURL: withDB(direct, name), PoolerURL: withDB(pooler, name)}
}

// Drop removes a database, terminating its sessions (PgBouncer's server connections too).
func Drop(t testing.TB, name string) {
	t.Helper()
	direct, _ := Env(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// The test's cancel requests reach the server before it ends: the test binary may exit
	// right after, and PgBouncer 1.18 crashes when a cancel's client leaves first.
	wait, stop := context.WithTimeout(ctx, 10*time.Second)
	_ = dbconn.WaitForCancels(wait)
	stop()
	admin := connectAdmin(t, ctx, direct)
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		t.Errorf("dbtest: drop database %s: %v", name, err)
	}
}

func buildTemplate(ctx context.Context, direct, name string, setup func(context.Context, string) error) error {
	admin, err := pgx.Connect(ctx, withDB(direct, "postgres"))
	if err != nil {
		return err
	}
	defer admin.Close(ctx)
	// Several test binaries may race to build the same template: serialise on the server.
	// A session advisory lock is safe here because this is a DIRECT connection.
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(hashtext($1))", name); err != nil {
		return err
	}
	defer admin.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(hashtext($1))", name) //nolint:errcheck
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1 AND datistemplate)", name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	// A half-built leftover from a killed run is not a template yet: rebuild it.
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE template0"); err != nil {
		return err
	}
	if err := setup(ctx, withDB(direct, name)); err != nil {
		return err
	}
	// Sessions of setup may linger for a moment; a template must have none.
	_, err = admin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", name)
	if err != nil {
		return err
	}
	_, err = admin.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{name}.Sanitize()+" IS_TEMPLATE true")
	return err
}

func connectAdmin(t testing.TB, ctx context.Context, direct string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, withDB(direct, "postgres"))
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) {
			t.Fatalf("dbtest: connect: %v", err)
		}
		unavailable(t, err)
	}
	return conn
}

func unavailable(t testing.TB, err error) {
	t.Helper()
	if testing.Short() {
		t.Skip("dbtest: needs the test database (-short)")
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("dbtest: test database unavailable under CI=true: %v", err)
	}
	t.Skipf("dbtest: test database unavailable (run make test): %v", err)
}

func withDB(rawURL, name string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
