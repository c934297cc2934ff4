package lint

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// walk calls fn on n and on every node under it, through the parse tree's protobuf messages.
func walk(n *pg_query.Node, fn func(*pg_query.Node)) {
	if n == nil {
		return
	}
	visit(n.ProtoReflect(), fn)
}

func visit(m protoreflect.Message, fn func(*pg_query.Node)) {
	if node, ok := m.Interface().(*pg_query.Node); ok {
		fn(node)
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsMap() || fd.Message() == nil:
		case fd.IsList():
			for i, l := 0, v.List(); i < l.Len(); i++ {
				visit(l.Get(i).Message(), fn)
			}
		default:
			visit(v.Message(), fn)
		}
		return true
	})
}
