package fingerprint

import (
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// serialTypes are the pseudo-types that CREATE TABLE turns into an integer column with a
// sequence default (they are recognised only unqualified, as PostgreSQL does).
var serialTypes = map[string]string{
	"smallserial": "smallint", "serial2": "smallint",
	"serial": "integer", "serial4": "integer",
	"bigserial": "bigint", "serial8": "bigint",
}

// builtinTypes maps pg_catalog type names to the spelling format_type() prints when the type
// takes no modifier, or has none.
var builtinTypes = map[string]string{
	"int2":        "smallint",
	"int4":        "integer",
	"int8":        "bigint",
	"bool":        "boolean",
	"float4":      "real",
	"float8":      "double precision",
	"varchar":     "character varying",
	"bpchar":      "bpchar", // a bpchar without length; "character" always carries one
	"bit":         "bit",
	"varbit":      "bit varying",
	"numeric":     "numeric",
	"timestamp":   "timestamp without time zone",
	"timestamptz": "timestamp with time zone",
	"time":        "time without time zone",
	"timetz":      "time with time zone",
	"interval":    "interval",
	"json":        "json", // a keyword since PostgreSQL 16, yet format_type never quotes it
}

// formatType spells a column type as PostgreSQL's format_type() prints it, so that it can be
// compared with the catalog. serial reports a serial pseudo-type (an integer column with a
// sequence default). It returns "" when the spelling cannot be known from the SQL alone
// (%TYPE, non-integer modifiers, modifiers of types it does not know).
func formatType(tn *pg_query.TypeName) (spelled string, serial bool) {
	if tn == nil || tn.PctType || len(tn.Names) == 0 {
		return "", false
	}
	names := stringList(tn.Names)
	if len(names) == 1 && len(tn.Typmods) == 0 {
		if base, ok := serialTypes[names[0]]; ok {
			return withArray(base, tn), true
		}
	}
	mods, ok := intTypmods(tn.Typmods)
	if !ok {
		return "", false
	}
	name := names[len(names)-1]
	schema := ""
	if len(names) > 1 {
		schema = names[len(names)-2]
	}
	var base string
	if _, builtin := builtinTypes[name]; builtin && (schema == "" || schema == "pg_catalog") {
		base, ok = formatBuiltin(name, mods)
	} else {
		base, ok = formatOther(schema, name, mods)
	}
	if !ok {
		return "", false
	}
	return withArray(base, tn), false
}

func withArray(base string, tn *pg_query.TypeName) string {
	if len(tn.ArrayBounds) > 0 {
		return base + "[]" // format_type prints one [] whatever the declared dimensions
	}
	return base
}

// formatBuiltin applies the type modifiers the way each type's typmodout function prints them.
func formatBuiltin(name string, mods []int64) (string, bool) {
	plain := builtinTypes[name]
	if len(mods) == 0 {
		return plain, true
	}
	switch name {
	case "varchar", "bit", "varbit":
		if len(mods) != 1 {
			return "", false
		}
		return fmt.Sprintf("%s(%d)", plain, mods[0]), true
	case "bpchar":
		if len(mods) != 1 {
			return "", false
		}
		return fmt.Sprintf("character(%d)", mods[0]), true
	case "numeric":
		switch len(mods) {
		case 1:
			return fmt.Sprintf("numeric(%d,0)", mods[0]), true
		case 2:
			return fmt.Sprintf("numeric(%d,%d)", mods[0], mods[1]), true
		}
		return "", false
	case "timestamp", "timestamptz", "time", "timetz":
		if len(mods) != 1 {
			return "", false
		}
		word, zone, _ := strings.Cut(plain, " ") // "timestamp", "with time zone"
		return fmt.Sprintf("%s(%d) %s", word, mods[0], zone), true
	case "interval":
		return formatInterval(mods)
	}
	return "", false
}

// Interval field masks, as in PostgreSQL's datetime.h.
const (
	intervalMonth     = 1 << 1
	intervalYear      = 1 << 2
	intervalDay       = 1 << 3
	intervalHour      = 1 << 10
	intervalMinute    = 1 << 11
	intervalSecond    = 1 << 12
	intervalFullRange = 0x7FFF
	intervalFullPrec  = 0xFFFF
)

var intervalFields = map[int64]string{
	intervalYear:                 " year",
	intervalMonth:                " month",
	intervalDay:                  " day",
	intervalHour:                 " hour",
	intervalMinute:               " minute",
	intervalSecond:               " second",
	intervalYear | intervalMonth: " year to month",
	intervalDay | intervalHour:   " day to hour",
	intervalDay | intervalHour | intervalMinute:                  " day to minute",
	intervalDay | intervalHour | intervalMinute | intervalSecond: " day to second",
	intervalHour | intervalMinute:                                " hour to minute",
	intervalHour | intervalMinute | intervalSecond:               " hour to second",
	intervalMinute | intervalSecond:                              " minute to second",
	intervalFullRange:                                            "",
}

// formatInterval mirrors intervaltypmodout: the field range, then the seconds precision.
func formatInterval(mods []int64) (string, bool) {
	if len(mods) > 2 {
		return "", false
	}
	fields, ok := intervalFields[mods[0]]
	if !ok {
		return "", false
	}
	out := "interval" + fields
	if len(mods) == 2 && mods[1] != intervalFullPrec {
		out += fmt.Sprintf("(%d)", mods[1])
	}
	return out, true
}

// formatOther spells a type that is not one of the built-ins with special spellings: other
// pg_catalog types (text, uuid, jsonb …) and user types such as enums and domains, which
// format_type prints unqualified when visible (schema public) and schema-qualified otherwise.
func formatOther(schema, name string, mods []int64) (string, bool) {
	if len(mods) > 0 {
		return "", false // only the type's own typmodout knows how to print these
	}
	if schema == "" || schema == "public" || schema == "pg_catalog" {
		return quoteIdent(name), true
	}
	return quoteIdent(schema) + "." + quoteIdent(name), true
}

// intTypmods reads type modifiers that are integer constants (all that built-in types take).
func intTypmods(nodes []*pg_query.Node) ([]int64, bool) {
	mods := make([]int64, 0, len(nodes))
	for _, n := range nodes {
		iv := n.GetAConst().GetIval()
		if iv == nil {
			return nil, false
		}
		mods = append(mods, int64(iv.Ival))
	}
	return mods, true
}

// quoteIdent quotes an identifier the way PostgreSQL's quote_identifier does: unless it is a
// lower-case plain identifier that is not a keyword (unreserved keywords need no quotes).
func quoteIdent(name string) string {
	if isPlainIdent(name) && !isKeyword(name) {
		return name
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

func isPlainIdent(name string) bool {
	if name == "" || !(name[0] == '_' || name[0] >= 'a' && name[0] <= 'z') {
		return false
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// isKeyword asks the PostgreSQL scanner whether name is a keyword that needs quoting.
func isKeyword(name string) bool {
	res, err := pg_query.Scan(name)
	if err != nil || len(res.Tokens) != 1 {
		return false
	}
	kind := res.Tokens[0].KeywordKind
	return kind != pg_query.KeywordKind_NO_KEYWORD && kind != pg_query.KeywordKind_UNRESERVED_KEYWORD
}

// stringList returns the values of a list of String nodes (qualified names, column lists).
func stringList(nodes []*pg_query.Node) []string {
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		if s := n.GetString_(); s != nil {
			out = append(out, s.Sval)
		}
	}
	return out
}

// SpellType is how format_type spells a user-defined type of that schema and name (the
// public schema unqualified), as Effect.Type holds it.
func SpellType(schema, name string) string {
	s, _ := formatOther(schema, name, nil)
	return s
}
