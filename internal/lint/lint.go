package lint

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/migfiles"
)

// File is one migration file to lint.
type File struct {
	Name      string // as reported: a path, or the file name
	SQL       string // its text, for columns
	Migration *fingerprint.Migration
	// Run, when not nil, limits the lint to these statements (by Statement.Index): the ones a
	// partial run executes.
	Run map[int]bool
	// Format is the tool whose file it is ("" is steady's): goose and dbmate wrap a file in a
	// transaction unless NoTransaction, the format's own marker, says not to.
	Format migfiles.Format
	// NoTransaction: the format's marker (goose's NO TRANSACTION, dbmate's transaction:false).
	NoTransaction bool
}

// FileOf is the File of a loaded migration; m.Parsed must be set.
func FileOf(m migfiles.Migration, name string) File {
	return File{Name: name, SQL: m.SQL, Migration: m.Parsed, Format: m.Format, NoTransaction: m.FormatNoTransaction}
}

// Finding is one statement that breaks a rule.
type Finding struct {
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Lock     string   `json:"lock"`
	Table    string   `json:"table,omitempty"` // schema.name of the table locked, when known
	Detail   string   `json:"detail"`          // what the statement does
	Why      string   `json:"why"`
	Safe     string   `json:"safe"`
	Allowed  string   `json:"allowed,omitempty"` // the reason of a -- steady:allow directive
	// With a catalog: the table's estimated size and how long the lock is held for the work.
	Size *Size `json:"size,omitempty"`
}

// Size is what the catalog says of a finding's table.
type Size struct {
	Rows       int64  `json:"rows"` // pg_class.reltuples: -1 when never analyzed
	Bytes      int64  `json:"bytes"`
	Work       string `json:"work,omitempty"`    // rewrite, scan, index build, foreign key check, update
	LockMillis int64  `json:"lock_ms,omitempty"` // estimated time the lock is held for the work
	// Probed: the catalog did not know the size (never analysed) and a bounded read found the
	// table empty (Rows 0) or not (Rows -1).
	Probed bool `json:"probed,omitempty"`
}

// Lock is the estimated time the work holds the lock.
func (s *Size) Lock() time.Duration { return time.Duration(s.LockMillis) * time.Millisecond }

// Lint judges a pending set: files that run in this order, each after the one before. snap is
// the catalog they will run against, or nil offline. A statement on a table created earlier in
// the set is no finding (nothing can be waiting on it), and with a catalog neither is one on a
// table the catalog does not have. Findings come in file and statement order.
func (l *Linter) Lint(set []File, snap *catalog.Snapshot) *Report {
	return l.LintContext(context.Background(), set, snap, LintOpts{})
}

// LintOpts are what a lint may use beyond the files and the catalog.
type LintOpts struct {
	// Probe, when set, is asked whether a table the catalog cannot size (never analysed) has a
	// row: an empty table turns a size-following finding into info.
	Probe RowProbe
	// Carry keeps what earlier files of a directory tell of the schema (column types, validated
	// NOT NULL checks) for the later ones, while each file is still judged as if the earlier
	// ones were applied. Set by LintDir.
	carry *setState
}

// LintContext is Lint with a context for the probe.
func (l *Linter) LintContext(ctx context.Context, set []File, snap *catalog.Snapshot, opts LintOpts) *Report {
	rep := &Report{Files: len(set), Catalog: snap != nil, Findings: []Finding{}}
	s := newSetState(snap)
	if opts.carry != nil {
		s = opts.carry.next()
	}
	probed := map[tableKey]probeResult{}
	for _, f := range set {
		if f.Migration == nil {
			continue
		}
		c := newChecker(l, f, s)
		var found []Finding
		for _, st := range f.Migration.Statements {
			if st.Tree == nil || (f.Run != nil && !f.Run[st.Index]) {
				continue
			}
			c.enter(st)
			for _, h := range c.statement(st) {
				if fd, ok := l.finding(ctx, f, st, h, s, opts.Probe, probed); ok {
					found = append(found, fd)
				}
			}
			s.apply(st)
		}
		// A DO block's statements report their own lines, after the block's first line.
		slices.SortStableFunc(found, func(a, b Finding) int { return cmp.Compare(a.Line, b.Line) })
		rep.Findings = append(rep.Findings, found...)
	}
	if opts.carry != nil {
		*opts.carry = *s
	}
	return rep
}

