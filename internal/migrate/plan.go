package migrate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/migfiles"
	"github.com/steadydb/steady/internal/toolhistory"
)

// State is what status reports for a migration.
type State string

const (
	StateApplied         State = "applied"    // recorded, run by steady (or adopted)
	StateReconciled      State = "reconciled" // recorded, found in place, nothing run
	StatePending         State = "pending"    // not recorded: will run, or be reconciled
	StatePartial         State = "partial"    // not recorded, some of its effects present
	StateDrift           State = "drift"      // recorded, but its effects are not all in place
	StateChecksumChanged State = "checksum_changed"
	StateFailed          State = "failed" // a run of it failed (Result only)
)

// Action is what a run does with a migration.
type Action string

const (
	ActionNone      Action = "none"      // recorded (verify only), or partial and unsafe to repair (report only)
	ActionReconcile Action = "reconcile" // record as reconciled, run nothing
	ActionRun       Action = "run"       // run every statement
	ActionPartial   Action = "partial"   // run only the statements whose effect is missing
)

// Evidence is what the catalog and the histories showed when a migration was decided; it is
// stored with the record.
type Evidence struct {
	RecordedBy   string   `json:"recorded_by,omitempty"` // another tool's history records it, e.g. "goose"
	Inferred     string   `json:"inferred,omitempty"`    // e.g. "inferred: 0012 is present"
	Found        []string `json:"found,omitempty"`
	Missing      []string `json:"missing,omitempty"`
	Skipped      []string `json:"skipped,omitempty"`      // statements a partial run did not run, and why
	Superseded   []string `json:"superseded,omitempty"`   // effects a later migration of the prefix changes
	Unverifiable []string `json:"unverifiable,omitempty"` // statements the catalog cannot check
	Drift        []string `json:"drift,omitempty"`
	Conflicts    []string `json:"conflicts,omitempty"` // names taken by an object of another kind
	Lint         []string `json:"lint,omitempty"`      // lint findings it ran with (Config.Gate)
	// Unpredicted are effects steady's picture predicted that the catalog did not show once
	// the file had run (or was found in place): limits of the picture, which later
	// verifications do not count as drift.
	Unpredicted []string `json:"unpredicted,omitempty"`
}

// StatementPlan is the decision for one statement.
type StatementPlan struct {
	fingerprint.Statement
	Run    bool   `json:"run"`
	Reason string `json:"reason"`
	// Heal runs just before the statement: a DROP INDEX CONCURRENTLY of the INVALID index a
	// failed concurrent build left, which CREATE INDEX CONCURRENTLY [IF NOT EXISTS] would
	// otherwise trip over or keep.
	Heal string `json:"heal,omitempty"`
}

// invalidIndex returns the DROP that heals the INVALID or not-ready index a statement's failed
// concurrent build left behind, or "".
func (p *planner) invalidIndex(st fingerprint.Statement) string {
	if st.Node != "IndexStmt" || len(st.Effects) == 0 || p.planned(st.Effects[0].Object) {
		return ""
	}
	o := st.Effects[0].Object
	idx, ok := p.snap.Index(cmpSchema(o.Schema), o.Name)
	if !ok || (idx.Valid && idx.Ready) {
		return ""
	}
	return "DROP INDEX CONCURRENTLY IF EXISTS " + pgx.Identifier{cmpSchema(o.Schema), o.Name}.Sanitize()
}

// MigrationPlan is the decision for one migration.
type MigrationPlan struct {
	Version    migfiles.Version `json:"version"`
	Name       string           `json:"name"`
	File       string           `json:"file"`
	Format     migfiles.Format  `json:"format"`
	State      State            `json:"state"`
	Action     Action           `json:"action"`
	Evidence   Evidence         `json:"evidence"`
	Statements []StatementPlan  `json:"statements"`

	migration *migfiles.Migration
	// mispredicted are the effects a verification found missing or different (as
	// Effect.String), for absorbMispredictions.
	mispredicted []string
}

// Migration is the migration file the plan is for.
func (mp *MigrationPlan) Migration() *migfiles.Migration { return mp.migration }

