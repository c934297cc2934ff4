package jobs_test

import (
	"testing"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/backfills"
	"github.com/steadydb/steady/internal/catalogfiles"
	"github.com/steadydb/steady/jobs"
)

// A schedule's periodic job inserts one job per scheduled time.
func TestBackfillPeriodicJobs(t *testing.T) {
	t.Parallel()
	s, err := catalogfiles.ShippedBackfills().ParseSchedule("leads_last_call", "@hourly")
	require.NoError(t, err)
	var _ river.PeriodicSchedule = s // a schedule is River's, with no adapter
	require.Len(t, jobs.BackfillPeriodicJobs([]backfills.Schedule{s}), 1)
	opts := jobs.BackfillScheduledArgs{}.InsertOpts()
	require.True(t, opts.UniqueOpts.ByArgs)
	require.Empty(t, opts.UniqueOpts.ByState, "default unique states: completed jobs count too")
}
