package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/migrations"
)

func TestWorkerHelpNamesTheCredentials(t *testing.T) {
	t.Parallel()
	r := steady(t, nil, "help", "worker")
	require.Equal(t, 0, r.code)
	for _, v := range []string{"STEADY_HTTP_TOKEN", "STEADY_HTTP_USER", "STEADY_HTTP_PASSWORD", "/readyz", "/metrics", "/river/"} {
		require.Contains(t, r.stdout, v)
	}
}

func TestWorkerRefusesExposedWithoutCredentials(t *testing.T) {
	t.Parallel()
	// The POOLER URL is refused: exit 2 (not 1) shows the check comes before any connection.
	for name, tc := range map[string]struct {
		env  []string
		want []string
	}{
		"NoCredentials": {[]string{"STEADY_HTTP_ADDR=0.0.0.0:8080"}, []string{
			"STEADY_HTTP_ADDR=0.0.0.0:8080 is not a loopback address", "STEADY_HTTP_TOKEN", "STEADY_HTTP_USER and STEADY_HTTP_PASSWORD"}},
		"AllInterfaces": {[]string{"STEADY_HTTP_ADDR=:8080"}, []string{"STEADY_HTTP_ADDR=:8080 is not a loopback address"}},
		"UserWithoutPassword": {[]string{"STEADY_HTTP_ADDR=0.0.0.0:8080", "STEADY_HTTP_USER=ops"}, []string{
			"STEADY_HTTP_USER is set but STEADY_HTTP_PASSWORD is empty"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := steady(t, append([]string{"DATABASE_URL_POOLER=" + refusedURL()}, tc.env...), "worker")
			require.Equal(t, 2, r.code, r.stderr)
			for _, w := range tc.want {
				require.Contains(t, r.stderr, w)
			}
			requireNoSecret(t, r)
		})
	}
}