// Plan is the decision for every migration, made from one catalog snapshot.
type Plan struct {
	Migrations []MigrationPlan
	// Prefix is how many migrations, in version order, the database was found to have
	// lived through before this run (recorded, or shown by the catalog).
	Prefix         int
	history        historyShape
	foreign        []toolhistory.Record
	RiverPending   bool   // River's own schema needs migrating
	catalogVersion string // read just before the snapshot
	snapshot       *catalog.Snapshot
	historyDigest  string // read just before the history (state.go)

	// Judge is what decided where the database stands, JudgeWhy the detail (the shadow
	// database used, or why there was none).
	Judge    Judge
	JudgeWhy string
	states   *states // the exact states the plan was made from (JudgeShadow)
}

// Snapshot is the catalog the plan was made from.
func (p *Plan) Snapshot() *catalog.Snapshot { return p.snapshot }

// Work reports whether a run would change anything.
func (p *Plan) Work() bool {
	if p.history != historyCurrent || p.RiverPending {
		return true
	}
	for _, m := range p.Migrations {
		if m.Action != ActionNone {
			return true
		}
	}
	return false
}

// planner decides every migration against one snapshot plus what the plan itself will run
// before it (the overlay), so that a later migration sees the effects of an earlier one that
// the same run applies.
type planner struct {
	*model
	snap      *catalog.Snapshot
	overlay   map[objKey]fingerprint.Effect // the last effect planned on each object so far
	prefix    int                           // migrations the database has lived through
	prefixWhy string                        // what shows it: "is recorded", "is present"
}

func newPlanner(snap *catalog.Snapshot, md *model) *planner {
	return &planner{model: md, snap: snap, overlay: map[objKey]fingerprint.Effect{}}
}

// check evaluates an effect against the overlay, then the snapshot.
func (p *planner) check(e fingerprint.Effect) catalog.Result {
	k := keyOf(e.Object)
	last, ok := p.overlay[k]
	if !ok {
		if pk, pok := parentOf(e.Object); pok {
			// A table the plan drops takes its columns, constraints and triggers with it.
			if t, tok := p.overlay[pk]; tok && t.Absent {
				last, ok = t, true
			}
		}
	}
	if !ok {
		return p.snap.Check(e)
	}
	exists := !last.Absent
	r := catalog.Result{Exists: exists}
	switch {
	case e.Absent:
		r.Holds = !exists
	case e.Alter:
		// Only what the planned statements said is known about the object's attributes.
		r.Holds = exists && sameAttributes(e, last)
	default:
		r.Holds = exists
	}
	if exists {
		r.Found = e.Object.String() + " (planned earlier in this run)"
	}
	return r
}

// sameAttributes reports whether the attributes want sets are the ones got set.
func sameAttributes(want, got fingerprint.Effect) bool {
	eq := func(a, b *bool) bool { return a == nil || (b != nil && *a == *b) }
	return (want.Type == "" || want.Type == got.Type) && eq(want.NotNull, got.NotNull) &&
		eq(want.HasDefault, got.HasDefault) && (!want.Validated || got.Validated)
}

// planned reports whether this run's plan touches o (or removes what holds it) before here.
func (p *planner) planned(o fingerprint.Object) bool {
	if _, ok := p.overlay[keyOf(o)]; ok {
		return true
	}
	pk, ok := parentOf(o)
	if !ok {
		return false
	}
	_, ok = p.overlay[pk]
	return ok
}

// apply records in the overlay what running a statement leaves behind.
func (p *planner) apply(st fingerprint.Statement) {
	for _, e := range st.Effects {
		p.overlay[keyOf(e.Object)] = e
	}
}

