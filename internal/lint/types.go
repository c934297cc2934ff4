package lint

import (
	"regexp"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// typeSpelling splits a format_type() spelling: "character varying(32)" → ("character
// varying", [32], ""), "timestamp(3) with time zone" → ("timestamp", [3], " with time zone").
var typeSpelling = regexp.MustCompile(`^([a-z ]+?)(?:\((\d+)(?:,(\d+))?\))?( with time zone| without time zone)?$`)

type spelledType struct {
	base   string
	mods   []int // typmod arguments, none when unconstrained
	suffix string
}

func parseType(s string) (spelledType, bool) {
	m := typeSpelling.FindStringSubmatch(s)
	if m == nil {
		return spelledType{}, false
	}
	t := spelledType{base: m[1], suffix: m[4]}
	for _, mod := range m[2:4] {
		if mod != "" {
			n, _ := strconv.Atoi(mod)
			t.mods = append(t.mods, n)
		}
	}
	return t, true
}

// binaryCoercible reports whether ALTER COLUMN TYPE from one type to the other, both as
// format_type() spells them, leaves the rows as they are: PostgreSQL then changes the catalog
// only (ATColumnChangeRequiresRewrite). Only the cases it is sure of; anything else rewrites.
func binaryCoercible(from, to string) bool {
	if from == to {
		return true
	}
	f, ok1 := parseType(from)
	t, ok2 := parseType(to)
	if !ok1 || !ok2 {
		return false
	}
	wider := func() bool { // the same type with a limit at least as large, or none
		return len(t.mods) == 0 || (len(f.mods) > 0 && t.mods[0] >= f.mods[0])
	}
	switch {
	case f.base == "character varying" && t.base == "text":
		return true
	case f.base == "text" && t.base == "character varying":
		return len(t.mods) == 0
	case f.base == "character varying" && t.base == "character varying",
		f.base == "bit varying" && t.base == "bit varying":
		return wider()
	case f.base == "numeric" && t.base == "numeric":
		// A larger precision with the same scale; unconstrained numeric takes anything.
		return len(t.mods) == 0 || (len(f.mods) == 2 && len(t.mods) == 2 && t.mods[0] >= f.mods[0] && t.mods[1] == f.mods[1])
	case f.base == "timestamp" && t.base == "timestamp" && f.suffix == t.suffix:
		// A larger fractional precision (timestamp_support); no precision means 6, the most.
		return len(t.mods) == 0 || (len(f.mods) > 0 && t.mods[0] >= f.mods[0])
	case f.base == "cidr" && t.base == "inet":
		return true
	}
	return false
}

// volatileFunctions are the functions whose default is computed per row. now() and friends are
// stable: PostgreSQL 11+ evaluates a stable default once and stores it in the catalog.
var volatileFunctions = map[string]bool{
	"random": true, "random_normal": true, "gen_random_uuid": true, "gen_random_bytes": true,
	"uuid_generate_v1": true, "uuid_generate_v1mc": true, "uuid_generate_v4": true,
	"clock_timestamp": true, "timeofday": true, "nextval": true, "txid_current": true,
	"pg_current_xact_id": true, "setval": true,
}

// knownFunctions are stable or immutable: a default made of them and constants does not
// rewrite the table.
var knownFunctions = map[string]bool{
	"now": true, "transaction_timestamp": true, "statement_timestamp": true, "current_setting": true,
	"lower": true, "upper": true, "trim": true, "btrim": true, "concat": true, "concat_ws": true,
	"coalesce": true, "to_json": true, "to_jsonb": true, "jsonb_build_object": true,
	"json_build_object": true, "jsonb_build_array": true, "json_build_array": true, "array_length": true,
	"encode": true, "decode": true, "md5": true, "length": true, "date_trunc": true, "make_interval": true,
	"timezone": true, "abs": true, "round": true, "floor": true, "ceil": true, "greatest": true, "least": true,
	"format": true, "replace": true, "substr": true, "substring": true, "left": true, "right": true,
}

// volatile reports whether a default expression may give each row its own value, and the
// function that makes it so ("" for a subquery). A function it does not know counts as
// volatile: it cannot tell, and a rewrite is the costly outcome.
func volatile(n *pg_query.Node) (bool, string) {
	if n == nil {
		return false, ""
	}
	switch e := n.Node.(type) {
	case *pg_query.Node_AConst, *pg_query.Node_SqlvalueFunction, *pg_query.Node_ParamRef:
		return false, ""
	case *pg_query.Node_TypeCast:
		return volatile(e.TypeCast.Arg)
	case *pg_query.Node_FuncCall:
		name := funcName(e.FuncCall)
		if volatileFunctions[name] || !knownFunctions[name] {
			return true, name + "()"
		}
		return anyVolatile(e.FuncCall.Args)
	case *pg_query.Node_AExpr:
		if v, f := volatile(e.AExpr.Lexpr); v {
			return v, f
		}
		return volatile(e.AExpr.Rexpr)
	case *pg_query.Node_BoolExpr:
		return anyVolatile(e.BoolExpr.Args)
	case *pg_query.Node_NullTest:
		return volatile(e.NullTest.Arg)
	case *pg_query.Node_CoalesceExpr:
		return anyVolatile(e.CoalesceExpr.Args)
	case *pg_query.Node_MinMaxExpr:
		return anyVolatile(e.MinMaxExpr.Args)
	case *pg_query.Node_AArrayExpr:
		return anyVolatile(e.AArrayExpr.Elements)
	case *pg_query.Node_RowExpr:
		return anyVolatile(e.RowExpr.Args)
	case *pg_query.Node_CaseExpr:
		args := []*pg_query.Node{e.CaseExpr.Arg, e.CaseExpr.Defresult}
		for _, w := range e.CaseExpr.Args {
			args = append(args, w.GetCaseWhen().GetExpr(), w.GetCaseWhen().GetResult())
		}
		return anyVolatile(args)
	case *pg_query.Node_SubLink:
		return true, "a subquery"
	}
	return true, "an expression steady cannot judge"
}

func anyVolatile(nodes []*pg_query.Node) (bool, string) {
	for _, a := range nodes {
		if v, f := volatile(a); v {
			return v, f
		}
	}
	return false, ""
}

func funcName(f *pg_query.FuncCall) string {
	names := f.GetFuncname()
	if len(names) == 0 {
		return ""
	}
	return strings.ToLower(names[len(names)-1].GetString_().GetSval())
}

// serialTypes are the pseudo-types whose default is nextval(): volatile.
var serialTypes = map[string]bool{"serial": true, "bigserial": true, "smallserial": true, "serial2": true, "serial4": true, "serial8": true}

func isSerial(tn *pg_query.TypeName) bool {
	names := tn.GetNames()
	return len(names) > 0 && serialTypes[names[len(names)-1].GetString_().GetSval()]
}
