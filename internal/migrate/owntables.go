package migrate

import (
	"errors"
	"fmt"
	"strings"

	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/migfiles"
)

// OwnTableError is a migration that drops, renames or alters a table steady keeps its own
// state in: its history (schema_migrations, a name golang-migrate and dbmate use too), its
// other tables or River's, in steady's schema. Running it would destroy steady's record of
// what ran; steady refuses the set before anything is written.
type OwnTableError struct {
	File   string
	Line   int
	Table  string
	Schema string
}

func (e *OwnTableError) Error() string {
	return fmt.Sprintf("%s:%d changes %s.%s, a table steady keeps its own state in: keep steady's tables in a schema of their own (--schema steady, STEADY_SCHEMA=steady)",
		e.File, e.Line, e.Schema, e.Table)
}

// ownTables finds the first statement of the set that changes one of steady's or River's
// tables in schema. Dropping schema_migrations is not one: it is another tool's history
// (golang-migrate's, dbmate's, Rails'), which steady sets aside when it adopts a database, so
// such a statement is skipped (oldHistoryDrop).
func ownTables(ms []migfiles.Migration, schema string) error {
	for _, m := range ms {
		for _, st := range m.Parsed.Statements {
			if oldHistoryDrop(st, schema) {
				continue
			}
			for _, e := range st.Effects {
				o := e.Object
				if o.Kind != fingerprint.KindTable && o.Kind != fingerprint.KindColumn && o.Kind != fingerprint.KindConstraint {
					continue
				}
				table := o.Name
				if o.Kind != fingerprint.KindTable {
					table = o.Table
				}
				if cmpSchema(o.Schema) == schema && (table == historyTable || strings.HasPrefix(table, "steady_") || strings.HasPrefix(table, "river_")) {
					return &OwnTableError{File: m.File, Line: st.Line, Table: table, Schema: schema}
				}
			}
		}
	}
	return nil
}

// oldHistoryDrop reports a DROP TABLE of schema_migrations in steady's schema: a history that
// moved away from golang-migrate or dbmate drops that tool's table. In steady's schema that
// name is steady's own history, and the old tool's table, when there was one, has been set
// aside under another name: the statement is not run, there or on a shadow database.
func oldHistoryDrop(st fingerprint.Statement, schema string) bool {
	if st.Node != "DropStmt" || len(st.Effects) == 0 {
		return false
	}
	for _, e := range st.Effects {
		if !e.Absent || e.Object.Kind != fingerprint.KindTable || e.Object.Name != historyTable || cmpSchema(e.Object.Schema) != schema {
			return false
		}
	}
	return true
}

// IsBadInput reports an error that is the migration files' fault (see migfiles.IsBadInput), or
// a set that changes steady's own tables: nothing was applied.
func IsBadInput(err error) bool {
	var oe *OwnTableError
	return migfiles.IsBadInput(err) || errors.As(err, &oe)
}
