package historytest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The sweep of a directory from outside the repository (make test-histories DIR=…): the same
// cases and comparison as the own histories', on one published history.
const (
	dirEnv    = "STEADY_HISTORY_DIR"    // the migrations directory
	formatEnv = "STEADY_HISTORY_FORMAT" // its tool, as --migrations-format names it ("" detects)
	setupEnv  = "STEADY_HISTORY_SETUP"  // SQL a platform runs before the first migration
	argsEnv   = "STEADY_HISTORY_ARGS"   // more arguments for steady migrate, split at spaces
)

// sweptHistories is the directory STEADY_HISTORY_DIR names when it is set, every own history
// otherwise.
func sweptHistories(t *testing.T) []*history {
	t.Helper()
	dir := os.Getenv(dirEnv)
	if dir == "" {
		return ownHistories(t)
	}
	h, err := externalHistory(dir, os.Getenv(formatEnv), os.Getenv(setupEnv), os.Getenv(argsEnv))
	require.NoError(t, err)
	return []*history{h}
}

// externalHistory reads dir in the given format (detected when ""); steady is told the format
// whenever it is given.
func externalHistory(dir, formatName, setup, args string) (*history, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	var f format
	if formatName != "" && formatName != "auto" {
		if f, err = parseFormat(formatName); err != nil {
			return nil, fmt.Errorf("%s: %w", formatEnv, err)
		}
	}
	name := filepath.Base(dir)
	if name == "migrations" { // supabase/migrations, crates/x/migrations: the project's name is higher up
		name = filepath.Base(filepath.Dir(dir)) + "/" + name
	}
	h, err := readHistory(name, dir, f)
	if err != nil {
		return nil, err
	}
	h.declared = f != ""
	if setup != "" {
		if h.setup, err = filepath.Abs(setup); err != nil {
			return nil, err
		}
		if !fileExists(h.setup) {
			return nil, fmt.Errorf("%s=%s: no such file", setupEnv, setup)
		}
	}
	h.args = strings.Fields(args)
	return h, nil
}

// steadySchema is the schema of steady's own tables when the sweep's arguments move them out
// of public (--schema), "" otherwise.
func (h *history) steadySchema() string {
	schema := ""
	for i, a := range h.args {
		if v, ok := strings.CutPrefix(a, "--schema="); ok {
			schema = v
		} else if a == "--schema" && i+1 < len(h.args) {
			schema = h.args[i+1]
		}
	}
	if schema == "public" {
		return ""
	}
	return schema
}
