package backfills_test

import (
	"fmt"
	"time"

	"github.com/steadydb/steady/internal/backfills"
)

// A backfill's schedule is a robfig/cron spec read in its CRON_TZ zone (UTC without one). It is a
// river.PeriodicSchedule as it is, and Slot names the night a periodic insert is for, which
// makes the job unique per night across replicas and restarts.
func ExampleCatalog_ParseSchedule() {
	catalog := backfills.Catalog{{Name: "leads_last_call"}}
	s, err := catalog.ParseSchedule("leads_last_call", "CRON_TZ=Asia/Jerusalem 0 3 * * *")
	if err != nil {
		panic(err)
	}
	jerusalem, _ := time.LoadLocation(s.Zone)
	from := time.Date(2026, 3, 25, 12, 0, 0, 0, time.UTC)
	for _, t := range s.NextRuns(from, 3) {
		fmt.Println(t.In(jerusalem).Format("Mon 2006-01-02 15:04 MST"), "=", t.UTC().Format("15:04 UTC"))
	}
	fmt.Println("a job inserted at 03:00:02 is for", s.Slot(time.Date(2026, 3, 27, 0, 0, 2, 0, time.UTC)).Format(time.RFC3339))
	// Output:
	// Thu 2026-03-26 03:00 IST = 01:00 UTC
	// Fri 2026-03-27 03:00 IDT = 00:00 UTC
	// Sat 2026-03-28 03:00 IDT = 00:00 UTC
	// a job inserted at 03:00:02 is for 2026-03-27T00:00:00Z
}
