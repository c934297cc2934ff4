// Package httpauth guards the worker's operator endpoints (/metrics and the River UI at /river).
//
// The rule is about the configured listen address, not about who connects:
//
//   - on a loopback address (127.0.0.0/8, ::1, "localhost") credentials are optional;
//   - on any other address, including 0.0.0.0, :: and an empty host (every interface) and any
//     host name other than localhost, credentials are required, and NewGuard refuses to make a
//     guard without them (*ExposedError): the worker does not start rather than serve its job
//     queue to the network.
//
// Credentials are HTTP basic auth (a user and a password) or a bearer token, or both; a request
// passes when it presents either. When credentials are configured they are checked on every
// address, loopback included. Comparisons are constant-time. The configured password and token
// are registered with redact, so they never reach a log line.
//
// /healthz and /readyz are not guarded: orchestrators probe them without credentials and they
// reveal nothing secret.
package httpauth
