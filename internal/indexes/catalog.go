package indexes

import (
	"errors"
	"fmt"
	"slices"

	"github.com/steadydb/steady/internal/indexes/indexdef"
)

// Schema is where the shipped migrations create their tables (unqualified, on the default
// search_path, as the migration engine assumes), and so where the catalog's indexes live.
const Schema = "public"

// ReplacementSuffix names the index a build creates next to one whose definition differs from
// the catalog's, before it drops the old one and renames the replacement (see workers).
const ReplacementSuffix = "_steady_new"

// maxIdentifier is PostgreSQL's NAMEDATALEN-1: a longer name is silently truncated.
const maxIdentifier = 63

// Index is one entry of the index catalog.
type Index struct {
	Name  string
	Table string
	SQL   string // CREATE [UNIQUE] INDEX name ON table (…) [INCLUDE (…)] [WHERE …]
	Why   string // the query it serves

	Def *indexdef.Def // parsed from SQL when the catalog is made

	File string // the file it was read from (ParseFile), as errors name it
	Line int    // where its CREATE INDEX starts in File
}

// Replacement is the name under which a differing index's replacement is built.
func (ix Index) Replacement() string { return ix.Name + ReplacementSuffix }

// Catalog is a validated, immutable list of indexes.
type Catalog struct {
	all     []Index
	tables  []string
	byTable map[string][]Index
}

// NewCatalog parses and checks every entry: its SQL is exactly one CREATE INDEX statement
// without CONCURRENTLY or IF NOT EXISTS whose name and table are the entry's; names are unique
// and leave room for ReplacementSuffix. Errors name the entry.
func NewCatalog(entries []Index) (*Catalog, error) {
	c := &Catalog{byTable: map[string][]Index{}}
	seen := map[string]bool{}
	var errs []error
	for i, ix := range entries {
		if err := ix.load(); err != nil {
			errs = append(errs, fmt.Errorf("index catalog entry %d (%s): %w", i, ix.Name, err))
			continue
		}
		if seen[ix.Name] {
			errs = append(errs, fmt.Errorf("index catalog entry %d (%s): duplicate name", i, ix.Name))
			continue
		}
		seen[ix.Name] = true
		if _, ok := c.byTable[ix.Table]; !ok {
			c.tables = append(c.tables, ix.Table)
		}
		c.byTable[ix.Table] = append(c.byTable[ix.Table], ix)
		c.all = append(c.all, ix)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

func (ix *Index) load() error {
	def, err := indexdef.Parse(ix.SQL)
	if err != nil {
		return err
	}
	switch {
	case def.Name != ix.Name:
		return fmt.Errorf("SQL creates index %s, not %s", def.Name, ix.Name)
	case def.Table != ix.Table:
		return fmt.Errorf("SQL indexes table %s, not %s", def.Table, ix.Table)
	case len(ix.Replacement()) > maxIdentifier:
		return fmt.Errorf("name too long: %s must fit in %d bytes", ix.Replacement(), maxIdentifier)
	case ix.Why == "":
		return errors.New("say why the index exists: the query it serves, in a comment just above it")
	}
	ix.Def = def
	return nil
}

// All returns every index, tables in catalog order and each table's indexes in build order.
func (c *Catalog) All() []Index {
	var out []Index
	for _, t := range c.tables {
		out = append(out, c.byTable[t]...)
	}
	return out
}

// Tables returns the indexed tables in catalog order.
func (c *Catalog) Tables() []string { return slices.Clone(c.tables) }

// OnTable returns a table's indexes in build order.
func (c *Catalog) OnTable(table string) ([]Index, bool) {
	ixs, ok := c.byTable[table]
	return slices.Clone(ixs), ok
}

// MustCatalog is NewCatalog for a catalog written in code: an invalid entry is a programmer
// error, caught by the tests of the package that holds it.
func MustCatalog(entries []Index) *Catalog {
	c, err := NewCatalog(entries)
	if err != nil {
		panic(err)
	}
	return c
}
