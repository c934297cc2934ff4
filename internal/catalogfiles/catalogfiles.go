// Package catalogfiles reads the backfill and index catalogs from their directories, the ones
// embedded in the binary unless a directory is configured (--backfills-dir, --indexes-dir),
// and checks them against the migrations: every table and column a backfill or an index names
// must be one the migrations make. A file that fails is a *FileError naming the file and the
// line; the worker refuses to start with one, and steady lint reports it.
package catalogfiles

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	shippedbackfills "github.com/steadydb/steady/backfills"
	shippedindexes "github.com/steadydb/steady/indexes"
	"github.com/steadydb/steady/internal/backfills"
	"github.com/steadydb/steady/internal/indexes"
	"github.com/steadydb/steady/internal/sqlfile"
)

// FileError is a catalog file that cannot be used, at a line.
type FileError = sqlfile.Error

// Sources says where the catalogs are. A directory left empty is the shipped one.
type Sources struct {
	BackfillsDir string
	IndexesDir   string
	// Backfills and Indexes, when set, are read instead (their names in errors are the
	// directories', or "backfills" and "indexes").
	Backfills fs.FS
	Indexes   fs.FS
}

// Catalogs are the backfill and index catalogs a process works with.
type Catalogs struct {
	Backfills backfills.Catalog
	Indexes   *indexes.Catalog
}

// Load reads both catalogs. Every bad file is reported: errors.Join of *FileError (a directory
// that cannot be read is one too, without a line). With an error the catalogs returned hold
// what could be read (a catalog that failed is empty), for checks that report everything at
// once.
func Load(src Sources) (*Catalogs, error) {
	c := &Catalogs{}
	var errs []error
	if fsys, dir, err := open(src.Backfills, src.BackfillsDir, shippedbackfills.FS, "backfills"); err != nil {
		errs = append(errs, err)
	} else if c.Backfills, err = backfills.LoadDir(fsys, dir); err != nil {
		errs = append(errs, err)
	}
	if fsys, dir, err := open(src.Indexes, src.IndexesDir, shippedindexes.FS, "indexes"); err != nil {
		errs = append(errs, err)
	} else if c.Indexes, err = indexes.LoadDir(fsys, dir); err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(errs...)
}

func open(fsys fs.FS, dir string, shipped fs.FS, name string) (fs.FS, string, error) {
	switch {
	case fsys != nil:
		if dir == "" {
			dir = name
		}
		return fsys, dir, nil
	case dir == "":
		return shipped, name, nil
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, dir, &FileError{File: dir, Message: "not a directory"}
	}
	return os.DirFS(dir), dir, nil
}

// Errors lists the *FileErrors an error of Load or Check joins, in order (nil when err holds
// none).
func Errors(err error) []*FileError {
	var out []*FileError
	var walk func(error)
	walk = func(err error) {
		var fe *FileError
		switch e := err.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range e.Unwrap() {
				walk(x)
			}
		default:
			if errors.As(err, &fe) {
				out = append(out, fe)
			}
		}
	}
	if err != nil {
		walk(err)
	}
	return out
}

// Own is the part of c that belongs with a set of migrations: a catalog read from a directory
// always; a built-in one only with the built-in migrations. The CRM product's indexes and
// backfills mean nothing on another product's schema (a team that migrates its own files with
// the built-in catalogs gets the CRM's builds reported as "no table", as before catalogs were
// files), so they are not held against its migrations.
func (c *Catalogs) Own(src Sources, shippedMigrations bool) *Catalogs {
	if shippedMigrations {
		return c
	}
	out := &Catalogs{}
	if src.BackfillsDir != "" || src.Backfills != nil {
		out.Backfills = c.Backfills
	}
	if src.IndexesDir != "" || src.Indexes != nil {
		out.Indexes = c.Indexes
	}
	return out
}

// Check reports every table or column of the catalogs that the migrations do not make (tables
// they drop or rename away count as not made): an index on a table that is not there, a
// backfill whose table or key is not there. schema is the tables' schema (public). Nothing is
// read from a database: lint and the worker's start call it before connecting.
func Check(c *Catalogs, s *Schema) error {
	var errs []*FileError
	for _, b := range c.Backfills {
		for _, t := range slices.Compact([]string{b.Table, b.KeyRelation()}) {
			if !s.HasTable(t) {
				errs = append(errs, &FileError{File: b.File, Line: b.Line,
					Message: fmt.Sprintf("backfill %s: no migration makes table %s", b.Name, t)})
			}
		}
		if s.HasTable(b.KeyRelation()) && !s.HasColumn(b.KeyRelation(), b.Key) {
			errs = append(errs, &FileError{File: b.File, Line: b.KeyLine,
				Message: fmt.Sprintf("backfill %s: no migration makes column %s.%s (its key)", b.Name, b.KeyRelation(), b.Key)})
		}
	}
	if c.Indexes != nil {
		for _, ix := range c.Indexes.All() {
			if !s.HasTable(ix.Table) {
				errs = append(errs, &FileError{File: ix.File, Line: ix.Line,
					Message: fmt.Sprintf("index %s: no migration makes table %s", ix.Name, ix.Table)})
				continue
			}
			for _, col := range ix.Def.Columns() {
				if !s.HasColumn(ix.Table, col) {
					errs = append(errs, &FileError{File: ix.File, Line: ix.Line,
						Message: fmt.Sprintf("index %s: no migration makes column %s.%s", ix.Name, ix.Table, col)})
				}
			}
		}
	}
	slices.SortStableFunc(errs, func(a, b *FileError) int { return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line)) })
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	return errors.Join(out...)
}
