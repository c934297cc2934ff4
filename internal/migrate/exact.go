package migrate

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/migfiles"
	"github.com/steadydb/steady/internal/toolhistory"
)

// The plan from exact states (states.go): where the database stands is decided by comparing
// its schema, as PostgreSQL prints it, with the schema PostgreSQL made of each prefix of the
// history on a shadow database. The derived model (plan.go) still decides what it alone can:
// which statements of a half-present migration to run.

// Judge says what decided where the database stands.
type Judge string

const (
	JudgeRecorded Judge = "recorded"    // every migration before the new ones is recorded by steady: nothing to infer
	JudgeFresh    Judge = "fresh"       // the database holds nothing of the history: everything runs, in order
	JudgeShadow   Judge = "shadow"      // exact states from a shadow database
	JudgeDerived  Judge = "derived"     // the model derived from the SQL text (no shadow, or it failed)
	JudgeNone     Judge = "unnecessary" // not planned (Result.Unchanged)
)

// ShadowReplay reports the replay behind the plan's exact states: how long it took and whether
// the states came from steady_shadow_states or an earlier plan of the process (ok is false
// when the plan had no exact states).
func (p *Plan) ShadowReplay() (took time.Duration, cached, ok bool) {
	if p.states == nil {
		return 0, false, false
	}
	return p.states.took, p.states.cached, true
}

// exactPlanner is the planner with the exact states of every prefix.
type exactPlanner struct {
	*planner
	st    *states
	live  catalog.State
	want  map[string]value // the universe after the prefix
	own   [][]string       // per migration: the objects whose state at the prefix it decided
	prior []map[string]value
	// clean: nothing of the history is in the live database that the prefix does not make. Then
	// the files after it run whole: objects missing or defined otherwise are drift, but no file
	// will meet "already exists".
	clean bool
}

// makeExactPlan decides every migration from exact states. st is nil for a fresh database
// (nothing of the history in it): every migration then runs whole, in order.
func makeExactPlan(snap *catalog.Snapshot, md *model, hist map[migfiles.Version]record, shape historyShape, foreign []toolhistory.Record,
	st *states, live catalog.State) *Plan {
	p := newPlanner(snap, md)
	plan := &Plan{history: shape, foreign: foreign}
	by, lo, why := recordedBounds(md, hist, foreign)
	p.prefix, p.prefixWhy = lo, why
	x := &exactPlanner{planner: p, st: st, live: live, clean: true}
	if st != nil {
		scores, evidenced := st.fit(live)
		if k := choosePrefix(scores, evidenced, lo); k > lo {
			p.prefix, p.prefixWhy = k, "is present"
		}
		x.want = st.at(p.prefix)
		x.clean = !slices.ContainsFunc(differences(live, x.want), func(d objectDiff) bool { return d.want == nil })
		x.own = make([][]string, len(md.ms))
		for key, o := range st.owners(p.prefix) {
			if o > 0 {
				x.own[o-1] = append(x.own[o-1], key)
			}
		}
		for i := range x.own {
			slices.Sort(x.own[i])
		}
		x.prior = st.before()
	}
	plan.Prefix = p.prefix
	for i := range md.ms {
		var rec *record
		if r, ok := hist[md.ms[i].Version]; ok {
			rec = &r
		}
		plan.Migrations = append(plan.Migrations, x.planOne(i, &md.ms[i], rec, by[i]))
	}
	plan.states = st
	return plan
}

// recordedBounds reads what the histories record: the tool recording each migration (""
// when none but steady's, or nothing), and the prefix they show at least.
func recordedBounds(md *model, hist map[migfiles.Version]record, foreign []toolhistory.Record) (by []string, lo int, why string) {
	by = make([]string, len(md.ms))
	for i, m := range md.ms {
		if _, ok := hist[m.Version]; ok {
			lo, why = i+1, "is recorded"
		}
		for _, f := range foreign {
			if f.Records(m) {
				by[i] = f.Tool
				lo, why = i+1, "is recorded by "+f.Tool
			}
		}
	}
	return by, lo, why
}

