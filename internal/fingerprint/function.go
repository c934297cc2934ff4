package fingerprint

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// createFunction derives CREATE [OR REPLACE] FUNCTION / PROCEDURE: the function, with the body
// as pg_proc.prosrc will hold it, so that two definitions under one name are told apart.
func createFunction(s *pg_query.CreateFunctionStmt) []Effect {
	effects := namedEffect(KindFunction, s.Funcname)
	if len(effects) == 1 {
		effects[0].Source = functionSource(s)
	}
	return effects
}

// functionSource is what CREATE FUNCTION stores in pg_proc.prosrc, mirroring
// interpret_AS_clause (functioncmds.c): the AS string as the parser read it (escapes
// resolved, $$ bodies verbatim); for LANGUAGE c the link symbol, which defaults to the
// function's name. A SQL-standard body (BEGIN ATOMIC … END, RETURN …) is stored in prosqlbody
// and leaves prosrc empty: "" then, and only existence is checked.
func functionSource(s *pg_query.CreateFunctionStmt) string {
	if s.SqlBody != nil {
		return ""
	}
	var as []string
	language := ""
	for _, o := range s.Options {
		d := o.GetDefElem()
		switch d.GetDefname() {
		case "as":
			as = stringList(d.Arg.GetList().GetItems())
		case "language":
			language = d.Arg.GetString_().GetSval()
		}
	}
	if len(as) == 0 {
		return ""
	}
	if !strings.EqualFold(language, "c") {
		return as[0]
	}
	names := stringList(s.Funcname)
	name := names[len(names)-1]
	if len(as) == 1 || as[1] == "-" {
		return name
	}
	return as[1]
}
