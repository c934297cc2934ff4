package migrate

import (
	"slices"
	"strconv"
	"strings"

	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/indexes/indexdef"
	"github.com/steadydb/steady/internal/migfiles"
)

// PostgreSQL's names depend on what exists when a statement runs, which a statement alone does
// not tell: an unnamed constraint gets a counter when its default name is taken in the schema
// (a table renamed away keeps its constraints' names, so the new table of the old name gets
// payments_invoice_id_fkey1), and renaming an index that backs a constraint renames the
// constraint too, and the other way round. resolveNames replays the history's names in order
// and corrects the effects before the model is built.

// namespace tracks the names a prefix of the history leaves in use.
type namespace struct {
	live        map[objKey]bool
	parent      map[objKey]objKey   // an index's or owned sequence's table
	uses        map[objKey][]objKey // a view's relations, from its statement's Refs
	constraints map[[2]string]int   // (schema, name) → live constraints of that name
	backing     map[objKey]objKey   // constraint ↔ the index that backs it, both ways
	colType     map[objKey]string   // a column's type, as Effect.Type spells it
	involves    map[objKey][]string // an index's or a constraint's columns of its own table
}

func resolveNames(ms []migfiles.Migration) {
	ns := &namespace{live: map[objKey]bool{}, parent: map[objKey]objKey{}, uses: map[objKey][]objKey{},
		constraints: map[[2]string]int{}, backing: map[objKey]objKey{}, colType: map[objKey]string{},
		involves: map[objKey][]string{}}
	for mi := range ms {
		for si := range ms[mi].Parsed.Statements {
			st := &ms[mi].Parsed.Statements[si]
			ns.bump(st.Effects)
			st.Effects = ns.coupleRenames(st.Effects)
			st.Effects = ns.coupleDrops(st.Effects)
			ns.placeRenamed(st.Effects)
			st.Effects = ns.cascade(st.Effects)
			st.Effects = ns.dropWithColumns(st.Effects)
			ns.recordUses(*st)
			if old, renamed, ok := tableRename(st.Effects); ok {
				st.Effects = append(st.Effects, ns.renameTable(old, renamed)...)
				continue
			}
			if old, renamed, ok := typeRename(st.Effects); ok {
				st.Effects = ns.renameType(st.Effects, old, renamed)
			}
			for _, e := range st.Effects {
				ns.apply(e)
			}
		}
	}
}

// bump gives chosen names the counter PostgreSQL appends while they are taken: constraint
// names in the schema for foreign keys and checks, relation names for the index a primary key,
// unique or exclusion constraint builds (the constraint takes the index's name).
func (ns *namespace) bump(effects []fingerprint.Effect) {
	for i := range effects {
		e := &effects[i]
		if !e.NameChosen || e.Object.Kind != fingerprint.KindConstraint {
			continue
		}
		var idx *fingerprint.Effect
		if i+1 < len(effects) && effects[i+1].BacksConstraint && effects[i+1].Object.Name == e.Object.Name {
			idx = &effects[i+1]
		}
		schema := cmpSchema(e.Object.Schema)
		taken := func(name string) bool {
			if idx != nil {
				return ns.relationTaken(schema, name)
			}
			return ns.constraints[[2]string{schema, name}] > 0
		}
		base := e.Object.Name
		name := base
		for pass := 1; taken(name) && pass < 100; pass++ {
			name = base + strconv.Itoa(pass)
		}
		if name == base || len(name) > 63 {
			continue // a truncated name would need the parts it was made of
		}
		e.Object.Name = name
		if idx != nil {
			idx.Object.Name = name
		}
	}
}

func (ns *namespace) relationTaken(schema, name string) bool {
	for _, kind := range []fingerprint.Kind{fingerprint.KindTable, fingerprint.KindIndex, fingerprint.KindView, fingerprint.KindSequence} {
		if ns.live[objKey{kind, schema, "", name}] {
			return true
		}
	}
	return false
}

