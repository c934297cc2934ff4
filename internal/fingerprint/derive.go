package fingerprint

import (
	"cmp"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"

	"github.com/steadydb/steady/internal/indexes/indexdef"
)

// derived is what one statement leaves in the catalog, as far as its parse tree tells.
type derived struct {
	effects  []Effect
	replaces bool // CREATE OR REPLACE
	fromBody bool // the effects are those of the statements a DO block holds
}

// derive reads the effects of one statement (an ALTER TABLE has already been split to one
// sub-command). A statement it does not know yields no effects: it is unverifiable.
func derive(n *pg_query.Node, version int32) derived {
	switch s := n.Node.(type) {
	case *pg_query.Node_CreateSchemaStmt:
		return created(schemaEffect(s.CreateSchemaStmt)...)
	case *pg_query.Node_CreateExtensionStmt:
		return created(Effect{Object: Object{Kind: KindExtension, Name: s.CreateExtensionStmt.Extname}})
	case *pg_query.Node_CreateStmt:
		return derived{effects: createTable(s.CreateStmt, version)}
	case *pg_query.Node_AlterTableStmt:
		return derived{effects: alterTable(s.AlterTableStmt, version)}
	case *pg_query.Node_RenameStmt:
		return derived{effects: rename(s.RenameStmt)}
	case *pg_query.Node_DropStmt:
		return derived{effects: drop(s.DropStmt)}
	case *pg_query.Node_IndexStmt:
		return derived{effects: createIndex(s.IndexStmt, version)}
	case *pg_query.Node_CreateEnumStmt:
		return derived{effects: createEnum(s.CreateEnumStmt)}
	case *pg_query.Node_AlterEnumStmt:
		return derived{effects: alterEnum(s.AlterEnumStmt)}
	case *pg_query.Node_CompositeTypeStmt:
		return created(relEffect(KindType, s.CompositeTypeStmt.Typevar)...)
	case *pg_query.Node_CreateDomainStmt:
		return created(namedEffect(KindType, s.CreateDomainStmt.Domainname)...)
	case *pg_query.Node_CreateRangeStmt:
		return created(namedEffect(KindType, s.CreateRangeStmt.TypeName)...)
	case *pg_query.Node_DefineStmt:
		if s.DefineStmt.Kind == pg_query.ObjectType_OBJECT_TYPE {
			return created(namedEffect(KindType, s.DefineStmt.Defnames)...)
		}
	case *pg_query.Node_CreateFunctionStmt:
		return derived{effects: createFunction(s.CreateFunctionStmt), replaces: s.CreateFunctionStmt.Replace}
	case *pg_query.Node_CreateTrigStmt:
		return derived{effects: createTrigger(s.CreateTrigStmt), replaces: s.CreateTrigStmt.Replace}
	case *pg_query.Node_ViewStmt:
		return derived{effects: createView(s.ViewStmt), replaces: s.ViewStmt.Replace}
	case *pg_query.Node_CreateTableAsStmt:
		return created(createTableAs(s.CreateTableAsStmt)...)
	case *pg_query.Node_CreateSeqStmt:
		return created(relEffect(KindSequence, s.CreateSeqStmt.Sequence)...)
	case *pg_query.Node_DoStmt:
		return doBlock(s.DoStmt, version)
	case *pg_query.Node_CreatePublicationStmt:
		return created(Effect{Object: Object{Kind: KindPublication, Name: s.CreatePublicationStmt.Pubname}})
	case *pg_query.Node_CreatePolicyStmt:
		if o, ok := tableChild(KindPolicy, s.CreatePolicyStmt.Table, s.CreatePolicyStmt.PolicyName); ok {
			return created(Effect{Object: o})
		}
	}
	return derived{}
}

func created(effects ...Effect) derived { return derived{effects: effects} }

// doBlock derives the effects of the statements a PL/pgSQL DO block holds (PlpgsqlBody): the
// usual body of a conditional DDL (IF NOT EXISTS (SELECT … FROM pg_constraint …) THEN ALTER
// TABLE … ADD CONSTRAINT …) leaves the constraint in place whichever branch runs. Statements
// built at run time are not read. The effects are evidence only (Statement.FromBody): a DO
// block also moves data, so it is never skipped for them nor run to repair them.
func doBlock(d *pg_query.DoStmt, version int32) derived {
	body, lang := "", "plpgsql"
	for _, a := range d.Args {
		switch de := a.GetDefElem(); de.GetDefname() {
		case "as":
			body = de.Arg.GetString_().GetSval()
		case "language":
			lang = strings.ToLower(de.Arg.GetString_().GetSval())
		}
	}
	if lang != "plpgsql" || body == "" {
		return derived{}
	}
	parts, err := PlpgsqlBody(body, "")
	if err != nil {
		return derived{}
	}
	var effects []Effect
	for _, p := range parts {
		if p.Dynamic {
			continue
		}
		tree, err := pg_query.Parse(p.SQL)
		if err != nil {
			continue
		}
		for _, raw := range tree.Stmts {
			for _, part := range append([]*pg_query.Node{raw.Stmt}, splitAlterTable(raw.Stmt)...) {
				if len(splitAlterTable(part)) > 1 {
					continue // the parts follow
				}
				effects = append(effects, derive(part, version).effects...)
			}
		}
	}
	if len(effects) == 0 {
		return derived{}
	}
	return derived{effects: effects, fromBody: true}
}

func schemaOrPublic(schema string) string { return cmp.Or(schema, "public") }

// relObject names a relation (table, view, sequence, index, composite type).
func relObject(kind Kind, rv *pg_query.RangeVar) Object {
	return Object{Kind: kind, Schema: schemaOrPublic(rv.GetSchemaname()), Name: rv.GetRelname()}
}

