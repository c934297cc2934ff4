package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbtest"
)

// settingsBundle is a flag set with one setting of each kind, bound to its variables.
type settingsBundle struct {
	fs      *pflag.FlagSet
	workers int
	yield   float64
	wait    time.Duration
	format  string
	strict  bool
}

func setupSettings(t *testing.T) *settingsBundle {
	t.Helper()
	b := &settingsBundle{fs: pflag.NewFlagSet("test", pflag.ContinueOnError)}
	b.fs.SetOutput(&bytes.Buffer{})
	register(b.fs,
		setting{"test-workers", "STEADY_TEST_WORKERS", "workers", integer(&b.workers, 2, 1, 100)},
		setting{"test-yield", "STEADY_TEST_YIELD", "yield", number(&b.yield, 1, 0, 100)},
		setting{"test-wait", "STEADY_TEST_WAIT", "wait", durationIn(&b.wait, time.Minute, 0, time.Hour)},
		setting{"test-format", "STEADY_TEST_FORMAT", "format", oneOf(&b.format, "text", "text", "json")},
		setting{"test-strict", "STEADY_TEST_STRICT", "strict", boolean(&b.strict, false)},
	)
	return b
}

// TestSettingPrecedence: flag > environment variable > default, and a bad value names the flag
// or the variable it came from.
func TestSettingPrecedence(t *testing.T) {
	t.Parallel()
	t.Run("Defaults", func(t *testing.T) {
		t.Parallel()
		b := setupSettings(t)
		require.NoError(t, b.fs.Parse(nil))
		require.NoError(t, applyEnv(b.fs, lookupIn(nil)))
		require.Equal(t, 2, b.workers)
		require.Equal(t, 1.0, b.yield)
		require.Equal(t, time.Minute, b.wait)
		require.Equal(t, "text", b.format)
		require.False(t, b.strict)
	})

	t.Run("EnvironmentOverDefault", func(t *testing.T) {
		t.Parallel()
		env := lookupIn([]string{"STEADY_TEST_WORKERS=7", "STEADY_TEST_FORMAT=JSON", "STEADY_TEST_STRICT=true"})
		b := setupSettings(t)
		require.NoError(t, b.fs.Parse(nil))
		require.NoError(t, applyEnv(b.fs, env))
		require.Equal(t, 7, b.workers)
		require.Equal(t, "json", b.format)
		require.True(t, b.strict)
	})

	t.Run("FlagOverEnvironment", func(t *testing.T) {
		t.Parallel()
		env := lookupIn([]string{"STEADY_TEST_WORKERS=7"})
		b := setupSettings(t)
		require.NoError(t, b.fs.Parse([]string{"--test-workers", "9", "--test-strict"}))
		require.NoError(t, applyEnv(b.fs, env))
		require.Equal(t, 9, b.workers)
		require.True(t, b.strict)
	})

	t.Run("EmptyEnvironmentKeepsTheDefault", func(t *testing.T) {
		t.Parallel()
		env := lookupIn([]string{"STEADY_TEST_WORKERS="})
		b := setupSettings(t)
		require.NoError(t, b.fs.Parse(nil))
		require.NoError(t, applyEnv(b.fs, env))
		require.Equal(t, 2, b.workers)
	})

	t.Run("BadEnvironmentIsAUsageErrorNamingIt", func(t *testing.T) {
		t.Parallel()
		for env, val := range map[string]string{
			"STEADY_TEST_WORKERS": "0", "STEADY_TEST_YIELD": "NaN", "STEADY_TEST_WAIT": "2h",
			"STEADY_TEST_FORMAT": "xml", "STEADY_TEST_STRICT": "maybe",
		} {
			t.Run(env, func(t *testing.T) {
				t.Parallel()
				b := setupSettings(t)
				require.NoError(t, b.fs.Parse(nil))
				err := applyEnv(b.fs, lookupIn([]string{env + "=" + val}))
				require.ErrorContains(t, err, env+"=")
				require.Equal(t, exitUsage, codeOf(err))
			})
		}
	})

	t.Run("BadFlagNamesTheFlag", func(t *testing.T) {
		t.Parallel()
		for flag, val := range map[string]string{"--test-workers": "101", "--test-yield": "-1", "--test-wait": "soon", "--test-format": "xml"} {
			t.Run(flag, func(t *testing.T) {
				t.Parallel()
				b := setupSettings(t)
				err := b.fs.Parse([]string{flag, val})
				require.ErrorContains(t, err, `"`+flag+`" flag: want `)
			})
		}
	})
}

