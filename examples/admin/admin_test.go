package main

import (
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestAdmin runs the admin program against a migrated database with demo data through
// PgBouncer. It starts a catalog run, pauses and resumes it, and starts an ad hoc fix from
// fix.sql while no worker runs; the test starts the worker only once the program says it waits
// for one, so the pause is certain to come first. Both runs must end done with the rows they
// had to change, and the index builds be read.
func TestAdmin(t *testing.T) {
	t.Parallel()
	db := newDatabase(t)
	db.steady(t, "migrate", "--strict")
	db.steady(t, "demo-data", "--scale", "1")
	// Rows for the fix: blank WhatsApp numbers, as a bad import writes them.
	db.query(t, `WITH u AS (UPDATE leads SET phone_whatsapp = '  ' WHERE id % 40 = 0 RETURNING 1) SELECT count(*) FROM u`)
	blank := db.query(t, `SELECT count(*) FROM leads WHERE btrim(phone_whatsapp) = ''`)
	if blank == 0 {
		t.Fatal("no leads to fix")
	}
	// One aggregate over messages, not a subquery per thread: messages has no thread_id index
	// before the index builds run, and the subquery scanned it once per thread (6.7 s).
	threads := db.query(t, `SELECT count(*) FROM threads t LEFT JOIN (SELECT thread_id, max(coalesce(sent_at, created_at)) AS at
		FROM messages GROUP BY thread_id) m ON m.thread_id = t.id WHERE t.last_message_at IS DISTINCT FROM m.at`)

	_, adminBin := binaries(t)
	cmd := exec.Command(adminBin, "-fix", "fix.sql", "-catalog", "threads_last_message_at")
	cmd.Env = db.env()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out := stream(stdout)
	out.waitLine(t, "no worker is running: start `steady worker`; waiting")
	db.worker(t)
	for range out.ch { // the rest of the output, until the program exits
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("admin: %v\n%s%s", err, out.String(), stderr.String())
	}

	got := out.String()
	for _, want := range []string{
		"migrations: 0 applied, 0 reconciled, 0 partial, 0 failed (38 total)",
		"threads_last_message_at: enqueued run 1 (2 slices)",
		"threads_last_message_at: run 1 paused\n",
		"threads_last_message_at: run 1 resumed (2 slices)",
		"blank_whatsapp_fix: enqueued run 2 (1 slices)",
		"threads_last_message_at: done, " + strconv.FormatInt(threads, 10) + " rows (trigger manual)",
		"blank_whatsapp_fix: done, " + strconv.FormatInt(blank, 10) + " rows (trigger adhoc)",
		"indexes: 24 in the catalog, ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the admin program did not say %q:\n%s", want, got)
		}
	}
	if !regexp.MustCompile(`(?m)^workers: 1 alive \(`).MatchString(got) {
		t.Errorf("the admin program did not see the worker:\n%s", got)
	}
	if n := db.query(t, `SELECT count(*) FROM leads WHERE btrim(phone_whatsapp) = ''`); n != 0 {
		t.Errorf("%d blank numbers left", n)
	}
	// The job arguments named the run; the file itself is in steady's tables, by its checksum.
	if n := db.query(t, `SELECT count(*) FROM river_job WHERE args::text LIKE '%UPDATE%'`); n != 0 {
		t.Errorf("%d jobs carry SQL", n)
	}
	if n := db.query(t, `SELECT count(*) FROM steady_backfill_definitions WHERE name = 'blank_whatsapp_fix' AND length(checksum) = 64`); n != 1 {
		t.Errorf("%d stored definitions of the fix", n)
	}
}
