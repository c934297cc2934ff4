package migrate_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"testing/fstest"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/migrate"
)

// Migrate a database that another tool half set up: the table it created is recorded as
// reconciled (nothing is run), the column it lacks is added, and a second run does nothing and
// takes no lock. The example needs a PostgreSQL server at TEST_DATABASE_URL_DIRECT (make test
// sets it) on which it creates, then drops, a database of its own.
func ExampleMigrator_Migrate() {
	ctx := context.Background()
	dbURL, cleanup, err := dbtest.ForExample(ctx)
	if err != nil {
		fmt.Println("example database:", err)
		return
	}
	defer cleanup()

	// As dbconn configures every pool: QueryExecModeExec leaves no prepared statement behind,
	// which a transaction pooler would hand to another client.
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		panic(err)
	}
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		panic(err)
	}
	defer pool.Close()

	// The older system created the table, but not the column, and kept no history steady knows.
	if _, err := pool.Exec(ctx, "CREATE TABLE leads (id bigint PRIMARY KEY, name text NOT NULL)"); err != nil {
		panic(err)
	}

	src := fstest.MapFS{
		"0001_leads.sql":                 {Data: []byte("-- core: leads\nCREATE TABLE leads (id bigint PRIMARY KEY, name text NOT NULL);\n")},
		"0002_whatsapp_fields_leads.sql": {Data: []byte("-- WhatsApp\nALTER TABLE leads ADD COLUMN phone_whatsapp text;\n")},
	}
	m, err := migrate.New(migrate.Config{
		Pool:       pool,
		Migrations: src,
		Logger:     slog.New(slog.DiscardHandler), // one line per decision otherwise
		SkipRiver:  true,                          // this example's database needs no River tables
	})
	if err != nil {
		panic(err)
	}

	for _, run := range []string{"first run", "second run"} {
		res, err := m.Migrate(ctx, migrate.Opts{})
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s: %d applied, %d reconciled, %d partial, %d failed (%d total), lock taken: %t\n",
			run, res.Applied, res.Reconciled, res.Partial, res.Failed, res.Total, res.LockTaken)
	}

	plan, err := m.Plan(ctx)
	if err != nil {
		panic(err)
	}
	for _, mp := range plan.Migrations {
		fmt.Printf("%s %s: %s\n", mp.Version, mp.Name, mp.State)
		for _, f := range mp.Evidence.Found {
			fmt.Println("  found", f)
		}
	}

	// Output:
	// first run: 1 applied, 1 reconciled, 0 partial, 0 failed (2 total), lock taken: true
	// second run: 0 applied, 0 reconciled, 0 partial, 0 failed (2 total), lock taken: false
	// 0001 leads: reconciled
	//   found table public.leads (3 columns)
	//   found column public.leads.id bigint NOT NULL
	//   found column public.leads.name text NOT NULL
	//   found constraint public.leads.leads_pkey PRIMARY KEY (id)
	//   found index public.leads_pkey CREATE UNIQUE INDEX leads_pkey ON public.leads USING btree (id)
	// 0002 whatsapp_fields_leads: applied
	//   found column public.leads.phone_whatsapp text NULL
}

// TestMain skips the package when no test database answers (outside CI): the example needs it.
func TestMain(m *testing.M) { dbtest.Main(m, "migrate") }
