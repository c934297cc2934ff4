// Package readiness answers /readyz: whether this worker should receive traffic and count as
// deployed. It is ready only when every check passes:
//
//   - migrations: the migration step finished and succeeded. While it runs the worker is not
//     ready; after a failure (the default, non-strict policy keeps the process up) it stays not
//     ready and the body carries the redacted failure, until a restart runs the step again;
//   - pooler: the POOLER answers a ping within PingTimeout (default 1 s). Concurrent probes share
//     one ping, and a result is reused for MinPingInterval, so a flood of probes costs at most a
//     few round trips a second;
//   - river: the River client is running.
//
// Drain makes every later answer "not ready" whatever the checks say: the worker calls it first
// when it stops, so load balancers stop routing before River and the HTTP server go away.
//
// The body is JSON: {"ready":bool,"checks":[{"name","ok","reason"}]}, 200 when ready and 503
// otherwise. Every reason passes through redact.
package readiness
