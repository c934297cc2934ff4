package catalog

import (
	"cmp"
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

//go:embed state.sql
var stateSQL string

// State is a database's schema as PostgreSQL itself prints it: one entry per object (a schema,
// an extension, a table, a column, a constraint, an index, a view, a sequence, a function, a
// type, a trigger, a row-level security policy, a rule, a publication, a comment …), keyed by
// its kind and quoted, schema-qualified name ("column public.users.email"), valued by its
// definition as pg_get_indexdef, pg_get_constraintdef, pg_get_viewdef, pg_get_functiondef,
// pg_get_expr and format_type print it. Two databases with equal states have the same schema
// for every kind listed, however their statements were written: PostgreSQL rewrote them both.
//
// Owners, privileges and objects that belong to an extension are not part of it.
type State map[string]string

// Batcher is satisfied by *pgx.Conn, *pgxpool.Pool and pgx.Tx.
type Batcher interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// ReadState reads the schema state in one round trip. It pins search_path to pg_catalog for
// its own transaction (SET LOCAL, which passes a transaction pooler), so that every name is
// printed schema-qualified whatever the session's search_path.
func ReadState(ctx context.Context, q Batcher) (State, error) {
	var r StateReader
	return r.Read(ctx, q)
}

// StateReader reads the state of one database again and again, each time reading only what
// changed since its last read (state.sql: units of objects with signatures of their catalog
// rows): replaying a long history on a shadow database reads the state after every file, and
// a full read of a large schema each time made the replay quadratic.
//
// Prepare, set before the first Read, plans the statement once per session instead of at every
// read: planning it cost as long as running it (5 ms each on the shipped schema, 13 ms on a busy
// server), and a replay reads after every file. It takes effect when Read is given a *pgx.Conn,
// as a named prepared statement with a generic plan. Behind a transaction pooler the next
// statement may reach another server session, where the name does not exist: the read that
// finds it missing is sent again unprepared, and so are the reader's later reads.
type StateReader struct {
	Prepare bool

	stmt   string              // the prepared statement's name; "" when not (yet) prepared
	failed bool                // a prepared read found no statement: plan every read
	sigs   map[string]string   // unit → signature, as of the last read
	byUnit map[string][]string // unit → keys of its objects
	state  State
}

// Read returns the state now. The returned map is the reader's own: it changes at the next Read.
func (r *StateReader) Read(ctx context.Context, q Batcher) (State, error) {
	var prev any // NULL: read everything
	if r.sigs != nil {
		b, err := json.Marshal(r.sigs)
		if err != nil {
			return nil, err
		}
		prev = string(b)
	}
	conn, isConn := q.(*pgx.Conn)
	if r.Prepare && isConn && !r.failed && r.stmt == "" {
		name := "steady_state_" + randomName()
		if _, err := conn.Prepare(ctx, name, stateSQL); err != nil {
			return nil, fmt.Errorf("read schema state: prepare: %w", err)
		}
		r.stmt = name
	}
	sigs, reread, rows, err := r.send(ctx, q, prev)
	if r.stmt != "" && isMissingStatement(err) {
		// Another server session behind a transaction pooler: plan each read from now on.
		r.failed, r.stmt = true, ""
		sigs, reread, rows, err = r.send(ctx, q, prev)
	}
	if err != nil {
		return nil, fmt.Errorf("read schema state: %w", err)
	}
	if r.state == nil {
		r.state, r.byUnit = State{}, map[string][]string{}
	}
	for unit, keys := range r.byUnit {
		if _, still := sigs[unit]; (!still && unit != "g") || reread[unit] {
			for _, k := range keys {
				delete(r.state, k)
			}
			delete(r.byUnit, unit)
		}
	}
	for unit, kvs := range rows {
		for _, kv := range kvs {
			r.state[kv[0]] = kv[1]
			r.byUnit[unit] = append(r.byUnit[unit], kv[0])
		}
	}
	r.sigs = sigs
	return r.state, nil
}

// send runs the read in one round trip: the units' signatures, the units read again, their rows.
func (r *StateReader) send(ctx context.Context, q Batcher, prev any) (sigs map[string]string, reread map[string]bool, rows map[string][][2]string, err error) {
	sigs, reread, rows = map[string]string{}, map[string]bool{"g": true}, map[string][][2]string{}
	b := &pgx.Batch{}
	// The settings for this transaction only (SET LOCAL), in one statement. The planner's
	// estimate for this many catalog subqueries passes jit_above_cost, and JIT compiling it took
	// 200 ms of a 210 ms read on a small schema. A prepared read takes the generic plan from
	// its first execution: PostgreSQL would otherwise plan the first five reads each time.
	settings, sql := "SELECT set_config('search_path', 'pg_catalog', true), set_config('jit', 'off', true)", stateSQL
	if r.stmt != "" {
		settings += ", set_config('plan_cache_mode', 'force_generic_plan', true)"
		sql = r.stmt
	}
	b.Queue(settings)
	b.Queue(sql, prev).Query(func(res pgx.Rows) error {
		var what, unit string
		var k, v *string
		_, err := pgx.ForEachRow(res, []any{&what, &unit, &k, &v}, func() error {
			switch what {
			case "sig":
				sigs[unit] = *k
			case "sel":
				reread[unit] = true
			case "row":
				rows[unit] = append(rows[unit], [2]string{*k, deref(v)})
			}
			return nil
		})
		return err
	})
	err = q.SendBatch(ctx, b).Close()
	return sigs, reread, rows, err
}

// isMissingStatement is "prepared statement does not exist" (26000).
func isMissingStatement(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == pgerrcode.InvalidSQLStatementName
}

func randomName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Change is one object whose definition differs between two states. A missing side is nil.
type Change struct {
	Key         string
	Before, Now *string
}

func (c Change) String() string {
	switch {
	case c.Before == nil:
		return c.Key + " created"
	case c.Now == nil:
		return c.Key + " dropped"
	}
	return c.Key + " changed"
}

// Diff lists the objects whose definitions differ from before to now, sorted by key.
func Diff(before, now State) []Change {
	var out []Change
	for k, v := range now {
		if w, ok := before[k]; !ok || w != v {
			c := Change{Key: k, Now: ptr(v)}
			if ok {
				c.Before = ptr(w)
			}
			out = append(out, c)
		}
	}
	for k, w := range before {
		if _, ok := now[k]; !ok {
			out = append(out, Change{Key: k, Before: ptr(w)})
		}
	}
	slices.SortFunc(out, func(a, b Change) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

func ptr(s string) *string { return &s }

// Without returns the state without the entries keep rejects.
func (s State) Without(drop func(key string) bool) State {
	out := maps.Clone(s)
	maps.DeleteFunc(out, func(k, _ string) bool { return drop(k) })
	return out
}

// Kind is the key's kind: "column" for "column public.users.email".
func Kind(key string) string {
	k, _, _ := strings.Cut(key, " ")
	return k
}

// frozenTime is a timestamp or date constant as PostgreSQL prints it in a definition.
var frozenTime = regexp.MustCompile(`'\d{4}-\d\d-\d\d( \d\d:\d\d:\d\d(\.\d+)?([+-]\d\d(:\d\d)?)?)?'::(timestamp with(out)? time zone|date)`)

// MaskFrozenTimes returns the state with every timestamp and date constant in its definitions
// replaced by a placeholder. A view written with 'now'::timestamp keeps the moment it was
// created as a constant (PostgreSQL evaluates the cast then), so the same history replayed at
// another time prints another definition: such constants tell nothing about the history.
func MaskFrozenTimes(s State) State {
	out := make(State, len(s))
	for k, v := range s {
		if strings.Contains(v, "'::") {
			v = frozenTime.ReplaceAllString(v, "'<frozen time>'")
		}
		out[k] = v
	}
	return out
}
