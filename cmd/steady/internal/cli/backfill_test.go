package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/catalogfiles"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/jobs"
)

// backfillBundle is a migrated database, the environment the binary gets, and a direct pool for
// the test's own reads.
type backfillBundle struct {
	db     *dbtest.DB
	env    []string
	direct *pgxpool.Pool
}

func setupBackfill(t *testing.T, env ...string) *backfillBundle {
	t.Helper()
	db := dbtest.NewMigrated(t)
	direct, err := pgxpool.New(context.Background(), db.DirectURL)
	require.NoError(t, err)
	t.Cleanup(direct.Close)
	return &backfillBundle{db: db, direct: direct, env: append([]string{
		"DATABASE_URL_POOLER=" + db.PoolerURL, "STEADY_LOG_FORMAT=json", "STEADY_HTTP_ADDR=127.0.0.1:0",
		"STEADY_BACKFILL_ON_START=none"}, env...)}
}

func (b *backfillBundle) count(t *testing.T, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	require.NoError(t, b.direct.QueryRow(context.Background(), sql, args...).Scan(&n), sql)
	return n
}

func (b *backfillBundle) exec(t *testing.T, sql string) {
	t.Helper()
	_, err := b.direct.Exec(context.Background(), sql)
	require.NoError(t, err, sql)
}

type statusEntry struct {
	Name          string   `json:"name"`
	State         string   `json:"state"`
	RowsDone      int64    `json:"rows_done"`
	RowsRemaining *int64   `json:"rows_remaining"`
	RatePerS      float64  `json:"rate_per_s"`
	ETAS          *float64 `json:"eta_s"`
	Run           int64    `json:"run"`
	Slices        int      `json:"slices"`

	Throttled        string             `json:"throttled"`
	ThrottledNow     bool               `json:"throttled_now"`
	ThrottledShare   float64            `json:"throttled_share"`
	ThrottledSeconds map[string]float64 `json:"throttled_seconds"`
}

func statusOf(t *testing.T, env []string, names ...string) ([]statusEntry, int) {
	t.Helper()
	r := steady(t, env, append([]string{"backfill", "status", "--json"}, names...)...)
	require.Contains(t, []int{0, 3}, r.code, r.stderr)
	var out []statusEntry
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), r.stdout)
	return out, r.code
}

