package fingerprint

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// drop derives DROP: each object named is absent. CASCADE's collateral drops are not
// modelled. A function is named without its arguments, so dropping one overload of several
// does not make the function absent.
func drop(s *pg_query.DropStmt) []Effect {
	effects := make([]Effect, 0, len(s.Objects))
	for _, n := range s.Objects {
		o, ok := droppedObject(s.RemoveType, n)
		if !ok {
			return nil // one unnamed object would make the statement's evidence partial
		}
		effects = append(effects, Effect{Object: o, Absent: true, Cascade: s.Behavior == pg_query.DropBehavior_DROP_CASCADE})
	}
	return effects
}

func droppedObject(removeType pg_query.ObjectType, n *pg_query.Node) (Object, bool) {
	switch removeType {
	case pg_query.ObjectType_OBJECT_TABLE:
		return qualified(KindTable, stringList(n.GetList().GetItems()))
	case pg_query.ObjectType_OBJECT_VIEW, pg_query.ObjectType_OBJECT_MATVIEW:
		return qualified(KindView, stringList(n.GetList().GetItems()))
	case pg_query.ObjectType_OBJECT_INDEX:
		return qualified(KindIndex, stringList(n.GetList().GetItems()))
	case pg_query.ObjectType_OBJECT_SEQUENCE:
		return qualified(KindSequence, stringList(n.GetList().GetItems()))
	case pg_query.ObjectType_OBJECT_TYPE, pg_query.ObjectType_OBJECT_DOMAIN:
		return qualified(KindType, stringList(n.GetTypeName().GetNames()))
	case pg_query.ObjectType_OBJECT_FUNCTION, pg_query.ObjectType_OBJECT_PROCEDURE,
		pg_query.ObjectType_OBJECT_ROUTINE:
		return qualified(KindFunction, stringList(n.GetObjectWithArgs().GetObjname()))
	case pg_query.ObjectType_OBJECT_TRIGGER, pg_query.ObjectType_OBJECT_POLICY:
		// [schema.]table.name
		names := stringList(n.GetList().GetItems())
		if len(names) < 2 {
			return Object{}, false
		}
		table, ok := qualified(KindTable, names[:len(names)-1])
		if !ok {
			return Object{}, false
		}
		kind := KindTrigger
		if removeType == pg_query.ObjectType_OBJECT_POLICY {
			kind = KindPolicy
		}
		return Object{Kind: kind, Schema: table.Schema, Table: table.Name, Name: names[len(names)-1]}, true
	case pg_query.ObjectType_OBJECT_SCHEMA:
		return named(KindSchema, n)
	case pg_query.ObjectType_OBJECT_EXTENSION:
		return named(KindExtension, n)
	case pg_query.ObjectType_OBJECT_PUBLICATION:
		return named(KindPublication, n)
	}
	return Object{}, false
}

func named(kind Kind, n *pg_query.Node) (Object, bool) {
	name := n.GetString_().GetSval()
	return Object{Kind: kind, Name: name}, name != ""
}
