package migrate

import (
	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/migfiles"
)

// This file models the history as a sequence of catalog states: for every prefix k (the first
// k migrations applied, as psql would apply them) the state each object the history touches
// should be in. The planner compares those states with the catalog to find the prefix the
// database is at.

// objKey identifies an object across migrations. Index, relation, type and function names are
// unique in their schema, so their key leaves the table out (DROP INDEX names no table).
type objKey struct {
	kind                fingerprint.Kind
	schema, table, name string
}

func keyOf(o fingerprint.Object) objKey {
	switch o.Kind {
	case fingerprint.KindColumn, fingerprint.KindConstraint, fingerprint.KindTrigger, fingerprint.KindPolicy, fingerprint.KindEnumValue:
		return objKey{o.Kind, cmpSchema(o.Schema), o.Table, o.Name}
	case fingerprint.KindExtension, fingerprint.KindSchema, fingerprint.KindPublication:
		return objKey{o.Kind, "", "", o.Name}
	}
	return objKey{o.Kind, cmpSchema(o.Schema), "", o.Name}
}

// parentOf is the object whose removal takes o with it: a table for its columns, constraints,
// triggers, indexes and owned sequences, an enum type for its labels.
func parentOf(o fingerprint.Object) (objKey, bool) {
	switch o.Kind {
	case fingerprint.KindColumn, fingerprint.KindConstraint, fingerprint.KindTrigger, fingerprint.KindPolicy, fingerprint.KindIndex, fingerprint.KindSequence:
		if o.Table == "" {
			return objKey{}, false
		}
		return objKey{fingerprint.KindTable, cmpSchema(o.Schema), "", o.Table}, true
	case fingerprint.KindEnumValue:
		return objKey{fingerprint.KindType, cmpSchema(o.Schema), "", o.Table}, true
	}
	return objKey{}, false
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
	pos      position
	effect   fingerprint.Effect
	explicit bool // from a -- steady:fingerprint directive: existence only
}

// expect is the state a prefix leaves an object in.
type expect struct {
	known   bool               // the history says something about the object by then
	absent  bool               // dropped, renamed away, or taken by its table's removal
	effect  fingerprint.Effect // when present: what is known of its attributes
	last    position           // the statement that decided it
	decided bool               // last is set (the state comes from a statement of the set)
	// notValid: a constraint added NOT VALID and not validated since. A validated one is a
	// later state (VALIDATE CONSTRAINT ran), which is what tells the prefixes apart.
	notValid bool
}

// model indexes every effect of the set by object.
type model struct {
	ms       []migfiles.Migration
	touches  map[objKey][]touch    // every effect on each object, in order
	removals map[objKey][]position // where each table or type stops existing under its name
	children map[objKey][]objKey   // objects a table or type takes with it
	affected [][]objKey            // per migration: the objects whose state it may change
}

func newModel(ms []migfiles.Migration) *model {
	resolveNames(ms)
	md := &model{ms: ms, touches: map[objKey][]touch{}, removals: map[objKey][]position{},
		children: map[objKey][]objKey{}, affected: make([][]objKey, len(ms))}
	childSeen := map[[2]objKey]bool{}
	for mi, m := range ms {
		seen := map[objKey]bool{}
		for si, st := range m.Parsed.Statements {
			for _, e := range st.Effects {
				k := keyOf(e.Object)
				md.touches[k] = append(md.touches[k], touch{pos: position{mi, si}, effect: e, explicit: st.Explicit})
				if !seen[k] {
					seen[k] = true
					md.affected[mi] = append(md.affected[mi], k)
				}
				if pk, ok := parentOf(e.Object); ok && !childSeen[[2]objKey{pk, k}] {
					childSeen[[2]objKey{pk, k}] = true
					md.children[pk] = append(md.children[pk], k)
				}
				if e.Absent && (k.kind == fingerprint.KindTable || k.kind == fingerprint.KindType) {
					md.removals[k] = append(md.removals[k], position{mi, si})
				}
			}
		}
	}
	// A removal changes the state of what the removed object held.
	for mi := range ms {
		for _, k := range md.affected[mi] {
			if k.kind != fingerprint.KindTable && k.kind != fingerprint.KindType {
				continue
			}
			for _, c := range md.children[k] {
				md.affected[mi] = appendOnce(md.affected[mi], c)
			}
		}
	}
	return md
}

func appendOnce(ks []objKey, k objKey) []objKey {
	for _, x := range ks {
		if x == k {
			return ks
		}
	}
	return append(ks, k)
}