// planOne decides one migration. rec is its history row, if any.
func (p *planner) planOne(mi int, m *migfiles.Migration, rec *record, by string) MigrationPlan {
	mp := MigrationPlan{Version: m.Version, Name: m.Name, File: m.File, Format: m.Format, migration: m}
	switch {
	case rec != nil:
		p.verify(mi, m, rec, &mp)
	case by != "":
		// Another tool's history: strong evidence, still checked against the catalog.
		p.verify(mi, m, &record{Version: m.Version, Name: m.Name, Reconciled: true}, &mp)
		mp.Evidence.RecordedBy = by
		mp.Action, mp.State = ActionReconcile, StatePending
	case mi < p.prefix:
		p.planInPrefix(mi, m, &mp)
	default:
		p.planForward(mi, m, &mp)
	}
	return mp
}

// end is the position just after the prefix.
func (p *planner) end() position { return position{p.prefix, 0} }

// planInPrefix decides a migration that the database has lived through (a later one is
// recorded or present) but that no history records: reconciled when its effects are in
// place or cannot be checked; repaired statement by statement when some are missing and that
// is safe; otherwise reported partial and not run half-way.
func (p *planner) planInPrefix(mi int, m *migfiles.Migration, mp *MigrationPlan) {
	type verdict struct{ current, missing, repairable int }
	verdicts := make([]verdict, len(m.Parsed.Statements))
	var current, missing, unrepairable int
	for si, st := range m.Parsed.Statements {
		sp := StatementPlan{Statement: st, Reason: "present"}
		if !st.Verifiable() {
			sp.Reason = "unverifiable"
			mp.Evidence.Unverifiable = append(mp.Evidence.Unverifiable, stmtRef(m, st))
		}
		v := &verdicts[si]
		for _, e := range st.Effects {
			if p.supersededBefore(e, position{mi, si}, p.end()) {
				mp.Evidence.Superseded = append(mp.Evidence.Superseded, e.String())
				continue
			}
			v.current++
			r := p.check(e)
			if r.Holds && !r.Invalid {
				mp.Evidence.Found = append(mp.Evidence.Found, cmpStr(r.Found, e.String()))
				continue
			}
			v.missing++
			mp.Evidence.Missing = append(mp.Evidence.Missing, e.String())
			if heal := p.invalidIndex(st); heal != "" {
				sp.Heal = heal
				v.repairable++
			} else if !e.Absent && !e.Alter && !r.Exists {
				v.repairable++
			}
		}
		if v.missing > 0 {
			sp.Reason = "missing"
		}
		current += v.current
		missing += v.missing
		unrepairable += v.missing - v.repairable
		mp.Statements = append(mp.Statements, sp)
	}
	mp.State = StatePending
	switch {
	case current == 0:
		mp.Action = ActionReconcile
		mp.Evidence.Inferred = "inferred: " + p.prefixEvidence()
		return
	case missing == 0:
		mp.Action = ActionReconcile
		return
	case missing == current && len(mp.Evidence.Superseded) == 0 && unrepairable == 0:
		// Nothing of it is in place and nothing later in the prefix changed what it makes:
		// it did not run (a file added out of order, or its history row deleted with its
		// objects). Run it whole, as psql would.
		mp.Action = ActionRun
		for i := range mp.Statements {
			mp.Statements[i].Run = true
			p.apply(mp.Statements[i].Statement)
		}
		return
	}
	// Some of it is in place: repair the missing creations when nothing that runs needs what
	// a skipped statement would have made, and run no data statement (it ran, or the catalog
	// cannot tell).
	mp.State = StatePartial
	safe := unrepairable == 0
	for si := range mp.Statements {
		sp := &mp.Statements[si]
		v := verdicts[si]
		// A DO block's effects are evidence only: it also moves data, never run in a repair.
		sp.Run = v.missing > 0 && v.missing == v.repairable && v.current == len(sp.Effects) && !sp.FromBody
		if v.missing > 0 && !sp.Run {
			safe = false
		}
	}
	if safe {
		safe = p.needsMet(mp)
	}
	if !safe {
		for i := range mp.Statements {
			mp.Statements[i].Run = false
		}
		mp.Action = ActionNone
		mp.Evidence.Drift = append(mp.Evidence.Drift, "partly in place and not safely repairable: "+strings.Join(mp.Evidence.Missing, ", "))
		return
	}
	mp.Action = ActionPartial
	for i := range mp.Statements {
		sp := &mp.Statements[i]
		if sp.Run {
			sp.Reason = "missing: repaired"
			p.apply(sp.Statement)
		} else {
			mp.Evidence.Skipped = append(mp.Evidence.Skipped, stmtRef(m, sp.Statement)+" "+sp.Reason)
		}
	}
}

