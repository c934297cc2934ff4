package backfills

import "embed"

// FS holds every backfill file (NAME.sql) at its root.
//
//go:embed *.sql
var FS embed.FS
