package migrate

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/steadydb/steady/internal/fingerprint"
)

// Migration is one parsed migration file.
type Migration struct {
	Version  int64
	Name     string // file name without version and extension: "core_tables_business"
	File     string // "0001_core_tables_business.sql"
	SQL      string
	Checksum string // sha256 of the file without its -- steady:allow lines, hex
	Parsed   *fingerprint.Migration
}

// Load reads every *.sql file at the root of fsys. Versions must be unique and contiguous from
// 1. Files are not parsed yet: a no-op run whose catalog has not changed never needs to (see
// Parse).
func Load(fsys fs.FS) ([]Migration, error) {
	ms, err := List(fsys)
	if err != nil {
		return nil, err
	}
	if err := read(fsys, ms); err != nil {
		return nil, err
	}
	return ms, nil
}

// List names the migrations from the directory alone, opening no file: versions, names and
// their order, checked as Load checks them. SQL and Checksum are left empty.
func List(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		version, name, ok := splitFileName(e.Name())
		if !ok {
			return nil, fmt.Errorf("load migrations: %s: want NNNN_snake_name.sql", e.Name())
		}
		ms = append(ms, Migration{Version: version, Name: name, File: e.Name()})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return cmp.Compare(a.Version, b.Version) })
	for i, m := range ms {
		if m.Version != int64(i+1) {
			if i > 0 && m.Version == ms[i-1].Version {
				return nil, fmt.Errorf("load migrations: version %d is used by %s and %s", m.Version, ms[i-1].File, m.File)
			}
			return nil, fmt.Errorf("load migrations: versions must be contiguous from 1: %s should be version %d", m.File, i+1)
		}
	}
	return ms, nil
}

// splitFileName parses NNNN_snake_name.sql (digits, "_", then [a-z0-9_]+). By hand rather than
// with a regexp: a history of a thousand files is listed on every run.
func splitFileName(file string) (version int64, name string, ok bool) {
	base, ok := strings.CutSuffix(file, ".sql")
	if !ok {
		return 0, "", false
	}
	digits, name, ok := strings.Cut(base, "_")
	if !ok || digits == "" || name == "" || strings.Trim(digits, "0123456789") != "" ||
		strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
		return 0, "", false
	}
	version, err := strconv.ParseInt(digits, 10, 64)
	return version, name, err == nil
}

// read fills in each migration's SQL and checksum, reading files on a few goroutines: on a
// thousand files the opens and hashes are most of a no-op run's own work.
func read(fsys fs.FS, ms []Migration) error {
	errs := make([]error, len(ms))
	var wg sync.WaitGroup
	workers := min(len(ms), 2*runtime.GOMAXPROCS(0))
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(ms); i += workers {
				body, err := fs.ReadFile(fsys, ms[i].File)
				if err != nil {
					errs[i] = fmt.Errorf("load migrations: %w", err)
					continue
				}
				sum := sha256.Sum256(fingerprint.WithoutAllows(body)) // allowing a lint finding changes nothing that runs
				ms[i].SQL, ms[i].Checksum = string(body), hex.EncodeToString(sum[:])
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
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

// filesChecksum identifies the whole set: versions, names and contents.
func filesChecksum(ms []Migration) string {
	h := sha256.New()
	for _, m := range ms {
		fmt.Fprintf(h, "%d %s %s\n", m.Version, m.Name, m.Checksum)
	}
	return hex.EncodeToString(h.Sum(nil))
}
