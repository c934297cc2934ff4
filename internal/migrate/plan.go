package migrate

import (
	"fmt"
	"strings"

	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/fingerprint"
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
	ActionNone      Action = "none"      // recorded: verify only
	ActionReconcile Action = "reconcile" // record as reconciled, run nothing
	ActionRun       Action = "run"       // run every statement
	ActionPartial   Action = "partial"   // run only the statements whose effect is missing
)

// Evidence is what the catalog showed when a migration was decided; it is stored with the record.
type Evidence struct {
	Found        []string `json:"found,omitempty"`
	Missing      []string `json:"missing,omitempty"`
	Skipped      []string `json:"skipped,omitempty"`      // statements a partial run did not run, and why
	Superseded   []string `json:"superseded,omitempty"`   // effects a later migration undoes
	Unverifiable []string `json:"unverifiable,omitempty"` // statements the catalog cannot check
	Drift        []string `json:"drift,omitempty"`
	Conflicts    []string `json:"conflicts,omitempty"` // names taken by an object of another kind
}

// StatementPlan is the decision for one statement.
type StatementPlan struct {
	fingerprint.Statement
	Run    bool   `json:"run"`
	Reason string `json:"reason"`
}

// MigrationPlan is the decision for one migration.
type MigrationPlan struct {
	Version    int64           `json:"version"`
	Name       string          `json:"name"`
	File       string          `json:"file"`
	State      State           `json:"state"`
	Action     Action          `json:"action"`
	Evidence   Evidence        `json:"evidence"`
	Statements []StatementPlan `json:"statements"`

	migration *Migration
}

// Plan is the decision for every migration, made from one catalog snapshot.
type Plan struct {
	Migrations     []MigrationPlan
	history        historyShape
	RiverPending   bool   // River's own schema needs migrating
	catalogVersion string // read just before the snapshot
	historyDigest  string // read just before the history (state.go)
}

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

// objKey identifies an object across migrations.
type objKey struct {
	kind                fingerprint.Kind
	schema, table, name string
}

func keyOf(o fingerprint.Object) objKey {
	return objKey{o.Kind, cmpSchema(o.Schema), o.Table, o.Name}
}

func cmpSchema(s string) string {
	if s == "" {
		return "public"
	}
	return s
}

// position orders statements across the whole set.
type position struct{ migration, statement int }

func (a position) before(b position) bool {
	return a.migration < b.migration || (a.migration == b.migration && a.statement < b.statement)
}

// touch is one effect at its position.
type touch struct {
	pos     position
	effect  fingerprint.Effect
	version int64
}

// planner decides every migration against one snapshot plus what the plan itself will run
// before it (the overlay), so that a later migration sees the effects of an earlier one that
// the same run applies.
type planner struct {
	snap    *catalog.Snapshot
	touches map[objKey][]touch            // every effect of the set on each object, in order
	tables  map[objKey][]touch            // table effects, for the objects that live in a table
	overlay map[objKey]fingerprint.Effect // the last effect planned on each object so far
}

// on is a planner with the same index of the set's effects, against snap and with nothing
// planned yet: what checking one applied migration needs, without indexing the set again.
func (p *planner) on(snap *catalog.Snapshot) *planner {
	return &planner{snap: snap, touches: p.touches, tables: p.tables, overlay: map[objKey]fingerprint.Effect{}}
}

func newPlanner(snap *catalog.Snapshot, ms []Migration) *planner {
	p := &planner{snap: snap, touches: map[objKey][]touch{}, tables: map[objKey][]touch{}, overlay: map[objKey]fingerprint.Effect{}}
	for mi, m := range ms {
		for si, st := range m.Parsed.Statements {
			for _, e := range st.Effects {
				t := touch{pos: position{mi, si}, effect: e, version: m.Version}
				k := keyOf(e.Object)
				p.touches[k] = append(p.touches[k], t)
				if e.Object.Kind == fingerprint.KindTable {
					p.tables[k] = append(p.tables[k], t)
				}
			}
		}
	}
	return p
}

// later returns how a later statement touches e's object: flipped when one makes it exist or
// not exist the other way round (a DROP after a CREATE, a RENAME away, a DROP TABLE of its
// table), altered when one only changes its attributes.
func (p *planner) later(e fingerprint.Effect, at position) (flipped *touch, altered bool) {
	for _, t := range p.touches[keyOf(e.Object)] {
		if !at.before(t.pos) {
			continue
		}
		if t.effect.Absent != e.Absent {
			return &t, altered
		}
		altered = true
	}
	if e.Object.Table != "" && !e.Absent {
		tk := objKey{fingerprint.KindTable, cmpSchema(e.Object.Schema), "", e.Object.Table}
		for _, t := range p.tables[tk] {
			if at.before(t.pos) && t.effect.Absent {
				return &t, altered
			}
		}
	}
	return nil, altered
}

