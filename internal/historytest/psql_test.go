package historytest

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The machine's PostgreSQL 15 client tools: what a team that never used steady ran.
const (
	psqlBin   = "/usr/lib/postgresql/15/bin/psql"
	pgDumpBin = "/usr/lib/postgresql/15/bin/pg_dump"
)

// upFiles writes the Up section of each file psql applies once per history, for psql's \i
// (line numbers in an error are the original file's); "" when the history's tool is not
// applied with psql.
func upFiles(t *testing.T, h *history) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range h.files {
		if f.send != psqlScript {
			continue
		}
		path := filepath.Join(dir, filepath.FromSlash(f.file))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
		require.NoError(t, os.WriteFile(path, []byte(f.up), 0o600))
	}
	return dir
}

// applyScript is what psql runs to apply files in order, each in its own transaction unless it
// runs outside one (as `psql -1 -f FILE` would, file by file, in one invocation).
func applyScript(files []migrationFile, upDir string) string {
	var b strings.Builder
	for _, f := range files {
		include := fmt.Sprintf("\\i '%s'\n", filepath.Join(upDir, filepath.FromSlash(f.file)))
		if f.noTx {
			b.WriteString(include)
		} else {
			b.WriteString("BEGIN;\n" + include + "COMMIT;\n")
		}
	}
	return b.String()
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	text, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(text)
}

// psql runs a script through the given URL (the pooler's, for everything applied) and stops at
// the first error. The password goes in PGPASSWORD, never on a command line or in a message.
func psql(t *testing.T, rawURL, script string) {
	t.Helper()
	if strings.TrimSpace(script) == "" {
		return
	}
	path := filepath.Join(t.TempDir(), "apply.sql")
	require.NoError(t, os.WriteFile(path, []byte(script), 0o600))
	target, password := splitPassword(t, rawURL)
	cmd := exec.Command(psqlBin, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", target, "-f", path)
	cmd.Env = clientEnv(password)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("psql: %v\n%s%s", err, stdout.String(), stderr.String())
	}
}

// clientEnv is the environment of psql and pg_dump: nothing from the test's own environment
// but PATH and HOME, so that no PG* variable changes what they connect to.
func clientEnv(password string) []string {
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "PGPASSWORD=" + password}
}

// splitPassword returns the URL without its password, and the password.
func splitPassword(t *testing.T, rawURL string) (target, password string) {
	t.Helper()
	u, err := url.Parse(rawURL)
	require.NoError(t, err, "parse a database URL")
	if u.User != nil {
		password, _ = u.User.Password()
		u.User = url.User(u.User.Username())
	}
	return u.String(), password
}