// needsMet reports whether what the statements that run need exists, or is made by one that
// runs before: the table a column, constraint, index or trigger goes on, and the objects of the
// history the statement uses (Statement.Refs; a name no migration makes, such as a built-in
// function, is the database's own and not checked).
func (p *planner) needsMet(mp *MigrationPlan) bool {
	made := map[objKey]bool{}
	for _, sp := range mp.Statements {
		if !sp.Run {
			continue
		}
		for _, need := range p.needs(sp.Statement) {
			if !slices.ContainsFunc(need, func(k objKey) bool { return made[k] || p.exists(k) }) {
				return false
			}
		}
		for _, e := range sp.Effects {
			if !e.Absent {
				made[keyOf(e.Object)] = true
			}
		}
	}
	return true
}

// needs lists what a statement cannot run without, each as the keys any of which satisfies it.
func (p *planner) needs(st fingerprint.Statement) [][]objKey {
	var out [][]objKey
	for _, e := range st.Effects {
		if pk, ok := parentOf(e.Object); ok {
			out = append(out, []objKey{pk})
		}
	}
	for _, ref := range st.Refs {
		var keys []objKey
		kinds := []fingerprint.Kind{ref.Kind}
		if ref.Kind == fingerprint.KindRelation {
			kinds = []fingerprint.Kind{fingerprint.KindTable, fingerprint.KindView, fingerprint.KindSequence, fingerprint.KindIndex, fingerprint.KindType}
		}
		for _, kind := range kinds {
			o := ref
			o.Kind = kind
			if k := keyOf(o); len(p.touches[k]) > 0 {
				keys = append(keys, k)
			}
		}
		if len(keys) > 0 {
			out = append(out, keys)
		}
	}
	return out
}

// exists reports whether the object of k exists, as far as the plan and the snapshot know.
func (p *planner) exists(k objKey) bool {
	o := fingerprint.Object{Kind: k.kind, Schema: k.schema, Table: k.table, Name: k.name}
	return p.check(fingerprint.Effect{Object: o}).Holds
}

// prefixEvidence names what shows that the prefix reaches this far.
func (p *planner) prefixEvidence() string {
	if p.prefix == 0 {
		return "nothing"
	}
	return p.ms[p.prefix-1].Version.String() + " " + p.prefixWhy
}

// planForward decides a migration the database has not lived through: it runs whole, as psql
// would, except statements whose every effect is already in place exactly (made by hand, or
// by a crash half-way through a no-transaction file), which are skipped.
func (p *planner) planForward(mi int, m *migfiles.Migration, mp *MigrationPlan) {
	mp.State, mp.Action = StatePending, ActionRun
	for _, st := range m.Parsed.Statements {
		sp := StatementPlan{Statement: st, Run: true, Reason: "not run"}
		// Only what existed before this run counts, and an explicit fingerprint describes the
		// statement's evidence, not something it makes: such a statement always runs.
		present := st.Verifiable() && !st.Explicit && !st.FromBody
		for _, e := range st.Effects {
			r := p.check(exact(e))
			if e.Absent || e.Alter || !r.Holds || p.planned(e.Object) {
				present = false
			}
			if !r.Holds && !r.Exists && r.Conflict != "" {
				mp.Evidence.Conflicts = append(mp.Evidence.Conflicts, fmt.Sprintf("%s: the name is taken by %s", e, r.Conflict))
			}
		}
		if !st.Verifiable() {
			mp.Evidence.Unverifiable = append(mp.Evidence.Unverifiable, stmtRef(m, st))
		}
		sp.Heal = p.invalidIndex(st)
		if present {
			sp.Run, sp.Reason = false, "present: made before this run"
			mp.Action, mp.State = ActionPartial, StatePartial
			mp.Evidence.Found = append(mp.Evidence.Found, st.Effects[0].String())
			mp.Evidence.Skipped = append(mp.Evidence.Skipped, stmtRef(m, st)+" present")
		} else {
			p.apply(st)
		}
		mp.Statements = append(mp.Statements, sp)
	}
}

