package backfills

import (
	"context"
	"errors"
	"log/slog"
)

// OnStart says which backfills the worker starts when it starts, after River (as it enqueues
// index builds); a backfill with an active run is never started twice.
type OnStart string

const (
	OnStartNew  OnStart = "new"  // each backfill that has never run: a release's new backfill runs once
	OnStartAll  OnStart = "all"  // every backfill at each deploy, as the Python migration runner's --all did
	OnStartNone OnStart = "none" // only schedules and steady backfill enqueue start runs
)

// StartOnStart starts the runs mode asks for at a worker's start, each with its catalog
// entry's slices. One that cannot start does not keep the others from starting; the errors are
// joined.
func (s *Store) StartOnStart(ctx context.Context, mode OnStart, ins Inserter, log *slog.Logger) error {
	if mode == OnStartNone || len(s.catalog) == 0 {
		return nil
	}
	sts, err := s.Status(ctx, s.catalog.Names()...)
	if err != nil {
		return err
	}
	var errs []error
	for _, st := range sts {
		if mode == OnStartNew && st.State != StateNever {
			continue
		}
		b, _ := s.catalog.Lookup(st.Backfill)
		res, err := s.Start(ctx, ins, b, StartOpts{Slices: b.Slices, Trigger: TriggerStart})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if res.Started {
			log.Info("backfill started at worker start", slog.String("backfill", b.Name), slog.Int64("run", res.Run),
				slog.Int("slices", res.Slices), slog.String("on_start", string(mode)))
		}
	}
	return errors.Join(errs...)
}