// LintDir judges the files of a directory (or the shipped set): each as if the ones before it
// were applied, which is how they reach production, one deploy at a time. What the earlier
// files tell of the schema (a validated CHECK (col IS NOT NULL), a column's type) still counts.
func (l *Linter) LintDir(ctx context.Context, files []File, snap *catalog.Snapshot, opts LintOpts) *Report {
	rep := &Report{Files: len(files), Catalog: snap != nil, Findings: []Finding{}}
	opts.carry = newSetState(snap)
	for _, f := range files {
		r := l.LintContext(ctx, []File{f}, snap, opts)
		rep.Findings = append(rep.Findings, r.Findings...)
	}
	return rep
}

type probeResult struct {
	hasRows bool
	err     error
}

// finding turns a hit into a finding, or drops it when its table cannot be in use.
func (l *Linter) finding(ctx context.Context, f File, st fingerprint.Statement, h hit, s *setState, probe RowProbe, probed map[tableKey]probeResult) (Finding, bool) {
	r := h.rule
	if r.style && s.snap != nil {
		return Finding{}, false
	}
	var table catalog.Table
	found := false
	if r.locking && h.table != nil && !h.dynamic {
		if s.snap != nil {
			table, found = s.snap.Table(h.table.schema, h.table.name)
			if !found && h.view {
				table, found = s.snap.MaterializedView(h.table.schema, h.table.name)
			}
			if !found {
				return Finding{}, false
			}
		} else if s.created[*h.table] {
			return Finding{}, false
		}
	}
	offset := st.Offset
	if h.offset > 0 {
		offset = h.offset
	}
	line, col := position(f.SQL, offset)
	fd := Finding{
		File: f.Name, Line: line, Column: col, Rule: r.Name, Lock: cmpStr(h.lock, r.Lock),
		Detail: h.detail, Why: cmpStr(h.why, r.Why), Safe: l.safe(r), Severity: r.fixed,
	}
	if h.table != nil && !h.dynamic {
		fd.Table = h.table.String()
	}
	w := r.work
	if h.work != nil {
		w = *h.work
	}
	switch {
	case found:
		fd.Size = &Size{Rows: table.Rows, Bytes: table.TotalBytes}
		if table.Rows < 0 && probe != nil && (r.sized || r.onlyIfRows) {
			pr, ok := probed[*h.table]
			if !ok {
				hasRows, err := probe.HasRows(ctx, h.table.schema, h.table.name)
				pr = probeResult{hasRows: hasRows, err: err}
				probed[*h.table] = pr
			}
			if pr.err == nil {
				fd.Size.Probed = true
				if !pr.hasRows {
					table.Rows, table.HeapBytes, fd.Size.Rows = 0, 0, 0
				}
			}
		}
		if w != workNone && table.Rows >= 0 {
			fd.Size.Work = w.String()
			fd.Size.LockMillis = l.cfg.Rates.estimate(w, table.Rows, table.HeapBytes, table.TotalBytes).Milliseconds()
		}
		switch {
		case r.onlyIfRows && table.Rows == 0 && table.HeapBytes == 0:
			fd.Severity = Info
		case r.sized && table.Rows < 0:
			fd.Severity = Warning // never analyzed: its size is unknown
		case r.sized:
			fd.Severity = min(l.tier(table.Rows), r.max)
		}
	case r.sized:
		fd.Severity = Warning // offline, or a table the statement does not name
	}
	if h.severity != nil {
		fd.Severity = *h.severity
	}
	if lv, ok := l.cfg.Levels[r.Name]; ok {
		if lv == LevelOff {
			return Finding{}, false
		}
		fd.Severity = lv.severity()
	}
	for _, a := range st.Allows {
		if a.Rule == r.Name {
			fd.Allowed = a.Reason
		}
	}
	return fd, true
}

func (l *Linter) tier(rows int64) Severity {
	switch {
	case rows >= l.cfg.ErrorRows:
		return Error
	case rows >= l.cfg.WarnRows:
		return Warning
	}
	return Info
}

// position is the 1-based line and column (in characters) of a byte offset.
func position(text string, offset int) (line, col int) {
	offset = min(max(offset, 0), len(text))
	before := text[:offset]
	line = strings.Count(before, "\n") + 1
	lineStart := strings.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCountInString(before[lineStart:]) + 1
}

func cmpStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// tableKey names a table; tableChild a column or constraint of one.
type tableKey struct{ schema, name string }
type tableChild struct {
	table tableKey
	name  string
}

func (t tableKey) String() string { return t.schema + "." + t.name }

