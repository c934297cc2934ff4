package main

import (
	"bytes"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// psql runs one statement through PgBouncer, as a shell script would, and returns its output.
func (db *database) psql(t *testing.T, sql string) string {
	t.Helper()
	u, err := url.Parse(db.pooler)
	if err != nil {
		t.Fatal(err)
	}
	password, _ := u.User.Password()
	u.User = url.User(u.User.Username())
	// The password in PGPASSWORD, never on a command line.
	cmd := exec.Command("psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", u.String(), "-c", sql)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "PGPASSWORD=" + password}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("psql: %v\n%s", err, stderr.String())
	}
	return strings.TrimSpace(stdout.String())
}

// waitFor polls cond (each poll is a round trip, not a sleep of a guessed length).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute) // a hang, not a slow machine
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s never happened", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestStartJobFromPsql: a script that can only run SQL starts a backfill by inserting a
// steady_backfill_start job through PgBouncer, and sees the run finish. It logs how long each
// start took from the insert to the run running (the server's clock), with the worker's
// default poll interval.
func TestStartJobFromPsql(t *testing.T) {
	t.Parallel()
	db := newDatabase(t)
	db.steady(t, "migrate", "--strict")
	db.steady(t, "demo-data", "--scale", "1")
	db.worker(t)

	var latencies []float64
	for i := range 5 {
		id := db.psql(t, `INSERT INTO river_job (kind, args, queue, max_attempts)
			VALUES ('steady_backfill_start', '{"backfill": "leads_phone_whatsapp", "slices": 2}', 'default', 5) RETURNING id`)
		waitFor(t, "the start job's run to end", func() bool {
			return db.query(t, `SELECT count(*) FROM river_job WHERE id = $1 AND state = 'completed'`, id) == 1 &&
				db.query(t, `SELECT count(*) FROM steady_backfill_slices s JOIN steady_backfill_runs r ON r.id = s.run_id
					WHERE r.backfill = 'leads_phone_whatsapp' AND s.state NOT IN ('done', 'failed', 'cancelled')`) == 0
		})
		run := db.query(t, `SELECT (metadata -> 'output' ->> 'run')::bigint FROM river_job WHERE id = $1`, id)
		if run != int64(i+1) {
			t.Fatalf("start %d: the job's output names run %d", i+1, run)
		}
		if n := db.query(t, `SELECT count(*) FROM steady_backfill_slices WHERE run_id = $1 AND state = 'done'`, run); n != 2 {
			t.Fatalf("run %d: %d of 2 slices done", run, n)
		}
		if n := db.query(t, `SELECT count(*) FROM steady_backfill_runs WHERE id = $1 AND trigger = 'manual'`, run); n != 1 {
			t.Fatalf("run %d: not a manual run", run)
		}
		// The first run does the work; the others find none left (a rerun changes nothing).
		done := db.query(t, `SELECT sum(rows_done)::bigint FROM steady_backfill_slices WHERE run_id = $1`, run)
		if (i == 0) != (done > 0) {
			t.Fatalf("run %d changed %d rows", run, done)
		}
		ms := db.query(t, `SELECT (extract(epoch FROM (SELECT min(s.started_at) FROM steady_backfill_slices s WHERE s.run_id = $2)
			- (SELECT created_at FROM river_job WHERE id = $1)) * 1000)::bigint`, id, run)
		latencies = append(latencies, float64(ms))
	}
	slices.Sort(latencies)
	t.Logf("psql insert of steady_backfill_start to the run running (ms, sorted): %v; median %.0f", latencies, latencies[len(latencies)/2])

	// An unknown name is cancelled with the reason in the job's errors, and starts nothing.
	id := db.psql(t, `INSERT INTO river_job (kind, args) VALUES ('steady_backfill_start', '{"backfill": "no_such_backfill"}') RETURNING id`)
	waitFor(t, "the bad job to be cancelled", func() bool {
		return db.query(t, `SELECT count(*) FROM river_job WHERE id = $1 AND state = 'cancelled'`, id) == 1
	})
	errText := db.psql(t, "SELECT errors[1] ->> 'error' FROM river_job WHERE id = "+id)
	if !strings.Contains(errText, `steady_backfill_start: unknown backfill "no_such_backfill" (known: `) {
		t.Fatalf("the job's error: %q", errText)
	}
	if n := db.query(t, `SELECT count(*) FROM steady_backfill_runs`); n != 5 {
		t.Fatalf("%d runs: the bad job started one", n)
	}
}
