// Package backfills is the backfill engine. It owns the catalog's types ([Backfill], [Catalog];
// each entry is a SQL file, [ParseFile], and the product's are in backfills/) and their
// schedules ([Schedule]), runs the
// catalog in keyset batches through a transaction pooler ([Runner]), and keeps the runs' state
// where commands, metrics and other replicas read it ([Store], [RunStatus], whose JSON is steady
// backfill status --json's): steady_backfill_runs (one row per run) and steady_backfill_slices
// (one per key-range slice, with its checkpoint and progress), steady's own tables (package
// bookkeeping makes them).
//
// A run covers the key range (min-1, max] of the backfill's key table as it was when the run
// started, split into N contiguous slices that cover it exactly once. Each slice is worked by one
// River job ([SliceJob]; its arguments are jobs.BackfillArgs, inserted through an [Inserter])
// at a time.
//
// Rules:
//   - A batch is one transaction on the POOLER: set_config('lock_timeout'/'statement_timeout'/
//     'idle_in_transaction_session_timeout', …, true) (SET LOCAL: startup parameters are refused
//     by PgBouncer and session SET leaks to other clients), SELECT … FOR UPDATE of the slice row,
//     the catalog's UPDATE for (checkpoint, checkpoint+size], and the new checkpoint. The row
//     lock sees pause and cancel at the batch boundary; the checkpoint commits with the rows, so
//     a crash (kill -9) loses nothing and redoes at most the batch in flight, which rolled back.
//   - Each attempt that claims a slice takes a new lease (steady_backfill_slices.lease), and the
//     checkpoint UPDATE writes only under the attempt's own: when another attempt has claimed
//     the slice (a dead worker's job given to a live one, a resumed slice's new job), the old
//     attempt's write is refused and it stops (OutcomeLost). If the claimer is a later attempt
//     of the same job, the old attempt's worker was declared dead: Config.Fence stops it. The
//     idle timeout (the worker's dead-after bound) ends the transaction of a worker frozen
//     mid-batch, so the row lock it held does not keep the next owner waiting.
//   - Keys, never OFFSET: a batch is a key interval, whatever rows it holds. The size adapts to a
//     target duration (200 ms by default) from measured durations (sizer.go; GitLab's batch
//     optimizer is the reference), bounded, halved after a timeout, persisted with the checkpoint.
//   - After each batch the pace controller (pace.go) waits Yield × (other sessions active in the
//     database, smoothed) × the batch's duration: back to back while the application is idle,
//     slower as it gets busy, faster again when it clears. The count is read in the batch's own
//     transaction.
//   - Between batches the database's health is read with one query that works through a pooler
//     (health.go): sessions waiting for a lock on the table, the oldest open transaction, replica
//     lag. When one is over its limit the slice waits with backoff (250 ms doubling to 30 s), says
//     why in its row and its log, and snoozes its job if its time is up. The time a slice worked
//     and the time it waited, by reason, are saved with its checkpoints (status: the share of
//     time held back) and counted in the process (steady_backfill_throttled_seconds_total).
//   - An attempt works for AttemptDuration (1 min) and then snoozes its job to continue, so the
//     job's Timeout stays finite and short and a crashed worker's job is rescued
//     (docs/architecture.md, "River's timeouts and rescue").
//   - Transient batch errors (lock or statement timeout, serialization failure, deadlock, a lost
//     connection) are retried in place up to 5 times in a row; anything else fails the attempt
//     and River retries the job from the checkpoint (10 attempts, then the slice is failed).
//   - One active run per backfill: Start, Pause, Resume and Cancel serialise per backfill on a
//     transaction-scoped advisory lock (held through a transaction pooler; a session lock is
//     not). Starting a backfill with an active run changes nothing (it only gives a new job to a
//     slice that lost its own). Scheduled runs are unique per scheduled time (a unique index on
//     (backfill, slot)).
//   - Pause and cancel are states in the slice rows, so they survive restarts; a paused run keeps
//     its checkpoints and Resume inserts its jobs again.
package backfills
