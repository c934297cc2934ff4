package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/backfills"
)

// runs are two runs as the store reports them: one half done, one just started.
func runs(state backfills.State) []backfills.RunStatus {
	remaining, eta := int64(500), 12.0
	return []backfills.RunStatus{
		{Backfill: "leads_last_call", State: state, Run: 1, RowsDone: 500, RowsRemaining: &remaining, RatePerS: 40, ETASeconds: &eta},
		{Backfill: "messages_delivered_at", State: backfills.StateRunning, Run: 2, Progress: 0.1},
	}
}

// requirePlainLines asserts output meant for a pipe: whole lines, no escape code, no carriage
// return.
func requirePlainLines(t *testing.T, out string) {
	t.Helper()
	require.NotEmpty(t, out)
	require.True(t, strings.HasSuffix(out, "\n"), "ends with a whole line: %q", out)
	require.NotContains(t, out, "\x1b", "no ANSI escape code")
	require.NotContains(t, out, "\r", "no carriage return")
}

func TestProgressWithoutTerminal(t *testing.T) {
	t.Parallel()

	t.Run("PlainLinesWhenTheStateChanges", func(t *testing.T) {
		t.Parallel()
		var out bytes.Buffer
		view := newProgress(&out, time.Now())
		require.IsType(t, &plainProgress{}, view)
		view.update(runs(backfills.StateRunning))
		view.update(runs(backfills.StateRunning)) // nothing changed: nothing printed
		require.Equal(t, 2, strings.Count(out.String(), "\n"), out.String())
		view.lines().Write([]byte("no worker is running: start `steady worker`; waiting…\n"))
		view.finish(runs(backfills.StateDone))
		requirePlainLines(t, out.String())
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		require.Len(t, lines, 4)
		require.Equal(t, "leads_last_call: running 50% rows_done=500 rows_remaining=500 rate=40 rows/s eta=12s", lines[0])
		require.Equal(t, "messages_delivered_at: running 10% rows_done=0 rows_remaining=? rate=- rows/s eta=?", lines[1])
		require.Regexp(t, `^leads_last_call: done, 500 rows \(after .+\)$`, lines[3])
	})

	t.Run("DevNullGetsPlainLines", func(t *testing.T) {
		t.Parallel()
		f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		require.NoError(t, err)
		t.Cleanup(func() { f.Close() })
		require.IsType(t, &plainProgress{}, newProgress(f, time.Now()))
	})
}

// TestProgressBar draws the terminal's bar into a buffer: one line redrawn in place, with the
// final state of each run printed below it at the end.
func TestProgressBar(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	view := newBarProgress(&out, time.Now())
	view.update(runs(backfills.StateRunning)[:1])
	drawn := out.String()
	require.NotContains(t, drawn, "\n", "the bar is redrawn on its line")
	require.Contains(t, drawn, "\r")
	require.Contains(t, drawn, "leads_last_call: 500 rows, 40 rows/s, ETA 12s, running")
	require.Contains(t, drawn, "50%")
	require.Contains(t, drawn, "█")

	out.Reset()
	view.update(runs(backfills.StateRunning))
	require.Contains(t, out.String(), "2 runs (2 running): 500 rows")
	require.Contains(t, out.String(), "30%")

	out.Reset()
	view.lines().Write([]byte("no worker is running any more\n"))
	require.True(t, strings.HasSuffix(out.String(), "no worker is running any more\n"))
	require.Contains(t, out.String(), "\x1b[2K", "the bar's line is cleared before the message")

	out.Reset()
	view.update(runs(backfills.StateRunning))
	view.close()
	require.True(t, strings.HasSuffix(out.String(), "\n"), "stopped early: the bar stays and what follows starts a line")

	out.Reset()
	view.finish(runs(backfills.StateDone))
	require.Regexp(t, `leads_last_call: done, 500 rows \(after .+\)\nmessages_delivered_at: running`, out.String())
}
