package migfiles

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
)

// Format is the migration tool whose file format a migration is written in. steady reads one
// format per directory, so a team moving to steady keeps its files as they are.
type Format string

const (
	FormatSteady        Format = "steady"         // NNNN_name.sql, the whole file runs
	FormatGolangMigrate Format = "golang-migrate" // NNNN_name.up.sql (NNNN_name.down.sql ignored)
	FormatGoose         Format = "goose"          // NNNN_name.sql with -- +goose Up / Down
	FormatFlyway        Format = "flyway"         // V1__name.sql, V1_1__name.sql
	FormatDbmate        Format = "dbmate"         // NNNN_name.sql with -- migrate:up / down
	FormatPrisma        Format = "prisma"         // <timestamp>_name/migration.sql
	FormatSupabase      Format = "supabase"       // <timestamp>_name.sql (supabase/migrations)
	FormatSqlx          Format = "sqlx"           // NNNN_name.sql or NNNN_name.up.sql; -- no-transaction
	FormatDiesel        Format = "diesel"         // YYYY-MM-DD-HHMMSS_name/up.sql (+ metadata.toml)
)

// Formats lists every format a directory may be read as.
var Formats = []Format{FormatSteady, FormatGolangMigrate, FormatGoose, FormatFlyway, FormatDbmate,
	FormatPrisma, FormatSupabase, FormatSqlx, FormatDiesel}

