// Package historyverify lets a team check its own migration history before it trusts steady
// with it (steady history verify): on a server where steady may create databases, it brings a
// database to every prefix of the history the way the history's own tool would (files 1..k
// applied with that tool's transaction rules, the tool's history table as it writes it, or
// none, or one row lost), adopts it with steady, and compares the schema with the one the
// whole history makes, as PostgreSQL prints both.
//
// A prefix converges when the adoption ends without an error or drift, leaves exactly the
// schema of the whole history (steady's, River's and the tools' own tables left out), and a
// second run applies nothing. Data statements cannot be counted in a history that does not
// count them: the schema is what is compared.
//
// Every database it makes is dropped when its prefix is done, and the shadow database the
// adoptions share is replayed once.
package historyverify

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/migfiles"
	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/internal/shadow"
	"github.com/steadydb/steady/internal/toolhistory"
)

// Config says what to verify and where.
type Config struct {
	// Server creates and drops the databases of the proof: a role that may CREATE DATABASE.
	Server     *dbconn.Pool
	Migrations fs.FS
	Format     migfiles.Format // "" detects it
	// Setup is SQL applied to every database before the first file (what a platform provides
	// before any migration), and to the shadow database.
	Setup, SetupFile string
	Schema           string // steady's tables in the adopted databases; default public
	Prefixes         []int  // nil: every prefix 0..n
	NoShadow         bool   // adopt with the model derived from the SQL text alone (--shadow off)
	Parallel         int    // prefixes adopted at once; default 2
	Logger           *slog.Logger
}

// Case is what a database at a prefix holds besides the schema the tool made.
type Case string

const (
	CaseNoHistory   Case = "no-history"      // no history table at all
	CaseToolHistory Case = "tool-history"    // the tool's table, as the tool writes it
	CaseRowLost     Case = "one-row-deleted" // the tool's table without one applied migration's row
)

// Outcome is one database's adoption.
type Outcome struct {
	Prefix    int    `json:"prefix"`
	After     string `json:"after,omitempty"` // the last file of the prefix
	Case      Case   `json:"case"`
	Converged bool   `json:"converged"`
	// Undecidable: the prefix's last file only changes data and nothing records it. No tool
	// can tell from the database whether it ran; steady runs it again, as its rules say, and
	// it did not converge only because the file is not safe to run twice.
	Undecidable bool   `json:"undecidable,omitempty"`
	Reason      string `json:"reason,omitempty"`
	Judge       string `json:"judge,omitempty"`
	Applied     int    `json:"applied"`
}

// Report is the whole proof.
type Report struct {
	Files      int             `json:"files"`
	Format     migfiles.Format `json:"format"`
	Outcomes   []Outcome       `json:"outcomes"`
	DurationMS int64           `json:"duration_ms"`
}

// Count is, for one case, the prefixes that converged, those tried but the undecidable ones,
// and the undecidable ones.
type Count struct{ Converged, Tried, Undecidable int }

// Converged counts the prefixes per case.
func (r *Report) Converged() map[Case]Count {
	out := map[Case]Count{}
	for _, o := range r.Outcomes {
		c := out[o.Case]
		switch {
		case o.Undecidable:
			c.Undecidable++
		case o.Converged:
			c.Converged++
			c.Tried++
		default:
			c.Tried++
		}
		out[o.Case] = c
	}
	return out
}

// AllConverged reports a history steady adopts at every prefix tried, but the undecidable ones.
func (r *Report) AllConverged() bool {
	return !slices.ContainsFunc(r.Outcomes, func(o Outcome) bool { return !o.Converged && !o.Undecidable })
}

// HistoryError is a history that does not apply, with its tool's rules, on an empty database:
// nothing can be adopted from it.
type HistoryError struct{ Err error }

func (e *HistoryError) Error() string {
	return fmt.Sprintf("the history does not apply on an empty database with its tool's rules: %v", e.Err)
}
func (e *HistoryError) Unwrap() error { return e.Err }

