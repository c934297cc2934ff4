package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"io/fs"
	"log"
	"log/slog"
	"testing/fstest"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // goose talks database/sql
	"github.com/pressly/goose/v3"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/migrations"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// generated returns n small migrations of the kinds a long-lived product accumulates.
func generated(n int) fstest.MapFS {
	fsys := fstest.MapFS{}
	last := 0 // the latest table created
	for i := 1; i <= n; i++ {
		var sql string
		switch {
		case last > 0 && i%5 == 0:
			sql = fmt.Sprintf("CREATE INDEX gen_%04d_note_idx ON gen_%04d (note);\n", i, last)
		case last > 0 && i%3 == 0:
			sql = fmt.Sprintf("ALTER TABLE gen_%04d ADD COLUMN extra_%04d integer NOT NULL DEFAULT 0;\n", last, i)
		default:
			sql = fmt.Sprintf("CREATE TABLE gen_%04d (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text, created_at timestamptz NOT NULL DEFAULT now());\n", i)
			last = i
		}
		fsys[fmt.Sprintf("%04d_gen_%04d.sql", i, i)] = &fstest.MapFile{Data: []byte(sql)}
	}
	return fsys
}

// forGoose annotates the same files the way goose requires, each file one statement block.
func forGoose(src fs.FS) (fstest.MapFS, error) {
	out := fstest.MapFS{}
	names, err := fs.Glob(src, "*.sql")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		body, err := fs.ReadFile(src, n)
		if err != nil {
			return nil, err
		}
		out[n] = &fstest.MapFile{Data: []byte("-- +goose Up\n-- +goose StatementBegin\n" + string(body) + "\n-- +goose StatementEnd\n")}
	}
	return out, nil
}

// steadyMigrate is `steady migrate` with only a POOLER URL, in process: resolve, load and
// parse the files, plan, and apply what is needed.
func steadyMigrate(ctx context.Context, poolerURL string, src fs.FS) (*migrate.Result, error) {
	pools, err := dbconn.Open(ctx, dbconn.Config{PoolerURL: poolerURL, Logger: quiet}, dbconn.OpenOpts{Migrate: true, DeferIdentity: true})
	if err != nil {
		return nil, err
	}
	defer pools.Close()
	m, err := migrate.New(migrate.Config{Pool: pools.Migration.Pool, TransactionPooled: true, Migrations: src, Logger: quiet,
		Preflight: pools.Preflight()})
	if err != nil {
		return nil, err
	}
	return m.Migrate(ctx, migrate.Opts{})
}

// gooseUp is goose's Provider.Up on the same kind of connection.
func gooseUp(ctx context.Context, poolerURL string, src fs.FS) error {
	db, err := sql.Open("pgx", poolerURL+"&default_query_exec_mode=simple_protocol")
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, src)
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}

func benchDeploy(ctx context.Context, cfg *config) ([]row, error) {
	addr, stop, err := latencyProxy(hostPort(cfg.poolerURL), cfg.latency)
	if err != nil {
		return nil, err
	}
	defer stop()
	var rows []row
	var shipped []time.Duration // steady's no-op runs on the shipped set
	for _, set := range []struct {
		name string
		src  fs.FS
	}{{"shipped", migrations.FS}, {"1,000 generated", generated(1000)}} {
		gsrc, err := forGoose(set.src)
		if err != nil {
			return nil, err
		}
		n, _ := fs.Glob(set.src, "*.sql")
		sdb, err := createDB(ctx, cfg, "")
		if err != nil {
			return nil, err
		}
		defer dropDB(ctx, cfg, sdb)
		gdb, err := createDB(ctx, cfg, "")
		if err != nil {
			return nil, err
		}
		defer dropDB(ctx, cfg, gdb)
		// First runs apply everything (directly to PgBouncer: latency is not what is measured here).
		if _, err := steadyMigrate(ctx, withDB(cfg.poolerURL, sdb), set.src); err != nil {
			return nil, fmt.Errorf("steady first run: %w", err)
		}
		if err := gooseUp(ctx, withDB(cfg.poolerURL, gdb), gsrc); err != nil {
			return nil, fmt.Errorf("goose first run: %w", err)
		}
		sURL := withHostPort(withDB(cfg.poolerURL, sdb), addr)
		gURL := withHostPort(withDB(cfg.poolerURL, gdb), addr)
		var st, gt []time.Duration
		var sq, gq int64
		for i := range cfg.runs {
			before, _ := statementsSent(ctx, cfg, sdb)
			start := time.Now()
			res, err := steadyMigrate(ctx, sURL, set.src)
			if err != nil {
				return nil, err
			}
			st = append(st, time.Since(start))
			after, _ := statementsSent(ctx, cfg, sdb)
			if res.LockTaken || res.Applied+res.Reconciled > 0 {
				return nil, fmt.Errorf("steady no-op run did work: %s", res.Summary())
			}
			if !res.Unchanged {
				log.Printf("steady no-op run verified in full (drift %d)", res.Drift)
			}
			gbefore, _ := statementsSent(ctx, cfg, gdb)
			start = time.Now()
			if err := gooseUp(ctx, gURL, gsrc); err != nil {
				return nil, err
			}
			gt = append(gt, time.Since(start))
			gafter, _ := statementsSent(ctx, cfg, gdb)
			if i == 0 {
				sq, gq = after-before, gafter-gbefore
			}
		}
		sm, gm := median(st), median(gt)
		log.Printf("no-op deploy %s (%d): steady %s (%d statements), goose %s (%d statements)", set.name, len(n), ms(sm), sq, ms(gm), gq)
		rows = append(rows,
			ratioRow("deploy", fmt.Sprintf("no-op `migrate`, %s migrations (%d), time (%s RTT)", set.name, len(n), 2*cfg.latency), ms(sm), ms(gm),
				durationRatios(st, gt), "runs", atMost(0.95), true),
			row{scenario: "deploy", measure: fmt.Sprintf("no-op `migrate`, %s migrations (%d), statements sent", set.name, len(n)),
				steady: fmt.Sprint(sq), baseline: fmt.Sprint(gq), target: "≤ 4", met: yesNo(sq <= 4)},
		)
		if shipped == nil {
			shipped = st
		} else {
			// Run i of each set are paired: both alternated with goose's, minutes apart at most.
			rows = append(rows, ratioRow("deploy", "no-op steady: 1,000 migrations vs the shipped set", ms(sm), ms(median(shipped)),
				durationRatios(st, shipped), "runs", atMost(1.05), true))
		}
	}
	first, err := benchFirstDeploy(ctx, cfg, addr)
	if err != nil {
		return nil, err
	}
	return append(rows, first...), nil
}

