package migfiles

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/steadydb/steady/internal/fingerprint"
)

// RunError is a file PostgreSQL refused, at its line.
type RunError struct {
	File string
	Line int
	Err  error
}

func (e *RunError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *RunError) Unwrap() error { return e.Err }

// What the tools themselves do: apply a file as the tool that wrote it applies it, so that a
// database can be brought to any prefix the way a team that never used steady got there
// (steady history verify), and a shadow database replays a history.

// ApplyAsTool runs one parsed migration on conn as its tool sends it:
//   - golang-migrate, Prisma, the Supabase CLI: the whole file as one query (one implicit
//     transaction; the file's own BEGIN and COMMIT work inside it);
//   - sqlx, diesel, dbmate: the file (dbmate: its up section) as one query in a transaction,
//     or alone when the file runs outside one;
//   - goose, Flyway, steady: statement by statement, in one transaction unless the file runs
//     outside one.
func ApplyAsTool(ctx context.Context, conn *pgx.Conn, m *Migration) error {
	exec := func(sql string) error {
		_, err := conn.Exec(ctx, sql, pgx.QueryExecModeSimpleProtocol)
		return err
	}
	var err error
	switch m.Format {
	case FormatGolangMigrate, FormatPrisma, FormatSupabase:
		err = exec(m.SQL)
	case FormatSqlx, FormatDiesel, FormatDbmate:
		if m.NoTransaction || m.OwnTransactions {
			err = exec(m.SQL)
		} else {
			err = exec("BEGIN;\n" + m.SQL + "\n;COMMIT")
		}
	default:
		err = Run(ctx, conn, m, nil)
	}
	if err != nil && conn.PgConn().TxStatus() != 'I' {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
	}
	if err != nil {
		return fmt.Errorf("apply %s as %s would: %w", m.File, m.Format, err)
	}
	return nil
}

// Run runs a whole parsed file on conn: in one transaction unless the file runs outside one
// (see Migration.NoTransaction), then ends the file's session settings, as each file of psql
// -f or a migration tool gets a session of its own. A file in a transaction goes as one
// multi-statement query, which PostgreSQL runs as one transaction: one round trip instead of
// one per statement, which is what a replay costs behind a distant server. Statements skip
// reports are not run (nil: every one runs). Its error is a *RunError naming file and line.
func Run(ctx context.Context, conn *pgx.Conn, m *Migration, skip func(fingerprint.Statement) bool) error {
	if skip == nil {
		skip = func(fingerprint.Statement) bool { return false }
	}
	skips := slices.ContainsFunc(m.Parsed.Statements, skip)
	if !m.NoTransaction && !skips {
		if _, err := conn.Exec(ctx, m.SQL+"\n;\nRESET ALL", pgx.QueryExecModeSimpleProtocol); err != nil {
			return &RunError{File: m.File, Line: errorLine(m, err), Err: err}
		}
		return nil
	}
	if !m.NoTransaction {
		if _, err := conn.Exec(ctx, "BEGIN"); err != nil {
			return &RunError{File: m.File, Line: 1, Err: err}
		}
	}
	for i, st := range m.Parsed.Statements {
		if (i > 0 && m.Parsed.Statements[i-1].Offset == st.Offset) || skip(st) {
			continue // a part of the statement that just ran whole; another tool's history
		}
		if _, err := conn.Exec(ctx, st.Whole, pgx.QueryExecModeSimpleProtocol); err != nil {
			_, _ = conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
			return &RunError{File: m.File, Line: st.Line, Err: err}
		}
	}
	if !m.NoTransaction {
		if _, err := conn.Exec(ctx, "COMMIT"); err != nil {
			return &RunError{File: m.File, Line: 1, Err: err}
		}
	}
	if conn.PgConn().TxStatus() != 'I' {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
		return &RunError{File: m.File, Line: 1, Err: errors.New("the file leaves a transaction open (a BEGIN without its COMMIT)")}
	}
	if _, err := conn.Exec(ctx, "RESET ALL"); err != nil {
		return &RunError{File: m.File, Line: 1, Err: err}
	}
	return nil
}

// errorLine is the line of the statement an error of a whole-file query points into, when
// PostgreSQL gives its position (a syntax error), else the first line.
func errorLine(m *Migration, err error) int {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Position <= 0 {
		return 1
	}
	line := 1
	for i, r := range []rune(m.SQL) {
		if i >= int(pgErr.Position)-1 {
			break
		}
		if r == '\n' {
			line++
		}
	}
	return line
}

// FileVersion is the version as the file's name writes it, leading zeros kept (dbmate, the
// Supabase CLI and diesel record that text).
func FileVersion(m Migration) string {
	name := m.File
	if i := strings.IndexByte(name, '/'); i >= 0 {
		name = name[:i]
	}
	digits, _, _ := strings.Cut(name, "_")
	return strings.ReplaceAll(digits, "-", "")
}