// exact asks for every attribute the effect states, not only existence.
func exact(e fingerprint.Effect) fingerprint.Effect {
	if !e.Absent {
		e.Alter = true
	}
	return e
}

// verify checks a recorded migration: every effect that no later migration of the prefix
// changes must hold.
func (p *planner) verify(mi int, m *migfiles.Migration, rec *record, mp *MigrationPlan) {
	mp.Action = ActionNone
	mp.State = StateApplied
	if rec.Reconciled {
		mp.State = StateReconciled
	}
	if rec.Name != m.Name && rec.Name != "" {
		mp.Evidence.Drift = append(mp.Evidence.Drift, fmt.Sprintf("recorded under the name %q", rec.Name))
	}
	for si, st := range m.Parsed.Statements {
		mp.Statements = append(mp.Statements, StatementPlan{Statement: st, Reason: "recorded"})
		if !st.Verifiable() {
			mp.Evidence.Unverifiable = append(mp.Evidence.Unverifiable, stmtRef(m, st))
		}
		for _, e := range st.Effects {
			if p.supersededBefore(e, position{mi, si}, p.end()) || slices.Contains(rec.Unpredicted, e.String()) {
				continue
			}
			r := p.check(e)
			if !r.Holds || r.Drift != "" {
				mp.mispredicted = append(mp.mispredicted, e.String())
			}
			switch {
			case !r.Holds:
				mp.Evidence.Missing = append(mp.Evidence.Missing, e.String())
			case r.Drift != "":
				mp.Evidence.Drift = append(mp.Evidence.Drift, fmt.Sprintf("%s: %s", e, r.Drift))
			default:
				mp.Evidence.Found = append(mp.Evidence.Found, cmpStr(r.Found, e.String()))
			}
		}
	}
	if len(mp.Evidence.Missing) > 0 || len(mp.Evidence.Drift) > 0 {
		mp.State = StateDrift
	}
	if rec.Checksum != nil && *rec.Checksum != m.Checksum {
		mp.State = StateChecksumChanged
		mp.Evidence.Drift = append(mp.Evidence.Drift, fmt.Sprintf("checksum changed: recorded %.12s…, file %.12s…", *rec.Checksum, m.Checksum))
	}
}

func stmtRef(m *migfiles.Migration, st fingerprint.Statement) string {
	first, _, _ := strings.Cut(strings.TrimSpace(st.SQL), "\n")
	if len(first) > 60 {
		first = first[:60] + "…"
	}
	return fmt.Sprintf("%s:%d %s", m.File, st.Line, first)
}

func cmpStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// makePlan decides every migration: it finds the prefix of the history the database has
// lived through (at least as far as a history records), then reconciles or repairs what lies
// inside it and runs what lies after it.
func makePlan(snap *catalog.Snapshot, md *model, hist map[migfiles.Version]record, shape historyShape, foreign []toolhistory.Record) *Plan {
	p := newPlanner(snap, md)
	plan := &Plan{history: shape, foreign: foreign}
	by, lo, why := recordedBounds(md, hist, foreign)
	p.prefix, p.prefixWhy = lo, why
	if lo < len(md.ms) {
		scores, evidenced := md.prefixFit(snap)
		if k := choosePrefix(scores, evidenced, lo); k > lo {
			p.prefix, p.prefixWhy = k, "is present"
		}
	}
	plan.Prefix = p.prefix
	for i := range md.ms {
		var rec *record
		if r, ok := hist[md.ms[i].Version]; ok {
			rec = &r
		}
		plan.Migrations = append(plan.Migrations, p.planOne(i, &md.ms[i], rec, by[i]))
	}
	return plan
}
