// Package workers holds steady's River workers. Each one is thin: it unpacks its job's
// arguments, calls the machinery that does the work (internal/backfill, …) and maps the outcome
// to River's vocabulary (done, snooze to continue, retry, cancel).
package workers
