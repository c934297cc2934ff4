package steady

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/steadydb/steady/internal/backfills"
	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/internal/sqlfile"
)

// Exit codes, as steady's commands use them.
const (
	ExitOK       = 0
	ExitFailure  = 1 // the work could not be done (database unreachable, a run failed)
	ExitUsage    = 2 // bad input: nothing was done
	ExitPending  = 3 // status: work is pending
	ExitDrift    = 4 // status, strict: drift, partial state, changed checksum, invalid index
	ExitNoWorker = 5 // following: no live worker for the configured time; the work stays enqueued
)

// InputError is bad input: a setting, a URL, a file that cannot be used, an unknown name.
// Nothing was done. The cause is wrapped (a *FileError, an *UnknownBackfillError, …).
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Files lists the files at fault, each with its line, in order.
func (e *InputError) Files() []*FileError {
	var out []*FileError
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		var fe *FileError
		var pe *fingerprint.ParseError
		switch {
		case errors.As(err, &fe):
			out = append(out, fe)
		case errors.As(err, &pe): // a migration that does not parse
			out = append(out, &FileError{File: pe.File, Line: pe.Line, Message: "does not parse: " + pe.Message})
		}
	}
	walk(e.Err)
	return out
}

func input(err error) error {
	if err == nil {
		return nil
	}
	var ie *InputError
	if errors.As(err, &ie) {
		return err
	}
	return &InputError{Err: err}
}

// FileError is a backfill, index or migration file steady cannot use, at a line (0: the whole
// file): "backfills/fix.sql:7: UPDATE without the key range: …".
type FileError = sqlfile.Error

// UnknownBackfillError names a backfill that is in no catalog (and, for the commands that act
// on runs, has no ad hoc run either), and the ones that are.
type UnknownBackfillError = backfills.UnknownError

// BackfillDefinitionError is a backfill whose statements or key do not fit the database (an
// ad hoc file naming a column that is not there), naming the file and the line.
type BackfillDefinitionError = backfills.DefinitionError

// ErrNoActiveRun is returned by PauseBackfill, ResumeBackfill and CancelBackfill when the
// backfill has no active run.
var ErrNoActiveRun = backfills.ErrNoActiveRun

// NoWorkerError ends a follow that saw no live worker for its NoWorkerTimeout. The work stays
// enqueued and goes on when a worker starts.
type NoWorkerError struct {
	Waited  time.Duration
	What    string // what stays enqueued: "the runs", "the builds"
	Setting string // the setting that bounded the wait (FollowOpts.TimeoutName), if named
}

func (e *NoWorkerError) Error() string {
	setting := ""
	if e.Setting != "" {
		setting = " (" + e.Setting + ")"
	}
	return fmt.Sprintf("no worker was running for %s%s: %s stay enqueued and go on when `steady worker` starts", e.Waited, setting, e.What)
}

// NotDoneError ends a follow whose runs ended without all being done: failed or cancelled.
type NotDoneError struct{ Runs []BackfillStatus }

func (e *NotDoneError) Error() string {
	var bad []string
	for _, st := range e.Runs {
		if st.State != backfills.StateDone {
			msg := fmt.Sprintf("%s %s", st.Backfill, st.State)
			if st.Error != "" {
				msg += ": " + st.Error
			}
			bad = append(bad, msg)
		}
	}
	return "backfill run not done: " + strings.Join(bad, "; ")
}

// StoppedError ends a follow whose context ended: the work goes on.
type StoppedError struct {
	What string // "the runs", "the builds"
	Hint string // the command that shows them
	Err  error
}

func (e *StoppedError) Error() string {
	return fmt.Sprintf("stopped following; %s go on (%s)", e.What, e.Hint)
}
func (e *StoppedError) Unwrap() error { return e.Err }

// ExitCode is the exit code steady's commands give for err: 0 for nil, 2 for bad input (URLs
// that reach the wrong places too: DIRECT and POOLER on different databases, a POOLER on a
// standby), 5 when no worker came, 1 otherwise. Status results carry their own (MigrationStatus.ExitCode).
func ExitCode(err error) int {
	var (
		nw *NoWorkerError
		ue *dbconn.URLError
		se *dbconn.SettingError
		sc *bookkeeping.SchemaError
	)
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &nw):
		return ExitNoWorker
	case isInput(err), errors.Is(err, dbconn.ErrNoURL), errors.As(err, new(*dbconn.RefusedError)), errors.As(err, &ue), errors.As(err, &se),
		errors.As(err, &sc), migrate.IsBadInput(err):
		return ExitUsage
	}
	return ExitFailure
}

func isInput(err error) bool {
	var (
		ie *InputError
		fe *FileError
		un *UnknownBackfillError
		de *BackfillDefinitionError
		oe *backfills.OptionError
	)
	return errors.As(err, &ie) || errors.As(err, &fe) || errors.As(err, &un) || errors.As(err, &de) || errors.As(err, &oe)
}

// stopped wraps a follow's end by its context.
func stopped(ctx context.Context, what, hint string) error {
	return &StoppedError{What: what, Hint: hint, Err: context.Cause(ctx)}
}
