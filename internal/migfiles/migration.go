package migfiles

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/steadydb/steady/internal/fingerprint"
)

// Migration is one parsed migration file.
type Migration struct {
	Version  Version
	Name     string // file name without version and extension: "core_tables_business"
	File     string // "0001_core_tables_business.sql"
	Format   Format // the tool whose format the file is in (see Format)
	SQL      string // what runs: the whole file, or its up section with the other lines blanked
	Checksum string // sha256 of the whole file without its -- steady:allow lines, hex
	Parsed   *fingerprint.Migration

	// NoTransaction: the file runs statement by statement, outside a transaction, because it
	// says so (-- steady:no-transaction, goose's NO TRANSACTION, dbmate's transaction:false) or
	// because a statement refuses a transaction block (CREATE INDEX CONCURRENTLY …), as
	// golang-migrate and Flyway users rely on, or because the file holds its own BEGIN and
	// COMMIT (OwnTransactions).
	NoTransaction bool
	// OwnTransactions: the file holds transaction statements (BEGIN, COMMIT …). steady does
	// not wrap it: its statements run one by one on one session, so its own blocks are the
	// transactions, as psql and the Supabase CLI run it (golang-migrate sends it as one
	// multi-statement query, which PostgreSQL runs the same way).
	OwnTransactions bool
	// FormatNoTransaction: the format's own marker says so (goose's NO TRANSACTION, dbmate's
	// transaction:false); the lint judges a goose or dbmate file as its tool runs it.
	FormatNoTransaction bool
}

// Load reads every migration at the root of fsys, in the format detected from the files (see
// LoadFormat).
func Load(fsys fs.FS) ([]Migration, error) { return LoadFormat(fsys, "") }

// LoadFormat reads every migration at the root of fsys: *.sql files, or the subdirectories of
// Prisma (<timestamp>_name/migration.sql) and diesel (<version>_name/up.sql), as format says
// ("" detects it from the files). Versions must be unique; they may have gaps and be
// timestamps, and are ordered numerically. Files are not parsed yet: a no-op run whose catalog
// has not changed never needs to (see Parse).
func LoadFormat(fsys fs.FS, format Format) ([]Migration, error) {
	ms, err := ListFormat(fsys, format)
	if err != nil {
		return nil, err
	}
	if err := Read(fsys, ms); err != nil {
		return nil, err
	}
	return ms, nil
}

// List is ListFormat detecting the format.
func List(fsys fs.FS) ([]Migration, error) { return ListFormat(fsys, "") }

// ListFormat names the migrations from the directory alone, opening no migration: versions,
// names and their order, checked as Load checks them. SQL and Checksum are left empty. A file
// or directory no format accepts, or a directory with no migration, is an error naming what
// was found: a directory steady cannot read is never an empty history.
func ListFormat(fsys fs.FS, format Format) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, &LoadError{Err: err}
	}
	var ms []Migration
	var unknown, loose []string
	for _, e := range entries {
		n := e.Name()
		switch {
		case strings.HasPrefix(n, "."):
			continue
		case e.IsDir():
			m, ok, err := listDir(fsys, n)
			if err != nil {
				return nil, err
			}
			if !ok {
				unknown = append(unknown, n+"/")
				continue
			}
			ms = append(ms, m)
			continue
		case !strings.HasSuffix(n, ".sql"):
			if !ignored(n) {
				unknown = append(unknown, n)
			}
			continue
		}
		version, name, f, skip, err := parseFileName(n)
		if err != nil {
			loose = append(loose, n)
			continue
		}
		if skip {
			continue
		}
		ms = append(ms, Migration{Version: version, Name: name, File: n, Format: f})
	}
	if len(loose) > 0 {
		// Prisma and diesel read only their directories: a .sql file beside them is not
		// theirs to run (a data script kept with the migrations), and neither is it steady's.
		if len(ms) == 0 || (ms[0].Format != FormatPrisma && ms[0].Format != FormatDiesel) {
			_, _, _, _, err := parseFileName(loose[0])
			return nil, err
		}
	}
	if len(unknown) > 0 {
		return nil, &UnrecognisedError{Names: unknown}
	}
	if len(ms) == 0 {
		return nil, &EmptyError{}
	}
	for i := range ms {
		if err := relabel(&ms[i], format); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(ms, func(a, b Migration) int {
		if a.Format == FormatDiesel && b.Format == FormatDiesel {
			// diesel orders its versions as strings: 2025-11-19-120000-0000 before 2026-05-27-120000.
			return cmp.Or(cmp.Compare(FileVersion(a), FileVersion(b)), cmp.Compare(a.File, b.File))
		}
		return cmp.Or(a.Version.Compare(b.Version), cmp.Compare(a.File, b.File))
	})
	for i, m := range ms {
		if i > 0 && m.Version == ms[i-1].Version {
			return nil, &DuplicateVersionError{Version: m.Version, Files: [2]string{ms[i-1].File, m.File}}
		}
		if m.Format != ms[0].Format && !(sameNaming(m.Format) && sameNaming(ms[0].Format)) {
			return nil, &MixedFormatsError{Files: [2]string{ms[0].File, m.File}, Formats: [2]Format{ms[0].Format, m.Format}}
		}
	}
	return ms, nil
}

// sameNaming: steady, goose and dbmate files share one naming; their markers tell them apart
// when the files are read.
func sameNaming(f Format) bool { return f == FormatSteady || f == FormatGoose || f == FormatDbmate }

// DuplicateVersionError is two files with one version ("0001_a.sql" and "1_b.sql", or
// Flyway's V1_1 and V1.1).
type DuplicateVersionError struct {
	Version Version
	Files   [2]string
}