// Run verifies every prefix asked for, in each case.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	start := time.Now()
	cfg.Schema = cmp.Or(cfg.Schema, bookkeeping.DefaultSchema)
	cfg.Parallel = max(cfg.Parallel, 1)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ms, err := migfiles.LoadFormat(cfg.Migrations, cfg.Format)
	if err == nil {
		err = migfiles.Parse(ms)
	}
	if err != nil {
		return nil, err
	}
	v := &verifier{cfg: cfg, ms: ms, cache: &migrate.StatesCache{}, bookkeeping: migrate.BookkeepingKey(cfg.Schema)}
	if v.ref, err = v.reference(ctx); err != nil {
		return nil, err
	}
	prefixes := cfg.Prefixes
	if prefixes == nil {
		for k := range len(ms) + 1 {
			prefixes = append(prefixes, k)
		}
	}
	type job struct {
		k int
		c Case
	}
	var jobs []job
	for _, k := range prefixes {
		if k < 0 || k > len(ms) {
			return nil, fmt.Errorf("prefix %d: the history has %d files", k, len(ms))
		}
		jobs = append(jobs, job{k, CaseNoHistory})
		if _, ok := toolhistory.Write(ms[:k], -1); ok && k > 0 {
			jobs = append(jobs, job{k, CaseToolHistory}, job{k, CaseRowLost})
		}
	}
	outcomes := make([]Outcome, len(jobs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, cfg.Parallel)
	for i, j := range jobs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			outcomes[i] = v.adopt(ctx, j.k, j.c)
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &Report{Files: len(ms), Format: ms[0].Format, Outcomes: outcomes, DurationMS: time.Since(start).Milliseconds()}, nil
}

type verifier struct {
	cfg         Config
	ms          []migfiles.Migration
	ref         catalog.State
	cache       *migrate.StatesCache
	bookkeeping func(string) bool
}

// reference is the schema the whole history makes, with its tool's rules.
func (v *verifier) reference(ctx context.Context) (catalog.State, error) {
	var out catalog.State
	err := v.withDatabase(ctx, func(conn **pgx.Conn, _ string) error {
		if err := v.prepare(ctx, conn, len(v.ms)); err != nil {
			return &HistoryError{Err: err}
		}
		s, err := catalog.ReadState(ctx, *conn)
		out = s
		return err
	})
	if err != nil {
		return nil, err
	}
	return catalog.MaskFrozenTimes(out.Without(v.bookkeeping)), nil
}

// prepare applies the setup and files 1..k as the tool would. The files run on a session that
// starts after the setup: settings it gave the database (ALTER DATABASE … SET search_path)
// apply to sessions that start later, as the tool's own would.
func (v *verifier) prepare(ctx context.Context, conn **pgx.Conn, k int) error {
	if v.cfg.Setup != "" {
		if _, err := (*conn).Exec(ctx, v.cfg.Setup, pgx.QueryExecModeSimpleProtocol); err != nil {
			return fmt.Errorf("setup %s: %w", v.cfg.SetupFile, err)
		}
		fresh, err := v.cfg.Server.ConnectTo(ctx, (*conn).Config().Database)
		if err != nil {
			return err
		}
		_ = (*conn).Close(ctx)
		*conn = fresh
	}
	for i := range v.ms[:k] {
		if err := migfiles.ApplyAsTool(ctx, *conn, &v.ms[i]); err != nil {
			return err
		}
	}
	return nil
}

// adopt is one database: the prefix, the case's history table, then steady twice.
func (v *verifier) adopt(ctx context.Context, k int, c Case) Outcome {
	out := Outcome{Prefix: k, Case: c}
	if k > 0 {
		out.After = v.ms[k-1].File
	}
	fail := func(format string, args ...any) Outcome {
		out.Reason = firstLines(fmt.Sprintf(format, args...), 3)
		return out
	}
	err := v.withDatabase(ctx, func(conn **pgx.Conn, name string) error {
		if err := v.prepare(ctx, conn, k); err != nil {
			return fmt.Errorf("prepare the prefix: %w", err)
		}
		if c != CaseNoHistory {
			lose := -1
			if c == CaseRowLost {
				lose = k / 2 // a middle row: the last one's loss is the no-history case's question
			}
			sql, _ := toolhistory.Write(v.ms[:k], lose)
			if _, err := (*conn).Exec(ctx, sql, pgx.QueryExecModeSimpleProtocol); err != nil {
				return fmt.Errorf("write the tool's history: %w", err)
			}
		}
		pool, err := v.cfg.Server.PoolOn(ctx, name)
		if err != nil {
			return err
		}
		defer pool.Close()
		first, err := v.migrate(ctx, pool)
		if first != nil && first.Plan != nil {
			out.Judge = string(first.Plan.Judge)
		}
		switch {
		case err != nil:
			return fmt.Errorf("steady migrate: %w", err)
		case first.Drift > 0:
			return fmt.Errorf("steady migrate: %d migrations show drift: %s", first.Drift, driftOf(first))
		}
		out.Applied = first.Applied
		got, err := catalog.ReadState(ctx, pool)
		if err != nil {
			return err
		}
		if d := catalog.Diff(v.ref, catalog.MaskFrozenTimes(got.Without(v.bookkeeping))); len(d) > 0 {
			return fmt.Errorf("the schema differs from the whole history's: %s", describe(d))
		}
		second, err := v.migrate(ctx, pool)
		switch {
		case err != nil:
			return fmt.Errorf("second steady migrate: %w", err)
		case second.Applied+second.Reconciled+second.Partial > 0 || second.Drift > 0:
			return fmt.Errorf("the second run was not a no-op: %s", second.Summary())
		}
		return nil
	})
	if err != nil {
		if v.dataOnly(k-1) && unrecorded(k, c) {
			out.Undecidable = true
			return fail("%s only changes data and nothing records it: steady runs it again, as its rules say, and it is not safe to run twice (keep the tool's history table, or make the file rerunnable): %v", v.ms[k-1].File, err)
		}
		return fail("%v", err)
	}
	out.Converged = true
	return out
}

