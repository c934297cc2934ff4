package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMigrateAndStatusAgreeAfterTheHistoryIsEdited: the reproduction of an operator forcing a
// rerun (DELETE FROM schema_migrations WHERE version = N, or TRUNCATE) on a migrated database:
// status lists the migrations as pending, and migrate then verifies in full instead of
// answering "unchanged", after which both say every migration is recorded.
func TestMigrateAndStatusAgreeAfterTheHistoryIsEdited(t *testing.T) {
	t.Parallel()
	type statusRow struct {
		Version int64  `json:"version"`
		State   string `json:"state"`
	}
	status := func(t *testing.T, b *migrateBundle) (int, map[int64]string) {
		t.Helper()
		r := steady(t, b.env, "status", "--json")
		var rows []statusRow
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &rows), r.stdout+r.stderr)
		out := map[int64]string{}
		for _, row := range rows {
			out[row.Version] = row.State
		}
		return r.code, out
	}
	type migrateOut struct {
		Unchanged  bool `json:"unchanged"`
		Applied    int  `json:"applied"`
		Reconciled int  `json:"reconciled"`
		Failed     int  `json:"failed"`
	}
	run := func(t *testing.T, b *migrateBundle) migrateOut {
		t.Helper()
		r := steady(t, b.env, "migrate", "--json")
		require.Equal(t, 0, r.code, r.stderr)
		var out migrateOut
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), r.stdout)
		require.Zero(t, out.Failed, r.stderr)
		return out
	}

	for _, tc := range []struct {
		name, edit string
		gone       int // rows the edit removes
	}{
		{"DeleteTheLastRow", "DELETE FROM schema_migrations WHERE version = (SELECT max(version::bigint)::text FROM schema_migrations)", 1},
		{"Truncate", "TRUNCATE schema_migrations", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setupMigrate(t)
			run(t, b)
			require.True(t, run(t, b).Unchanged, "the second run takes the fast path")
			_, err := b.direct.Exec(t.Context(), tc.edit)
			require.NoError(t, err)
			gone := tc.gone
			if gone < 0 {
				gone = b.total
			}

			code, states := status(t, b)
			require.Equal(t, exitPending, code)
			pending := 0
			for _, st := range states {
				if st == "pending" {
					pending++
				}
			}
			require.Equal(t, gone, pending, states)

			out := run(t, b)
			require.False(t, out.Unchanged, "migrate must not call an edited history unchanged while status lists pending migrations")
			require.Equal(t, gone, out.Applied+out.Reconciled)

			code, states = status(t, b)
			require.Equal(t, exitOK, code, states)
			require.Equal(t, b.total, b.count(t, "SELECT count(*) FROM schema_migrations"))
			require.True(t, run(t, b).Unchanged, "stamped again after the full verification")
		})
	}
}
