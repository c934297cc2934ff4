package cli

import (
	"errors"

	api "github.com/steadydb/steady"
	"github.com/steadydb/steady/internal/redact"
)

// Exit codes, the same for every command (README "Exit codes").
const (
	exitOK      = 0
	exitFailure = 1 // the command could not do its work (database unreachable, a migration failed under --strict)
	exitUsage   = 2 // bad flag, bad setting, unknown name, URLs that reach the wrong places: nothing was done
	exitPending = 3 // status: work is pending (migrations, index builds)
	exitDrift   = 4 // status/--strict: drift, partial state, changed checksum, invalid index
	// exitNoWorker: --wait found no live worker for --wait-timeout; the work stays enqueued.
	exitNoWorker = 5
)

// exitError carries an exit code. silent errors were already reported on stdout/stderr.
type exitError struct {
	code   int
	err    error
	silent bool
}

func (e *exitError) Error() string {
	if e.err == nil {
		return "exit status"
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func usageErr(err error) error { return &exitError{code: exitUsage, err: err} }

// withCode reports a result that is not an error in itself (pending, drift) through the exit code.
func withCode(code int) error { return &exitError{code: code, silent: true} }

func codeOf(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	// The Go API's errors carry the same codes: bad input 2, no worker 5, 1 otherwise.
	return api.ExitCode(err)
}

func isSilent(err error) bool {
	var ee *exitError
	return errors.As(err, &ee) && ee.silent
}

// cleanErr makes sure an error leaving the process is redacted.
func cleanErr(err error) error {
	if err == nil {
		return nil
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	return &exitError{code: codeOf(err), err: errors.New(redact.Error(err))}
}