// coupleRenames adds, to a rename of an index that backs a constraint (or of such a
// constraint), the rename of its partner.
func (ns *namespace) coupleRenames(effects []fingerprint.Effect) []fingerprint.Effect {
	if len(effects) != 2 || effects[0].Absent || !effects[1].Absent || effects[0].Object.Kind != effects[1].Object.Kind {
		return effects
	}
	kind := effects[0].Object.Kind
	if kind != fingerprint.KindIndex && kind != fingerprint.KindConstraint {
		return effects
	}
	oldKey := keyOf(effects[1].Object)
	partner, ok := ns.backing[oldKey]
	if !ok || !ns.live[partner] {
		return effects
	}
	newName := effects[0].Object.Name
	var renamedTo, gone fingerprint.Object
	if kind == fingerprint.KindIndex {
		renamedTo = fingerprint.Object{Kind: fingerprint.KindConstraint, Schema: partner.schema, Table: partner.table, Name: newName}
		gone = fingerprint.Object{Kind: fingerprint.KindConstraint, Schema: partner.schema, Table: partner.table, Name: partner.name}
	} else {
		table := ns.parent[partner].name
		renamedTo = fingerprint.Object{Kind: fingerprint.KindIndex, Schema: partner.schema, Table: table, Name: newName}
		gone = fingerprint.Object{Kind: fingerprint.KindIndex, Schema: partner.schema, Name: partner.name}
	}
	out := append([]fingerprint.Effect{}, effects...)
	out = append(out, fingerprint.Effect{Object: renamedTo, BacksConstraint: kind == fingerprint.KindConstraint}, fingerprint.Effect{Object: gone, Absent: true})
	return out
}

// coupleDrops adds, to a dropped constraint that an index backs, the index: DROP CONSTRAINT
// drops it too.
func (ns *namespace) coupleDrops(effects []fingerprint.Effect) []fingerprint.Effect {
	out := effects
	for _, e := range effects {
		if !e.Absent || e.Object.Kind != fingerprint.KindConstraint {
			continue
		}
		idx, ok := ns.backing[keyOf(e.Object)]
		if !ok || !ns.live[idx] {
			continue
		}
		if len(out) == len(effects) {
			out = append([]fingerprint.Effect{}, effects...)
		}
		out = append(out, fingerprint.Effect{Object: fingerprint.Object{Kind: fingerprint.KindIndex, Schema: idx.schema, Name: idx.name}, Absent: true})
	}
	return out
}

// dropWithColumns adds, to a dropped column, the indexes and constraints of its table that
// involve it, and the index a dropped constraint is backed by: PostgreSQL drops them along
// (ALTER TABLE … DROP COLUMN, with or without CASCADE).
func (ns *namespace) dropWithColumns(effects []fingerprint.Effect) []fingerprint.Effect {
	out := effects
	for _, e := range effects {
		if !e.Absent || e.Object.Kind != fingerprint.KindColumn || e.Object.Table == "" {
			continue
		}
		table, _ := parentOf(e.Object)
		for k, cols := range ns.involves {
			onTable := (k.kind == fingerprint.KindIndex && ns.parent[k] == table) ||
				(k.kind == fingerprint.KindConstraint && k.schema == table.schema && k.table == table.name)
			if !ns.live[k] || !onTable || !slices.Contains(cols, e.Object.Name) {
				continue
			}
			if len(out) == len(effects) {
				out = append([]fingerprint.Effect{}, effects...)
			}
			out = append(out, fingerprint.Effect{Object: fingerprint.Object{Kind: k.kind, Schema: k.schema, Table: k.table, Name: k.name}, Absent: true})
			if idx, ok := ns.backing[k]; ok && k.kind == fingerprint.KindConstraint && ns.live[idx] {
				out = append(out, fingerprint.Effect{Object: fingerprint.Object{Kind: fingerprint.KindIndex, Schema: idx.schema, Name: idx.name}, Absent: true})
			}
		}
	}
	return out
}

// recordUses remembers the relations a view is built on.
func (ns *namespace) recordUses(st fingerprint.Statement) {
	for _, e := range st.Effects {
		if e.Absent || e.Object.Kind != fingerprint.KindView {
			continue
		}
		var uses []objKey
		for _, r := range st.Refs {
			if r.Kind == fingerprint.KindRelation {
				uses = append(uses, objKey{fingerprint.KindRelation, cmpSchema(r.Schema), "", r.Name})
			}
		}
		ns.uses[keyOf(e.Object)] = uses
	}
}

