// Package riverdb holds every statement steady runs on River's own tables (river_job,
// river_leader, river_migration) outside River's API: what River's client does not offer, such
// as counting jobs for /metrics in one query, or giving a dead worker's running jobs back before
// River's own rescuer would.
//
// River is before 1.0 and may change those tables. The statements here were written for the
// River schema version SchemaVersion, and this package's test fails when the River that steady
// is built with migrates to another one: read each statement again against River's new
// migration before raising it.
package riverdb