func TestBackfillCommand(t *testing.T) {
	t.Parallel()

	t.Run("DemoDataThenEnqueueWaitWithAWorker", func(t *testing.T) {
		t.Parallel()
		b := setupBackfill(t)
		r := steady(t, b.env, "demo-data", "--scale", "1")
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, "demo data scale 1: added 20 businesses")
		r = steady(t, b.env, "demo-data", "--scale", "1", "--json")
		require.Equal(t, 0, r.code, r.stderr)
		var dd struct {
			Added      int `json:"added_businesses"`
			Businesses int `json:"businesses"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &dd))
		require.Equal(t, 0, dd.Added, "idempotent per scale")
		require.Equal(t, 20, dd.Businesses)

		worker := start(t, b.env, "worker")
		r = steady(t, b.env, "backfill", "enqueue", "leads_phone_whatsapp", "business_webhook_secret", "--slices", "2", "--wait")
		require.Equal(t, 0, r.code, r.stdout+r.stderr)
		require.Contains(t, r.stdout, "leads_phone_whatsapp: enqueued run 1 (2 slices)")
		require.Contains(t, r.stdout, "business_webhook_secret: enqueued run 2 (2 slices)")
		require.Regexp(t, `(?m)^leads_phone_whatsapp: done, [1-9][0-9]* rows \(after `, r.stdout)
		require.Regexp(t, `(?m)^business_webhook_secret: done, 2 rows \(after `, r.stdout)
		requirePlainLines(t, r.stdout) // stdout is a pipe: no bar
		requireNoSecret(t, r)

		sts, code := statusOf(t, b.env, "leads_phone_whatsapp", "business_webhook_secret", "leads_last_call")
		require.Equal(t, 0, code)
		require.Len(t, sts, 3)
		require.Equal(t, "done", sts[0].State)
		require.Positive(t, sts[0].RowsDone)
		require.Equal(t, int64(0), *sts[0].RowsRemaining)
		require.Nil(t, sts[0].ETAS)
		require.Equal(t, 2, sts[0].Slices)
		require.Equal(t, "never", sts[2].State)
		require.Zero(t, b.count(t, `SELECT count(*) FROM business WHERE webhook_secret = ''`))

		// --wait ends with exit 1 when the run is cancelled; the worker is gone, so it waits.
		stop(t, worker)
		waiter := start(t, b.env, "backfill", "enqueue", "threads_last_message_at", "--wait")
		waitUntil(t, time.Minute, func() bool {
			return b.count(t, `SELECT count(*) FROM steady_backfill_runs WHERE backfill = 'threads_last_message_at'`) == 1
		}, "the run was not enqueued")
		r = steady(t, b.env, "backfill", "cancel", "threads_last_message_at")
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, "threads_last_message_at: run 3 cancelled (1 slices)")
		w := waiter.wait(t)
		require.Equal(t, 1, w.code, w.stdout+w.stderr)
		require.Contains(t, w.stdout, "threads_last_message_at: cancelled, 0 rows")
		require.Contains(t, w.stderr, "backfill run not done: threads_last_message_at cancelled")
	})

	t.Run("StatusSaysWhileARunYieldsToTheApplication", func(t *testing.T) {
		t.Parallel()
		b := setupBackfill(t, "STEADY_BACKFILL_YIELD=2", "STEADY_BACKFILL_MIN_BATCH=50", "STEADY_BACKFILL_MAX_BATCH=50")
		b.exec(t, `INSERT INTO business (name, slug) VALUES ('A', 'a-1')`)
		b.exec(t, `INSERT INTO leads (business_id, phone_whatsapp) SELECT 1, '050-123-4567' FROM generate_series(1, 20000)`)
		// The application: a session running a statement.
		appCtx, stopApp := context.WithCancel(context.Background())
		defer stopApp()
		appDone := make(chan struct{})
		go func() {
			defer close(appDone)
			_, _ = b.direct.Exec(appCtx, `SELECT pg_sleep(3600)`)
		}()
		waitUntil(t, time.Minute, func() bool {
			return b.count(t, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = 'SELECT pg_sleep(3600)' AND state = 'active'`) == 1
		}, "the application's session never became active")

		worker := start(t, b.env, "worker")
		r := steady(t, b.env, "backfill", "enqueue", "leads_phone_whatsapp")
		require.Equal(t, 0, r.code, r.stderr)
		var st statusEntry
		waitUntil(t, time.Minute, func() bool {
			sts, _ := statusOf(t, b.env, "leads_phone_whatsapp")
			st = sts[0]
			return st.ThrottledNow && st.ThrottledSeconds["application"] > 0
		}, "status never said the run yields to the application")
		require.Equal(t, "running", st.State)
		require.Contains(t, st.Throttled, "yielding to the application")
		require.Positive(t, st.ThrottledShare)
		require.LessOrEqual(t, st.ThrottledShare, 1.0)
		r = steady(t, b.env, "backfill", "status", "leads_phone_whatsapp")
		require.Equal(t, 3, r.code, r.stderr)
		require.Contains(t, r.stdout, "HELD BACK")
		require.Regexp(t, `[0-9]+% \(application\)`, r.stdout)
		require.Contains(t, r.stdout, "held back: yielding to the application")

		stopApp()
		<-appDone
		waitUntil(t, 3*time.Minute, func() bool {
			sts, _ := statusOf(t, b.env, "leads_phone_whatsapp")
			st = sts[0]
			return st.State == "done"
		}, "the backfill did not finish once the application was idle")
		require.False(t, st.ThrottledNow)
		require.Positive(t, st.ThrottledSeconds["application"], "the time held back stays on record")
		stop(t, worker)
	})

	t.Run("EnqueueOnlyInsertsAndIsIdempotent", func(t *testing.T) {
		t.Parallel()
		b := setupBackfill(t)
		b.exec(t, `INSERT INTO business (name, slug) VALUES ('A', 'a-1')`)
		b.exec(t, `INSERT INTO leads (business_id, phone_whatsapp) SELECT 1, '050-123-4567' FROM generate_series(1, 50)`)
		r := steady(t, b.env, "backfill", "enqueue", "leads_phone_whatsapp")
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, "leads_phone_whatsapp: enqueued run 1 (1 slices)")
		r = steady(t, b.env, "backfill", "enqueue", "--slices", "4", "leads_phone_whatsapp")
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, "leads_phone_whatsapp: run 1 is already pending; nothing enqueued")
		require.Equal(t, int64(1), b.count(t, `SELECT count(*) FROM river_job WHERE kind = $1`, jobs.BackfillKind))

		sts, code := statusOf(t, b.env, "leads_phone_whatsapp")
		require.Equal(t, 3, code, "exit 3 while a run is pending")
		require.Equal(t, "pending", sts[0].State)

		r = steady(t, b.env, "backfill", "pause", "leads_phone_whatsapp")
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, "leads_phone_whatsapp: run 1 paused (1 slices)")
		r = steady(t, b.env, "backfill", "enqueue", "leads_phone_whatsapp")
		require.Contains(t, r.stdout, "run 1 is paused; nothing enqueued (steady backfill resume leads_phone_whatsapp)")
		r = steady(t, b.env, "backfill", "resume", "leads_phone_whatsapp")
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, "leads_phone_whatsapp: run 1 resumed (1 slices)")
		r = steady(t, b.env, "backfill", "pause", "leads_last_call")
		require.Equal(t, 1, r.code)
		require.Contains(t, r.stdout, "leads_last_call: no active run; nothing to pause")
	})

	t.Run("UnknownNameExits2AndEnqueuesNothing", func(t *testing.T) {
		t.Parallel()
		b := setupBackfill(t)
		for _, args := range [][]string{
			{"backfill", "enqueue", "leads_phone_whatsapp", "no_such_backfill"},
			{"backfill", "status", "no_such_backfill"},
			{"backfill", "pause", "no_such_backfill"},
		} {
			r := steady(t, b.env, args...)
			require.Equal(t, 2, r.code, r.stderr)
			require.Contains(t, r.stderr, `unknown backfill "no_such_backfill" (known: `+strings.Join(catalogfiles.ShippedBackfills().Names(), ", ")+")")
			requireNoSecret(t, r)
		}
		require.Zero(t, b.count(t, `SELECT count(*) FROM river_job`))
		require.Zero(t, b.count(t, `SELECT count(*) FROM steady_backfill_runs`), "no run was written")
		for _, args := range [][]string{{"backfill"}, {"backfill", "enqueue"}, {"backfill", "frob"}, {"backfill", "list", "--wait"},
			{"backfill", "enqueue", "--all", "leads_last_call"}, {"backfill", "enqueue", "--slices", "0", "leads_last_call"}} {
			r := steady(t, b.env, args...)
			require.Equal(t, 2, r.code, "%v: %s", args, r.stderr)
		}
	})

	t.Run("ListNeedsNoDatabase", func(t *testing.T) {
		t.Parallel()
		r := steady(t, nil, "backfill", "list", "--json")
		require.Equal(t, 0, r.code, r.stderr)
		var list []struct {
			Name, Table, Schedule string
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &list))
		require.Len(t, list, len(catalogfiles.ShippedBackfills()))
		require.Equal(t, "broadcast_recipients_delivered", list[0].Name, "files in name order")
		require.Equal(t, "leads_last_call", list[2].Name)
		require.Equal(t, "CRON_TZ=Asia/Jerusalem 0 3 * * *", list[2].Schedule)
	})
}