// relEffect is the presence of a relation; none for a temporary one, which lives in a
// per-session schema the catalog snapshot never sees.
func relEffect(kind Kind, rv *pg_query.RangeVar) []Effect {
	o, ok := relation(kind, rv)
	if !ok {
		return nil
	}
	return []Effect{{Object: o}}
}

// relation names a relation that outlives the session.
func relation(kind Kind, rv *pg_query.RangeVar) (Object, bool) {
	if rv == nil || rv.Relpersistence == "t" {
		return Object{}, false
	}
	return relObject(kind, rv), true
}

// qualified names an object from a possibly qualified name list: name, schema.name or
// catalog.schema.name.
func qualified(kind Kind, names []string) (Object, bool) {
	if len(names) == 0 || len(names) > 3 {
		return Object{}, false
	}
	o := Object{Kind: kind, Schema: "public", Name: names[len(names)-1]}
	if len(names) > 1 {
		o.Schema = names[len(names)-2]
	}
	return o, true
}

func namedEffect(kind Kind, nodes []*pg_query.Node) []Effect {
	o, ok := qualified(kind, stringList(nodes))
	if !ok {
		return nil
	}
	return []Effect{{Object: o}}
}

// schemaEffect: CREATE SCHEMA AUTHORIZATION joe creates a schema named joe; with
// CURRENT_USER the name is not in the SQL.
func schemaEffect(s *pg_query.CreateSchemaStmt) []Effect {
	name := cmp.Or(s.Schemaname, s.GetAuthrole().GetRolename())
	if name == "" {
		return nil
	}
	return []Effect{{Object: Object{Kind: KindSchema, Name: name}}}
}

// createIndex: the index under its given or default name, with its definition. A concurrent
// build is derived too: a failed one leaves an INVALID index, which internal/catalog reports
// (Result.Invalid) so that the engine drops and rebuilds it.
func createIndex(s *pg_query.IndexStmt, version int32) []Effect {
	if s.Relation == nil || s.Relation.Relpersistence == "t" {
		return nil
	}
	table := relObject(KindTable, s.Relation)
	name := s.Idxname
	if name == "" {
		label := "idx"
		if len(s.ExcludeOpNames) > 0 {
			label = "excl"
		}
		cols := indexColumnNames(append(append([]*pg_query.Node{}, s.IndexParams...), s.IndexIncludingParams...))
		name = newNameChooser().choose(table.Name, nameAddition(cols), label)
	}
	return []Effect{{
		Object:     Object{Kind: KindIndex, Schema: table.Schema, Table: table.Name, Name: name},
		Definition: indexDefinition(s, name, version),
	}}
}

// indexDefinition spells the index as a statement package indexdef accepts, which compares it
// with pg_get_indexdef; "" when it does not accept it (then existence alone is checked).
func indexDefinition(s *pg_query.IndexStmt, name string, version int32) string {
	c := proto.Clone(s).(*pg_query.IndexStmt)
	c.Idxname = name
	c.Concurrent, c.IfNotExists = false, false
	c.Relation.Schemaname = ""
	c.TableSpace = "" // pg_get_indexdef does not print it
	sql, err := pg_query.Deparse(&pg_query.ParseResult{Version: version, Stmts: []*pg_query.RawStmt{
		{Stmt: &pg_query.Node{Node: &pg_query.Node_IndexStmt{IndexStmt: c}}},
	}})
	if err != nil {
		return ""
	}
	if _, err := indexdef.Parse(sql); err != nil {
		return ""
	}
	return sql
}

// createEnum: the type, then each label in order.
func createEnum(s *pg_query.CreateEnumStmt) []Effect {
	typ, ok := qualified(KindType, stringList(s.TypeName))
	if !ok {
		return nil
	}
	effects := []Effect{{Object: typ}}
	for _, label := range stringList(s.Vals) {
		effects = append(effects, Effect{Object: enumValue(typ, label)})
	}
	return effects
}

// alterEnum: ADD VALUE leaves a label; RENAME VALUE the new label and not the old one.
func alterEnum(s *pg_query.AlterEnumStmt) []Effect {
	typ, ok := qualified(KindType, stringList(s.TypeName))
	if !ok || s.NewVal == "" {
		return nil
	}
	effects := []Effect{{Object: enumValue(typ, s.NewVal)}}
	if s.OldVal != "" {
		effects = append(effects, Effect{Object: enumValue(typ, s.OldVal), Absent: true})
	}
	return effects
}

func enumValue(typ Object, label string) Object {
	return Object{Kind: KindEnumValue, Schema: typ.Schema, Table: typ.Name, Name: label}
}

func createTrigger(s *pg_query.CreateTrigStmt) []Effect {
	if s.Relation == nil {
		return nil
	}
	table := relObject(KindTable, s.Relation)
	return []Effect{{Object: Object{Kind: KindTrigger, Schema: table.Schema, Table: table.Name, Name: s.Trigname}}}
}

// createTableAs: CREATE MATERIALIZED VIEW is a CREATE TABLE AS whose object type says so.
func createTableAs(s *pg_query.CreateTableAsStmt) []Effect {
	rel := s.GetInto().GetRel()
	switch s.Objtype {
	case pg_query.ObjectType_OBJECT_MATVIEW:
		effects := relEffect(KindView, rel)
		if len(effects) == 1 {
			effects[0].Columns = viewColumns(s.GetInto().GetColNames(), s.Query)
		}
		return effects
	case pg_query.ObjectType_OBJECT_TABLE:
		return relEffect(KindTable, rel)
	}
	return nil
}
