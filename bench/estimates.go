package main

import (
	"context"
	"fmt"
	"log"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/lint"
)

// The estimates scenario checks the lint's lock-time estimates (lint.DefaultRates) against
// the time PostgreSQL takes: for tables of several sizes it reads the catalog as steady lint
// --database does, lints each statement to get its estimate, then runs the statement and times
// it. It prints estimate ÷ measured (target 0.5–2×) and the rate each measurement implies, and
// writes its table into docs/lint.md.

var estimateSizes = []int{100_000, 300_000, 1_000_000}

// estimateOps are the statements whose findings carry an estimate, with how to undo each
// (untimed). Their order keeps the table as a user's would be: the UPDATE, which leaves dead
// rows, comes last.
var estimateOps = []struct{ name, do, undo string }{
	{"CREATE INDEX (index build)", "CREATE INDEX est_idx ON est_orders (customer_id, created_at)", "DROP INDEX est_idx"},
	{"ADD CONSTRAINT … UNIQUE (index build)", "ALTER TABLE est_orders ADD CONSTRAINT est_ref_key UNIQUE (ref)", "ALTER TABLE est_orders DROP CONSTRAINT est_ref_key"},
	{"ADD CONSTRAINT … CHECK (scan)", "ALTER TABLE est_orders ADD CONSTRAINT est_check CHECK (created_at IS NOT NULL)", "ALTER TABLE est_orders DROP CONSTRAINT est_check"},
	{"SET NOT NULL (scan)", "ALTER TABLE est_orders ALTER COLUMN created_at SET NOT NULL", "ALTER TABLE est_orders ALTER COLUMN created_at DROP NOT NULL"},
	{"ADD FOREIGN KEY (foreign key check)", "ALTER TABLE est_orders ADD CONSTRAINT est_fk FOREIGN KEY (customer_id) REFERENCES est_customers (id)", "ALTER TABLE est_orders DROP CONSTRAINT est_fk"},
	{"ALTER COLUMN TYPE int → bigint (rewrite)", "ALTER TABLE est_orders ALTER COLUMN qty TYPE bigint", "ALTER TABLE est_orders ALTER COLUMN qty TYPE integer"},
	{"ADD COLUMN … DEFAULT random() (rewrite)", "ALTER TABLE est_orders ADD COLUMN est_r double precision DEFAULT random()", "ALTER TABLE est_orders DROP COLUMN est_r"},
	{"VACUUM FULL (rewrite)", "VACUUM FULL est_orders", ""},
	{"UPDATE of every row (update)", "UPDATE est_orders SET note = note || ''", ""},
}

type estimate struct {
	op                  string
	rows                int64
	bytes               int64 // heap or total, as the work counts it
	estimated, measured time.Duration
	work                string
}

func benchEstimates(ctx context.Context, cfg *config) ([]row, error) {
	db, err := createDB(ctx, cfg, "")
	if err != nil {
		return nil, err
	}
	defer dropDB(context.WithoutCancel(ctx), cfg, db)
	conn, err := pgx.Connect(ctx, withDB(cfg.directURL, db))
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	l, err := lint.New(lint.Config{})
	if err != nil {
		return nil, err
	}
	var results []estimate
	for _, size := range estimateSizes {
		log.Printf("estimates: est_orders with %d rows", size)
		if _, err := conn.Exec(ctx, fmt.Sprintf(`
DROP TABLE IF EXISTS est_orders, est_customers;
CREATE TABLE est_customers (id bigint PRIMARY KEY, name text NOT NULL);
INSERT INTO est_customers SELECT g, 'customer ' || g FROM generate_series(1, 20000) g;
CREATE TABLE est_orders (
	id bigint PRIMARY KEY, ref text NOT NULL, customer_id bigint NOT NULL, qty integer NOT NULL,
	status text NOT NULL, created_at timestamptz, note text);
INSERT INTO est_orders
	SELECT g, md5(g::text), 1 + g %% 20000, g %% 7, (ARRAY['new', 'paid', 'shipped'])[1 + g %% 3],
		now() - g * interval '1 minute', 'order note ' || g
	FROM generate_series(1, %d) g;
CREATE INDEX est_orders_status_idx ON est_orders (status);`, size)); err != nil {
			return nil, fmt.Errorf("estimates: load %d rows: %w", size, err)
		}
		for _, op := range estimateOps {
			for _, t := range []string{"est_orders", "est_customers"} { // VACUUM refuses a multi-statement string
				if _, err := conn.Exec(ctx, "VACUUM ANALYZE "+t); err != nil {
					return nil, err
				}
			}
			snap, err := catalog.Read(ctx, conn)
			if err != nil {
				return nil, err
			}
			m, err := fingerprint.Parse("est.sql", op.do+";")
			if err != nil {
				return nil, err
			}
			rep := l.Lint([]lint.File{{Name: "est.sql", SQL: op.do + ";", Migration: m}}, snap)
			var e estimate
			for _, f := range rep.Findings {
				if f.Size != nil && f.Size.Work != "" {
					e = estimate{op: op.name, rows: f.Size.Rows, bytes: f.Size.Bytes, estimated: f.Size.Lock(), work: f.Size.Work}
				}
			}
			if e.work == "" {
				return nil, fmt.Errorf("estimates: %s has no estimate: %v", op.name, rep.Findings)
			}
			start := time.Now()
			if _, err := conn.Exec(ctx, op.do); err != nil {
				return nil, fmt.Errorf("estimates: %s: %w", op.name, err)
			}
			e.measured = time.Since(start)
			if op.undo != "" {
				if _, err := conn.Exec(ctx, op.undo); err != nil {
					return nil, fmt.Errorf("estimates: undo %s: %w", op.name, err)
				}
			}
			log.Printf("estimates: %-45s %9d rows  estimated %8s  measured %8s  %.2f×", op.name, e.rows,
				e.estimated.Round(time.Millisecond), e.measured.Round(time.Millisecond), float64(e.estimated)/float64(e.measured))
			results = append(results, e)
		}
	}
	return nil, writeEstimates(cfg, results)
}

const estimatesBegin, estimatesEnd = "<!-- estimates bench: generated by make bench BENCHFLAGS='-only estimates' -->", "<!-- end of estimates bench -->"

func writeEstimates(cfg *config, results []estimate) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\nMachine: %s, PostgreSQL 15 with default settings, tables in cache; %s. Each statement runs alone on a table `est_orders` (id, a text key, customer, quantity, status, timestamp, a short note; a primary key and one more index) after `VACUUM ANALYZE`, and is undone untimed.\n\n",
		estimatesBegin, machine(), time.Now().UTC().Format("2006-01-02 15:04 MST"))
	b.WriteString("| statement | work | rows | estimated | measured | estimate ÷ measured |\n|---|---|---|---|---|---|\n")
	lo, hi := 1e9, 0.0
	for _, e := range results {
		r := float64(e.estimated) / float64(e.measured)
		lo, hi = min(lo, r), max(hi, r)
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %.2f× |\n", e.op, e.work, e.rows,
			e.estimated.Round(time.Millisecond), e.measured.Round(time.Millisecond), r)
	}
	fmt.Fprintf(&b, "\nEvery estimate within %.2f× to %.2f× of the measured time (target 0.5–2×).\n\n%s\n", lo, hi, estimatesEnd)
	fmt.Print(b.String())
	return replaceSection(filepath.Join(cfg.root, "docs", "lint.md"), estimatesBegin, estimatesEnd, b.String())
}