// setState is what the statements before this one in the pending set did.
type setState struct {
	snap    *catalog.Snapshot
	created map[tableKey]bool     // tables created earlier in the set
	indexes map[tableKey]tableKey // index → its table, for the indexes created in the set
	types   map[tableChild]string // column types the set spelled (format_type)
	checks  map[tableChild]bool   // columns with a validated CHECK (col IS NOT NULL) from the set
	// notNullChecks maps a CHECK (col IS NOT NULL) added NOT VALID in the set to its column.
	notNullChecks map[tableChild]string
}

// next is the state a later file of a directory starts from: what is known of the schema,
// but no table counts as new any more (each file reaches production in its own deploy).
func (s *setState) next() *setState {
	n := newSetState(s.snap)
	maps.Copy(n.indexes, s.indexes)
	maps.Copy(n.types, s.types)
	maps.Copy(n.checks, s.checks)
	maps.Copy(n.notNullChecks, s.notNullChecks)
	return n
}

func newSetState(snap *catalog.Snapshot) *setState {
	return &setState{snap: snap, created: map[tableKey]bool{}, indexes: map[tableKey]tableKey{},
		types: map[tableChild]string{}, checks: map[tableChild]bool{}, notNullChecks: map[tableChild]string{}}
}

// columnType is a column's type before the statement: from the set, else the catalog.
func (s *setState) columnType(c tableChild) string {
	if t, ok := s.types[c]; ok {
		return t
	}
	if s.snap == nil {
		return ""
	}
	t, ok := s.snap.Table(c.table.schema, c.table.name)
	if !ok {
		return ""
	}
	i := slices.IndexFunc(t.Columns, func(col catalog.Column) bool { return col.Name == c.name })
	if i < 0 {
		return ""
	}
	return t.Columns[i].Type
}

// indexTable is the table of an index: from the set, else the catalog.
func (s *setState) indexTable(idx tableKey) (tableKey, bool) {
	if t, ok := s.indexes[idx]; ok {
		return t, true
	}
	if s.snap != nil {
		if i, ok := s.snap.Index(idx.schema, idx.name); ok {
			return tableKey{i.Schema, i.Table}, true
		}
	}
	return tableKey{}, false
}

// apply records what a statement that ran leaves for the statements after it.
func (s *setState) apply(st fingerprint.Statement) {
	if rn := st.Tree.GetRenameStmt(); rn != nil {
		s.rename(rn)
		return
	}
	for _, e := range st.Effects {
		o := e.Object
		switch {
		case o.Kind == fingerprint.KindTable && e.Absent:
			delete(s.created, tableKey{o.Schema, o.Name})
		case o.Kind == fingerprint.KindTable, o.Kind == fingerprint.KindView:
			s.created[tableKey{o.Schema, o.Name}] = true
		case o.Kind == fingerprint.KindColumn && e.Absent:
			delete(s.types, tableChild{tableKey{o.Schema, o.Table}, o.Name})
		case o.Kind == fingerprint.KindColumn && e.Type != "":
			s.types[tableChild{tableKey{o.Schema, o.Table}, o.Name}] = e.Type
		case o.Kind == fingerprint.KindIndex && !e.Absent && o.Table != "":
			s.indexes[tableKey{o.Schema, o.Name}] = tableKey{o.Schema, o.Table}
		}
	}
}

// rename carries what the set knows of a table or column over to its new name: a table
// created in the set and renamed is still new.
func (s *setState) rename(rn *pg_query.RenameStmt) {
	fromp := relKey(rn.Relation)
	if fromp == nil {
		return
	}
	from := *fromp
	switch rn.RenameType {
	case pg_query.ObjectType_OBJECT_TABLE:
		to := tableKey{from.schema, rn.Newname}
		if s.created[from] {
			s.created[to] = true
		}
		delete(s.created, from)
		for c, t := range s.types {
			if c.table == from {
				s.types[tableChild{to, c.name}] = t
				delete(s.types, c)
			}
		}
	case pg_query.ObjectType_OBJECT_COLUMN:
		if t, ok := s.types[tableChild{from, rn.Subname}]; ok {
			s.types[tableChild{from, rn.Newname}] = t
			delete(s.types, tableChild{from, rn.Subname})
		}
	}
}

// String is the finding on one line: file:line:col severity rule: detail.
func (f Finding) String() string {
	s := fmt.Sprintf("%s:%d:%d %s %s: %s", f.File, f.Line, f.Column, f.Severity, f.Rule, f.Detail)
	if f.Allowed != "" {
		s += " (allowed: " + f.Allowed + ")"
	}
	return s
}
