package liveness_test

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMainWithTheDatabaseDown runs this package's example in a child test binary whose
// TEST_DATABASE_URL_DIRECT is set but refuses connections: outside CI the package is skipped,
// under CI=true it fails at once, saying why.
func TestMainWithTheDatabaseDown(t *testing.T) {
	t.Parallel()
	run := func(ci string) (int, string) {
		cmd := exec.Command(os.Args[0], "-test.run=^ExampleAlive$", "-test.count=1")
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "TEST_DATABASE_URL_DIRECT=") && !strings.HasPrefix(kv, "CI=") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		// Port 1 on loopback: nothing listens there, the connection is refused at once.
		cmd.Env = append(cmd.Env, "TEST_DATABASE_URL_DIRECT=postgres://steady:x@127.0.0.1:1/steady?sslmode=disable", "CI="+ci)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), string(out)
		}
		require.NoError(t, err)
		return 0, string(out)
	}

	code, out := run("")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "liveness: skipped: test database unavailable (run make test)")
	require.NotContains(t, out, "FAIL")

	code, out = run("true")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "liveness: test database unavailable under CI=true")
	require.NotContains(t, out, "got:", "not an example failing on its output")
}
