package dbtest

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a PostgreSQL server of the test's own, on a free loopback port, with the test
// server's user and password. It stops when the test ends.
type Server struct {
	Port int
	user *url.Userinfo
}

// URL returns the URL of database name on this server.
func (s *Server) URL(name string) string {
	u := url.URL{Scheme: "postgres", User: s.user, Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)),
		Path: "/" + name, RawQuery: "sslmode=disable"}
	return u.String()
}

// Addr is the server's host and port, for a PgBouncer in front of it (PgBouncerConfig.Server).
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)) }

// CreateDatabase creates an empty database on the server and returns its URL.
func (s *Server) CreateDatabase(t testing.TB, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		t.Fatalf("dbtest: connect to the server on port %d: %v", s.Port, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("dbtest: create database %s on port %d: %v", name, s.Port, err)
	}
	return s.URL(name)
}

// StartServer initialises a new PostgreSQL cluster in a temporary directory and starts it, for
// tests that need a second server (DIRECT and POOLER on different servers, say). It has the
// test server's user and password, no data, and none of its tuning: it holds a few databases
// for a few seconds.
func StartServer(t testing.TB) *Server {
	t.Helper()
	direct, _ := Env(t)
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatalf("dbtest: parse TEST_DATABASE_URL_DIRECT: %v", err)
	}
	pw, _ := u.User.Password()
	dir := ownedTempDir(t, "steady-pg-")
	data := filepath.Join(dir, "data")
	pwfile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwfile, []byte(pw+"\n"), 0o600); err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	chown(t, pwfile)
	runAsOwner(t, pgBinary(t, "initdb"), nil, "-D", data, "-U", u.User.Username(), "--pwfile", pwfile,
		"--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync")
	return startPostgres(t, data, u.User, "fsync=off", "max_connections=50")
}

// StartStandby makes a streaming hot standby of the test server (pg_basebackup -R, on
// loopback) and starts it. It holds every database the test server had when it was called,
// and follows the test server until the test ends. The test server's pg_hba.conf must allow
// replication connections from 127.0.0.1 for the test user (initdb's default does).
//
// The standby connects without a replication slot, so a test that dies leaves nothing on the
// test server that holds back its WAL.
func StartStandby(t testing.TB) *Server {
	t.Helper()
	direct, _ := Env(t)
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatalf("dbtest: parse TEST_DATABASE_URL_DIRECT: %v", err)
	}
	pw, _ := u.User.Password()
	data := filepath.Join(ownedTempDir(t, "steady-standby-"), "data")
	// A fast checkpoint: the default (spread) one would make the copy wait for minutes. The
	// copy streams from a server every other test writes to; one that lost its stream is
	// thrown away and made again, at most three times.
	for attempt := 1; ; attempt++ {
		out, err := outputAsOwner(t, pgBinary(t, "pg_basebackup"), []string{"PGPASSWORD=" + pw},
			"-h", u.Hostname(), "-p", u.Port(), "-U", u.User.Username(), "-D", data,
			"-R", "-X", "stream", "--checkpoint=fast", "--no-sync")
		if err == nil {
			break
		}
		if attempt == 3 {
			t.Fatalf("dbtest: pg_basebackup, %d attempts: %v\n%s", attempt, err, out)
		}
		t.Logf("dbtest: pg_basebackup attempt %d: %v\n%s", attempt, err, out)
		if err := os.RemoveAll(data); err != nil {
			t.Fatalf("dbtest: remove the failed copy: %v", err)
		}
	}
	// Its settings are the test server's (a hot standby needs max_connections and the like at
	// least as high as its primary's), on a port of its own.
	s := startPostgres(t, data, u.User, "hot_standby=on")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		t.Fatalf("dbtest: connect to the standby: %v", err)
	}
	defer conn.Close(ctx)
	var standby bool
	if err := conn.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&standby); err != nil || !standby {
		t.Fatalf("dbtest: the server on port %d is not a standby (pg_is_in_recovery %v, %v)", s.Port, standby, err)
	}
	return s
}