func (x *exactPlanner) planOne(mi int, m *migfiles.Migration, rec *record, by string) MigrationPlan {
	mp := MigrationPlan{Version: m.Version, Name: m.Name, File: m.File, Format: m.Format, migration: m}
	switch {
	case x.st == nil: // a fresh database
		x.runWhole(m, &mp, "not run")
	case rec != nil:
		x.verify(mi, m, rec, &mp)
	case by != "":
		x.verify(mi, m, &record{Version: m.Version, Name: m.Name, Reconciled: true}, &mp)
		mp.Evidence.RecordedBy = by
		mp.Action, mp.State = ActionReconcile, StatePending
		mp.Evidence.Unpredicted = x.unpredicted(mi, m)
	case mi < x.prefix:
		x.inPrefix(mi, m, &mp)
	case x.clean:
		// Nothing made ahead of the prefix: what follows runs as psql would run it, nothing skipped.
		x.runWhole(m, &mp, "not run")
	default:
		// Objects of later files are there already (made by hand, or a file without a
		// transaction stopped half-way): skip the statements whose effects are exactly in place.
		x.planForward(mi, m, &mp)
	}
	return mp
}

func (x *exactPlanner) runWhole(m *migfiles.Migration, mp *MigrationPlan, reason string) {
	mp.State, mp.Action = StatePending, ActionRun
	for _, st := range m.Parsed.Statements {
		mp.Statements = append(mp.Statements, StatementPlan{Statement: st, Run: true, Reason: reason})
		x.apply(st)
		if !st.Verifiable() {
			mp.Evidence.Unverifiable = append(mp.Evidence.Unverifiable, stmtRef(m, st))
		}
	}
}

// verify compares what a recorded migration decided with the live database: every object
// whose state at the prefix it left.
func (x *exactPlanner) verify(mi int, m *migfiles.Migration, rec *record, mp *MigrationPlan) {
	mp.Action, mp.State = ActionNone, StateApplied
	if rec.Reconciled {
		mp.State = StateReconciled
	}
	if rec.Name != m.Name && rec.Name != "" {
		mp.Evidence.Drift = append(mp.Evidence.Drift, fmt.Sprintf("recorded under the name %q", rec.Name))
	}
	for _, st := range m.Parsed.Statements {
		mp.Statements = append(mp.Statements, StatementPlan{Statement: st, Reason: "recorded"})
	}
	found, differ := x.compare(mi)
	mp.Evidence.Found = found
	for _, d := range differ {
		mp.Evidence.Drift = append(mp.Evidence.Drift, d.String())
	}
	if len(mp.Evidence.Drift) > 0 {
		mp.State = StateDrift
	}
	if rec.Checksum != nil && *rec.Checksum != m.Checksum {
		mp.State = StateChecksumChanged
		mp.Evidence.Drift = append(mp.Evidence.Drift, fmt.Sprintf("checksum changed: recorded %.12s…, file %.12s…", *rec.Checksum, m.Checksum))
	}
}

// compare splits the objects migration mi decided into those in place and those that differ.
func (x *exactPlanner) compare(mi int) (found []string, differ []objectDiff) {
	for _, key := range x.own[mi] {
		l := lookup(x.live, key)
		if same(l, x.want[key]) {
			found = append(found, key)
		} else {
			differ = append(differ, objectDiff{key: key, live: l, want: x.want[key]})
		}
	}
	return found, differ
}

// inPrefix decides a migration the database has lived through that no history records.
func (x *exactPlanner) inPrefix(mi int, m *migfiles.Migration, mp *MigrationPlan) {
	found, differ := x.compare(mi)
	switch {
	case len(found)+len(differ) == 0:
		// It decided nothing that lasts to the prefix (data only, or all changed later).
		x.reconcile(mi, m, mp)
		mp.Evidence.Inferred = "inferred: " + x.prefixEvidence()
	case len(differ) == 0:
		x.reconcile(mi, m, mp)
		mp.Evidence.Found = found
	case len(found) == 0 && x.asBefore(mi, differ):
		// Nothing of it is in place, and its objects are as they were before it: it did not
		// run (a file added out of order, or its history row deleted with its objects).
		x.runWhole(m, mp, "not run: none of it is in place")
		for _, d := range differ {
			mp.Evidence.Missing = append(mp.Evidence.Missing, d.key)
		}
	default:
		// Half of it: only the model derived from its statements can tell which to run.
		x.planInPrefix(mi, m, mp)
		for _, d := range differ {
			mp.Evidence.Drift = append(mp.Evidence.Drift, "shadow: "+d.String())
		}
	}
}

