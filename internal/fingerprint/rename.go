package fingerprint

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// rename derives ALTER … RENAME: the new name is present (the primary effect), the old one is
// not.
func rename(s *pg_query.RenameStmt) []Effect {
	renamed, ok := renamedObject(s)
	if !ok || s.Newname == "" {
		return nil
	}
	newObj := renamed
	newObj.Name = s.Newname
	return []Effect{{Object: newObj}, {Object: renamed, Absent: true}}
}

// renamedObject names the object as it was before the rename.
func renamedObject(s *pg_query.RenameStmt) (Object, bool) {
	switch s.RenameType {
	case pg_query.ObjectType_OBJECT_TABLE:
		return relation(KindTable, s.Relation)
	case pg_query.ObjectType_OBJECT_VIEW, pg_query.ObjectType_OBJECT_MATVIEW:
		return relation(KindView, s.Relation)
	case pg_query.ObjectType_OBJECT_INDEX:
		return relation(KindIndex, s.Relation)
	case pg_query.ObjectType_OBJECT_SEQUENCE:
		return relation(KindSequence, s.Relation)
	case pg_query.ObjectType_OBJECT_COLUMN:
		if s.RelationType != pg_query.ObjectType_OBJECT_TABLE {
			return Object{}, false // a view's or a composite type's column
		}
		return tableChild(KindColumn, s.Relation, s.Subname)
	case pg_query.ObjectType_OBJECT_TABCONSTRAINT:
		return tableChild(KindConstraint, s.Relation, s.Subname)
	case pg_query.ObjectType_OBJECT_TRIGGER:
		return tableChild(KindTrigger, s.Relation, s.Subname)
	case pg_query.ObjectType_OBJECT_POLICY:
		return tableChild(KindPolicy, s.Relation, s.Subname)
	case pg_query.ObjectType_OBJECT_TYPE, pg_query.ObjectType_OBJECT_DOMAIN:
		return qualified(KindType, stringList(s.Object.GetList().GetItems()))
	case pg_query.ObjectType_OBJECT_FUNCTION, pg_query.ObjectType_OBJECT_PROCEDURE,
		pg_query.ObjectType_OBJECT_ROUTINE:
		return qualified(KindFunction, stringList(s.Object.GetObjectWithArgs().GetObjname()))
	case pg_query.ObjectType_OBJECT_SCHEMA:
		return Object{Kind: KindSchema, Name: s.Subname}, s.Subname != ""
	case pg_query.ObjectType_OBJECT_PUBLICATION:
		return named(KindPublication, s.Object)
	}
	return Object{}, false
}

func tableChild(kind Kind, rv *pg_query.RangeVar, name string) (Object, bool) {
	table, ok := relation(KindTable, rv)
	if !ok || name == "" {
		return Object{}, false
	}
	return Object{Kind: kind, Schema: table.Schema, Table: table.Name, Name: name}, true
}