// TestBackfillWorkerKilledMidRun kills a real worker process with SIGKILL in the middle of a
// backfill, restarts it, and checks that the run completes from its checkpoint with every row
// correct, no row changed twice, and at most one batch of work redone. The restarted worker
// takes the job back at its start: its previous process on this machine is gone.
func TestBackfillWorkerKilledMidRun(t *testing.T) {
	t.Parallel()
	const rows, maxBatch = 60_000, 1_000
	// The default heartbeat (5s, dead after 20s): the restart does not wait for the bound.
	b := setupBackfill(t, fmt.Sprintf("STEADY_BACKFILL_MAX_BATCH=%d", maxBatch), "STEADY_LOG_LEVEL=debug")
	b.exec(t, `INSERT INTO business (name, slug) VALUES ('Killed', 'killed')`)
	// full_name keeps the number's digits: the right answer is '+972' || full_name.
	b.exec(t, fmt.Sprintf(`INSERT INTO leads (business_id, full_name, phone_whatsapp)
		SELECT 1, d, CASE g %% 3 WHEN 0 THEN '+972' || d WHEN 1 THEN '0' || d ELSE '972' || d || '@s.whatsapp.net' END
		FROM generate_series(1, %d) AS g, LATERAL (SELECT '5' || lpad((g %% 100000000)::text, 8, '0') AS d) AS n`, rows))
	// touches counts committed changes per row; the sequence counts every execution, including
	// those of a batch that rolled back (sequences are not transactional).
	b.exec(t, `ALTER TABLE leads ADD COLUMN touches int NOT NULL DEFAULT 0`)
	b.exec(t, `CREATE SEQUENCE executions`)
	b.exec(t, `CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN PERFORM nextval('executions'); NEW.touches := OLD.touches + 1; RETURN NEW; END $$`)
	b.exec(t, `CREATE TRIGGER touch BEFORE UPDATE ON leads FOR EACH ROW EXECUTE FUNCTION touch()`)
	changes := b.count(t, `SELECT count(*) FROM leads WHERE phone_whatsapp <> '+972' || full_name`)

	r := steady(t, b.env, "backfill", "enqueue", "leads_phone_whatsapp")
	require.Equal(t, 0, r.code, r.stderr)
	first := startBinary(t, b.env, "worker")
	waitUntil(t, 2*time.Minute, func() bool {
		return b.count(t, `SELECT coalesce(max(cursor_key), 0) FROM steady_backfill_slices`) >= rows/5
	}, "the backfill did not get going")
	require.NoError(t, first.cmd.Process.Kill())
	killedAt := time.Now()
	killed := first.wait(t)
	require.Equal(t, -1, killed.code)

	var checkpoint, done int64
	var state string
	require.NoError(t, b.direct.QueryRow(context.Background(),
		`SELECT cursor_key, rows_done, state FROM steady_backfill_slices`).Scan(&checkpoint, &done, &state))
	require.Equal(t, "running", state)
	require.Less(t, checkpoint, int64(rows), "killed mid-run")
	require.Zero(t, b.count(t, `SELECT count(*) FROM leads WHERE id <= $1 AND phone_whatsapp <> '+972' || full_name`, checkpoint),
		"everything up to the checkpoint committed")
	require.Zero(t, b.count(t, `SELECT count(*) FROM leads WHERE id > $1 AND touches > 0`, checkpoint),
		"nothing after the checkpoint committed: the batch in flight rolled back")
	require.Equal(t, done, b.count(t, `SELECT count(*) FROM leads WHERE touches = 1`), "rows_done committed with the rows")

	second := startBinary(t, b.env, "worker")
	waitUntil(t, 2*time.Minute, func() bool {
		return b.count(t, `SELECT cursor_key FROM steady_backfill_slices`) > checkpoint
	}, "the restarted worker did not resume")
	resumed := time.Since(killedAt)
	waitBackfillDone(t, b, second, "the restarted worker did not finish the backfill")
	logs := stop(t, second).stderr

	require.Zero(t, b.count(t, `SELECT count(*) FROM leads WHERE phone_whatsapp <> '+972' || full_name`), "every row correct")
	require.Zero(t, b.count(t, `SELECT count(*) FROM leads WHERE touches > 1`), "no row changed twice")
	require.Equal(t, changes, b.count(t, `SELECT count(*) FROM leads WHERE touches = 1`))
	require.Equal(t, changes, b.count(t, `SELECT rows_done FROM steady_backfill_slices`))
	redone := b.count(t, `SELECT last_value FROM executions`) - changes
	require.GreaterOrEqual(t, redone, int64(0))
	require.LessOrEqual(t, redone, int64(maxBatch), "at most the batch in flight was redone")

	var resumedFrom []int64
	for _, e := range logLines(t, logs) {
		if e["msg"] == "backfill slice attempt" {
			resumedFrom = append(resumedFrom, int64(e["from_key"].(float64)))
		}
	}
	require.NotEmpty(t, resumedFrom)
	require.Equal(t, checkpoint, resumedFrom[0], "the restarted worker continued from the checkpoint")
	require.Contains(t, logs, "its process "+fmt.Sprint(first.cmd.Process.Pid)+" is gone from ")
	t.Logf("killed at checkpoint %d of %d; %d rows redone (one batch is at most %d); the restarted worker's first checkpoint came %s after the kill",
		checkpoint, rows, redone, maxBatch, resumed.Round(10*time.Millisecond))
}

