package cli

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	api "github.com/steadydb/steady"

	"github.com/steadydb/steady/internal/catalogfiles"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/indexes"
)

func TestIndexesEndToEnd(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigrated(t)
	env := []string{"DATABASE_URL_DIRECT=" + db.DirectURL, "DATABASE_URL_POOLER=" + db.PoolerURL, "STEADY_LOG_FORMAT=json"}
	c := catalogfiles.ShippedIndexes()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, db.DirectURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	do := func(sql string) {
		t.Helper()
		_, err := conn.Exec(ctx, sql, pgx.QueryExecModeSimpleProtocol)
		require.NoError(t, err)
	}

	// Nothing built yet: exit 3, every index missing.
	r := steady(t, env, "indexes", "status", "--json")
	require.Equal(t, exitPending, r.code, r.stderr)
	var status []map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &status))
	require.Len(t, status, len(c.All()))
	for _, st := range status {
		require.Subset(t, keys(st), []string{"name", "table", "state", "size_bytes"})
		require.Equal(t, "missing", st["state"], st["name"])
		require.EqualValues(t, 0, st["size_bytes"])
	}
	requireNoSecret(t, r)

	// A wrong index and an INVALID one (a unique build over duplicates): exit 4.
	do(`CREATE INDEX leads_business_status_idx ON leads (business_id)`)
	do(`INSERT INTO business (name, slug) VALUES ('Acme', 'acme')`)
	do(`INSERT INTO call_log (business_id, call_sid, direction, from_number, to_number, recording_sid)
		VALUES (1, 'CA1', 'inbound', '+972500000000', '+972500000001', 'RE1'),
		       (1, 'CA2', 'inbound', '+972500000000', '+972500000001', 'RE1')`)
	_, err = conn.Exec(ctx, `CREATE UNIQUE INDEX CONCURRENTLY call_log_recording_sid_idx ON call_log (recording_sid) WHERE recording_sid IS NOT NULL`)
	require.ErrorContains(t, err, "could not create unique index")
	r = steady(t, env, "indexes", "status")
	require.Equal(t, exitDrift, r.code, r.stderr)
	require.Regexp(t, `(?m)^leads_business_status_idx\s+leads\s+different\s+\d`, r.stdout)
	require.Regexp(t, `(?m)^call_log_recording_sid_idx\s+call_log\s+invalid\s`, r.stdout)
	require.Contains(t, r.stdout, "indexes: 22 missing, 1 invalid, 1 different (24 in the catalog)")

	// build only inserts (no worker runs yet), once per table.
	r = steady(t, env, "indexes", "build", "--json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var built api.IndexBuildReport
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &built))
	require.Len(t, built.Jobs, len(c.Tables()))
	for _, j := range built.Jobs {
		require.Equal(t, indexes.EnqueueInserted, j.Action, j.Table)
	}
	r = steady(t, env, "indexes", "build")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Regexp(t, `(?m)^leads\s+duplicate\s+\d+\s+available$`, r.stdout)
	requireNoSecret(t, r)

	// With the duplicates fixed and a worker running, build --wait ends with every index valid.
	do(`UPDATE call_log SET recording_sid = 'RE2' WHERE call_sid = 'CA2'`)
	worker := start(t, append([]string{"STEADY_HTTP_ADDR=127.0.0.1:0"}, env...), "worker")

	r = steady(t, env, "indexes", "build", "--wait", "--json")
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &built))
	require.Len(t, built.Indexes, len(c.All()))
	for _, st := range built.Indexes {
		require.Equal(t, indexes.Valid, st.State, st.Name)
	}
	requireNoSecret(t, r)

	r = steady(t, env, "indexes", "status")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Contains(t, r.stdout, "indexes: 24 valid (24 in the catalog)")
	require.NotContains(t, r.stdout, indexes.ReplacementSuffix)

	stop(t, worker)
}

func TestIndexesBadInput(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"NoSubcommand":    {[]string{"indexes"}, "want a subcommand: build or status"},
		"UnknownSub":      {[]string{"indexes", "rebuild"}, `unknown subcommand "rebuild"`},
		"UnknownTable":    {[]string{"indexes", "build", "leads", "nope"}, `"nope" is not a table of the index catalog`},
		"StatusWithTable": {[]string{"indexes", "status", "leads"}, "takes no arguments"},
		"StatusWait":      {[]string{"indexes", "status", "--wait"}, "unknown flag: --wait"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := steady(t, []string{"DATABASE_URL_POOLER=" + refusedURL()}, tc.args...)
			require.Equal(t, exitUsage, r.code, r.stderr)
			require.Contains(t, r.stderr, tc.want)
			requireNoSecret(t, r)
		})
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
