package migrate

// AdvisoryClass is the first key of the lock a runner holds on a migration while it runs it,
// for tests that play another runner.
const AdvisoryClass = advisoryClass