func TestScheduleCommand(t *testing.T) {
	t.Parallel()

	t.Run("JSONWithOverrides", func(t *testing.T) {
		t.Parallel()
		r := steady(t, []string{
			"STEADY_BACKFILL_LEADS_LAST_CALL_SCHEDULE=CRON_TZ=America/New_York 15 4 * * *",
			"STEADY_BACKFILL_THREADS_LAST_MESSAGE_AT_SCHEDULE=off",
		}, "schedule", "--json", "--schedule-business-webhook-secret", "@weekly")
		require.Equal(t, 0, r.code, r.stderr)
		var out []struct {
			Backfill, Spec, Zone string
			Next                 []time.Time
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), r.stdout)
		byName := map[string]int{}
		for i, s := range out {
			byName[s.Backfill] = i
			require.Len(t, s.Next, 3)
			require.True(t, s.Next[0].After(time.Now()))
		}
		require.NotContains(t, byName, "threads_last_message_at")
		require.Contains(t, byName, "messages_delivered_at")
		lc := out[byName["leads_last_call"]]
		require.Equal(t, "America/New_York", lc.Zone)
		for _, n := range lc.Next {
			require.Equal(t, "04:15", n.Format("15:04"), "shown in the schedule's zone")
			_, off := n.Zone()
			require.Contains(t, []int{-4 * 3600, -5 * 3600}, off)
		}
		wh := out[byName["business_webhook_secret"]]
		require.Equal(t, "UTC", wh.Zone)
		require.Equal(t, time.Sunday, wh.Next[0].Weekday())
	})

	t.Run("InvalidSpecExits2NamingTheBackfill", func(t *testing.T) {
		t.Parallel()
		env := []string{"STEADY_BACKFILL_MESSAGES_DELIVERED_AT_SCHEDULE=0 25 * * *", "DATABASE_URL_POOLER=" + refusedURL()}
		for _, args := range [][]string{{"schedule"}, {"worker"}} {
			r := steady(t, env, args...)
			require.Equal(t, 2, r.code, "%v: %s", args, r.stderr)
			require.Contains(t, r.stderr, `invalid schedule for backfill messages_delivered_at: --schedule-messages-delivered-at / STEADY_BACKFILL_MESSAGES_DELIVERED_AT_SCHEDULE="0 25 * * *"`)
			requireNoSecret(t, r)
		}
	})
}