// benchFirstDeploy is the first deploy of the 1,000 generated migrations on an empty database,
// steady against goose's Up of the same files (annotated for goose), alternated: on loopback
// and through the latency proxy.
func benchFirstDeploy(ctx context.Context, cfg *config, addr string) ([]row, error) {
	src := generated(1000)
	gsrc, err := forGoose(src)
	if err != nil {
		return nil, err
	}
	var rows []row
	for _, where := range []struct {
		label, hostport string
	}{{"loopback", ""}, {fmt.Sprintf("%s RTT", 2*cfg.latency), addr}} {
		var st, gt []time.Duration
		for range max(3, cfg.runs/2) {
			for _, tool := range []string{"steady", "goose"} {
				db, err := createDB(ctx, cfg, "")
				if err != nil {
					return nil, err
				}
				url := withDB(cfg.poolerURL, db)
				if where.hostport != "" {
					url = withHostPort(url, where.hostport)
				}
				start := time.Now()
				if tool == "steady" {
					var res *migrate.Result
					if res, err = steadyMigrate(ctx, url, src); err == nil && res.Applied != 1000 {
						err = fmt.Errorf("steady's first deploy: %s", res.Summary())
					}
					st = append(st, time.Since(start))
				} else {
					err = gooseUp(ctx, url, gsrc)
					gt = append(gt, time.Since(start))
				}
				dropDB(ctx, cfg, db)
				if err != nil {
					return nil, fmt.Errorf("%s first deploy (%s): %w", tool, where.label, err)
				}
			}
		}
		sm, gm := median(st), median(gt)
		log.Printf("first deploy of 1,000 migrations (%s): steady %s, goose %s", where.label, ms(sm), ms(gm))
		rows = append(rows, ratioRow("deploy", fmt.Sprintf("first deploy, 1,000 generated migrations on an empty database (%s): time", where.label),
			ms(sm), ms(gm), durationRatios(st, gt), "runs", atMost(1.0), true))
	}
	return rows, nil
}

func benchAdopt(ctx context.Context, cfg *config) ([]row, error) {
	addr, stop, err := latencyProxy(hostPort(cfg.poolerURL), cfg.latency)
	if err != nil {
		return nil, err
	}
	defer stop()
	var rows []row
	var counts []int64
	for _, set := range []struct {
		name string
		src  fs.FS
	}{{"shipped", migrations.FS}, {"1,000 generated", generated(1000)}} {
		n, _ := fs.Glob(set.src, "*.sql")
		var times []time.Duration
		var queries int64
		for i := range max(3, cfg.runs/2) {
			db, err := createDB(ctx, cfg, "")
			if err != nil {
				return nil, err
			}
			if err := runSQLFiles(ctx, cfg, db, set.src); err != nil {
				dropDB(ctx, cfg, db)
				return nil, err
			}
			before, _ := statementsSent(ctx, cfg, db)
			start := time.Now()
			res, err := steadyMigrate(ctx, withHostPort(withDB(cfg.poolerURL, db), addr), set.src)
			took := time.Since(start)
			after, _ := statementsSent(ctx, cfg, db)
			dropDB(ctx, cfg, db)
			if err != nil {
				return nil, err
			}
			if res.Reconciled != len(n) {
				return nil, fmt.Errorf("adoption reconciled %d of %d: %s", res.Reconciled, len(n), res.Summary())
			}
			times = append(times, took)
			if i == 0 {
				queries = after - before
			}
		}
		log.Printf("adopt %s (%d): %s, %d statements", set.name, len(n), ms(median(times)), queries)
		counts = append(counts, queries)
		r := row{scenario: "adopt", measure: fmt.Sprintf("… statements sent (%d migrations)", len(n)), steady: fmt.Sprint(queries), target: "independent of the count"}
		if len(counts) > 1 {
			r.met = yesNo(queries == counts[0])
		}
		rows = append(rows,
			row{scenario: "adopt", measure: fmt.Sprintf("every object present, no history, %s migrations (%d): time (%s RTT)", set.name, len(n), 2*cfg.latency), steady: ms(median(times))}, r)
	}
	hrows, err := benchAdoptHistory(ctx, cfg, addr)
	if err != nil {
		return nil, err
	}
	rows = append(rows, hrows...)
	srows, err := benchShadowAdopt(ctx, cfg, addr, "1,000 generated", generated(1000))
	if err != nil {
		return nil, err
	}
	return append(rows, srows...), nil
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}
