package workers_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/backfills"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/jobs"
	"github.com/steadydb/steady/workers"
)

// fixFile is an ad hoc data fix in no catalog: blank WhatsApp numbers of one business become NULL.
const fixFile = `-- backfill: blank_whatsapp_fix
-- description: phone_whatsapp '  ' written by last week's importer becomes NULL
-- key: id

UPDATE leads SET phone_whatsapp = NULL
WHERE id > :from AND id <= :to AND btrim(phone_whatsapp) = '';

SELECT id FROM leads WHERE id > :from AND id <= :to AND btrim(phone_whatsapp) = '';
`

// insertOnly is a River client that only inserts, as steady backfill enqueue's: the command
// that started a run is gone when the worker works it.
func insertOnly(t *testing.T, b *bundle) *river.Client[pgx.Tx] {
	t.Helper()
	c, err := river.NewClient(riverpgxv5.New(b.pooler), &river.Config{})
	require.NoError(t, err)
	return c
}

func TestAdhocBackfill(t *testing.T) {
	t.Parallel()

	t.Run("AFileInNoCatalogRunsFromItsStoredDefinition", func(t *testing.T) {
		t.Parallel()
		b := setup(t, backfills.Config{})
		phones(t, b, 3_000, func(i int) int64 { return int64(i + 1) })
		blank := b.count(t, `SELECT count(*) FROM leads WHERE btrim(phone_whatsapp) = ''`)
		require.Positive(t, blank)
		def, err := backfills.ParseFile("FIX.sql", []byte(fixFile))
		require.NoError(t, err)
		res, err := b.store.Start(context.Background(), workers.BackfillJobs{Client: insertOnly(t, b)}, def,
			backfills.StartOpts{Slices: 2, Trigger: backfills.TriggerAdhoc})
		require.NoError(t, err)
		require.True(t, res.Started)

		// The job names the run, not the SQL; the worker read the file from steady's tables.
		var args string
		require.NoError(t, b.direct.QueryRow(context.Background(), `SELECT args::text FROM river_job WHERE kind = $1 LIMIT 1`, jobs.BackfillKind).Scan(&args))
		require.NotContains(t, args, "UPDATE")
		require.Equal(t, int64(1), b.count(t, `SELECT count(*) FROM steady_backfill_definitions WHERE name = 'blank_whatsapp_fix' AND checksum = $1`, def.Checksum()))

		st := b.waitState(t, def.Name, backfills.StateDone, 2*time.Minute)
		require.Equal(t, blank, st.RowsDone)
		require.Equal(t, backfills.TriggerAdhoc, st.Trigger)
		require.Equal(t, "FIX.sql", st.File)
		require.Equal(t, def.Checksum(), st.Checksum)
		require.Zero(t, b.count(t, `SELECT count(*) FROM leads WHERE btrim(phone_whatsapp) = ''`))

		// Status without names (what /metrics reads) lists recent ad hoc runs after the catalog's.
		all, err := b.store.Status(context.Background())
		require.NoError(t, err)
		require.Equal(t, def.Name, all[len(all)-1].Backfill)
		require.Equal(t, blank, all[len(all)-1].RowsDone)

		// The same file again: one definition row, a new run.
		again, err := b.store.Start(context.Background(), workers.BackfillJobs{Client: b.client}, def, backfills.StartOpts{Trigger: backfills.TriggerAdhoc})
		require.NoError(t, err)
		require.True(t, again.Started)
		require.Equal(t, int64(1), b.count(t, `SELECT count(*) FROM steady_backfill_definitions`))
		require.Zero(t, b.waitState(t, def.Name, backfills.StateDone, time.Minute).RowsDone)
	})

	t.Run("AChangedStoredDefinitionIsRefusedNotRun", func(t *testing.T) {
		t.Parallel()
		b := setup(t, backfills.Config{})
		phones(t, b, 1_000, func(i int) int64 { return int64(i + 1) })
		def, err := backfills.ParseFile("FIX.sql", []byte(fixFile))
		require.NoError(t, err)
		ctx := context.Background()
		// The stored file is changed before the jobs can be seen: no worker may run the change.
		require.NoError(t, pgx.BeginFunc(ctx, b.pooler, func(tx pgx.Tx) error {
			if _, err := b.store.StartTx(ctx, tx, workers.BackfillJobs{Client: b.client}, def, backfills.StartOpts{Trigger: backfills.TriggerAdhoc}); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `UPDATE steady_backfill_definitions SET source = replace(source, 'NULL', '''x''')`)
			return err
		}))
		var st backfills.RunStatus
		dbtest.WaitFor(t, time.Minute, func() bool {
			st = b.status(t, def.Name)
			return !st.State.Active()
		}, "the run never ended")
		require.Equal(t, backfills.StateFailed, st.State)
		require.Contains(t, st.Error, "no longer matches its checksum")
		require.NotZero(t, b.count(t, `SELECT count(*) FROM leads WHERE btrim(phone_whatsapp) = ''`), "nothing ran")
	})

	t.Run("ADefinitionThatDoesNotFitTheDatabaseWritesNothing", func(t *testing.T) {
		t.Parallel()
		b := setup(t, backfills.Config{})
		def, err := backfills.ParseFile("FIX.sql", []byte("-- key: id\n\nUPDATE leads SET no_such_column = 1\nWHERE id > :from AND id <= :to;\n"))
		require.NoError(t, err)
		_, err = b.store.Start(context.Background(), workers.BackfillJobs{Client: b.client}, def, backfills.StartOpts{Trigger: backfills.TriggerAdhoc})
		var de *backfills.DefinitionError
		require.True(t, errors.As(err, &de), "%v", err)
		require.Equal(t, "FIX.sql", de.File)
		require.Equal(t, 3, de.Line)
		require.ErrorContains(t, err, `FIX.sql:3: does not plan on this database: column "no_such_column" of relation "leads" does not exist`)

		def, err = backfills.ParseFile("FIX.sql", []byte("-- key: full_name\n\nUPDATE leads SET status = status\nWHERE full_name > :from AND full_name <= :to;\n"))
		require.NoError(t, err)
		_, err = b.store.Start(context.Background(), workers.BackfillJobs{Client: b.client}, def, backfills.StartOpts{Trigger: backfills.TriggerAdhoc})
		require.ErrorContains(t, err, "FIX.sql:1: key leads.full_name is text: batches are integer key ranges")
		for _, table := range []string{"steady_backfill_definitions", "steady_backfill_runs", "river_job"} {
			require.Zero(t, b.count(t, "SELECT count(*) FROM "+table), table)
		}
	})

	t.Run("ACatalogBackfillOverPartOfItsKeyRange", func(t *testing.T) {
		t.Parallel()
		b := setup(t, backfills.Config{})
		phones(t, b, 2_000, func(i int) int64 { return int64(i + 1) })
		const phone = "leads_phone_whatsapp"
		bf, _ := b.store.Catalog().Lookup(phone)
		outside := func() int64 {
			return b.count(t, `SELECT count(*) FROM leads l JOIN expected e USING (id) WHERE (l.id <= 500 OR l.id > 1500) AND l.phone_whatsapp IS DISTINCT FROM e.phone`)
		}
		before := outside()
		from, to := int64(500), int64(1500)
		_, err := b.store.Start(context.Background(), workers.BackfillJobs{Client: b.client}, bf,
			backfills.StartOpts{Slices: 3, Trigger: backfills.TriggerAdhoc, From: &from, To: &to})
		require.NoError(t, err)
		st := b.waitState(t, phone, backfills.StateDone, 2*time.Minute)
		require.Equal(t, &from, st.From)
		require.Equal(t, &to, st.To)
		require.Zero(t, b.count(t, `SELECT count(*) FROM leads l JOIN expected e USING (id) WHERE l.id > 500 AND l.id <= 1500 AND l.phone_whatsapp IS DISTINCT FROM e.phone`))
		require.Equal(t, before, outside(), "keys outside (from, to] are untouched")
		require.Positive(t, before)
	})
}

