package indexes

import (
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/steadydb/steady/internal/sqlfile"
)

// An index build is a CREATE INDEX statement in a .sql file, with a comment just above it
// saying which query it serves. A file may hold several, usually one table's; within a table
// indexes build in file order, one at a time, and tables build in the order they first appear
// (files in name order). The statements are plain SQL: psql -f builds them (without
// CONCURRENTLY); steady builds each with CREATE INDEX CONCURRENTLY through the pooler.

// FileError is an index file that cannot be used, naming the file and the line.
type FileError = sqlfile.Error

// ParseFile reads the index definitions of one file. name is the file's name as errors show
// it. Every problem is a *FileError naming the line: SQL that does not parse, a statement
// other than a plain CREATE INDEX (no CONCURRENTLY, no IF NOT EXISTS, the table unqualified),
// an index without a comment saying why it exists, a name too long for its replacement.
func ParseFile(name string, src []byte) ([]Index, error) {
	f, err := sqlfile.Parse(name, string(src), nil, nil)
	if err != nil {
		return nil, err
	}
	var out []Index
	for _, st := range f.Statements {
		if st.Node.GetIndexStmt() == nil {
			return nil, f.Errorf(st.Line, "not a CREATE INDEX: an index file holds CREATE INDEX statements only")
		}
		ix := Index{SQL: st.SQL, Why: st.Comment, File: name, Line: st.Line}
		ix.Name, ix.Table = st.Node.GetIndexStmt().Idxname, st.Node.GetIndexStmt().GetRelation().GetRelname()
		if err := ix.load(); err != nil {
			return nil, f.Errorf(st.Line, "index %s: %v", ix.Name, err)
		}
		out = append(out, ix)
	}
	if len(out) == 0 {
		return nil, f.Errorf(0, "no CREATE INDEX statement")
	}
	return out, nil
}

// LoadDir reads every *.sql file at the root of fsys, in name order, into a catalog. dir is how
// errors name the directory ("indexes"). Every bad file is reported (errors.Join of *FileError),
// and the catalog holds the others; an index name defined twice is an error at its second
// definition.
func LoadDir(fsys fs.FS, dir string) (*Catalog, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("read indexes in %s: %w", dir, err)
	}
	var entries []Index
	var errs []error
	where := map[string]Index{}
	for _, n := range names {
		file := path.Join(dir, n)
		src, err := fs.ReadFile(fsys, n)
		if err != nil {
			errs = append(errs, &FileError{File: file, Message: err.Error()})
			continue
		}
		ixs, err := ParseFile(file, src)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, ix := range ixs {
			if other, dup := where[ix.Name]; dup {
				errs = append(errs, &FileError{File: file, Line: ix.Line, Message: fmt.Sprintf("index %s is also defined at %s:%d", ix.Name, other.File, other.Line)})
				continue
			}
			where[ix.Name] = ix
			entries = append(entries, ix)
		}
	}
	c, err := NewCatalog(entries)
	if err != nil {
		return nil, errors.Join(append(errs, err)...)
	}
	return c, errors.Join(errs...)
}