// startPostgres starts a postmaster on data, on a free loopback port, and waits until it
// accepts connections. It stops (fast shutdown) when the test ends, and dies with the test
// binary whatever happens to the test.
func startPostgres(t testing.TB, data string, user *url.Userinfo, settings ...string) *Server {
	t.Helper()
	port := freePort(t)
	args := []string{"-D", data, "-c", "listen_addresses=127.0.0.1", "-c", "port=" + strconv.Itoa(port),
		"-c", "unix_socket_directories=", "-c", "logging_collector=off"}
	for _, s := range settings {
		args = append(args, "-c", s)
	}
	cmd := exec.Command(pgBinary(t, "postgres"), args...)
	// SIGQUIT is PostgreSQL's immediate shutdown: the postmaster takes its children with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGQUIT}
	out, exited := startChild(t, cmd, syscall.SIGINT) // SIGINT: fast shutdown

	s := &Server{Port: port, user: user}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for {
		conn, err := pgx.Connect(ctx, s.URL("postgres"))
		if err == nil {
			conn.Close(ctx)
			return s
		}
		select {
		case werr := <-exited:
			exited <- werr
			t.Fatalf("dbtest: postgres on port %d exited (%v): %s", port, werr, out.String())
		case <-ctx.Done():
			t.Fatalf("dbtest: postgres on port %d did not accept connections: %v\n%s", port, err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// startChild starts cmd as the server's owner, collecting its output, and stops it with stop
// when the test ends. exited receives its end; a reader that takes it puts it back.
func startChild(t testing.TB, cmd *exec.Cmd, stop os.Signal) (*strings.Builder, chan error) {
	t.Helper()
	asOwner(t, cmd)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("dbtest: start %s: %v", filepath.Base(cmd.Path), err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(stop)
		<-exited
	})
	return out, exited
}

// pgBinary finds a PostgreSQL program as scripts/devdb.sh does: next to the postgres on PATH,
// else under /usr/lib/postgresql/*/bin.
func pgBinary(t testing.TB, name string) string {
	t.Helper()
	if pg, err := exec.LookPath("postgres"); err == nil {
		if real, err := filepath.EvalSymlinks(pg); err == nil {
			if p := filepath.Join(filepath.Dir(real), name); executable(p) {
				return p
			}
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(dirs) - 1; i >= 0; i-- { // the newest first
		if p := filepath.Join(dirs[i], name); executable(p) {
			return p
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	unavailable(t, fmt.Errorf("PostgreSQL's %s is not installed (Debian: postgresql-15)", name))
	return ""
}

func executable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// ownedTempDir is a temporary directory the PostgreSQL programs may write: owned by the postgres
// user when the test runs as root (PostgreSQL refuses to run as root). It is removed when the
// test ends.
func ownedTempDir(t testing.TB, pattern string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	chown(t, dir)
	return dir
}

func chown(t testing.TB, path string) {
	t.Helper()
	if os.Geteuid() != 0 {
		return
	}
	uid, gid := postgresUser(t)
	if err := os.Chown(path, uid, gid); err != nil {
		t.Fatalf("dbtest: %v", err)
	}
}

// asOwner runs cmd as the postgres user when the test runs as root.
func asOwner(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	if os.Geteuid() != 0 {
		return
	}
	uid, gid := postgresUser(t)
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}

// runAsOwner runs a PostgreSQL program to its end, failing the test with its output.
func runAsOwner(t testing.TB, bin string, env []string, args ...string) {
	t.Helper()
	if out, err := outputAsOwner(t, bin, env, args...); err != nil {
		t.Fatalf("dbtest: %s: %v\n%s", filepath.Base(bin), err, out)
	}
}

// outputAsOwner runs bin as the server's owner and returns what it printed.
func outputAsOwner(t testing.TB, bin string, env []string, args ...string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Dir = os.TempDir() // the postgres user may not reach the test's working directory
	asOwner(t, cmd)
	return cmd.CombinedOutput()
}

// WALReceiver is a running pg_receivewal.
type WALReceiver struct {
	Name   string // its application_name in pg_stat_replication
	out    *strings.Builder
	exited chan error
}

// Exited says whether it has stopped, and what it printed.
func (r *WALReceiver) Exited() (bool, string) {
	select {
	case err := <-r.exited:
		r.exited <- err
		return true, fmt.Sprintf("%v: %s", err, r.out.String())
	default:
		return false, ""
	}
}

// StartWALReceiver streams the test server's WAL into a temporary directory with pg_receivewal,
// as a WAL archiver does (barman, a running pg_basebackup), until the test ends. It reports its
// position every second and never replays: the server shows its replay_lag growing. It streams
// through a replication slot of its own, so that a receiver slowed by a busy machine is not cut
// off when a checkpoint recycles the segment it still reads. It returns once the server lists
// it in pg_stat_replication.
func StartWALReceiver(t testing.TB) *WALReceiver {
	t.Helper()
	direct, _ := Env(t)
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatalf("dbtest: parse TEST_DATABASE_URL_DIRECT: %v", err)
	}
	pw, _ := u.User.Password()
	name := "steady_test_receiver_" + randomHex(4)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin := connectAdmin(t, ctx, direct)
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "SELECT pg_create_physical_replication_slot($1, true)", name); err != nil {
		t.Fatalf("dbtest: create the receiver's slot: %v", err)
	}
	t.Cleanup(func() { // runs after the receiver stopped: cleanups run last in, first out
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		admin := connectAdmin(t, ctx, direct)
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "SELECT pg_drop_replication_slot($1)", name); err != nil {
			t.Errorf("dbtest: drop the receiver's slot %s: %v", name, err)
		}
	})
	cmd := exec.Command(pgBinary(t, "pg_receivewal"), "-d", fmt.Sprintf("host=%s port=%s user=%s application_name=%s",
		u.Hostname(), u.Port(), u.User.Username(), name), "-D", ownedTempDir(t, "steady-wal-"), "--slot", name,
		"--status-interval=1", "--no-sync", "--no-loop")
	cmd.Env = append(os.Environ(), "PGPASSWORD="+pw)
	cmd.Dir = os.TempDir()
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, exited := startChild(t, cmd, syscall.SIGTERM)
	r := &WALReceiver{Name: name, out: out, exited: exited}
	for {
		var n int
		if err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_stat_replication WHERE application_name = $1", name).Scan(&n); err != nil {
			t.Fatalf("dbtest: read pg_stat_replication: %v", err)
		}
		if n == 1 {
			return r
		}
		if gone, why := r.Exited(); gone {
			t.Fatalf("dbtest: pg_receivewal exited (%s)", why)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("dbtest: pg_receivewal never streamed: %s", out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