// TestWorkerOperationsEndToEnd runs the binary off loopback with credentials and JSON logs, as a
// platform would, then stops it with SIGTERM.
func TestWorkerOperationsEndToEnd(t *testing.T) {
	t.Parallel()
	const httpPassword, token = "Http-Pass-4417", "Http-Token-9053"
	db := dbtest.NewMigrated(t)
	cmd := exec.Command(steadyBinary(t), "worker")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "DATABASE_URL_DIRECT=" + db.DirectURL, "DATABASE_URL_POOLER=" + db.PoolerURL,
		"STEADY_HTTP_ADDR=0.0.0.0:0", "STEADY_LOG_FORMAT=json",
		"STEADY_HTTP_USER=ops", "STEADY_HTTP_PASSWORD=" + httpPassword, "STEADY_HTTP_TOKEN=" + token}
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	addr, logs := waitForLog(t, stderr, "http listening", "addr")
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	base := "http://127.0.0.1:" + port
	_, more := waitForLogPrefix(t, stderr, "migrations: ")
	logs += more
	// Registered (and heartbeating) before River starts.
	_, more = waitFor(t, stderr, func(m string) bool { return m == "River started on POOLER" })
	logs += more

	get := func(path string, auth func(*http.Request)) (int, string) {
		t.Helper()
		req, err := http.NewRequest("GET", base+path, nil)
		require.NoError(t, err)
		if auth != nil {
			auth(req)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(body)
	}
	bearer := func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
	basic := func(r *http.Request) { r.SetBasicAuth("ops", httpPassword) }

	t.Run("HealthAndReadinessAreOpen", func(t *testing.T) {
		code, body := get("/healthz", nil)
		require.Equal(t, http.StatusOK, code)
		require.Equal(t, "ok\n", body)
		// Whether River runs depends on the job kinds compiled in; the migration step and the
		// POOLER are this test's business.
		_, body = get("/readyz", nil)
		var rep struct {
			Ready  bool
			Checks []struct {
				Name, Reason string
				OK           bool
			}
		}
		require.NoError(t, json.Unmarshal([]byte(body), &rep), body)
		for _, c := range rep.Checks {
			if c.Name == "migrations" || c.Name == "pooler" {
				require.True(t, c.OK, body)
			}
		}
	})

	t.Run("MetricsNeedCredentials", func(t *testing.T) {
		code, _ := get("/metrics", nil)
		require.Equal(t, http.StatusUnauthorized, code)
		code, body := get("/metrics", bearer)
		require.Equal(t, http.StatusOK, code)
		require.Contains(t, body, `steady_db_migration_role{role="DIRECT"} 1`)
		require.Contains(t, body, `steady_migration_step_status{status="succeeded"} 1`)
		require.Contains(t, body, `steady_river_jobs_query_success 1`)
		require.Contains(t, body, `steady_backfill_throttled_seconds_total{reason="application"} 0`)
		require.Contains(t, body, "steady_workers_alive 1\n")
		require.Contains(t, body, "steady_workers_query_success 1\n")
	})

	t.Run("DoctorAndReadinessShowTheLiveWorker", func(t *testing.T) {
		env := []string{"DATABASE_URL_DIRECT=" + db.DirectURL, "DATABASE_URL_POOLER=" + db.PoolerURL}
		r := steady(t, env, "doctor", "--json")
		require.Equal(t, 0, r.code, r.stderr)
		var rep struct {
			Workers struct {
				Alive []struct {
					ID        string  `json:"id"`
					PID       int     `json:"pid"`
					StartedAt string  `json:"started_at"`
					UpS       float64 `json:"up_s"`
				} `json:"alive"`
			} `json:"workers"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep), r.stdout)
		require.Len(t, rep.Workers.Alive, 1)
		w := rep.Workers.Alive[0]
		require.Equal(t, cmd.Process.Pid, w.PID)
		require.True(t, strings.HasPrefix(w.ID, "steady."), w.ID)
		require.Positive(t, w.UpS)
		r = steady(t, env, "doctor")
		require.Regexp(t, fmt.Sprintf(`workers: 1 alive \(\S+ pid %d since `, cmd.Process.Pid), r.stdout)
		require.Contains(t, r.stdout, "  alive  "+w.ID+"  since ")

		_, body := get("/readyz", nil)
		require.Contains(t, body, `{"name":"heartbeat","ok":true,"reason":"`+w.ID+` heartbeats every 5s; 1 worker alive"}`)
	})

	t.Run("RiverUINeedsCredentials", func(t *testing.T) {
		code, _ := get("/river/", nil)
		require.Equal(t, http.StatusUnauthorized, code)
		code, body := get("/river/", basic)
		require.Equal(t, http.StatusOK, code)
		require.Contains(t, body, "<html")
		code, body = get("/river/api/health-checks/complete", bearer)
		require.Equal(t, http.StatusOK, code, body)
	})

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	rest, _ := io.ReadAll(stderr)
	all := logs + string(rest)
	require.NoError(t, cmd.Wait(), all)

	t.Run("JSONLogsWithoutSecrets", func(t *testing.T) {
		var msgs []string
		for line := range strings.Lines(all) {
			var entry map[string]any
			require.NoError(t, json.Unmarshal([]byte(line), &entry), "not a JSON log line: %q", line)
			msgs = append(msgs, fmt.Sprint(entry["msg"]))
		}
		for _, secret := range []string{testPassword(t), httpPassword, token} {
			require.NotContains(t, all, secret)
		}
		require.Contains(t, msgs, "✅ Using DIRECT")
		drain, httpStop := slices.Index(msgs, "stopping: /readyz answers 503 from now on"), slices.Index(msgs, "http server stopped")
		require.True(t, drain >= 0 && drain < httpStop, "readiness flips (%d) before the HTTP server stops (%d)", drain, httpStop)
	})
}

// TestWorkerNotReadyWhileMigratingThenSIGTERM blocks the binary's migration step on a lock the
// test holds, reads /readyz, and stops the worker with SIGTERM while the step still waits.
func TestWorkerNotReadyWhileMigratingThenSIGTERM(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigrated(t)
	dir := migrationsDirWith(t, "ALTER TABLE leads ADD COLUMN ops_probe integer;\n")

	lockConn, err := pgx.Connect(ctx, db.DirectURL)
	require.NoError(t, err)
	t.Cleanup(func() { lockConn.Close(context.Background()) })
	lockTx, err := lockConn.Begin(ctx)
	require.NoError(t, err)
	_, err = lockTx.Exec(ctx, "LOCK TABLE leads IN ACCESS EXCLUSIVE MODE")
	require.NoError(t, err)

	cmd := exec.Command(steadyBinary(t), "worker")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "DATABASE_URL_DIRECT=" + db.DirectURL, "DATABASE_URL_POOLER=" + db.PoolerURL,
		"STEADY_HTTP_ADDR=127.0.0.1:0", "STEADY_LOG_FORMAT=json", "STEADY_MIGRATIONS_DIR=" + dir}
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	addr, logs := waitForLog(t, stderr, "http listening", "addr")
	db.WaitForLockWaiter(t)

	resp, err := http.Get("http://" + addr + "/readyz")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, string(body))
	require.Contains(t, string(body), `{"name":"migrations","ok":false,"reason":"the migration step is running"}`)

	// The step still waits on the lock: SIGTERM interrupts it and the worker exits 0.
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	rest, _ := io.ReadAll(stderr)
	require.NoError(t, cmd.Wait(), logs+string(rest))
	require.Contains(t, string(rest), `"msg":"stopped during start"`)
	require.NotContains(t, logs+string(rest), testPassword(t))
	require.NoError(t, lockTx.Rollback(ctx))
}

// migrationsDirWith writes the shipped migrations and one more to a directory.
func migrationsDirWith(t *testing.T, sql string) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := fs.ReadDir(migrations.FS, ".")
	require.NoError(t, err)
	n := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		data, err := fs.ReadFile(migrations.FS, e.Name())
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644))
		n++
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("%04d_ops_probe.sql", n+1)), []byte(sql), 0o644))
	return dir
}
