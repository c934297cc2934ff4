// Package steady drives steady from a Go program: a platform's admin tool, an ops bot, a test.
// It does what the steady command does, in-process, with the same decisions, evidence and exit
// codes (the command itself is built on it):
//
//   - migrate: [Migrate] and [Status] (or an [OpenMigrator] kept open), with every setting of
//     steady migrate: the migrations' directory and format, the shadow database, the lint;
//   - backfills: [Open] a [Client] on the POOLER, then [Client.StartBackfill] (a catalog
//     backfill, part of its key range, or an ad hoc file read with [ReadBackfillFile]),
//     [Client.BackfillStatus], [Client.FollowBackfills], [Client.PauseBackfill],
//     [Client.ResumeBackfill], [Client.CancelBackfill];
//   - index builds: [Client.BuildIndexes], [Client.FollowIndexBuilds], [Client.IndexStatus];
//   - files: [LoadCatalogs] and [Lint] check migrations, backfill and index files before they
//     run.
//
// The client only inserts River jobs and reads steady's tables: a worker (steady worker) does
// the work, and a run started here goes on after the program exits. Programs in other
// languages start a backfill by inserting a steady_backfill_start River job instead
// (docs/river-jobs.md).
//
// # Errors
//
// Errors a caller branches on are typed, for errors.As: *InputError (bad input, nothing done;
// its Files are the files at fault, each with its line), *UnknownBackfillError,
// *BackfillDefinitionError, *NoWorkerError, *NotDoneError, *StoppedError; ErrNoActiveRun for
// errors.Is. ExitCode maps any error to steady's exit code; MigrateResult.ExitCode,
// MigrationStatus.ExitCode, IndexStatusCode and LintResult.ExitCode give the status commands'.
//
// The package does not read the environment and does not use fx: a program passes its URLs in
// [Config], and URLs never appear in errors or logs with their password.
package steady
