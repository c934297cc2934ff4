package historytest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// sending is how a tool sends a file's SQL to the server.
type sending int

const (
	// wholeQuery: the file (its Up section) as one simple-protocol query, which PostgreSQL runs
	// as one implicit transaction (golang-migrate, Prisma, the Supabase CLI), or between the
	// tool's BEGIN and COMMIT (sqlx, diesel, dbmate) unless the file says otherwise.
	wholeQuery sending = iota
	// eachStatement: goose's statements, one query each.
	eachStatement
	// psqlScript: statement by statement, as psql -f (Flyway's and steady's own files).
	psqlScript
)

var (
	golangMigrateName = regexp.MustCompile(`^(\d+)_(.+)\.(up|down)\.sql$`)
	flywayName        = regexp.MustCompile(`^V(\d+(?:[._]\d+)*)__(.+)\.sql$`)
	flywayUndo        = regexp.MustCompile(`^U\d`)
	numberedName      = regexp.MustCompile(`^(\d+)_(.+?)(\.up|\.down)?\.sql$`)
	prismaDir         = regexp.MustCompile(`^(\d+)_(.+)$`)
	dieselDir         = regexp.MustCompile(`^(\d[\d-]*)_(.+)$`)

	gooseUp        = regexp.MustCompile(`(?i)^--\s*\+goose\s+up\b`)
	gooseDown      = regexp.MustCompile(`(?i)^--\s*\+goose\s+down\b`)
	gooseNoTx      = regexp.MustCompile(`(?i)^--\s*\+goose\s+no\s+transaction\b`)
	dbmateUp       = regexp.MustCompile(`^--\s*migrate:up\b(.*)$`)
	dbmateDown     = regexp.MustCompile(`^--\s*migrate:down\b`)
	dbmateNoTx     = regexp.MustCompile(`\btransaction:false\b`)
	steadyNoTx     = regexp.MustCompile(`(?m)^\s*--\s*steady:no-transaction\s*$`)
	dieselNoTx     = regexp.MustCompile(`(?m)^\s*run_in_transaction\s*=\s*false\b`)
	concurrentDDL  = regexp.MustCompile(`(?is)\b(CREATE\s+(UNIQUE\s+)?INDEX|DROP\s+INDEX|REINDEX\s+\w+)\s+CONCURRENTLY\b`)
	dropOrRenameRe = regexp.MustCompile(`(?is)\bDROP\s+(TABLE|COLUMN)\b|\bRENAME\b`)
)