// at is the state the statements before end leave k in.
func (md *model) at(k objKey, end position) expect {
	var x expect
	if ts := md.touches[k]; len(ts) > 0 && !ts[0].effect.Absent && !ts[0].effect.Alter {
		// The history creates it: before that, it does not exist.
		x = expect{known: true, absent: true}
	}
	for _, t := range md.touches[k] {
		if !t.pos.before(end) {
			break
		}
		notValid := x.notValid
		x = merge(x, t.effect)
		x.last, x.decided = t.pos, true
		switch {
		case k.kind != fingerprint.KindConstraint || t.effect.Absent:
		case t.effect.Alter:
			x.notValid = notValid && !t.effect.Validated
		default:
			x.notValid = !t.effect.Validated && !t.explicit
		}
	}
	if !x.known || x.absent {
		return x
	}
	if pk, ok := parentOf(x.effect.Object); ok {
		for _, r := range md.removals[pk] {
			if x.last.before(r) && r.before(end) {
				return expect{known: true, absent: true, last: r, decided: true}
			}
		}
	}
	return x
}

// atPrefix is the state after the first k migrations.
func (md *model) atPrefix(k objKey, prefix int) expect {
	return md.at(k, position{prefix, 0})
}

// merge applies one effect to a state.
func merge(x expect, e fingerprint.Effect) expect {
	switch {
	case e.Absent:
		return expect{known: true, absent: true}
	case e.Alter && x.known && !x.absent:
		merged := x.effect
		if e.Type != "" {
			merged.Type = e.Type
		}
		if e.NotNull != nil {
			merged.NotNull = e.NotNull
		}
		if e.HasDefault != nil {
			merged.HasDefault = e.HasDefault
			merged.Default = e.Default
		}
		if e.Validated {
			merged.Validated = true
		}
		return expect{known: true, effect: merged}
	default:
		e.Alter = false
		return expect{known: true, effect: e}
	}
}

// mismatch reports whether the catalog disagrees with an expected state.
func mismatch(snap *catalog.Snapshot, k objKey, x expect) bool {
	if !x.known {
		return false
	}
	o := x.effect.Object
	if x.absent {
		o = fingerprint.Object{Kind: k.kind, Schema: k.schema, Table: k.table, Name: k.name}
		return !snap.Check(fingerprint.Effect{Object: o, Absent: true}).Holds
	}
	e := x.effect
	e.Alter = true
	if !snap.Check(e).Holds {
		return true
	}
	if x.notValid {
		validated := fingerprint.Effect{Object: o, Alter: true, Validated: true}
		return snap.Check(validated).Holds
	}
	return false
}

// prefixFit scores every prefix against the catalog: the number of objects whose state
// differs from the state that prefix leaves (lower is better), and whether the last migration
// of the prefix has positive evidence (an object it changed is in its new state, and was not
// in the state before).
func (md *model) prefixFit(snap *catalog.Snapshot) (scores []int, evidenced []bool) {
	n := len(md.ms)
	scores, evidenced = make([]int, n+1), make([]bool, n+1)
	cur := make(map[objKey]bool, len(md.touches))
	for k := range md.touches {
		if mismatch(snap, k, md.atPrefix(k, 0)) {
			cur[k] = true
			scores[0]++
		}
	}
	for k := 1; k <= n; k++ {
		scores[k] = scores[k-1]
		for _, key := range md.affected[k-1] {
			was := cur[key]
			now := mismatch(snap, key, md.atPrefix(key, k))
			if was == now {
				continue
			}
			cur[key] = now
			if now {
				scores[k]++
			} else {
				scores[k]--
				evidenced[k] = true
			}
		}
	}
	return scores, evidenced
}

// choosePrefix picks the prefix the database is at, at least lo (what a history records):
// the best score; among equals, the longest whose last migration has positive evidence, else
// the shortest. A migration the catalog cannot check therefore counts as run only when a
// later one is evidently present.
func choosePrefix(scores []int, evidenced []bool, lo int) int {
	best := -1
	for k := lo; k < len(scores); k++ {
		if best < 0 || scores[k] < scores[best] {
			best = k
		}
	}
	chosen := best
	for k := best + 1; k < len(scores); k++ {
		if scores[k] == scores[best] && evidenced[k] {
			chosen = k
		}
	}
	return chosen
}

// supersededBefore reports whether a statement after at and before end changes e's object
// (or removes what holds it): e is then no evidence by end.
func (md *model) supersededBefore(e fingerprint.Effect, at, end position) bool {
	x := md.at(keyOf(e.Object), end)
	return x.decided && at.before(x.last)
}
