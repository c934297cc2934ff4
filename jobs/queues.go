package jobs

import "github.com/riverqueue/river"

// Queues. Index builds and backfills have their own so that a long build never starves
// backfill batches, and each queue's concurrency is set on its own.
const (
	QueueIndexes   = "indexes"
	QueueBackfills = "backfills"
	QueueDefault   = river.QueueDefault
)
