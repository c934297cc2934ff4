package steady_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The layering docs/architecture.md promises, read from go list: the Go API pulls in no fx and
// no worker wiring, and no engine imports what is built on it.
func TestLayering(t *testing.T) {
	t.Parallel()
	deps := func(t *testing.T, pkgs ...string) []string {
		t.Helper()
		out, err := exec.Command("go", append([]string{"list", "-deps"}, pkgs...)...).CombinedOutput()
		require.NoError(t, err, "%s", out)
		return strings.Fields(string(out))
	}
	t.Run("TheAPIHasNoFx", func(t *testing.T) {
		t.Parallel()
		for _, d := range deps(t, "github.com/steadydb/steady") {
			require.False(t, strings.HasPrefix(d, "go.uber.org/fx") || strings.HasPrefix(d, "go.uber.org/dig"), "the API depends on %s", d)
			require.NotContains(t, []string{"github.com/steadydb/steady/wiring", "github.com/steadydb/steady/cmd/steady"}, d)
		}
	})
	t.Run("EnginesImportNothingBuiltOnThem", func(t *testing.T) {
		t.Parallel()
		all := deps(t, "./internal/...")
		for _, p := range []string{"github.com/steadydb/steady", "github.com/steadydb/steady/jobs", "github.com/steadydb/steady/workers",
			"github.com/steadydb/steady/wiring", "github.com/steadydb/steady/cmd/steady"} {
			require.False(t, slices.Contains(all, p), "an internal package depends on %s", p)
		}
	})
}