// TestBackfillStartJob: a program that only inserts River jobs, here with plain SQL through
// PgBouncer, starts a run as steady backfill enqueue does.
func TestBackfillStartJob(t *testing.T) {
	t.Parallel()
	insert := func(t *testing.T, b *bundle, args string) int64 {
		t.Helper()
		var id int64
		require.NoError(t, b.pooler.QueryRow(context.Background(), `INSERT INTO river_job (kind, args, queue, max_attempts)
			VALUES ('steady_backfill_start', $1::jsonb, 'default', 5) RETURNING id`, args).Scan(&id))
		return id
	}
	type finished struct {
		State  string
		Errors []string
		Output *workers.BackfillStartOutput
	}
	wait := func(t *testing.T, b *bundle, id int64) finished {
		t.Helper()
		var f finished
		dbtest.WaitFor(t, time.Minute, func() bool {
			var errs []map[string]any
			var out []byte
			require.NoError(t, b.direct.QueryRow(context.Background(), `SELECT state::text, coalesce(errors, '{}'), metadata -> 'output'
				FROM river_job WHERE id = $1`, id).Scan(&f.State, &errs, &out))
			f.Errors = nil
			for _, e := range errs {
				f.Errors = append(f.Errors, e["error"].(string))
			}
			if out != nil {
				f.Output = &workers.BackfillStartOutput{}
				require.NoError(t, json.Unmarshal(out, f.Output))
			}
			return f.State == "completed" || f.State == "cancelled" || f.State == "discarded"
		}, "start job %d never finished", id)
		return f
	}

	t.Run("StartsTheRunThenAnswersAlreadyActive", func(t *testing.T) {
		t.Parallel()
		b := setup(t, backfills.Config{})
		phones(t, b, 2_000, func(i int) int64 { return int64(i + 1) })
		// A session holding a lock that the batches' UPDATE waits for: the run cannot end
		// while the second job asks.
		ctx := context.Background()
		holder, err := b.direct.Begin(ctx)
		require.NoError(t, err)
		defer holder.Rollback(ctx) //nolint:errcheck
		_, err = holder.Exec(ctx, "LOCK TABLE leads IN SHARE MODE")
		require.NoError(t, err)

		f := wait(t, b, insert(t, b, `{"backfill": "leads_phone_whatsapp", "slices": 2}`))
		require.Equal(t, "completed", f.State, f.Errors)
		require.Equal(t, workers.BackfillStartOutput{Backfill: "leads_phone_whatsapp", Run: f.Output.Run, Slices: 2, Started: true,
			Message: fmt.Sprintf("leads_phone_whatsapp: enqueued run %d (2 slices)", f.Output.Run)}, *f.Output)

		second := wait(t, b, insert(t, b, `{"backfill": "leads_phone_whatsapp"}`))
		require.Equal(t, "completed", second.State, second.Errors)
		require.False(t, second.Output.Started)
		require.Equal(t, f.Output.Run, second.Output.Run)
		require.Contains(t, []string{"pending", "running"}, second.Output.State)
		require.Equal(t, fmt.Sprintf("leads_phone_whatsapp: run %d is already %s; nothing enqueued", f.Output.Run, second.Output.State), second.Output.Message)
		require.Equal(t, int64(1), b.count(t, `SELECT count(*) FROM steady_backfill_runs`))

		require.NoError(t, holder.Rollback(ctx))
		st := b.waitState(t, "leads_phone_whatsapp", backfills.StateDone, 2*time.Minute)
		require.Equal(t, backfills.TriggerManual, st.Trigger)
		require.Zero(t, b.count(t, `SELECT count(*) FROM leads l JOIN expected e USING (id) WHERE l.phone_whatsapp IS DISTINCT FROM e.phone`))
	})

	t.Run("AKeyRangeIsAnAdhocRun", func(t *testing.T) {
		t.Parallel()
		b := setup(t, backfills.Config{})
		phones(t, b, 1_000, func(i int) int64 { return int64(i + 1) })
		f := wait(t, b, insert(t, b, `{"backfill": "leads_phone_whatsapp", "from": 100, "to": 200}`))
		require.Equal(t, "completed", f.State, f.Errors)
		st := b.waitState(t, "leads_phone_whatsapp", backfills.StateDone, time.Minute)
		require.Equal(t, backfills.TriggerAdhoc, st.Trigger)
		require.Equal(t, int64(200), *st.To)
	})

	// Each is cancelled at once with the reason in its errors, and nothing else is written.
	for _, c := range []struct{ name, args, reason string }{
		{"UnknownName", `{"backfill": "no_such_backfill"}`, `unknown backfill "no_such_backfill" (known: `},
		{"NoName", `{"slices": 2}`, `"backfill" is required`},
		{"UnknownField", `{"backfill": "leads_phone_whatsapp", "slice": 2}`, `json: unknown field "slice"`},
		{"WrongType", `{"backfill": "leads_phone_whatsapp", "slices": "two"}`, `cannot unmarshal string into Go struct field`},
		{"NotAnObject", `[1, 2]`, `cannot unmarshal array`},
		{"TooManySlices", `{"backfill": "leads_phone_whatsapp", "slices": 5000}`, `slices 5000: want 1 to 1024`},
		{"EmptyRange", `{"backfill": "leads_phone_whatsapp", "from": 10, "to": 10}`, `from 10 is not below to 10`},
	} {
		t.Run("BadArgs"+c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, backfills.Config{})
			id := insert(t, b, c.args)
			f := wait(t, b, id)
			require.Equal(t, "cancelled", f.State)
			require.Len(t, f.Errors, 1)
			require.Contains(t, f.Errors[0], "steady_backfill_start: ")
			require.Contains(t, f.Errors[0], c.reason)
			require.Zero(t, b.count(t, `SELECT count(*) FROM steady_backfill_runs`))
			require.Zero(t, b.count(t, `SELECT count(*) FROM river_job WHERE id <> $1`, id))
		})
	}
}
