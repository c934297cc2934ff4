package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/redact"
)

// TestMain removes the binary that the end-to-end tests built, if they ran.
func TestMain(m *testing.M) {
	code := m.Run()
	if dir := builtDir.Load(); dir != nil {
		os.RemoveAll(*dir)
	}
	os.Exit(code)
}

// builtDir is where steadyBinary built steady.
var builtDir atomic.Pointer[string]

// buildBinary builds steady once, when the first end-to-end test asks: the tests that need a
// real process (a signal, kill -9, SIGSTOP, a process id) run the binary as users do; every
// other test calls Run in this process.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "steady-bin")
	if err != nil {
		return "", err
	}
	builtDir.Store(&dir)
	path := filepath.Join(dir, "steady")
	out, err := exec.Command("go", "build", "-o", path, "github.com/steadydb/steady/cmd/steady").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("build steady: %w\n%s", err, out)
	}
	return path, nil
})

// steadyBinary is the built binary, for an end-to-end test.
func steadyBinary(t *testing.T) string {
	t.Helper()
	path, err := buildBinary()
	require.NoError(t, err)
	return path
}

// binaryEnv is the environment of the binary: only env, plus PATH and HOME.
func binaryEnv(env []string) []string {
	return append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
}

type result struct {
	stdout, stderr string
	code           int
}

// lookupIn is an environment of only env ("NAME=value"; the last of a name wins, as in exec).
func lookupIn(env []string) LookupEnv {
	vars := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	return func(key string) (string, bool) {
		v, ok := vars[key]
		return v, ok
	}
}

// steady runs a command line in this process with only the given environment, as the binary
// would run it: main adds nothing but the signals and the exit.
func steady(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr output
	code := Run(ctx, args, lookupIn(env), &stdout, &stderr)
	return result{stdout.String(), stderr.String(), code}
}

const canary = "Leak-Canary-8842"

// requireNoSecret fails when a password shows up in any output.
func requireNoSecret(t *testing.T, r result) {
	t.Helper()
	for _, s := range []string{r.stdout, r.stderr} {
		require.NotContains(t, s, canary)
		require.NotContains(t, s, testPassword(t))
	}
}

// testPassword is the test servers' password, which must never be printed.
func testPassword(t *testing.T) string {
	t.Helper()
	_, pooler := dbtest.Env(t)
	pw := redact.PasswordOf(pooler)
	require.NotEmpty(t, pw)
	return pw
}

func refusedURL() string {
	return "postgres://steady:" + canary + "@127.0.0.1:1/steady?sslmode=disable"
}

