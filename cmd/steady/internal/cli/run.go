package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// LookupEnv reads an environment variable as os.LookupEnv does. Every setting the commands read
// from the environment comes through it, so that one process can run many commands, each with
// its own environment (the tests do, in parallel).
type LookupEnv func(key string) (string, bool)

// Run runs the command line args (without the program's name) with the environment lookup,
// writing to stdout and stderr, and returns the exit code: it prints the error of a failed
// command (already redacted by whoever made it) and maps it to the documented code. It ends
// when ctx does for the commands that run until stopped (steady worker, --wait).
func Run(ctx context.Context, args []string, lookup LookupEnv, stdout, stderr io.Writer) int {
	return exitCode(run(ctx, args, lookup, stdout, stderr), stderr)
}

func run(ctx context.Context, args []string, lookup LookupEnv, stdout, stderr io.Writer) error {
	root := newRoot(lookup, stdout, stderr)
	root.SetArgs(append([]string{}, args...)) // never nil: cobra reads os.Args then
	err := root.ExecuteContext(ctx)
	var ee *exitError
	if err != nil && !errors.As(err, &ee) {
		// Every error of a command is an *exitError (cleanErr); the rest are cobra's own: an
		// unknown command or flag, a flag without its value. Nothing ran.
		return usageErr(err)
	}
	return err
}

// exitCode prints err and maps it to the documented code.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	code := codeOf(err)
	if !isSilent(err) {
		fmt.Fprintln(stderr, "steady:", err)
	}
	return code
}