// cascade adds, to a DROP … CASCADE of a table or view, the views and materialized views
// built on it, transitively, and the indexes on those: PostgreSQL drops them along.
func (ns *namespace) cascade(effects []fingerprint.Effect) []fingerprint.Effect {
	out := effects
	gone := map[objKey]bool{}
	var queue []objKey
	for _, e := range effects {
		if e.Absent && e.Cascade && (e.Object.Kind == fingerprint.KindTable || e.Object.Kind == fingerprint.KindView) {
			queue = append(queue, objKey{fingerprint.KindRelation, cmpSchema(e.Object.Schema), "", e.Object.Name})
		}
	}
	for len(queue) > 0 {
		rel := queue[0]
		queue = queue[1:]
		for view, uses := range ns.uses {
			if !ns.live[view] || gone[view] || !slices.Contains(uses, rel) {
				continue
			}
			gone[view] = true
			if len(out) == len(effects) {
				out = append([]fingerprint.Effect{}, effects...)
			}
			out = append(out, fingerprint.Effect{Object: fingerprint.Object{Kind: fingerprint.KindView, Schema: view.schema, Name: view.name}, Absent: true})
			asTable := objKey{fingerprint.KindTable, view.schema, "", view.name}
			for k, p := range ns.parent {
				if p == asTable && ns.live[k] && k.kind == fingerprint.KindIndex {
					out = append(out, fingerprint.Effect{Object: fingerprint.Object{Kind: fingerprint.KindIndex, Schema: k.schema, Name: k.name}, Absent: true})
				}
			}
			queue = append(queue, objKey{fingerprint.KindRelation, view.schema, "", view.name})
		}
	}
	return out
}

// apply records what an effect leaves in use.
func (ns *namespace) apply(e fingerprint.Effect) {
	k := keyOf(e.Object)
	switch {
	case k.kind == fingerprint.KindColumn && e.Absent:
		delete(ns.colType, k)
	case k.kind == fingerprint.KindColumn && e.Type != "":
		ns.colType[k] = e.Type
	}
	if e.Alter {
		return
	}
	if e.Absent {
		ns.remove(k)
		if k.kind == fingerprint.KindTable {
			ns.removeChildren(k)
		}
		return
	}
	if ns.live[k] {
		return
	}
	ns.live[k] = true
	if k.kind == fingerprint.KindConstraint {
		ns.constraints[[2]string{k.schema, k.name}]++
	}
	if pk, ok := parentOf(e.Object); ok && (k.kind == fingerprint.KindIndex || k.kind == fingerprint.KindSequence) {
		ns.parent[k] = pk
	}
	if cols := involvedColumns(e); cols != nil {
		ns.involves[k] = cols
	}
	if e.BacksConstraint && k.kind == fingerprint.KindIndex && e.Object.Table != "" {
		c := objKey{fingerprint.KindConstraint, k.schema, e.Object.Table, k.name}
		ns.backing[k], ns.backing[c] = c, k
	}
}

func (ns *namespace) remove(k objKey) {
	if !ns.live[k] {
		return
	}
	delete(ns.live, k)
	if k.kind == fingerprint.KindConstraint {
		ns.constraints[[2]string{k.schema, k.name}]--
	}
}

// tableRename reads ALTER TABLE … RENAME TO: the new name, then the old one absent.
func tableRename(effects []fingerprint.Effect) (old, renamed objKey, ok bool) {
	if len(effects) != 2 || effects[0].Object.Kind != fingerprint.KindTable || effects[1].Object.Kind != fingerprint.KindTable ||
		effects[0].Absent || !effects[1].Absent {
		return objKey{}, objKey{}, false
	}
	return keyOf(effects[1].Object), keyOf(effects[0].Object), true
}

func typeRename(effects []fingerprint.Effect) (old, renamed objKey, ok bool) {
	if len(effects) != 2 || effects[0].Object.Kind != fingerprint.KindType || effects[1].Object.Kind != fingerprint.KindType ||
		effects[0].Absent || !effects[1].Absent {
		return objKey{}, objKey{}, false
	}
	return keyOf(effects[1].Object), keyOf(effects[0].Object), true
}

