package lint_test

import (
	"context"
	"flag"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var benchScale = flag.Int("lint.demo-scale", 10, "demo-data scale of BenchmarkLockRates (leads: 20 000 rows per unit)")

// BenchmarkLockRates measures on this machine how fast PostgreSQL does the work that the lint's
// findings hold a lock for, on demo data: a table rewrite (ALTER COLUMN TYPE, ADD COLUMN with a
// volatile default), a validating scan (ADD CONSTRAINT … CHECK), a plain index build (CREATE
// INDEX) and a foreign key validation. Each operation is timed alone after VACUUM ANALYZE and
// undone untimed. lint.DefaultRates are calibrated by the bench's estimates scenario; this
// measures the same rates on the demo data:
//
//	go test -run '^$' -bench LockRates -benchtime 3x ./internal/lint -args -lint.demo-scale 25
func BenchmarkLockRates(b *testing.B) {
	ctx := context.Background()
	db := demoDB(b, *benchScale)
	pool := newPool(ctx, b, db.DirectURL)
	b.Cleanup(pool.Close)

	ops := []struct {
		name, table, do, undo string
		bytes                 string // which size the rate is per: heap or total (with indexes and TOAST)
	}{
		{"RewriteLeadsTextToVarchar", "leads", // email: a column no view depends on
			"ALTER TABLE leads ALTER COLUMN email TYPE varchar(320)",
			"ALTER TABLE leads ALTER COLUMN email TYPE text", "total"},
		{"RewriteCallLogIntToBigint", "call_log",
			"ALTER TABLE call_log ALTER COLUMN duration_s TYPE bigint",
			"ALTER TABLE call_log ALTER COLUMN duration_s TYPE integer", "total"},
		{"RewriteLeadsVolatileDefault", "leads",
			"ALTER TABLE leads ADD COLUMN lint_probe double precision DEFAULT random()",
			"ALTER TABLE leads DROP COLUMN lint_probe", "total"},
		{"ScanLeadsAddCheck", "leads",
			"ALTER TABLE leads ADD CONSTRAINT lint_probe_check CHECK (created_at IS NOT NULL)",
			"ALTER TABLE leads DROP CONSTRAINT lint_probe_check", "heap"},
		{"IndexLeadsBusinessCreated", "leads",
			"CREATE INDEX lint_probe_idx ON leads (business_id, created_at)",
			"DROP INDEX lint_probe_idx", "heap"},
		{"ForeignKeyCallLogToLeads", "call_log",
			"ALTER TABLE call_log ADD CONSTRAINT lint_probe_fk FOREIGN KEY (lead_id) REFERENCES leads (id)",
			"ALTER TABLE call_log DROP CONSTRAINT lint_probe_fk", "heap"},
	}
	for _, op := range ops {
		b.Run(op.name, func(b *testing.B) {
			var took time.Duration
			var rows, bytes float64
			for range b.N {
				b.StopTimer()
				_, err := pool.Exec(ctx, "VACUUM ANALYZE "+op.table)
				require.NoError(b, err)
				var r, heap, total int64
				require.NoError(b, pool.QueryRow(ctx, `SELECT reltuples::bigint, pg_relation_size(oid), pg_total_relation_size(oid)
					FROM pg_class WHERE oid = $1::regclass`, op.table).Scan(&r, &heap, &total))
				rows += float64(r)
				bytes += float64(heap)
				if op.bytes == "total" {
					bytes += float64(total - heap)
				}
				b.StartTimer()
				start := time.Now()
				_, err = pool.Exec(ctx, op.do)
				took += time.Since(start)
				b.StopTimer()
				require.NoError(b, err)
				_, err = pool.Exec(ctx, op.undo)
				require.NoError(b, err)
			}
			b.ReportMetric(bytes/took.Seconds()/1e6, "MB/s")
			b.ReportMetric(rows/took.Seconds(), "rows/s")
			b.ReportMetric(bytes/float64(b.N)/1e6, "MB")
		})
	}
}