// ParseFormat reads a --migrations-format value; "" and "auto" mean detect it from the files.
func ParseFormat(s string) (Format, error) {
	if s == "" || s == "auto" {
		return "", nil
	}
	for _, f := range Formats {
		if strings.EqualFold(s, string(f)) {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown migrations format %q (want auto, %s)", s, joinFormats())
}

func joinFormats() string {
	parts := make([]string, len(Formats))
	for i, f := range Formats {
		parts[i] = string(f)
	}
	return strings.Join(parts, ", ")
}

// relabel reads a file of one naming as the format a directory was said to hold: sqlx and
// the Supabase CLI name their files as steady does (sqlx's reversible ones as golang-migrate
// does). A file the format cannot hold is a *FileNameError.
func relabel(m *Migration, want Format) error {
	if want == "" || want == m.Format {
		return nil
	}
	ok := false
	switch want {
	case FormatGoose, FormatDbmate, FormatSupabase:
		ok = m.Format == FormatSteady
	case FormatSqlx:
		ok = m.Format == FormatSteady || m.Format == FormatGolangMigrate
	}
	if !ok {
		return &FileNameError{File: m.File, Reason: fmt.Sprintf("a %s file in a directory read as %s (--migrations-format)", m.Format, want)}
	}
	m.Format = want
	return nil
}

// wholeFile reports a format whose files run whole (no sections to cut).
func wholeFile(f Format) bool { return f != FormatGoose && f != FormatDbmate }

// UnrecognisedError is a migrations directory holding files or directories no format accepts.
type UnrecognisedError struct {
	Names []string
}

func (e *UnrecognisedError) Error() string {
	return fmt.Sprintf("load migrations: not a migration of any format steady reads: %s (%s; Prisma: <timestamp>_name/migration.sql; diesel: <version>_name/up.sql)",
		strings.Join(e.Names, ", "), wantNames)
}

// EmptyError is a migrations directory with nothing steady can read.
type EmptyError struct{}

func (e *EmptyError) Error() string {
	return "load migrations: no migration in the directory (" + wantNames + "; Prisma: <timestamp>_name/migration.sql; diesel: <version>_name/up.sql)"
}

// ignored are files a migrations directory may hold besides migrations: Prisma's lock file,
// Atlas's checksum file (golang-migrate directories Atlas writes) and documentation. Hidden
// files are ignored too.
func ignored(name string) bool {
	return name == "migration_lock.toml" || name == "atlas.sum" || strings.HasSuffix(strings.ToLower(name), ".md")
}

var (
	prismaDir = regexp.MustCompile(`^(\d+)_(.+)$`)
	dieselDir = regexp.MustCompile(`^(\d[\d-]*)_(.+)$`)
)

// listDir reads a subdirectory: a Prisma migration (migration.sql) or a diesel one (up.sql).
// ok is false for a directory that is neither.
func listDir(fsys fs.FS, dir string) (m Migration, ok bool, err error) {
	has := func(name string) bool {
		st, err := fs.Stat(fsys, path.Join(dir, name))
		return err == nil && !st.IsDir()
	}
	var re *regexp.Regexp
	switch {
	case has("migration.sql"):
		m.Format, m.File, re = FormatPrisma, path.Join(dir, "migration.sql"), prismaDir
	case has("up.sql"):
		m.Format, m.File, re = FormatDiesel, path.Join(dir, "up.sql"), dieselDir
	default:
		return m, false, nil
	}
	parts := re.FindStringSubmatch(dir)
	if parts == nil {
		return m, false, &FileNameError{File: dir + "/", Reason: fmt.Sprintf("a %s migration directory is named <version>_<name>", m.Format)}
	}
	if m.Version, err = ParseVersion(strings.ReplaceAll(parts[1], "-", "")); err != nil {
		return m, false, &FileNameError{File: dir + "/", Reason: err.Error()}
	}
	m.Name = parts[2]
	return m, true, nil
}

// FileNameError is a file in the migrations directory whose name no supported format accepts,
// or that the format cannot run.
type FileNameError struct {
	File   string
	Reason string
}

func (e *FileNameError) Error() string {
	return fmt.Sprintf("load migrations: %s: %s", e.File, e.Reason)
}

// LoadError is a migration file that cannot be read, or whose sections are malformed. Like
// every loader error it is the files' fault: bad input, and nothing is applied.
type LoadError struct {
	File string
	Line int // 0 when the error is not on one line
	Err  error
}

func (e *LoadError) Error() string {
	switch {
	case e.Line > 0:
		return fmt.Sprintf("load migrations: %s:%d: %v", e.File, e.Line, e.Err)
	case e.File == "":
		return fmt.Sprintf("load migrations: %v", e.Err)
	}
	return fmt.Sprintf("load migrations: %s: %v", e.File, e.Err)
}

func (e *LoadError) Unwrap() error { return e.Err }

const wantNames = "want NNNN_name.sql (steady, goose, dbmate), NNNN_name.up.sql (golang-migrate) or V1__name.sql / V1_1__name.sql (Flyway)"

// parseFileName reads a file name. skip reports a file that belongs to the directory but is
// never run: a golang-migrate down file or a Flyway undo script. Names may hold dots, dashes
// and upper case; the version is what decides the order.
func parseFileName(file string) (version Version, name string, format Format, skip bool, err error) {
	base, ok := strings.CutSuffix(file, ".sql")
	if !ok {
		return "", "", "", true, nil
	}
	fail := func(reason string) (Version, string, Format, bool, error) {
		return "", "", "", false, &FileNameError{File: file, Reason: reason}
	}
	switch {
	case strings.HasSuffix(base, ".down"):
		return "", "", "", true, nil
	case strings.HasPrefix(base, "U") && strings.Contains(base, "__") && isDigit(base, 1):
		return "", "", "", true, nil // Flyway undo: never run forward
	case strings.HasPrefix(base, "R__"):
		return fail("Flyway repeatable migrations (R__) are not supported: steady runs each migration once")
	case strings.HasPrefix(base, "V") && isDigit(base, 1):
		digits, rest, ok := strings.Cut(base[1:], "__")
		if !ok {
			return fail("a Flyway file name separates version and description with two underscores: " + wantNames)
		}
		v, err := ParseVersion(digits)
		if err != nil {
			return fail(err.Error())
		}
		return v, rest, FormatFlyway, false, nil
	}
	format = FormatSteady
	if b, ok := strings.CutSuffix(base, ".up"); ok {
		base, format = b, FormatGolangMigrate
	}
	digits, name, ok := strings.Cut(base, "_")
	if !ok || digits == "" || name == "" || strings.Trim(digits, "0123456789") != "" {
		return fail(wantNames)
	}
	v, err := ParseVersion(digits)
	if err != nil {
		return fail(err.Error())
	}
	return v, name, format, false, nil
}

// VersionOf reads the version from a migration file's name, in any format; ok is false for a
// name that is not a migration's (or a down or undo file's).
func VersionOf(file string) (Version, bool) {
	v, _, _, skip, err := parseFileName(file)
	return v, err == nil && !skip && v != ""
}

func isDigit(s string, i int) bool { return i < len(s) && s[i] >= '0' && s[i] <= '9' }

// upSection is what runs of a file: for goose and dbmate the lines of the up section, the
// others blanked so that line numbers still point into the file. It also reads the format's
// own way of saying "no transaction".
type upSection struct {
	format        Format
	sql           string
	noTransaction bool
}

// extractUp detects goose and dbmate files by their markers (a file named like steady's may
// be either) and keeps their up section. An error names the file and line.
func extractUp(file string, named Format, body string) (upSection, error) {
	if named != FormatSteady && wholeFile(named) {
		return upSection{format: named, sql: body, noTransaction: sqlxNoTransaction(named, body)}, nil
	}
	if !strings.Contains(body, "+goose") && !strings.Contains(body, "migrate:") {
		// No marker can be there: a no-op run reads a thousand files, so skip the line scan.
		if named != FormatSteady {
			return upSection{}, &LoadError{File: file, Err: fmt.Errorf("a %s file with no up section", named)}
		}
		return upSection{format: named, sql: body, noTransaction: sqlxNoTransaction(named, body)}, nil
	}
	lines := strings.Split(body, "\n")
	format := named
	for _, l := range lines {
		if _, ok := gooseMarker(l); ok {
			format = FormatGoose
			break
		}
		if _, _, ok := dbmateMarker(l); ok {
			format = FormatDbmate
			break
		}
	}
	if named != FormatSteady && format != named {
		return upSection{}, &LoadError{File: file, Err: fmt.Errorf("a %s file name holding %s markers", named, format)}
	}
	switch format {
	case FormatGoose:
		return sections(file, lines, format, func(l string) (string, bool, bool) {
			cmd, ok := gooseMarker(l)
			return cmd, ok, strings.EqualFold(cmd, "NO TRANSACTION")
		}, "Up", "Down")
	case FormatDbmate:
		return sections(file, lines, format, func(l string) (string, bool, bool) {
			cmd, opts, ok := dbmateMarker(l)
			return cmd, ok, strings.Contains(opts, "transaction:false")
		}, "up", "down")
	}
	return upSection{format: format, sql: body, noTransaction: sqlxNoTransaction(format, body)}, nil
}

// sqlxNoTransaction reads sqlx's own marker: a file whose first line is "-- no-transaction"
// runs outside a transaction. A steady or golang-migrate file that starts so is sqlx's too.
func sqlxNoTransaction(f Format, body string) bool {
	switch f {
	case FormatSqlx, FormatSteady, FormatGolangMigrate:
		return strings.HasPrefix(strings.TrimPrefix(body, "\ufeff"), "-- no-transaction")
	}
	return false
}

// sections keeps the lines between the up marker and the down marker (or the end).
func sections(file string, lines []string, format Format, marker func(string) (cmd string, ok, noTx bool), up, down string) (upSection, error) {
	out := upSection{format: format}
	kept := make([]string, len(lines))
	in, seenUp := false, false
	for i, l := range lines {
		cmd, ok, noTx := marker(l)
		if !ok {
			if in {
				kept[i] = l
			}
			continue
		}
		out.noTransaction = out.noTransaction || noTx
		switch {
		case strings.EqualFold(cmd, up) || strings.HasPrefix(strings.ToLower(cmd), strings.ToLower(up)+" "):
			if seenUp {
				return upSection{}, &LoadError{File: file, Line: i + 1, Err: fmt.Errorf("a second %s marker", up)}
			}
			in, seenUp = true, true
		case strings.EqualFold(cmd, down) || strings.HasPrefix(strings.ToLower(cmd), strings.ToLower(down)+" "):
			in = false
		}
	}
	if !seenUp {
		return upSection{}, &LoadError{File: file, Err: fmt.Errorf("a %s file with no %s section", format, up)}
	}
	out.sql = strings.Join(kept, "\n")
	return out, nil
}

// gooseMarker reads "-- +goose Up", "-- +goose StatementBegin", "-- +goose NO TRANSACTION" …
func gooseMarker(line string) (string, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(line), "--")
	if !ok {
		return "", false
	}
	rest, ok = strings.CutPrefix(strings.TrimSpace(rest), "+goose")
	if !ok {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

// dbmateMarker reads "-- migrate:up transaction:false" as ("up", "transaction:false").
func dbmateMarker(line string) (cmd, opts string, ok bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(line), "--")
	if !ok {
		return "", "", false
	}
	rest, ok = strings.CutPrefix(strings.TrimSpace(rest), "migrate:")
	if !ok {
		return "", "", false
	}
	cmd, opts, _ = strings.Cut(strings.TrimSpace(rest), " ")
	return cmd, strings.TrimSpace(opts), true
}
