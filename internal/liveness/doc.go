// Package liveness tells which steady workers are alive, and gives the jobs of dead ones back.
//
// Each worker registers a row in steady_workers (one of steady's own tables, made by package
// bookkeeping when the worker starts) under its River client id, then heartbeats every Interval with one
// short statement through the POOLER (no session state: each statement is its own transaction).
// A graceful stop deletes the row. Every time is the database server's clock (now()), never a
// client's: workers on different machines agree on who is late.
//
// Rules:
//   - A worker is alive while its row is not marked dead and its last heartbeat is younger than
//     the row's own dead_after bound (DeadAfter, four heartbeats by default). Alive and Read
//     list them.
//   - Dead is final. A live worker marks the rows whose heartbeat is older than their bound dead
//     and, in the same statement, returns the River jobs still running under a dead (or
//     unregistered) steady client to be retried at once: retryable, scheduled now, an error entry
//     saying why, the attempt kept (River's own rescuer does the same after its much longer
//     RescueStuckJobsAfter). Marking and heartbeating take the same row lock, so a heartbeat
//     either lands first (the worker stays alive) or finds its row dead and gets nothing.
//   - A worker whose heartbeat finds its row dead was paused or cut off past its bound and its
//     jobs have been given away: OnFenced tells it to stop at once (the worker exits) so that no
//     job is worked twice. Checkpoints are fenced as well (internal/backfills: a slice's lease).
//   - Until a heartbeat says it is alive, a worker whose last heartbeat is older than its bound
//     less one interval (by its own clock: it was paused, or cut off) starts no other statement
//     on its pools (Gate). River records a job's outcome wherever the job is running, whichever
//     attempt runs it: an outcome that waited in River's batch while the worker was paused
//     would otherwise land on the job's new attempt on another worker, which would lose its
//     slice and stop. The gate is asked when a statement takes a connection, so a statement
//     already holding one when the pause came (a transaction begun before it) still goes: a
//     transaction that records a job's outcome itself first locks the worker's live row
//     (HoldAlive), which the others' marking it dead waits for.
//   - A worker whose own heartbeats failed for long enough that the others' rows may look dead
//     because of the same outage (the database was unreachable, for everyone) declares nobody
//     dead until it has heartbeated again for DeadAfter: the others need that long to show they
//     are alive.
//   - At its start a worker also recognises its own previous incarnation on the same machine
//     (same boot and process namespace, its pid gone) as dead at once, so a restarted worker
//     takes its jobs back without waiting for the bound.
//   - Rows of dead workers are kept for a day (doctor shows them), then deleted.
package liveness
