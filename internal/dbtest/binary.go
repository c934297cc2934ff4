package dbtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// MainWithBinary builds steady once (as users run it), sets *path to it, runs the package's
// tests and exits. Use it as TestMain in packages that run the binary end to end.
func MainWithBinary(m *testing.M, path *string) {
	dir, err := os.MkdirTemp("", "steady-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, "dbtest:", err)
		os.Exit(1)
	}
	*path = filepath.Join(dir, "steady")
	out, err := exec.Command("go", "build", "-o", *path, "github.com/steadydb/steady/cmd/steady").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build steady: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
