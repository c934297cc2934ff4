package historyverify_test

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/historyverify"
)

func TestMain(m *testing.M) { dbtest.Main(m, "historyverify") }

func files(m map[string]string) fstest.MapFS {
	out := fstest.MapFS{}
	for name, body := range m {
		out[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return out
}

// server is a pool that may create databases: through PgBouncer, whose wildcard entry reaches them.
func server(t *testing.T) *dbconn.Pool {
	t.Helper()
	log, _ := dbtest.Logger(t)
	pools, err := dbconn.Open(context.Background(), dbconn.Config{PoolerURL: dbtest.New(t).PoolerURL, Logger: log}, dbconn.OpenOpts{Migrate: true})
	require.NoError(t, err)
	t.Cleanup(pools.Close)
	return pools.Migration
}

func TestRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("EveryPrefixInEveryCase", func(t *testing.T) {
		t.Parallel()
		rep, err := historyverify.Run(ctx, historyverify.Config{Server: server(t), Migrations: files(map[string]string{
			"001_users.up.sql":  "CREATE TABLE users (id bigint PRIMARY KEY, email text);",
			"002_view.up.sql":   "CREATE VIEW user_emails AS SELECT id, email FROM users;",
			"003_unique.up.sql": "DROP VIEW user_emails CASCADE; ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email); CREATE VIEW user_emails AS SELECT id, email FROM users;",
		})})
		require.NoError(t, err)
		require.Equal(t, 3, rep.Files)
		require.True(t, rep.AllConverged(), "%+v", rep.Outcomes)
		require.Equal(t, map[historyverify.Case]historyverify.Count{
			historyverify.CaseNoHistory:   {Converged: 4, Tried: 4},
			historyverify.CaseToolHistory: {Converged: 3, Tried: 3},
			historyverify.CaseRowLost:     {Converged: 3, Tried: 3},
		}, rep.Converged())
		for _, o := range rep.Outcomes {
			if o.Prefix > 0 && o.Case == historyverify.CaseNoHistory {
				require.Equal(t, "shadow", o.Judge, "steady asked PostgreSQL where prefix %d stands", o.Prefix)
			}
		}
	})

	t.Run("ADataOnlyFileNothingRecordsIsUndecidable", func(t *testing.T) {
		t.Parallel()
		rep, err := historyverify.Run(ctx, historyverify.Config{Server: server(t), Prefixes: []int{2}, Migrations: files(map[string]string{
			"001_plans.up.sql":     "CREATE TABLE plans (code text PRIMARY KEY);",
			"002_free_plan.up.sql": "INSERT INTO plans VALUES ('free');",
		})})
		require.NoError(t, err)
		require.True(t, rep.AllConverged(), "an undecidable prefix does not fail the verification")
		c := rep.Converged()[historyverify.CaseNoHistory]
		require.Equal(t, historyverify.Count{Undecidable: 1}, c)
		require.Equal(t, historyverify.Count{Converged: 1, Tried: 1}, rep.Converged()[historyverify.CaseToolHistory],
			"the tool's table records the data file: nothing runs twice")
	})

	t.Run("AHistoryThatDoesNotApplyIsAnError", func(t *testing.T) {
		t.Parallel()
		_, err := historyverify.Run(ctx, historyverify.Config{Server: server(t), Migrations: files(map[string]string{
			"001_a.up.sql": "CREATE TABLE a (id int REFERENCES missing (id));",
		})})
		var he *historyverify.HistoryError
		require.ErrorAs(t, err, &he)
		require.ErrorContains(t, err, `relation "missing" does not exist`)
	})
}
