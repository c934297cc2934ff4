package migrate_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/migrate"
)

func TestApply(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	// tables is n migrations in a transaction, each creating a table.
	tables := func(n int) map[string]string {
		out := map[string]string{}
		for i := 1; i <= n; i++ {
			out[fmt.Sprintf("%04d_t%d.sql", i, i)] = fmt.Sprintf("CREATE TABLE t%d (id bigint PRIMARY KEY, note text);\n", i)
		}
		return out
	}

	t.Run("EachMigrationInATransactionCostsTwoRoundTrips", func(t *testing.T) {
		t.Parallel()
		trips := func(n int) int {
			b := setup(t)
			res, err := b.migrator(t, files(tables(n))).Migrate(ctx, migrate.Opts{})
			require.NoError(t, err)
			require.Equal(t, n, res.Applied, b.logs.String())
			return b.trace.roundTrips()
		}
		// What a run costs besides its migrations is the same for both: the difference is theirs.
		require.Equal(t, 2*4, trips(6)-trips(2))
	})

	// Another runner (its lease lost, or taken over) records the migration while this one is
	// about to run it: this runner waits for the other's lock on the migration and, once the
	// other's transaction commits, stops the migration before any of its statements ran.
	t.Run("RecordedMeanwhileByAnotherRunnerIsNotRunAgain", func(t *testing.T) {
		t.Parallel()
		for _, other := range []string{"COMMIT", "ROLLBACK"} {
			t.Run(other, func(t *testing.T) {
				t.Parallel()
				b := setup(t)
				b.exec(t, "CREATE TABLE runs (runner text NOT NULL)")
				src := files(map[string]string{"0001_t.sql": "CREATE TABLE t (id bigint);\nINSERT INTO runs VALUES ('this');\n"})
				otherConn, err := pgx.Connect(ctx, b.db.DirectURL)
				require.NoError(t, err)
				defer otherConn.Close(ctx)
				watch, err := pgx.Connect(ctx, b.db.DirectURL)
				require.NoError(t, err)
				defer watch.Close(ctx)
				ended := make(chan error, 1)
				gate := func(ctx context.Context, mp *migrate.MigrationPlan, _ *catalog.Snapshot) error {
					// The other runner's transaction: its lock on the migration, the migration
					// and its row, not yet committed.
					if _, err := otherConn.Exec(ctx, "BEGIN; CREATE TABLE t (id bigint); INSERT INTO runs VALUES ('other')"); err != nil {
						return err
					}
					if _, err := otherConn.Exec(ctx, "SELECT pg_advisory_xact_lock($1, hashtext($2))", int32(migrate.AdvisoryClass), string(mp.Version)); err != nil {
						return err
					}
					if _, err := otherConn.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", string(mp.Version), mp.Name); err != nil {
						return err
					}
					// The other ends once this runner waits for its lock.
					go func() {
						ended <- func() error {
							for {
								var waiting bool
								if err := watch.QueryRow(context.Background(), `SELECT EXISTS (SELECT FROM pg_stat_activity
									WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory')`).Scan(&waiting); err != nil {
									return err
								}
								if waiting {
									_, err := otherConn.Exec(context.Background(), other)
									return err
								}
								time.Sleep(10 * time.Millisecond) // the poll's interval
							}
						}()
					}()
					return nil
				}
				res, err := b.migrator(t, src, func(c *migrate.Config) { c.Gate = gate }).Migrate(ctx, migrate.Opts{})
				require.NoError(t, err, b.logs.String())
				require.NoError(t, <-ended)
				var runners []string
				rows, err := b.direct.Query(ctx, "SELECT runner FROM runs ORDER BY runner")
				require.NoError(t, err)
				runners, err = pgx.CollectRows(rows, pgx.RowTo[string])
				require.NoError(t, err)
				total, _ := b.historyCount(t)
				require.Equal(t, 1, total)
				if other == "COMMIT" {
					require.Equal(t, []string{"other"}, runners, "the migration ran once, in the other runner")
					require.Zero(t, res.Applied)
					require.Contains(t, b.logs.String(), "recorded by another runner")
				} else {
					require.Equal(t, []string{"this"}, runners, "the other runner gave up: this one ran it")
					require.Equal(t, 1, res.Applied)
				}
			})
		}
	})
}