func TestDoctor(t *testing.T) {
	t.Parallel()

	t.Run("BothReachable", func(t *testing.T) {
		t.Parallel()
		db := dbtest.New(t)
		r := steady(t, []string{"DATABASE_URL_DIRECT=" + db.DirectURL, "DATABASE_URL_POOLER=" + db.PoolerURL}, "doctor")
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stderr, "✅ Using DIRECT")
		require.Contains(t, r.stdout, "migration role: DIRECT")
		require.Contains(t, r.stdout, "pool_mode=transaction")
		require.Contains(t, r.stdout, "pool_mode=direct")
		require.Contains(t, r.stdout, "ok   statement_timeout = 0 (default)")
		require.Contains(t, r.stdout, "ok   max_parallel_maintenance_workers = ")
		requireNoSecret(t, r)
	})

	t.Run("JSONWithDirectRefused", func(t *testing.T) {
		t.Parallel()
		db := dbtest.New(t)
		r := steady(t, []string{"DATABASE_URL_DIRECT=" + refusedURL(), "DATABASE_URL_POOLER=" + db.PoolerURL, "STEADY_LOG_FORMAT=json"}, "doctor", "--json")
		require.Equal(t, 0, r.code, r.stderr)
		var rep struct {
			MigrationRole  string `json:"migration_role"`
			Direct, Pooler struct {
				URL       string `json:"url"`
				Reachable bool   `json:"reachable"`
				Error     string `json:"error"`
				PoolMode  string `json:"pool_mode"`
			}
			Settings []struct {
				Setting string `json:"setting"`
				OK      bool   `json:"ok"`
			} `json:"settings"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
		require.Equal(t, "POOLER", rep.MigrationRole)
		require.False(t, rep.Direct.Reachable)
		require.Contains(t, rep.Direct.Error, "refused")
		require.Equal(t, "postgres://steady:***@127.0.0.1:1/steady?sslmode=disable", rep.Direct.URL)
		require.True(t, rep.Pooler.Reachable)
		require.Equal(t, "transaction", rep.Pooler.PoolMode)
		require.Len(t, rep.Settings, 4)
		require.Equal(t, "max_parallel_maintenance_workers", rep.Settings[0].Setting)
		// Every log line is JSON and the decision is logged once.
		var decisions int
		for line := range strings.Lines(r.stderr) {
			var entry map[string]any
			require.NoError(t, json.Unmarshal([]byte(line), &entry), line)
			if entry["msg"] == "✅ Using POOLER (DIRECT unavailable - locked)" {
				decisions++
				require.Contains(t, entry["reason"], "refused")
			}
		}
		require.Equal(t, 1, decisions)
		requireNoSecret(t, r)
	})

	t.Run("PoolerUnreachableExits1", func(t *testing.T) {
		t.Parallel()
		db := dbtest.New(t)
		r := steady(t, []string{"DATABASE_URL_DIRECT=" + db.DirectURL, "DATABASE_URL_POOLER=" + refusedURL()}, "doctor")
		require.Equal(t, 1, r.code)
		require.Contains(t, r.stdout, "UNREACHABLE")
		requireNoSecret(t, r)
	})
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		env  []string
		args []string
		want string
	}{
		"NoURL":          {nil, []string{"doctor"}, "DATABASE_URL_POOLER"},
		"MalformedURL":   {[]string{"DATABASE_URL_POOLER=postgres://u:" + canary + "@h:99999999/x"}, []string{"doctor"}, "DATABASE_URL_POOLER"},
		"BadTimeout":     {[]string{"STEADY_DIRECT_TIMEOUT=soon"}, []string{"doctor"}, "STEADY_DIRECT_TIMEOUT"},
		"BadLogFormat":   {[]string{"STEADY_LOG_FORMAT=xml"}, []string{"doctor"}, "STEADY_LOG_FORMAT"},
		"UnknownCommand": {nil, []string{"frobnicate"}, `unknown command "frobnicate"`},
		"UnknownFlag":    {nil, []string{"doctor", "--nope"}, "unknown flag: --nope"},
		"BadWorkersEnv":  {[]string{"STEADY_INDEX_WORKERS=0"}, []string{"worker"}, `STEADY_INDEX_WORKERS="0": want a whole number from 1 to 100`},
		"BadWorkersFlag": {nil, []string{"worker", "--backfill-workers", "many"}, `"--backfill-workers" flag: want a whole number from 1 to 100`},
		"BadPollEnv":     {[]string{"STEADY_POLL_INTERVAL=1ms"}, []string{"worker"}, `STEADY_POLL_INTERVAL="1ms": want 10ms to 1m`},
		"BadYieldEnv":    {[]string{"STEADY_BACKFILL_YIELD=-1"}, []string{"worker"}, `STEADY_BACKFILL_YIELD="-1": want a number from 0 to 100`},
		"BadYieldFlag":   {nil, []string{"worker", "--backfill-yield", "polite"}, "-backfill-yield"},
		"BadWindowEnv":   {[]string{"STEADY_INDEX_WINDOW=0 2 * * *"}, []string{"worker"}, `STEADY_INDEX_WINDOW: index build window "0 2 * * *": duration "*"`},
		"BadWindowFlag":  {nil, []string{"indexes", "status", "--index-window", "nightly 4h"}, `--index-window / STEADY_INDEX_WINDOW: index build window "nightly 4h"`},
		"BadParallelEnv": {[]string{"STEADY_INDEX_PARALLEL_WORKERS=-2"}, []string{"worker"}, `STEADY_INDEX_PARALLEL_WORKERS="-2": want a whole number from -1 to 1024`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := steady(t, tc.env, tc.args...)
			require.Equal(t, 2, r.code, r.stderr)
			require.Contains(t, r.stderr, tc.want)
			requireNoSecret(t, r)
		})
	}
}

func TestHelpListsEverySetting(t *testing.T) {
	t.Parallel()
	r := steady(t, nil, "help")
	require.Equal(t, 0, r.code)
	for _, c := range newRoot(lookupIn(nil), io.Discard, io.Discard).Commands() {
		require.Contains(t, r.stdout, c.Name())
		h := steady(t, nil, "help", c.Name())
		require.Equal(t, 0, h.code)
		require.Contains(t, h.stdout, "DATABASE_URL_POOLER")
		require.Contains(t, h.stdout, "STEADY_LOG_FORMAT")
		require.Contains(t, h.stdout, "STEADY_SCHEMA")
	}
	r = steady(t, nil, "worker", "-h")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "--http-addr string\n    \taddress of /healthz")
	require.Contains(t, r.stdout, "[STEADY_HTTP_ADDR] (default 127.0.0.1:8080)")
	require.Contains(t, r.stdout, "[STEADY_INDEX_WORKERS] (1 to 100, default 1)")
}

func TestWorkerServesHealthzAndStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	cmd := exec.Command(steadyBinary(t), "worker")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "DATABASE_URL_DIRECT=" + db.DirectURL, "DATABASE_URL_POOLER=" + db.PoolerURL,
		"STEADY_HTTP_ADDR=127.0.0.1:0", "STEADY_LOG_FORMAT=json", "STEADY_INDEX_WORKERS=3"}
	cmd.Args = append(cmd.Args, "--backfill-workers", "1", "--poll-interval", "150ms")
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	addr, logs := waitForLog(t, stderr, "http listening", "addr")
	_, more := waitForLogPrefix(t, stderr, "migrations: ")
	logs += more
	// River runs with the queue settings from the environment and the flags.
	started, more := waitFor(t, stderr, func(m string) bool { return m == "River started on POOLER" })
	logs += more
	require.Equal(t, float64(3), started["index_workers"], logs)
	require.Equal(t, float64(1), started["backfill_workers"], logs)
	require.Equal(t, float64(4), started["default_workers"], logs)
	require.Equal(t, "150ms", started["fetch_poll_interval"], logs)
	resp, err := http.Get("http://" + addr + "/healthz")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "ok\n", string(body))

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	rest, _ := io.ReadAll(stderr)
	require.NoError(t, cmd.Wait(), logs+string(rest))
	require.Contains(t, logs, "✅ Using DIRECT")
	require.NotContains(t, logs+string(rest), testPassword(t))
}

// waitForLog reads JSON log lines until one has msg, and returns its field and the lines so far.
func waitForLog(t *testing.T, r io.Reader, msg, field string) (string, string) {
	t.Helper()
	entry, seen := waitFor(t, r, func(m string) bool { return m == msg })
	return fmt.Sprint(entry[field]), seen
}

func waitForLogPrefix(t *testing.T, r io.Reader, prefix string) (map[string]any, string) {
	t.Helper()
	return waitFor(t, r, func(m string) bool { return strings.HasPrefix(m, prefix) })
}

// waitFor reads one byte at a time so that nothing after the matching line is consumed. It
// gives up after two minutes (a process that never logs the line must not hang the suite).
func waitFor(t *testing.T, r io.Reader, match func(msg string) bool) (map[string]any, string) {
	t.Helper()
	type found struct {
		entry map[string]any
		err   error
	}
	var mu sync.Mutex
	var seen strings.Builder
	done := make(chan found, 1)
	go func() {
		br := bufio.NewReader(&oneByte{r})
		for {
			line, err := br.ReadString('\n')
			mu.Lock()
			seen.WriteString(line)
			mu.Unlock()
			var entry map[string]any
			if json.Unmarshal([]byte(line), &entry) == nil && match(fmt.Sprint(entry["msg"])) {
				done <- found{entry: entry}
				return
			}
			if err != nil {
				done <- found{err: err}
				return
			}
		}
	}()
	select {
	case f := <-done:
		mu.Lock()
		defer mu.Unlock()
		if f.err != nil {
			t.Fatalf("log line never came (%v); logs:\n%s", f.err, seen.String())
		}
		return f.entry, seen.String()
	case <-time.After(2 * time.Minute):
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("log line did not come within 2 minutes; logs:\n%s", seen.String())
		return nil, ""
	}
}

// oneByte keeps bufio from reading ahead past the line a test waits for.
type oneByte struct{ r io.Reader }

func (o *oneByte) Read(p []byte) (int, error) { return o.r.Read(p[:min(1, len(p))]) }

// tableRow reads the row of a table printed with text/tabwriter whose first cell is key, as a
// map from each column's header to its cell. A column starts where its header does (headers
// are two spaces apart at least; "ROWS DONE" is one header), so a cell may hold spaces:
// "6% (application)".
func tableRow(t *testing.T, out, key string) map[string]string {
	t.Helper()
	lines := strings.Split(out, "\n")
	var starts []int
	var names []string
	header := []rune(lines[0])
	for i := 0; i < len(header); {
		for i < len(header) && header[i] == ' ' {
			i++
		}
		if i == len(header) {
			break
		}
		start := i
		for i < len(header) && !(header[i] == ' ' && (i+1 == len(header) || header[i+1] == ' ')) {
			i++
		}
		starts, names = append(starts, start), append(names, string(header[start:i]))
	}
	for _, line := range lines[1:] {
		row := []rune(line)
		if !strings.HasPrefix(line, key+" ") {
			continue
		}
		cells := map[string]string{}
		for i, start := range starts {
			end := len(row)
			if i+1 < len(starts) {
				end = min(starts[i+1], len(row))
			}
			if start < end {
				cells[names[i]] = strings.TrimSpace(string(row[start:end]))
			}
		}
		return cells
	}
	t.Fatalf("no row %q in:\n%s", key, out)
	return nil
}
