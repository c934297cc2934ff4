package historytest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/steadydb/steady/internal/dbtest"
)

// setup is a fresh database with h's setup, files 1..k applied through PgBouncer as h's tool
// applies them, then tail (a history table, or nothing).
func setup(t *testing.T, h *history, upDir string, k int, tail string) *dbtest.DB {
	t.Helper()
	db := dbtest.New(t)
	applySetup(t, h, db)
	applyFiles(t, h, db.PoolerURL, upDir, h.files[:k])
	if tail != "" {
		withConn(t, db.PoolerURL, func(ctx context.Context, conn *pgconn.PgConn) error {
			return query(ctx, conn, tail)
		}, "the tool's history table")
	}
	return db
}

// applySetup runs what the platform provides before the first migration, as one query. It goes
// to PostgreSQL directly: a platform's own provisioning, before any pooled session exists (a
// setup that sets a database's search_path would not reach a server connection PgBouncer
// opened before it).
func applySetup(t *testing.T, h *history, db *dbtest.DB) {
	t.Helper()
	if h.setup == "" {
		return
	}
	text := readFile(t, h.setup)
	withConn(t, db.DirectURL, func(ctx context.Context, conn *pgconn.PgConn) error {
		return query(ctx, conn, text)
	}, h.setup)
}

// applyFiles applies files in order as h's tool sends them, through the pooler.
func applyFiles(t *testing.T, h *history, poolerURL, upDir string, files []migrationFile) {
	t.Helper()
	if len(files) == 0 {
		return
	}
	if files[0].send == psqlScript {
		psql(t, poolerURL, applyScript(files, upDir))
		return
	}
	withConn(t, poolerURL, func(ctx context.Context, conn *pgconn.PgConn) error {
		for _, f := range files {
			if err := send(ctx, conn, f); err != nil {
				return fmt.Errorf("%s (as %s sends it): %w", f.file, h.format, err)
			}
		}
		return nil
	}, "the history")
}

// send is one file the way its tool sends it: one query, or goose's statements one by one,
// in the tool's transaction unless the file runs outside one.
func send(ctx context.Context, conn *pgconn.PgConn, f migrationFile) error {
	parts := []string{f.up}
	if f.send == eachStatement {
		parts = f.statements
	}
	if !f.noTx {
		parts = append(append([]string{"BEGIN"}, parts...), "COMMIT")
	}
	for _, p := range parts {
		if err := query(ctx, conn, p); err != nil {
			if f.send == wholeQuery {
				return fmt.Errorf("line %d: %w", errorLine(p, err), err)
			}
			return fmt.Errorf("statement %q: %w", firstLine(p), err)
		}
	}
	if conn.TxStatus() != 'I' {
		return errors.New("the file leaves a transaction open")
	}
	return nil
}

// query sends sql as one simple-protocol Query message (several statements in it run as one
// implicit transaction, unless they hold their own BEGIN and COMMIT).
func query(ctx context.Context, conn *pgconn.PgConn, sql string) error {
	_, err := conn.Exec(ctx, sql).ReadAll()
	return err
}

// withConn runs do on one connection to rawURL, failing the test with what was applied.
func withConn(t *testing.T, rawURL string, do func(context.Context, *pgconn.PgConn) error, what string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgconn.Connect(ctx, rawURL)
	if err != nil {
		t.Fatalf("connect to apply %s: %v", what, err)
	}
	defer conn.Close(ctx)
	if err := do(ctx, conn); err != nil {
		t.Fatalf("apply %s: %v", what, err)
	}
}

// errorLine is the line of a query an error's position points into (1 when it has none).
func errorLine(query string, err error) int {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Position <= 0 {
		return 1
	}
	line, chars := 1, 0
	for _, r := range query {
		if chars++; chars >= int(pgErr.Position) {
			break
		}
		if r == '\n' {
			line++
		}
	}
	return line
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	if utf8.RuneCountInString(line) > 100 {
		line = string([]rune(line)[:100]) + "…"
	}
	return line
}
