package backfills_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/backfills"
)

// catalog holds the backfills these tests schedule, with their default schedules.
var catalog = backfills.Catalog{
	{Name: "leads_last_call", Schedule: "CRON_TZ=Asia/Jerusalem 0 3 * * *"},
	{Name: "threads_last_message_at", Schedule: "CRON_TZ=Asia/Jerusalem 15 3 * * *"},
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestBackfillSchedule(t *testing.T) {
	t.Parallel()

	t.Run("ZoneFollowsDaylightSaving", func(t *testing.T) {
		t.Parallel()
		// Israel moves to summer time on Friday 27 March 2026 at 02:00: 03:00 local is 01:00 UTC
		// before and 00:00 UTC from that night on.
		s, err := catalog.ParseSchedule("leads_last_call", "CRON_TZ=Asia/Jerusalem 0 3 * * *")
		require.NoError(t, err)
		require.Equal(t, "Asia/Jerusalem", s.Zone)
		require.Equal(t, []time.Time{utc("2026-03-26T01:00:00Z"), utc("2026-03-27T00:00:00Z"), utc("2026-03-28T00:00:00Z")},
			utcAll(s.NextRuns(utc("2026-03-25T12:00:00Z"), 3)))
	})

	t.Run("NoZoneMeansUTC", func(t *testing.T) {
		t.Parallel()
		s, err := catalog.ParseSchedule("leads_last_call", "30 2 * * 1-5")
		require.NoError(t, err)
		require.Equal(t, "UTC", s.Zone)
		// In any process zone: River passes time.Now() in the local zone.
		from := utc("2026-05-01T12:00:00Z").In(time.FixedZone("UTC+10", 10*3600)) // a Friday
		require.Equal(t, []time.Time{utc("2026-05-04T02:30:00Z"), utc("2026-05-05T02:30:00Z"), utc("2026-05-06T02:30:00Z")},
			utcAll(s.NextRuns(from, 3)))
	})

	t.Run("DescriptorsAndTZPrefix", func(t *testing.T) {
		t.Parallel()
		s, err := catalog.ParseSchedule("leads_last_call", "TZ=America/New_York @daily")
		require.NoError(t, err)
		require.Equal(t, "America/New_York", s.Zone)
		require.Equal(t, utc("2026-07-02T04:00:00Z"), s.Next(utc("2026-07-01T12:00:00Z")).UTC())
	})

	t.Run("InvalidSpecNamesTheBackfill", func(t *testing.T) {
		t.Parallel()
		for _, spec := range []string{"0 25 * * *", "every night", "CRON_TZ=Mars/Olympus 0 3 * * *", "* * * *", "CRON_TZ=Asia/Jerusalem"} {
			_, err := catalog.ResolveSchedules(map[string]string{"threads_last_message_at": spec})
			var se *backfills.ScheduleError
			require.True(t, errors.As(err, &se), spec)
			require.Equal(t, "threads_last_message_at", se.Backfill)
			require.Contains(t, err.Error(), "threads_last_message_at")
		}
		_, err := catalog.ResolveSchedules(map[string]string{"no_such_backfill": "@daily"})
		require.ErrorContains(t, err, `unknown backfill "no_such_backfill"`)
	})

	t.Run("OffAndEmptyUnschedule", func(t *testing.T) {
		t.Parallel()
		specs := catalog.DefaultSpecs()
		specs["leads_last_call"] = "off"
		scheds, err := catalog.ResolveSchedules(specs)
		require.NoError(t, err)
		for _, s := range scheds {
			require.NotEqual(t, "leads_last_call", s.Backfill)
		}
	})

	t.Run("SlotIsTheScheduledTimeBeingRun", func(t *testing.T) {
		t.Parallel()
		s, err := catalog.ParseSchedule("leads_last_call", "CRON_TZ=Asia/Jerusalem 0 3 * * *")
		require.NoError(t, err)
		night := utc("2026-11-29T01:00:00Z") // 03:00 in Jerusalem (winter)
		for _, late := range []time.Duration{0, 40 * time.Millisecond, 3 * time.Second, 5 * time.Hour} {
			require.Equal(t, night, s.Slot(night.Add(late)), late)
		}
		require.Equal(t, night.Add(-24*time.Hour), s.Slot(night.Add(-time.Second)))
		weekly, err := catalog.ParseSchedule("leads_last_call", "0 4 * * 0")
		require.NoError(t, err)
		require.Equal(t, utc("2026-11-29T04:00:00Z"), weekly.Slot(utc("2026-12-04T10:00:00Z")))
	})

}

func utcAll(ts []time.Time) []time.Time {
	out := make([]time.Time, len(ts))
	for i, t := range ts {
		out[i] = t.UTC()
	}
	return out
}