// renameType carries what the type was to its new name: an enum's labels, and the type of the
// columns that use it, which format_type spells
// with the new name (the Prisma way of removing an enum label makes a new type, moves the
// columns to it, drops the old one and renames the new one to the old name).
func (ns *namespace) renameType(effects []fingerprint.Effect, old, renamed objKey) []fingerprint.Effect {
	for k := range ns.live {
		if k.kind == fingerprint.KindEnumValue && k.schema == old.schema && k.table == old.name {
			ns.remove(k)
			effects = append(effects, fingerprint.Effect{Object: fingerprint.Object{Kind: fingerprint.KindEnumValue, Schema: renamed.schema, Table: renamed.name, Name: k.name}})
		}
	}
	was, now := fingerprint.SpellType(old.schema, old.name), fingerprint.SpellType(renamed.schema, renamed.name)
	for k, typ := range ns.colType {
		var moved string
		switch typ {
		case was:
			moved = now
		case was + "[]":
			moved = now + "[]"
		default:
			continue
		}
		effects = append(effects, fingerprint.Effect{Object: fingerprint.Object{Kind: fingerprint.KindColumn, Schema: k.schema, Table: k.table, Name: k.name}, Alter: true, Type: moved})
	}
	slices.SortStableFunc(effects[2:], func(a, b fingerprint.Effect) int { return strings.Compare(a.Object.String(), b.Object.String()) })
	return effects
}

// placeRenamed gives the new name of a renamed index or sequence its table (ALTER INDEX does
// not name it), so that dropping the table later takes it too.
func (ns *namespace) placeRenamed(effects []fingerprint.Effect) {
	if len(effects) < 2 || effects[0].Absent || !effects[1].Absent || effects[0].Object.Table != "" {
		return
	}
	switch effects[0].Object.Kind {
	case fingerprint.KindIndex, fingerprint.KindSequence:
		if pk, ok := ns.parent[keyOf(effects[1].Object)]; ok && ns.live[keyOf(effects[1].Object)] {
			effects[0].Object.Table = pk.name
			effects[0].BacksConstraint = ns.backing[keyOf(effects[1].Object)] != objKey{}
		}
	}
}

// renameTable moves what the table holds to its new name, and returns the effects that say
// so for its indexes and owned sequences (their names do not change, their table does; their
// definitions, which name the table, are then known only by existence). Its constraints keep
// their names in the schema, which is what makes a new table of the old name get counters.
func (ns *namespace) renameTable(old, renamed objKey) []fingerprint.Effect {
	delete(ns.live, old)
	ns.live[renamed] = true
	var moved []fingerprint.Effect
	for k := range ns.live {
		switch {
		case k.table == old.name && k.schema == old.schema &&
			(k.kind == fingerprint.KindColumn || k.kind == fingerprint.KindConstraint || k.kind == fingerprint.KindTrigger || k.kind == fingerprint.KindPolicy):
			delete(ns.live, k)
			moved := k
			moved.table = renamed.name
			ns.live[moved] = true
			if typ, ok := ns.colType[k]; ok {
				delete(ns.colType, k)
				ns.colType[moved] = typ
			}
			if idx, ok := ns.backing[k]; ok {
				delete(ns.backing, k)
				ns.backing[moved], ns.backing[idx] = idx, moved
			}
		case ns.parent[k] == old:
			ns.parent[k] = renamed
			_, backs := ns.backing[k]
			moved = append(moved, fingerprint.Effect{Object: fingerprint.Object{Kind: k.kind, Schema: k.schema, Table: renamed.name, Name: k.name}, BacksConstraint: backs})
		}
	}
	slices.SortFunc(moved, func(a, b fingerprint.Effect) int { return strings.Compare(a.Object.Name, b.Object.Name) })
	return moved
}

// removeChildren forgets what a dropped table took with it, freeing the names.
func (ns *namespace) removeChildren(table objKey) {
	for k := range ns.live {
		switch {
		case k.table == table.name && k.schema == table.schema &&
			(k.kind == fingerprint.KindColumn || k.kind == fingerprint.KindConstraint || k.kind == fingerprint.KindTrigger || k.kind == fingerprint.KindPolicy):
			ns.remove(k)
		case ns.parent[k] == table:
			ns.remove(k)
		}
	}
}

// involvedColumns is the columns of its table an index or a constraint effect involves, from
// its definition; nil when the effect does not say.
func involvedColumns(e fingerprint.Effect) []string {
	if e.Definition == "" {
		return nil
	}
	switch e.Object.Kind {
	case fingerprint.KindIndex:
		if d, err := indexdef.Parse(e.Definition); err == nil {
			return d.Columns()
		}
	case fingerprint.KindConstraint:
		return fingerprint.ConstraintColumns(e.Definition)
	}
	return nil
}
