// Package workers holds steady's River workers and the adapters that insert River jobs for the
// engines. Each one is thin: it unpacks its job's arguments, calls the engine that does the
// work (internal/backfills, internal/indexes) and maps the outcome to River's vocabulary (done,
// snooze to continue, retry, cancel). IndexBuildJobs and BackfillJobs turn the engines' job
// requests into the job arguments of package jobs and insert them with a River client.
package workers
