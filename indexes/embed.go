package indexes

import "embed"

// FS holds every index file at its root.
//
//go:embed *.sql
var FS embed.FS