// TestBackfillWorkerStoppedWithSIGTERMResumes stops a worker gracefully in the middle of a
// backfill: it exits 0 at a batch boundary, and the next worker continues from the checkpoint
// with every row correct and none changed twice.
func TestBackfillWorkerStoppedWithSIGTERMResumes(t *testing.T) {
	t.Parallel()
	const rows = 120_000
	// Short attempts: the graceful stop lets the running attempt end at its next boundary.
	b := setupBackfill(t, "STEADY_BACKFILL_MAX_BATCH=1000", "STEADY_BACKFILL_ATTEMPT=2s", "STEADY_LOG_LEVEL=debug")
	b.exec(t, `INSERT INTO business (name, slug) VALUES ('Stopped', 'stopped')`)
	b.exec(t, fmt.Sprintf(`INSERT INTO leads (business_id, full_name, phone_whatsapp)
		SELECT 1, d, '0' || d
		FROM generate_series(1, %d) AS g, LATERAL (SELECT '5' || lpad((g %% 100000000)::text, 8, '0') AS d) AS n`, rows))
	b.exec(t, `ALTER TABLE leads ADD COLUMN touches int NOT NULL DEFAULT 0`)
	b.exec(t, `CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN NEW.touches := OLD.touches + 1; RETURN NEW; END $$`)
	b.exec(t, `CREATE TRIGGER touch BEFORE UPDATE ON leads FOR EACH ROW EXECUTE FUNCTION touch()`)

	r := steady(t, b.env, "backfill", "enqueue", "leads_phone_whatsapp")
	require.Equal(t, 0, r.code, r.stderr)
	first := start(t, b.env, "worker")
	waitUntil(t, 2*time.Minute, func() bool {
		return b.count(t, `SELECT coalesce(max(cursor_key), 0) FROM steady_backfill_slices`) >= rows/5
	}, "the backfill did not get going")
	stopped := stop(t, first) // SIGTERM, exit 0

	var checkpoint int64
	var state string
	require.NoError(t, b.direct.QueryRow(context.Background(),
		`SELECT cursor_key, state FROM steady_backfill_slices`).Scan(&checkpoint, &state))
	require.Less(t, checkpoint, int64(rows), "stopped mid-run")
	require.Equal(t, "running", state, "a stop is not a pause: the run goes on with the next worker")
	require.Zero(t, b.count(t, `SELECT count(*) FROM leads WHERE id <= $1 AND phone_whatsapp <> '+972' || full_name`, checkpoint))
	require.Zero(t, b.count(t, `SELECT count(*) FROM leads WHERE id > $1 AND touches > 0`, checkpoint),
		"nothing after the checkpoint committed")
	require.Contains(t, stopped.stderr, "River client stopped")

	second := start(t, b.env, "worker")
	waitBackfillDone(t, b, second, "the restarted worker did not finish the backfill")
	logs := stop(t, second).stderr
	require.Zero(t, b.count(t, `SELECT count(*) FROM leads WHERE phone_whatsapp <> '+972' || full_name`), "every row correct")
	require.Zero(t, b.count(t, `SELECT count(*) FROM leads WHERE touches <> 1`), "every row changed exactly once")
	var resumedFrom []int64
	for _, e := range logLines(t, logs) {
		if e["msg"] == "backfill slice attempt" {
			resumedFrom = append(resumedFrom, int64(e["from_key"].(float64)))
		}
	}
	require.NotEmpty(t, resumedFrom)
	require.Equal(t, checkpoint, resumedFrom[0], "the next worker continued from the checkpoint")
}
