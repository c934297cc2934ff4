package steady_test

import (
	"context"
	"fmt"

	"github.com/steadydb/steady"
	"github.com/steadydb/steady/internal/dbtest"
)

// Migrate a database in-process, then start an ad hoc backfill from a file and pause it, as an
// admin tool would. No worker runs here: the run waits for one (steady worker), and whatever
// starts it later finds the file in steady's tables.
func ExampleClient_StartBackfill() {
	ctx := context.Background()
	db, drop, err := dbtest.ExampleDB(ctx)
	if err != nil {
		panic(err)
	}
	defer drop()
	cfg := steady.Config{PoolerURL: db.PoolerURL, DirectURL: db.DirectURL}

	res, err := steady.Migrate(ctx, steady.MigrateConfig{Config: cfg, Strict: true}, steady.MigrateOpts{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("migrated: %d applied of %d, exit %d\n", res.Applied, res.Total, res.ExitCode())

	client, err := steady.Open(ctx, cfg)
	if err != nil {
		panic(err)
	}
	defer client.Close()
	fix, err := steady.ParseBackfillFile("fix.sql", []byte(`-- key: id
UPDATE leads SET phone_whatsapp = NULL WHERE id > :from AND id <= :to AND btrim(phone_whatsapp) = '';
`))
	if err != nil {
		panic(err)
	}
	// The keys above 0 up to 100 000: the run covers them whatever the table holds yet.
	started, err := client.StartBackfill(ctx, steady.StartBackfill{File: &fix, From: new(int64(0)), To: new(int64(100_000))})
	if err != nil {
		panic(err)
	}
	fmt.Println(started)
	again, err := client.StartBackfill(ctx, steady.StartBackfill{File: &fix})
	if err != nil {
		panic(err)
	}
	fmt.Println(again)
	if _, err := client.PauseBackfill(ctx, fix.Name); err != nil {
		panic(err)
	}
	sts, err := client.BackfillStatus(ctx, fix.Name)
	if err != nil {
		panic(err)
	}
	fmt.Println(sts[0].Backfill, sts[0].State, sts[0].Trigger, sts[0].File, *sts[0].From, *sts[0].To)

	// An unknown catalog name is bad input: nothing is written.
	_, err = client.StartBackfill(ctx, steady.StartBackfill{Name: "no_such_backfill"})
	fmt.Println("exit code", steady.ExitCode(err))

	// Output:
	// migrated: 38 applied of 38, exit 0
	// fix: enqueued run 1 (1 slices)
	// fix: run 1 is already pending; nothing enqueued
	// fix paused adhoc fix.sql 0 100000
	// exit code 2
}
