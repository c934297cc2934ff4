package indexdef

import (
	"errors"
	"fmt"
	"slices"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"

	"github.com/steadydb/steady/internal/sqlexpr"
)

// Def is a parsed index definition.
type Def struct {
	Name   string // the index
	Table  string // the indexed table, unqualified
	Unique bool
	SQL    string // as written

	stmt    *pg_query.IndexStmt
	version int32
	canon   string // the normalised statement, see Same
}

// Parse parses one CREATE INDEX statement. Errors say what is wrong with it.
func Parse(sql string) (*Def, error) {
	stmt, version, err := parseIndexStmt(sql)
	if err != nil {
		return nil, err
	}
	switch {
	case stmt.Concurrent:
		return nil, errors.New("write CREATE INDEX without CONCURRENTLY: the builder adds it")
	case stmt.IfNotExists:
		return nil, errors.New("drop IF NOT EXISTS: an INVALID index satisfies it, so the builder reads the catalog instead")
	case stmt.Idxname == "":
		return nil, errors.New("the index has no name")
	case stmt.Relation.Schemaname != "":
		return nil, fmt.Errorf("write the table unqualified (%s, not %s.%s): the builder qualifies it",
			stmt.Relation.Relname, stmt.Relation.Schemaname, stmt.Relation.Relname)
	case stmt.TableSpace != "":
		return nil, errors.New("TABLESPACE is not supported")
	}
	canon, err := canonical(stmt, version)
	if err != nil {
		return nil, err
	}
	return &Def{Name: stmt.Idxname, Table: stmt.Relation.Relname, Unique: stmt.Unique, SQL: sql,
		stmt: stmt, version: version, canon: canon}, nil
}

// parseIndexStmt parses sql, which must hold exactly one CREATE INDEX statement.
func parseIndexStmt(sql string) (*pg_query.IndexStmt, int32, error) {
	tree, err := pg_query.Parse(sql)
	if err != nil {
		return nil, 0, fmt.Errorf("parse: %w", err)
	}
	if n := len(tree.Stmts); n != 1 {
		return nil, 0, fmt.Errorf("want exactly one CREATE INDEX statement, got %d statements", n)
	}
	stmt := tree.Stmts[0].Stmt.GetIndexStmt()
	if stmt == nil {
		return nil, 0, fmt.Errorf("want a CREATE INDEX statement, got %T", tree.Stmts[0].Stmt.Node)
	}
	return stmt, tree.Version, nil
}

// CreateConcurrently returns the statement that builds the index concurrently under name (the
// definition's own, or a temporary one) on schema.Table.
func (d *Def) CreateConcurrently(schema, name string) string {
	s := proto.Clone(d.stmt).(*pg_query.IndexStmt)
	s.Concurrent = true
	s.Idxname = name
	s.Relation.Schemaname = schema
	sql, err := deparse(s, d.version)
	if err != nil {
		// The same tree deparsed when Parse built the canonical form.
		panic(fmt.Sprintf("indexdef: deparse %s: %v", d.Name, err))
	}
	return sql
}

// Same reports whether indexdef, an index's definition as pg_get_indexdef prints it, builds the
// index d describes, whatever the index's name and schema. An indexdef that does not parse is
// an error.
func (d *Def) Same(indexdef string) (bool, error) {
	stmt, version, err := parseIndexStmt(indexdef)
	if err != nil {
		return false, fmt.Errorf("index definition %q: %w", indexdef, err)
	}
	canon, err := canonical(stmt, version)
	if err != nil {
		return false, err
	}
	return canon == d.canon, nil
}

// Columns returns the table columns the index refers to, in its key, INCLUDE list, expressions
// and predicate, sorted.
func (d *Def) Columns() []string {
	var cols []string
	for _, p := range slices.Concat(d.stmt.IndexParams, d.stmt.IndexIncludingParams) {
		if e := p.GetIndexElem(); e != nil && e.Name != "" {
			cols = append(cols, e.Name)
		}
	}
	cols = append(cols, sqlexpr.Columns(d.stmt)...)
	slices.Sort(cols)
	return slices.Compact(cols)
}

func deparse(s *pg_query.IndexStmt, version int32) (string, error) {
	return pg_query.Deparse(&pg_query.ParseResult{Version: version, Stmts: []*pg_query.RawStmt{
		{Stmt: &pg_query.Node{Node: &pg_query.Node_IndexStmt{IndexStmt: s}}},
	}})
}
