package dbtest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PgBouncerConfig configures a test's own PgBouncer.
type PgBouncerConfig struct {
	PoolMode        string // transaction (default) or session
	DefaultPoolSize int    // server connections per database and user; default 1
	// ServerRoundRobin hands out idle server connections first-in-first-out, as poolers other
	// than PgBouncer do (Supavisor, PgCat), instead of PgBouncer's last-in-first-out.
	ServerRoundRobin bool
	// Server is the host:port of the PostgreSQL server behind it, default the test server. It
	// must share the test server's roles (a standby, Server.Addr of StartStandby): PgBouncer
	// logs in with the test user's SCRAM secret as the test server stores it.
	Server string
}

// PgBouncer is a PgBouncer of the test's own, on a free loopback port in front of the test
// PostgreSQL, for settings the shared one does not have.
type PgBouncer struct {
	Port int
}

// URL returns the URL of database name through this PgBouncer, with the test server's user and
// password.
func (b *PgBouncer) URL(t testing.TB, name string) string {
	t.Helper()
	direct, _ := Env(t)
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatalf("dbtest: parse TEST_DATABASE_URL_DIRECT: %v", err)
	}
	u.Host = net.JoinHostPort("127.0.0.1", strconv.Itoa(b.Port))
	u.Path = "/" + name
	return u.String()
}

// StartPgBouncer starts a PgBouncer in front of the test PostgreSQL (or cfg.Server) and stops
// it when the test ends. As scripts/devdb.sh does, it authenticates with the server's own SCRAM secret of the
// test user (so no password is written down) and runs as the postgres user when the test runs
// as root (PgBouncer refuses root).
func StartPgBouncer(t testing.TB, cfg PgBouncerConfig) *PgBouncer {
	t.Helper()
	direct, _ := Env(t)
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/pgbouncer"); serr != nil {
			unavailable(t, fmt.Errorf("pgbouncer is not installed: %w", err))
		}
		bin = "/usr/sbin/pgbouncer"
	}
	cfg.PoolMode = cmp.Or(cfg.PoolMode, "transaction")
	cfg.DefaultPoolSize = cmp.Or(cfg.DefaultPoolSize, 1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatalf("dbtest: parse TEST_DATABASE_URL_DIRECT: %v", err)
	}
	admin := connectAdmin(t, ctx, direct)
	var secret string
	err = admin.QueryRow(ctx, "SELECT rolpassword FROM pg_authid WHERE rolname = $1", u.User.Username()).Scan(&secret)
	admin.Close(ctx)
	if err != nil {
		t.Fatalf("dbtest: read the SCRAM secret of %s (the test user must be a superuser): %v", u.User.Username(), err)
	}

	dir, err := os.MkdirTemp("", "steady-pgbouncer-")
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	port := freePort(t)
	upstream := net.JoinHostPort(u.Hostname(), cmp.Or(u.Port(), "5432"))
	host, upPort, err := net.SplitHostPort(cmp.Or(cfg.Server, upstream))
	if err != nil {
		t.Fatalf("dbtest: PgBouncerConfig.Server %q: %v", cfg.Server, err)
	}
	ini := fmt.Sprintf(`[databases]
* = host=%s port=%s

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = scram-sha-256
auth_file = %s
pool_mode = %s
default_pool_size = %d
server_round_robin = %d
max_client_conn = 500
ignore_startup_parameters = extra_float_digits
logfile = %s
`, host, upPort, port, filepath.Join(dir, "userlist.txt"), cfg.PoolMode,
		cfg.DefaultPoolSize, boolInt(cfg.ServerRoundRobin), filepath.Join(dir, "pgbouncer.log"))
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatalf("dbtest: %v", err)
		}
	}
	write("userlist.txt", fmt.Sprintf("%q %q\n", u.User.Username(), secret))
	write("pgbouncer.ini", ini)

	cmd := exec.Command(bin, filepath.Join(dir, "pgbouncer.ini"))
	// It dies with the test binary, whatever happens to the test.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if os.Geteuid() == 0 {
		uid, gid := postgresUser(t)
		for _, p := range []string{dir, filepath.Join(dir, "userlist.txt"), filepath.Join(dir, "pgbouncer.ini")} {
			if err := os.Chown(p, uid, gid); err != nil {
				t.Fatalf("dbtest: %v", err)
			}
		}
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("dbtest: start pgbouncer: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM) // immediate shutdown
		<-exited
	})

	b := &PgBouncer{Port: port}
	target := b.URL(t, cmp.Or(strings.TrimPrefix(u.Path, "/"), "postgres"))
	for {
		conn, err := pgx.Connect(ctx, target)
		if err == nil {
			conn.Close(ctx)
			return b
		}
		select {
		case werr := <-exited:
			exited <- werr
			log, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
			t.Fatalf("dbtest: pgbouncer exited (%v): %s%s", werr, out.String(), log)
		case <-ctx.Done():
			t.Fatalf("dbtest: pgbouncer on port %d did not answer: %v", port, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("dbtest: find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func postgresUser(t testing.TB) (int, int) {
	t.Helper()
	pg, err := user.Lookup("postgres")
	if err != nil {
		t.Fatalf("dbtest: pgbouncer refuses to run as root and there is no postgres user: %v", err)
	}
	uid, err1 := strconv.Atoi(pg.Uid)
	gid, err2 := strconv.Atoi(pg.Gid)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatalf("dbtest: postgres user: %v", err)
	}
	return uid, gid
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// KeepBusy runs clients that take turns on url's server connections (short queries, one after
// the other) from the moment each has run one until the test ends.
func KeepBusy(t testing.TB, url string, clients int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	started := make(chan error, clients)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := pgx.Connect(ctx, url)
			if err != nil {
				started <- err
				return
			}
			defer conn.Close(context.Background())
			for first := true; ctx.Err() == nil; first = false {
				_, err := conn.Exec(ctx, "SELECT pg_sleep(0.005)", pgx.QueryExecModeSimpleProtocol)
				if first {
					started <- err
				}
			}
		}()
	}
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	for range clients {
		if err := <-started; err != nil {
			t.Fatalf("dbtest: busy client: %v", err)
		}
	}
}
