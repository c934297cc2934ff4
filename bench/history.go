package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/migfiles"
)

// largestHistory is the longest of the test histories written in other tools' formats
// (internal/historytest/testdata): what a team adopting steady brings.
func largestHistory(cfg *config) (dir string, set []migfiles.Migration, err error) {
	dirs, err := filepath.Glob(filepath.Join(cfg.root, "internal", "historytest", "testdata", "*"))
	if err != nil {
		return "", nil, err
	}
	for _, d := range dirs {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			continue
		}
		got, err := migfiles.Load(os.DirFS(d))
		if err != nil {
			return "", nil, fmt.Errorf("%s: %w", d, err)
		}
		if len(got) > len(set) {
			dir, set = d, got
		}
	}
	if set == nil {
		return "", nil, fmt.Errorf("no history under internal/historytest/testdata")
	}
	return dir, set, migfiles.Parse(set)
}

// applyHistory runs every migration's up section directly, as the team's own tool did: each
// file in one transaction, or statement by statement where it must not be in one.
func applyHistory(ctx context.Context, cfg *config, db string, ms []migfiles.Migration) error {
	c, err := pgx.Connect(ctx, withDB(cfg.directURL, db))
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	for _, m := range ms {
		stmts := []string{"BEGIN;\n" + m.SQL + "\n;COMMIT;"}
		if m.NoTransaction {
			stmts = stmts[:0]
			for _, st := range m.Parsed.Statements {
				stmts = append(stmts, st.SQL)
			}
		}
		for _, s := range stmts {
			if _, err := c.Exec(ctx, s, pgx.QueryExecModeSimpleProtocol); err != nil {
				return fmt.Errorf("%s: %w", m.File, err)
			}
		}
	}
	return nil
}

// benchAdoptHistory measures the adoption of the largest test history at its last prefix (every
// file applied by its own tool, no history table left): the prefix search, the reconciliation of
// every migration, River's schema.
func benchAdoptHistory(ctx context.Context, cfg *config, addr string) ([]row, error) {
	dir, set, err := largestHistory(cfg)
	if err != nil {
		return nil, err
	}
	name := filepath.Base(dir)
	var times []time.Duration
	var queries int64
	for i := range max(3, cfg.runs/2) {
		db, err := createDB(ctx, cfg, "")
		if err != nil {
			return nil, err
		}
		if err := applyHistory(ctx, cfg, db, set); err != nil {
			dropDB(ctx, cfg, db)
			return nil, err
		}
		before, _ := statementsSent(ctx, cfg, db)
		start := time.Now()
		res, err := steadyMigrate(ctx, withHostPort(withDB(cfg.poolerURL, db), addr), os.DirFS(dir))
		took := time.Since(start)
		after, _ := statementsSent(ctx, cfg, db)
		dropDB(ctx, cfg, db)
		if err != nil {
			return nil, fmt.Errorf("adopt %s: %w", name, err)
		}
		if res.Plan == nil || res.Plan.Prefix < len(set)-1 {
			return nil, fmt.Errorf("adopt %s: found prefix %v of %d: %s", name, res.Plan.Prefix, len(set), res.Summary())
		}
		times = append(times, took)
		if i == 0 {
			queries = after - before
		}
	}
	log.Printf("adopt history %s (%d, %s): %s, %d statements", name, len(set), set[0].Format, ms(median(times)), queries)
	return []row{
		{"adopt", fmt.Sprintf("test history %s (%s, %d migrations) at its last prefix, no history table: time (%s RTT)", name, set[0].Format, len(set), 2*cfg.latency), ms(median(times)), "", "", ""},
		{"adopt", fmt.Sprintf("… statements sent (%s)", name), fmt.Sprint(queries), "", "", ""},
	}, nil
}
