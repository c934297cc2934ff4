package steady

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/steadydb/steady/internal/backfills"
	"github.com/steadydb/steady/workers"
)

// Backfill is a backfill as its file defines it: a catalog entry or an ad hoc file. Update and
// Pending are its statements with the key range as $1 and $2.
type Backfill = backfills.Backfill

// BackfillStatus is the progress of a backfill's latest run. Its JSON is steady backfill
// status --json's.
type BackfillStatus = backfills.RunStatus

// BackfillState is a run's state.
type BackfillState = backfills.State

// The states of a run; Active reports the ones that may still work.
const (
	BackfillPending   = backfills.StatePending
	BackfillRunning   = backfills.StateRunning
	BackfillPaused    = backfills.StatePaused
	BackfillStalled   = backfills.StateStalled
	BackfillDone      = backfills.StateDone
	BackfillFailed    = backfills.StateFailed
	BackfillCancelled = backfills.StateCancelled
	BackfillNever     = backfills.StateNever
)

// BackfillTrigger says what started a run: manual, schedule, start, or adhoc (a file in no
// catalog, or a catalog backfill over part of its key range).
type BackfillTrigger = backfills.Trigger

// BackfillStarted is what StartBackfill did: a new run, or the active one left alone. String
// is what steady backfill enqueue prints.
type BackfillStarted = backfills.StartResult

// BackfillChange is what PauseBackfill, ResumeBackfill or CancelBackfill did to the active run.
type BackfillChange = backfills.Change

// ReadBackfillFile reads a backfill file that is in no catalog, for an ad hoc run. A file that
// cannot be used is an *InputError wrapping a *FileError that names the line.
func ReadBackfillFile(path string) (Backfill, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return Backfill{}, input(&FileError{File: path, Message: errors.Unwrap(err).Error()})
	}
	return ParseBackfillFile(path, src)
}

// ParseBackfillFile reads a backfill file's text; name is how errors name the file.
func ParseBackfillFile(name string, src []byte) (Backfill, error) {
	b, err := backfills.ParseFile(name, src)
	return b, input(err)
}

// StartBackfill says which run to start.
type StartBackfill struct {
	// Name is a catalog backfill, or File an ad hoc one (ReadBackfillFile): set one.
	Name string
	File *Backfill
	// Slices splits the key range into slices worked in parallel (1 to 1024); default the
	// file's, else 1.
	Slices int
	// From and To bound the keys the run covers, (From, To] as :from and :to in the file;
	// nil: the table's whole range when the run starts.
	From, To *int64
}

// StartBackfill starts a run unless the backfill has an active one, which is left alone (the
// result says so). It only inserts River jobs; a worker works them. An ad hoc file is stored,
// with its checksum, in steady's tables, so that the worker runs it after this program exits;
// its statements are planned on the database first. Bad input (an unknown name, both or
// neither of Name and File, an ad hoc file named like a catalog backfill, a key range without
// keys, statements that do not fit the database) is an *InputError and nothing is written.
func (c *Client) StartBackfill(ctx context.Context, req StartBackfill) (BackfillStarted, error) {
	b, opts, err := c.startRequest(req)
	if err != nil {
		return BackfillStarted{}, err
	}
	if err := c.ensure(ctx); err != nil {
		return BackfillStarted{}, err
	}
	res, err := c.store.Start(ctx, workers.BackfillJobs{Client: c.river}, b, opts)
	if isInput(err) {
		return res, input(err)
	}
	return res, err
}

func (c *Client) startRequest(req StartBackfill) (Backfill, backfills.StartOpts, error) {
	opts := backfills.StartOpts{Slices: req.Slices, Trigger: backfills.TriggerManual, From: req.From, To: req.To}
	var b Backfill
	switch {
	case (req.Name == "") == (req.File == nil):
		return b, opts, input(errors.New("start backfill: give a catalog backfill's name or an ad hoc file, one of them"))
	case req.File != nil:
		b, opts.Trigger = *req.File, backfills.TriggerAdhoc
		if _, ok := c.cats.c.Backfills.Lookup(b.Name); ok {
			return b, opts, input(fmt.Errorf("%s: backfill %s is in the catalog: start it by its name, or name the file's backfill otherwise (-- backfill: NAME)",
				cmp.Or(b.File, b.Name), b.Name))
		}
	default:
		if err := c.cats.CheckBackfills(req.Name); err != nil {
			return b, opts, err
		}
		b, _ = c.cats.Backfill(req.Name)
		if req.From != nil || req.To != nil {
			opts.Trigger = backfills.TriggerAdhoc
		}
	}
	opts.Slices = cmp.Or(req.Slices, b.Slices)
	if err := opts.Check(); err != nil {
		return b, opts, input(err)
	}
	return b, opts, nil
}