func TestDevNullIsNoTerminal(t *testing.T) {
	t.Parallel()
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	require.NoError(t, err)
	require.NotZero(t, st.Mode()&os.ModeCharDevice, "a character device, as a terminal is")
	require.False(t, isTerminal(f))

	l := &logSetup{level: "info"}
	require.NoError(t, l.build(f))
	require.Equal(t, "json", l.defaultFormat(f))
	require.Equal(t, "text", (&logSetup{format: "text"}).defaultFormat(f), "a setting beats the default")
}

// TestGlobalFlagsAnywhere: the log and connection settings work before the command, after it
// and after a backfill or indexes subcommand.
func TestGlobalFlagsAnywhere(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigrated(t)
	env := []string{"DATABASE_URL_POOLER=" + db.PoolerURL}

	settingsLine := func(t *testing.T, stderr string) map[string]any {
		t.Helper()
		for line := range strings.Lines(stderr) {
			var e map[string]any
			if json.Unmarshal([]byte(line), &e) == nil && e["msg"] == "settings" {
				return e
			}
		}
		t.Fatalf("no debug line in:\n%s", stderr)
		return nil
	}

	t.Run("LogLevelAfterASubcommand", func(t *testing.T) {
		t.Parallel()
		r := steady(t, env, "backfill", "status", "--log-level", "debug")
		require.Equal(t, exitOK, r.code, r.stderr)
		e := settingsLine(t, r.stderr)
		require.Equal(t, "DEBUG", e["level"])
		require.Equal(t, "steady backfill status", e["command"])
		require.Equal(t, []any{"--log-level"}, e["from_flags"])
		require.Equal(t, []any{"DATABASE_URL_POOLER"}, e["from_env"])
	})

	t.Run("LogFormatBeforeAndAfter", func(t *testing.T) {
		t.Parallel()
		before := steady(t, env, "--log-format", "text", "--log-level=debug", "indexes", "status")
		require.Equal(t, exitPending, before.code, before.stderr)
		require.Contains(t, before.stderr, `level=DEBUG msg=settings command="steady indexes status"`)
		after := steady(t, append(env, "STEADY_LOG_FORMAT=text"), "indexes", "status", "--log-format", "json", "--log-level", "debug")
		require.Equal(t, exitPending, after.code, after.stderr)
		require.Equal(t, "steady indexes status", settingsLine(t, after.stderr)["command"])
	})

	t.Run("ConnectionAfterASubcommand", func(t *testing.T) {
		t.Parallel()
		r := steady(t, nil, "backfill", "status", "--pooler-url", db.PoolerURL)
		require.Equal(t, exitOK, r.code, r.stderr)
		requireNoSecret(t, r)
	})

	t.Run("BadLogLevelAfterASubcommandIsAUsageError", func(t *testing.T) {
		t.Parallel()
		r := steady(t, env, "backfill", "status", "--log-level", "loud")
		require.Equal(t, exitUsage, r.code, r.stderr)
		require.Contains(t, r.stderr, `"--log-level" flag: want debug, info, warn or error`)
	})
}

func TestUsageErrorsAreTyped(t *testing.T) {
	t.Parallel()
	for name, args := range map[string][]string{
		"NoCommand":      {},
		"UnknownCommand": {"frobnicate"},
		"UnknownFlag":    {"migrate", "--nope"},
		"MissingValue":   {"doctor", "--index-parallel-workers"},
		"StrayArgument":  {"migrate", "now"},
		"UnknownHelp":    {"help", "frobnicate"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			err := run(t.Context(), args, lookupIn(nil), &stdout, &stderr)
			var ee *exitError
			require.True(t, errors.As(err, &ee), "%v", err)
			require.Equal(t, exitUsage, ee.code)
		})
	}
	var stdout bytes.Buffer
	require.NoError(t, run(t.Context(), []string{"backfill", "enqueue", "-h"}, lookupIn(nil), &stdout, &bytes.Buffer{}))
	require.Contains(t, stdout.String(), "--slices int\n    \tkey-range slices per run, each with its own job and checkpoint (default: the file's slices, else 1) (1 to 1024)")
}