// detectLayout tells the format from what the directory holds, "" when only the files'
// markers can (goose, dbmate).
func detectLayout(dir string, entries []os.DirEntry) format {
	for _, e := range entries {
		switch {
		case e.IsDir() && fileExists(filepath.Join(dir, e.Name(), "migration.sql")):
			return prisma
		case e.IsDir() && fileExists(filepath.Join(dir, e.Name(), "up.sql")):
			return diesel
		}
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	switch {
	case slices.ContainsFunc(names, golangMigrateName.MatchString):
		return golangMigrate
	case slices.ContainsFunc(names, flywayName.MatchString):
		return flyway
	}
	return ""
}

// readEntry reads one entry of h's directory; ok is false for what the tool never applies (a
// down file, a README, another tool's file beside Prisma's or diesel's directories).
func readEntry(h *history, e os.DirEntry) (f migrationFile, ok bool, err error) {
	switch {
	case h.format == prisma || h.format == diesel:
		if !e.IsDir() {
			return f, false, nil
		}
		return readMigrationDir(h, e.Name())
	case e.IsDir() || !strings.HasSuffix(e.Name(), ".sql"):
		return f, false, nil
	}
	f.file = e.Name()
	text, err := os.ReadFile(filepath.Join(h.dir, f.file))
	if err != nil {
		return f, false, err
	}
	f.text = string(text)
	if ok, err = nameFile(h, &f); !ok || err != nil {
		return f, false, err
	}
	if err := sectionFile(h, &f); err != nil {
		return f, false, err
	}
	return f, true, finish(&f)
}

// nameFile reads the version and name from a file name.
func nameFile(h *history, f *migrationFile) (ok bool, err error) {
	switch h.format {
	case golangMigrate:
		m := golangMigrateName.FindStringSubmatch(f.file)
		if m == nil {
			return false, errors.New("not a golang-migrate file name (NNN_name.up.sql)")
		}
		f.recorded, f.name = trimZeros(m[1]), m[2]
		return m[3] == "up", nil
	case flyway:
		switch {
		case flywayUndo.MatchString(f.file):
			return false, nil // undo: never run forward
		case strings.HasPrefix(f.file, "R__"):
			return false, errors.New("a Flyway repeatable migration (R__): this sweep tries versioned histories only")
		}
		m := flywayName.FindStringSubmatch(f.file)
		if m == nil {
			return false, errors.New("not a Flyway versioned file name (V1_1__name.sql)")
		}
		f.recorded, f.name = strings.ReplaceAll(m[1], "_", "."), m[2]
		return true, nil
	}
	m := numberedName.FindStringSubmatch(f.file)
	switch {
	case m == nil:
		return false, errors.New("not a migration file name (20240101120000_name.sql)")
	case m[3] == ".down":
		return false, nil
	case m[3] == ".up" && h.format != sqlx:
		return false, fmt.Errorf("a reversible file name (.up.sql) in a %s history", h.format)
	}
	f.recorded, f.name = m[1], m[2]
	return true, nil
}

// sectionFile keeps what the tool runs of a file and says how the tool sends it.
func sectionFile(h *history, f *migrationFile) error {
	switch h.format {
	case golangMigrate, supabase:
		f.up, f.send, f.noTx = f.text, wholeQuery, true
	case sqlx:
		// sqlx: BEGIN; the file; COMMIT, unless its first line says -- no-transaction.
		f.up, f.send, f.noTx = f.text, wholeQuery, strings.HasPrefix(f.text, "-- no-transaction")
	case flyway:
		f.up, f.send = f.text, psqlScript
		f.noTx = concurrentDDL.MatchString(skeleton(f.text)) || ownsTransaction(f.text)
	case steadyFormat:
		f.up, f.send = f.text, psqlScript
		f.noTx = steadyNoTx.MatchString(f.text) || concurrentDDL.MatchString(skeleton(f.text)) || ownsTransaction(f.text)
	default: // goose, dbmate, or a directory of timestamps whose first marker tells
		up, noTx, detected, err := splitMarkers(f.text)
		if err != nil {
			return err
		}
		if h.format != "" && h.format != detected {
			return fmt.Errorf("a %s file in a %s history", detected, h.format)
		}
		h.format, f.up, f.noTx = detected, up, noTx
		f.send = wholeQuery
		if detected == goose {
			f.send, f.statements = eachStatement, gooseStatements(f.text)
			f.noTx = f.noTx || ownsTransaction(up)
		}
	}
	return nil
}

// readMigrationDir reads a Prisma (<timestamp>_name/migration.sql) or diesel
// (<version>_name/up.sql, metadata.toml) migration.
func readMigrationDir(h *history, dir string) (f migrationFile, ok bool, err error) {
	file, re := "migration.sql", prismaDir
	if h.format == diesel {
		file, re = "up.sql", dieselDir
	}
	f.file = dir + "/" + file
	text, err := os.ReadFile(filepath.Join(h.dir, dir, file))
	if errors.Is(err, os.ErrNotExist) {
		return f, false, nil // not a migration: a directory of scripts kept beside them
	}
	if err != nil {
		return f, false, err
	}
	m := re.FindStringSubmatch(dir)
	if m == nil {
		return f, false, fmt.Errorf("a %s migration directory is named <version>_<name>", h.format)
	}
	f.text, f.up, f.send, f.name = string(text), string(text), wholeQuery, m[2]
	switch h.format {
	case prisma:
		f.recorded, f.noTx = m[1], true
	case diesel:
		// diesel's version is the directory's leading part without its dashes.
		f.recorded = strings.ReplaceAll(m[1], "-", "")
		meta, err := os.ReadFile(filepath.Join(h.dir, dir, "metadata.toml"))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return f, false, err
		}
		f.noTx = dieselNoTx.Match(meta)
	}
	return f, true, finish(&f)
}

// finish derives the numeric version and the file's classification.
func finish(f *migrationFile) (err error) {
	f.version = f.recorded
	if !strings.Contains(f.recorded, ".") {
		f.version = trimZeros(f.recorded)
	}
	if f.order, err = versionOrder(f.version); err != nil {
		return err
	}
	f.dataOnly, f.dropOrRename = classify(f.up)
	return nil
}

// splitMarkers keeps the Up section of a goose or dbmate file, the other lines blanked.
func splitMarkers(text string) (up string, noTx bool, detected format, err error) {
	lines := strings.SplitAfter(text, "\n")
	var upStart, upEnd = -1, len(lines)
	for i, line := range lines {
		l := strings.TrimSpace(line)
		switch {
		case gooseNoTx.MatchString(l):
			noTx = true
		case gooseUp.MatchString(l) && upStart < 0:
			upStart, detected = i+1, goose
		case gooseDown.MatchString(l) && detected == goose && upEnd == len(lines):
			upEnd = i
		case dbmateUp.MatchString(l) && upStart < 0:
			upStart, detected = i+1, dbmate
			noTx = dbmateNoTx.MatchString(dbmateUp.FindStringSubmatch(l)[1])
		case dbmateDown.MatchString(l) && detected == dbmate && upEnd == len(lines):
			upEnd = i
		}
	}
	if upStart < 0 {
		return "", false, "", errors.New("no `-- +goose Up` or `-- migrate:up` marker (files named as steady's, the Supabase CLI's or sqlx's: give the format)")
	}
	if upEnd < upStart {
		return "", false, "", errors.New("the down marker comes before the up marker")
	}
	var b strings.Builder
	for i, line := range lines {
		if i >= upStart && i < upEnd {
			b.WriteString(line)
		} else if strings.HasSuffix(line, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String(), noTx, detected, nil
}