func (e *DuplicateVersionError) Error() string {
	return fmt.Sprintf("load migrations: version %s is used by %s and %s", e.Version, e.Files[0], e.Files[1])
}

// MixedFormatsError is a directory holding files of two tools: steady reads one format per
// directory, so that the order and the sections mean what that tool means.
type MixedFormatsError struct {
	Files   [2]string
	Formats [2]Format
}

func (e *MixedFormatsError) Error() string {
	return fmt.Sprintf("load migrations: %s is a %s file and %s a %s file: keep one format per directory",
		e.Files[0], e.Formats[0], e.Files[1], e.Formats[1])
}

// Read fills in each migration's SQL and checksum, reading files on a few goroutines: on a
// thousand files the opens and hashes are most of a no-op run's own work.
func Read(fsys fs.FS, ms []Migration) error {
	errs := make([]error, len(ms))
	var wg sync.WaitGroup
	workers := min(len(ms), 2*runtime.GOMAXPROCS(0))
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(ms); i += workers {
				body, err := fs.ReadFile(fsys, ms[i].File)
				if err != nil {
					errs[i] = &LoadError{File: ms[i].File, Err: err}
					continue
				}
				// Allowing a lint finding changes nothing that runs, so it does not change the checksum.
				sum := sha256.Sum256(fingerprint.WithoutAllows(body))
				up, err := extractUp(ms[i].File, ms[i].Format, string(body))
				if err != nil {
					errs[i] = err
					continue
				}
				ms[i].SQL, ms[i].Checksum = up.sql, hex.EncodeToString(sum[:])
				ms[i].Format, ms[i].NoTransaction, ms[i].FormatNoTransaction = up.format, up.noTransaction || dieselNoTransaction(fsys, ms[i]), up.noTransaction
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for i := range ms {
		if ms[i].Format != ms[0].Format {
			return &MixedFormatsError{Files: [2]string{ms[0].File, ms[i].File}, Formats: [2]Format{ms[0].Format, ms[i].Format}}
		}
	}
	return nil
}

// dieselNoTransaction reads diesel's metadata.toml beside up.sql: run_in_transaction = false.
func dieselNoTransaction(fsys fs.FS, m Migration) bool {
	if m.Format != FormatDiesel {
		return false
	}
	body, err := fs.ReadFile(fsys, path.Join(path.Dir(m.File), "metadata.toml"))
	return err == nil && dieselNoTx.Match(body)
}

var dieselNoTx = regexp.MustCompile(`(?m)^\s*run_in_transaction\s*=\s*false\b`)

// IsBadInput reports an error that is the migration files' fault (a name no format accepts,
// duplicate versions, mixed formats, an unreadable file, malformed sections, SQL that does
// not parse): nothing was applied.
func IsBadInput(err error) bool {
	var (
		fe *FileNameError
		le *LoadError
		de *DuplicateVersionError
		me *MixedFormatsError
		pe *fingerprint.ParseError
		ue *UnrecognisedError
		ee *EmptyError
	)
	return errors.As(err, &fe) || errors.As(err, &le) || errors.As(err, &de) || errors.As(err, &me) || errors.As(err, &pe) ||
		errors.As(err, &ue) || errors.As(err, &ee)
}

// Parse parses every migration that is not parsed yet, in parallel (parsing dominates loading
// a long history). A file that does not parse is an error naming its file and line; the whole
// set is then rejected, so nothing is applied.
func Parse(ms []Migration) error {
	errs := make([]error, len(ms))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i := range ms {
		if ms[i].Parsed != nil {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			ms[i].Parsed, errs[i] = fingerprint.Parse(ms[i].File, ms[i].SQL)
			if errs[i] != nil {
				return
			}
			ms[i].OwnTransactions = ownsTransactions(ms[i].Parsed)
			if ms[i].Parsed.NoTransaction || ms[i].OwnTransactions || refusesTransaction(ms[i].Parsed) {
				ms[i].NoTransaction = true
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("parse migrations: %w", err)
		}
	}
	return nil
}

// ownsTransactions reports a file with its own transaction statements.
func ownsTransactions(m *fingerprint.Migration) bool {
	for _, st := range m.Statements {
		if st.Node == "TransactionStmt" {
			return true
		}
	}
	return false
}

// refusesTransaction reports a statement PostgreSQL runs only outside a transaction block.
func refusesTransaction(m *fingerprint.Migration) bool {
	for _, st := range m.Statements {
		switch st.Node {
		case "VacuumStmt", "CreatedbStmt", "DropdbStmt", "CreateTableSpaceStmt", "DropTableSpaceStmt", "AlterSystemStmt":
			return true
		case "IndexStmt", "DropStmt", "ReindexStmt":
			if containsWord(st.SQL, "CONCURRENTLY") {
				return true
			}
		}
	}
	return false
}

// containsWord finds word as a whole word, in any case.
func containsWord(sql, word string) bool {
	upper := strings.ToUpper(sql)
	for i := 0; ; {
		j := strings.Index(upper[i:], word)
		if j < 0 {
			return false
		}
		j += i
		before := j == 0 || !isWordByte(upper[j-1])
		after := j+len(word) == len(upper) || !isWordByte(upper[j+len(word)])
		if before && after {
			return true
		}
		i = j + len(word)
	}
}

func isWordByte(b byte) bool {
	return b == '_' || (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z')
}

// Checksum identifies the whole set: versions, names and contents.
func Checksum(ms []Migration) string {
	h := sha256.New()
	for _, m := range ms {
		fmt.Fprintf(h, "%s %s %s\n", m.Version, m.Name, m.Checksum)
	}
	return hex.EncodeToString(h.Sum(nil))
}
