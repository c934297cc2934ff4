package jobs

import (
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/steadydb/steady/internal/backfills"
)

// BackfillArgs asks a worker to work one slice of one backfill run. The slice's key range and
// checkpoint live in steady_backfill_slices; the statements live in the catalog. Its fields are
// backfills.SliceJob's, so that one converts to the other.
type BackfillArgs struct {
	Backfill string `json:"backfill"`
	Run      int64  `json:"run"`
	Slice    int    `json:"slice"`
	Gen      int    `json:"gen,omitempty"` // bumped by each resume: a resumed slice's job is a new one
}

// BackfillKind is the River kind of backfill slice jobs.
const BackfillKind = backfills.SliceKind

func (BackfillArgs) Kind() string { return BackfillKind }

// InsertOpts: at most one live job per slice. Finished jobs (completed, cancelled, discarded)
// are left out of the unique states so that resuming a paused slice can insert its next job.
func (BackfillArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueueBackfills,
		MaxAttempts: 10,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
			rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
			rivertype.JobStateRunning, rivertype.JobStateScheduled,
		}},
	}
}

// BackfillScheduledArgs starts the run of a scheduled backfill for one scheduled time (Slot).
type BackfillScheduledArgs struct {
	Backfill string    `json:"backfill"`
	Slot     time.Time `json:"slot"` // the schedule's time this run is for, UTC
}

// BackfillScheduledKind is the River kind of the periodic jobs that start scheduled runs.
const BackfillScheduledKind = "steady_backfill_scheduled"

func (BackfillScheduledArgs) Kind() string { return BackfillScheduledKind }

// InsertOpts: unique by backfill and slot in every state River keeps, so a restart or a new
// leader never inserts one night twice (periodic jobs are inserted by the leader only and
// restart their schedule with it; docs/architecture.md, "Cron schedules in River"). The run
// table's unique (backfill, slot) index holds the line after River has cleaned old jobs away.
func (BackfillScheduledArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueueDefault,
		MaxAttempts: 5,
		UniqueOpts:  river.UniqueOpts{ByArgs: true},
	}
}

// BackfillPeriodicJobs returns one River periodic job per schedule.
func BackfillPeriodicJobs(schedules []backfills.Schedule) []*river.PeriodicJob {
	out := make([]*river.PeriodicJob, 0, len(schedules))
	for _, s := range schedules {
		out = append(out, river.NewPeriodicJob(s, func() (river.JobArgs, *river.InsertOpts) {
			return BackfillScheduledArgs{Backfill: s.Backfill, Slot: s.Slot(time.Now())}, nil
		}, &river.PeriodicJobOpts{ID: "backfill:" + s.Backfill}))
	}
	return out
}