// BackfillStatus returns the latest run of each named backfill, in the order given. Without
// names: every catalog backfill, then the ad hoc ones whose latest run is active or began within
// the last week. A backfill that never ran has state never. A name that is neither a catalog
// backfill nor an ad hoc one that ran here is an *InputError.
func (c *Client) BackfillStatus(ctx context.Context, names ...string) ([]BackfillStatus, error) {
	if err := c.known(ctx, names); err != nil {
		return nil, err
	}
	return c.store.Status(ctx, names...)
}

// known refuses names that are no backfill of the catalog or of an ad hoc run.
func (c *Client) known(ctx context.Context, names []string) error {
	for _, n := range names {
		ok, err := c.store.Known(ctx, n)
		if err != nil {
			return err
		}
		if !ok {
			return input(c.cats.c.Backfills.Unknown(n))
		}
	}
	return nil
}

// PauseBackfill holds the backfill's active run at its next batch boundary; its checkpoints
// stay. ErrNoActiveRun when it has none.
func (c *Client) PauseBackfill(ctx context.Context, name string) (BackfillChange, error) {
	return c.change(ctx, name, c.store.Pause)
}

// ResumeBackfill continues a paused run from its checkpoints (new jobs for its slices).
func (c *Client) ResumeBackfill(ctx context.Context, name string) (BackfillChange, error) {
	return c.change(ctx, name, func(ctx context.Context, name string) (backfills.Change, error) {
		return c.store.Resume(ctx, workers.BackfillJobs{Client: c.river}, name)
	})
}

// CancelBackfill stops the active run for good; what its batches committed stays.
func (c *Client) CancelBackfill(ctx context.Context, name string) (BackfillChange, error) {
	return c.change(ctx, name, c.store.Cancel)
}

func (c *Client) change(ctx context.Context, name string, do func(context.Context, string) (backfills.Change, error)) (BackfillChange, error) {
	if err := c.known(ctx, []string{name}); err != nil {
		return BackfillChange{}, err
	}
	if err := c.ensure(ctx); err != nil {
		return BackfillChange{}, err
	}
	return do(ctx, name)
}

// followEvery is how often FollowBackfills reads progress by default.
const followEvery = 500 * time.Millisecond

// FollowBackfills reads the named backfills' latest runs until every one has ended, passing
// each read while one is active to opts.Progress. It returns the final statuses, with a *NotDoneError when one
// failed or was cancelled, a *NoWorkerError when no worker was alive for opts.NoWorkerTimeout,
// a *StoppedError when ctx ended (the runs go on). A paused or stalled run is waited for:
// someone may resume it, a worker may start.
func (c *Client) FollowBackfills(ctx context.Context, names []string, opts FollowOpts) ([]BackfillStatus, error) {
	if err := c.known(ctx, names); err != nil {
		return nil, err
	}
	watch := &workerWatch{opts: opts, what: "the runs", q: c.pools.Pooler, schema: c.pools.Schema}
	tick := time.NewTicker(cmp.Or(opts.Every, followEvery))
	defer tick.Stop()
	for {
		sts, err := c.store.Status(ctx, names...)
		if err != nil {
			if ctx.Err() != nil {
				return nil, stopped(ctx, "the runs", "steady backfill status")
			}
			return nil, err
		}
		if !slices.ContainsFunc(sts, func(st BackfillStatus) bool { return st.State.Active() }) {
			if slices.ContainsFunc(sts, func(st BackfillStatus) bool { return st.State != BackfillDone }) {
				return sts, &NotDoneError{Runs: sts}
			}
			return sts, nil
		}
		if err := watch.check(ctx); err != nil {
			var nw *NoWorkerError
			if !errors.As(err, &nw) && ctx.Err() != nil {
				return nil, stopped(ctx, "the runs", "steady backfill status")
			}
			return sts, err
		}
		if opts.Progress != nil {
			opts.Progress(sts)
		}
		select {
		case <-ctx.Done():
			return sts, stopped(ctx, "the runs", "steady backfill status")
		case <-tick.C:
		}
	}
}