// check evaluates an effect against the overlay, then the snapshot.
func (p *planner) check(e fingerprint.Effect) catalog.Result {
	k := keyOf(e.Object)
	last, ok := p.overlay[k]
	if !ok && e.Object.Table != "" {
		// A table the plan drops takes its columns, constraints and triggers with it.
		if t, tok := p.overlay[objKey{fingerprint.KindTable, k.schema, "", e.Object.Table}]; tok && t.Absent {
			last, ok = t, true
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

// apply records in the overlay what running a statement leaves behind.
func (p *planner) apply(st fingerprint.Statement) {
	for _, e := range st.Effects {
		p.overlay[keyOf(e.Object)] = e
	}
}

// planOne decides one migration. rec is its history row, if any.
func (p *planner) planOne(mi int, m *Migration, rec *record) MigrationPlan {
	mp := MigrationPlan{Version: m.Version, Name: m.Name, File: m.File, migration: m}
	if rec != nil {
		p.verify(mi, m, rec, &mp)
		return mp
	}
	type verdict struct {
		decides, holds bool
	}
	verdicts := make([]verdict, len(m.Parsed.Statements))
	var decided, present int
	for si, st := range m.Parsed.Statements {
		sp := StatementPlan{Statement: st}
		switch {
		case !st.Verifiable():
			sp.Reason = "unverifiable"
			mp.Evidence.Unverifiable = append(mp.Evidence.Unverifiable, stmtRef(m, st))
		default:
			primary := st.Effects[0]
			if flipped, _ := p.later(primary, position{mi, si}); flipped != nil {
				sp.Reason = fmt.Sprintf("superseded: %s (by %04d)", primary, flipped.version)
				mp.Evidence.Superseded = append(mp.Evidence.Superseded, fmt.Sprintf("%s by %04d", primary, flipped.version))
				break
			}
			r := p.check(primary)
			verdicts[si] = verdict{decides: true, holds: r.Holds}
			decided++
			if r.Holds {
				present++
				sp.Reason = "present: " + cmpStr(r.Found, primary.String())
				mp.Evidence.Found = append(mp.Evidence.Found, cmpStr(r.Found, primary.String()))
				p.secondaryDrift(mi, si, st, &mp.Evidence)
			} else {
				sp.Reason = "missing: " + primary.String()
				mp.Evidence.Missing = append(mp.Evidence.Missing, primary.String())
				if r.Conflict != "" {
					mp.Evidence.Conflicts = append(mp.Evidence.Conflicts, fmt.Sprintf("%s: the name is taken by %s", primary, r.Conflict))
				}
			}
		}
		mp.Statements = append(mp.Statements, sp)
	}
	switch {
	case decided == 0 && len(mp.Evidence.Superseded) > 0:
		mp.Action, mp.State = ActionReconcile, StatePending
	case decided == 0:
		// Nothing the catalog can check: the seed's rule, run it (it must be rerunnable).
		mp.Action, mp.State = ActionRun, StatePending
	case present == decided:
		mp.Action, mp.State = ActionReconcile, StatePending
	case present == 0:
		mp.Action, mp.State = ActionRun, StatePending
	default:
		mp.Action, mp.State = ActionPartial, StatePartial
	}
	for si := range mp.Statements {
		sp := &mp.Statements[si]
		switch mp.Action {
		case ActionRun:
			sp.Run = true
		case ActionPartial:
			// Partial rule: run what is missing and what cannot be checked (unverifiable
			// statements must be rerunnable, or carry a fingerprint directive); skip what is
			// present and what a later migration undoes.
			v := verdicts[si]
			sp.Run = (v.decides && !v.holds) || (!sp.Verifiable())
			if !sp.Run {
				mp.Evidence.Skipped = append(mp.Evidence.Skipped, stmtRef(m, sp.Statement)+" "+sp.Reason)
			}
		}
		if sp.Run {
			p.apply(sp.Statement)
		}
	}
	return mp
}

// secondaryDrift reports effects beyond the primary one (a created table's columns, an enum's
// labels) that are not as the SQL says, unless a later statement changes them.
func (p *planner) secondaryDrift(mi, si int, st fingerprint.Statement, ev *Evidence) {
	for _, e := range st.Effects[1:] {
		if flipped, altered := p.later(e, position{mi, si}); flipped != nil || altered {
			continue
		}
		r := p.check(e)
		switch {
		case r.Holds && r.Drift != "":
			ev.Drift = append(ev.Drift, fmt.Sprintf("%s: %s", e, r.Drift))
		case !r.Holds:
			if e.Absent {
				ev.Drift = append(ev.Drift, fmt.Sprintf("%s: still exists", e.Object))
			} else {
				ev.Drift = append(ev.Drift, fmt.Sprintf("%s: missing", e))
			}
		}
	}
}

// verify checks a recorded migration: every effect no later statement changes must hold.
func (p *planner) verify(mi int, m *Migration, rec *record, mp *MigrationPlan) {
	mp.Action = ActionNone
	mp.State = StateApplied
	if rec.Reconciled {
		mp.State = StateReconciled
	}
	if rec.Name != m.Name {
		mp.Evidence.Drift = append(mp.Evidence.Drift, fmt.Sprintf("recorded under the name %q", rec.Name))
	}
	for si, st := range m.Parsed.Statements {
		mp.Statements = append(mp.Statements, StatementPlan{Statement: st, Reason: "recorded"})
		if !st.Verifiable() {
			mp.Evidence.Unverifiable = append(mp.Evidence.Unverifiable, stmtRef(m, st))
		}
		for _, e := range st.Effects {
			flipped, altered := p.later(e, position{mi, si})
			if flipped != nil {
				continue
			}
			r := p.check(e)
			switch {
			case !r.Holds && !(altered && r.Exists):
				mp.Evidence.Missing = append(mp.Evidence.Missing, e.String())
			case r.Drift != "" && !altered:
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

func stmtRef(m *Migration, st fingerprint.Statement) string {
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

// makePlan decides every migration.
func makePlan(snap *catalog.Snapshot, ms []Migration, hist map[int64]record, shape historyShape) *Plan {
	p := newPlanner(snap, ms)
	plan := &Plan{history: shape}
	for i := range ms {
		var rec *record
		if r, ok := hist[ms[i].Version]; ok {
			rec = &r
		}
		plan.Migrations = append(plan.Migrations, p.planOne(i, &ms[i], rec))
	}
	return plan
}
