package migrate

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"sync"

	"github.com/steadydb/steady/internal/fingerprint"
)

// Migration is one parsed migration file.
type Migration struct {
	Version  int64
	Name     string // file name without version and extension: "core_tables_business"
	File     string // "0001_core_tables_business.sql"
	SQL      string
	Checksum string // sha256 of the file, hex
	Parsed   *fingerprint.Migration
}

var fileName = regexp.MustCompile(`^(\d+)_([a-z0-9_]+)\.sql$`)

// Load reads every *.sql file at the root of fsys. Versions must be unique and contiguous from
// 1. Files are not parsed yet: a no-op run whose catalog has not changed never needs to (see
// Parse).
func Load(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		m := fileName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("load migrations: %s: want NNNN_snake_name.sql", e.Name())
		}
		version, _ := strconv.ParseInt(m[1], 10, 64)
		body, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("load migrations: %w", err)
		}
		sum := sha256.Sum256(body)
		ms = append(ms, Migration{Version: version, Name: m[2], File: e.Name(), SQL: string(body),
			Checksum: hex.EncodeToString(sum[:])})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return int(a.Version - b.Version) })
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
