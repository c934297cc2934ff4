package historytest

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbtest"
)

// steadyBinary is steady built once, as users run it.
var steadyBinary string

// TestMain runs more subtests at once than the default (GOMAXPROCS): a prefix's test mostly
// waits on steady, psql, pg_dump and the server. Measured on 2 busy cores, one history's sweep
// took 117 s with 2 and 71 s with 4. An explicit -test.parallel wins.
func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", strconv.Itoa(max(4, 2*runtime.GOMAXPROCS(0))))
	}
	dbtest.MainWithBinary(m, &steadyBinary)
}

type run struct {
	stdout, stderr string
	code           int
}

// output is both streams, the last lines only: enough to see why a run failed.
func (r run) output() string {
	const keep = 60
	lines := strings.Split(strings.TrimRight(r.stdout+r.stderr, "\n"), "\n")
	if len(lines) > keep {
		lines = append([]string{fmt.Sprintf("[... %d lines]", len(lines)-keep)}, lines[len(lines)-keep:]...)
	}
	return fmt.Sprintf("exit %d\n%s", r.code, strings.Join(lines, "\n"))
}

// migrate runs `steady migrate --strict --migrations-dir DIR …` with DATABASE_URL_POOLER alone
// (everything through PgBouncer), PATH and HOME.
func migrate(t *testing.T, h *history, poolerURL string, j judge) run {
	t.Helper()
	return steady(t, poolerURL, append([]string{"migrate", "--strict"}, h.steadyArgs(j)...)...)
}

// statusProblems is what `steady status` shows of the migrations neither applied nor
// reconciled (drift, partial, pending), with its header: why a run was not clean.
func statusProblems(t *testing.T, h *history, poolerURL string, j judge) string {
	t.Helper()
	r := steady(t, poolerURL, append([]string{"status"}, h.steadyArgs(j)...)...)
	var b strings.Builder
	for i, line := range strings.Split(strings.TrimRight(r.stdout, "\n"), "\n") {
		if i == 0 || !cleanStatus.MatchString(line) {
			b.WriteString(line + "\n")
		}
	}
	return fmt.Sprintf("steady status (exit %d):\n%s", r.code, b.String())
}

var cleanStatus = regexp.MustCompile(`\s(applied|reconciled)\s`)

func steady(t *testing.T, poolerURL string, args ...string) run {
	t.Helper()
	cmd := exec.Command(steadyBinary, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "DATABASE_URL_POOLER=" + poolerURL}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := run{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else {
		require.NoError(t, err, "run steady")
	}
	return r
}

var appliedCount = regexp.MustCompile(`\b(\d+) applied\b`)

// applied is the number of migrations the run's summary line says it applied.
func applied(t *testing.T, r run) int {
	t.Helper()
	m := appliedCount.FindStringSubmatch(r.stdout)
	require.NotNil(t, m, "no \"N applied\" in the summary:\n%s", r.output())
	n, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	return n
}