func (x *exactPlanner) reconcile(mi int, m *migfiles.Migration, mp *MigrationPlan) {
	mp.State, mp.Action = StatePending, ActionReconcile
	for _, st := range m.Parsed.Statements {
		mp.Statements = append(mp.Statements, StatementPlan{Statement: st, Reason: "present"})
	}
	mp.Evidence.Unpredicted = x.unpredicted(mi, m)
}

// asBefore reports whether every object that differs is, live, as it was before migration mi.
func (x *exactPlanner) asBefore(mi int, differ []objectDiff) bool {
	for _, d := range differ {
		if !same(d.live, x.prior[mi][d.key]) {
			return false
		}
	}
	return true
}

// unpredicted lists the effects of a migration found in place by the exact states that the
// derived model would not find as it predicts them: kept in the record, so that a later
// verification by the model alone does not report them as drift.
func (x *exactPlanner) unpredicted(mi int, m *migfiles.Migration) []string {
	var out []string
	for si, st := range m.Parsed.Statements {
		for _, e := range st.Effects {
			if x.supersededBefore(e, position{mi, si}, x.end()) {
				continue
			}
			if r := x.check(e); !r.Holds || r.Drift != "" {
				out = append(out, e.String())
			}
		}
	}
	return out
}

// before returns, per file, the state each object it changes had before it.
func (s *states) before() []map[string]value {
	out := make([]map[string]value, len(s.diffs))
	s.walk(func(k int, cur map[string]value, _ map[string]*string) bool {
		if k < len(s.diffs) {
			prior := make(map[string]value, len(s.diffs[k]))
			for key := range s.diffs[k] {
				prior[key] = cur[key]
			}
			out[k] = prior
		}
		return true
	})
	return out
}

// historyObjects leaves out of a live state what any empty database has, steady's own tables,
// River's and other tools' history tables: what is left was made by a history.
func historyObjects(live catalog.State, isBookkeeping func(key string) bool) catalog.State {
	return live.Without(func(key string) bool {
		switch key {
		case "schema public", "extension plpgsql", "comment on schema public":
			return true
		}
		return isBookkeeping(key)
	})
}

// BookkeepingKey recognises, in a state's keys, the objects of steady's own tables and
// River's (in steady's schema) and of the migration tools' history tables.
func BookkeepingKey(schema string) func(key string) bool {
	// quote_ident leaves a plain name bare and quotes any other.
	q := "(?:" + regexp.QuoteMeta(pgx.Identifier{schema}.Sanitize()) + "|" + regexp.QuoteMeta(schema) + ")"
	own := regexp.MustCompile(`(^|[ .])` + q + `\.(schema_migrations|steady_|river_)`)
	// golang-migrate's and dbmate's schema_migrations may be in any schema.
	tools := regexp.MustCompile(`(^|[ .])(goose_db_version|flyway_schema_history|_prisma_migrations|_sqlx_migrations|__diesel_schema_migrations|supabase_migrations\b|schema_migrations(_pkey)?\b)`)
	return func(key string) bool { return own.MatchString(key) || tools.MatchString(key) }
}

// checkAgainstStates compares the database after a run with the state PostgreSQL made of the
// whole history on the shadow. An object that differs is drift when the migration that
// decided it was not run by this run (recorded or reconciled); when this run ran it, the file
// ran without an error and the live catalog wins (a DO block that branches on rows, a
// session setting): the difference is logged as a limit of the shadow.
func (m *Migrator) checkAgainstStates(ctx context.Context, res *Result) {
	plan := res.Plan
	live, err := catalog.ReadState(ctx, m.cfg.Pool)
	if err != nil {
		m.log.Warn("could not compare the run with the shadow's states", slog.Any("error", err))
		return
	}
	live = catalog.MaskFrozenTimes(live)
	n := len(plan.Migrations)
	owners := plan.states.owners(n)
	var limits []string
	for _, d := range differences(live, plan.states.at(n)) {
		o := owners[d.key]
		if o == 0 {
			continue
		}
		mp := &plan.Migrations[o-1]
		if (mp.Action == ActionRun || mp.Action == ActionPartial) && mp.State == StateApplied {
			limits = append(limits, mp.File+": "+d.String())
			continue
		}
		mp.Evidence.Drift = append(mp.Evidence.Drift, "after the run: "+d.String())
	}
	if len(limits) > 0 {
		m.log.Warn("after the run the catalog differs from the shadow's state for files this run applied without an error (data-dependent or session-dependent statements): the live catalog wins",
			slog.Any("objects", limits))
	}
	m.tally(res, plan)
}