// dataOnly reports a file whose every statement only moves data.
func (v *verifier) dataOnly(i int) bool {
	if i < 0 {
		return false
	}
	for _, st := range v.ms[i].Parsed.Statements {
		switch st.Node {
		case "InsertStmt", "UpdateStmt", "DeleteStmt", "CopyStmt", "SelectStmt", "DoStmt", "TransactionStmt", "VariableSetStmt":
		default:
			return false
		}
	}
	return true
}

// unrecorded reports a case where no history row says the prefix's last file ran: no table,
// or the row lost is the last one (a lost row is the middle one, k/2, which is the last for
// k of 1 and 2).
func unrecorded(k int, c Case) bool {
	return c == CaseNoHistory || (c == CaseRowLost && k/2 == k-1)
}

func (v *verifier) migrate(ctx context.Context, p *pgxpool.Pool) (*migrate.Result, error) {
	tables, err := bookkeeping.New(bookkeeping.Config{Pool: p, Schema: v.cfg.Schema, Logger: v.cfg.Logger})
	if err != nil {
		return nil, err
	}
	sh := migrate.ShadowConfig{Setup: v.cfg.Setup, SetupFile: v.cfg.SetupFile, Cache: v.cache}
	if !v.cfg.NoShadow {
		sh.Open = func(ctx context.Context) (*shadow.DB, error) {
			return shadow.Open(ctx, shadow.Config{Server: v.cfg.Server, Logger: v.cfg.Logger})
		}
	}
	m, err := migrate.New(migrate.Config{
		Pool: p, TransactionPooled: v.cfg.Server.Pooled(), Migrations: v.cfg.Migrations, Format: v.cfg.Format,
		Logger: v.cfg.Logger, Tables: tables, SkipRiver: true, Shadow: sh,
	})
	if err != nil {
		return nil, err
	}
	return m.Migrate(ctx, migrate.Opts{})
}

// withDatabase runs f on a new, empty database of the server, then drops it.
func (v *verifier) withDatabase(ctx context.Context, f func(conn **pgx.Conn, name string) error) error {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "steady_verify_" + hex.EncodeToString(b)
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := v.cfg.Server.Exec(ctx, "CREATE DATABASE "+ident+" TEMPLATE template0", pgx.QueryExecModeSimpleProtocol); err != nil {
		return fmt.Errorf("create a database to verify in (steady history verify needs a role that may CREATE DATABASE): %w", err)
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if _, err := v.cfg.Server.Exec(dctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)", pgx.QueryExecModeSimpleProtocol); err != nil {
			v.cfg.Logger.Warn("could not drop a verification database", slog.String("database", name), slog.Any("error", err))
		}
	}()
	conn, err := v.cfg.Server.ConnectTo(ctx, name)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }() // the session prepare left
	return f(&conn, name)
}

func driftOf(res *migrate.Result) string {
	var parts []string
	for _, mp := range res.Plan.Migrations {
		for _, d := range mp.Evidence.Drift {
			parts = append(parts, mp.File+": "+d)
		}
	}
	return strings.Join(first(parts, 3), "; ")
}

func describe(changes []catalog.Change) string {
	parts := make([]string, 0, len(changes))
	for _, c := range changes {
		switch {
		case c.Before == nil:
			parts = append(parts, c.Key+" is extra")
		case c.Now == nil:
			parts = append(parts, c.Key+" is missing")
		default:
			parts = append(parts, fmt.Sprintf("%s is %q, the history makes %q", c.Key, clip(*c.Now), clip(*c.Before)))
		}
	}
	s := strings.Join(first(parts, 3), "; ")
	if len(parts) > 3 {
		s += fmt.Sprintf(" (and %d more)", len(parts)-3)
	}
	return s
}

func first(s []string, n int) []string { return s[:min(len(s), n)] }

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}

func firstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(first(lines, n), "\n")
}
