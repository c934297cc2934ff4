package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// These tests drive steady from outside, as a team's own programs do: the steady binary (built
// from this repository), this module's admin program, and psql, against the PostgreSQL and
// PgBouncer (transaction mode) that make test starts (TEST_DATABASE_URL_DIRECT and
// TEST_DATABASE_URL_POOLER). Without them a test fails under CI=true and is skipped otherwise.

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// binaries builds steady (from the repository's own module) and the admin program once.
func binaries(t *testing.T) (steadyBin, adminBin string) {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "steady-examples")
		if buildErr != nil {
			return
		}
		for _, b := range []struct{ dir, pkg, out string }{
			{"../..", "./cmd/steady", "steady"},
			{".", ".", "admin"},
		} {
			cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, b.out), b.pkg)
			cmd.Dir = b.dir
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("build %s: %v\n%s", b.pkg, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, "steady"), filepath.Join(binDir, "admin")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// database is one test's own database, reached directly and through PgBouncer.
type database struct {
	name, direct, pooler string
}

func newDatabase(t *testing.T) *database {
	t.Helper()
	direct, pooler := os.Getenv("TEST_DATABASE_URL_DIRECT"), os.Getenv("TEST_DATABASE_URL_POOLER")
	if direct == "" || pooler == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("TEST_DATABASE_URL_DIRECT and TEST_DATABASE_URL_POOLER are not set (run make test)")
		}
		t.Skip("TEST_DATABASE_URL_DIRECT and TEST_DATABASE_URL_POOLER are not set (run make test)")
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, withDB(t, direct, "postgres"))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer admin.Close(ctx)
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name := "example_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		admin, err := pgx.Connect(ctx, withDB(t, direct, "postgres"))
		if err != nil {
			t.Errorf("drop database: %v", err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database: %v", err)
		}
	})
	return &database{name: name, direct: withDB(t, direct, name), pooler: withDB(t, pooler, name)}
}

func withDB(t *testing.T, raw, name string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("parse a database URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// env is what the programs get: the database's URLs and nothing else of the test's.
func (db *database) env(extra ...string) []string {
	return append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"DATABASE_URL_DIRECT=" + db.direct, "DATABASE_URL_POOLER=" + db.pooler, "STEADY_LOG_FORMAT=json"}, extra...)
}

// steady runs a one-shot command and fails the test unless it exits 0.
func (db *database) steady(t *testing.T, args ...string) string {
	t.Helper()
	bin, _ := binaries(t)
	cmd := exec.Command(bin, args...)
	cmd.Env = db.env()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("steady %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// worker starts steady worker; the test stops it with SIGTERM at its end.
func (db *database) worker(t *testing.T) {
	t.Helper()
	bin, _ := binaries(t)
	cmd := exec.Command(bin, "worker")
	// Runs start only when asked: the test knows every run there is.
	cmd.Env = db.env("STEADY_HTTP_ADDR=127.0.0.1:0", "STEADY_BACKFILL_ON_START=none")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the worker: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("worker: %v\n%s", err, logs.String())
		}
	})
}

// query reads one value through the direct connection.
func (db *database) query(t *testing.T, sql string, args ...any) int64 {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db.direct)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	var n int64
	if err := conn.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// lines streams a process's output line by line, keeping it all for the failure message.
type lines struct {
	mu  sync.Mutex
	all strings.Builder
	ch  chan string
}

func stream(r io.Reader) *lines {
	l := &lines{ch: make(chan string, 1024)}
	go func() {
		s := bufio.NewScanner(r)
		for s.Scan() {
			l.mu.Lock()
			l.all.WriteString(s.Text() + "\n")
			l.mu.Unlock()
			l.ch <- s.Text()
		}
		close(l.ch)
	}()
	return l
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.all.String()
}

// waitLine waits for a line containing want; the process's end before it fails the test.
func (l *lines) waitLine(t *testing.T, want string) {
	t.Helper()
	timeout := time.After(5 * time.Minute) // a hung program, not a slow one
	for {
		select {
		case line, ok := <-l.ch:
			if !ok {
				t.Fatalf("the output ended without %q:\n%s", want, l.String())
			}
			if strings.Contains(line, want) {
				return
			}
		case <-timeout:
			t.Fatalf("no %q:\n%s", want, l.String())
		}
	}
}
