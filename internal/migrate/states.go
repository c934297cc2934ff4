package migrate

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/steadydb/steady/internal/catalog"
)

// states is the schema every prefix of the history leaves, as PostgreSQL computed it on a
// shadow database (replay.go): the state before the first file, then what each file changed.
// The planner compares the live catalog with these exact states instead of the model derived
// from the SQL text (state_model.go), which stays the fallback.
type states struct {
	base  catalog.State
	diffs []map[string]*string // diffs[k-1]: what file k changed; nil: the object is gone
	// universe is every object some file changes. Objects no file changes (steady's tables,
	// River's, a platform's, hand-made ones) tell no prefix from another and are left out.
	universe map[string]bool

	where  string        // where they came from, for the decision line
	took   time.Duration // the replay's time
	digest string        // of what the replay depends on (replay.go)
	cached bool          // kept in, or read from, steady_shadow_states

	prev catalog.State // the last state added, while replaying
}

func newStates(base catalog.State) *states {
	return &states{base: base, universe: map[string]bool{}, prev: base}
}

// add appends the state after the next file, keeping only what it changed.
func (s *states) add(now catalog.State) {
	d := map[string]*string{}
	for _, c := range catalog.Diff(s.prev, now) {
		d[c.Key] = c.Now
		s.universe[c.Key] = true
	}
	s.diffs = append(s.diffs, d)
	s.prev = now
}

// value is an object's definition in a state; nil when it does not exist.
type value = *string

func same(a, b value) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func lookup(s catalog.State, key string) value {
	if v, ok := s[key]; ok {
		return &v
	}
	return nil
}

// walk calls visit with the state of the universe after each prefix 0..n. The map is reused.
func (s *states) walk(visit func(k int, cur map[string]value, changed map[string]*string) bool) {
	cur := make(map[string]value, len(s.universe))
	for key := range s.universe {
		cur[key] = lookup(s.base, key)
	}
	if !visit(0, cur, nil) {
		return
	}
	for k, d := range s.diffs {
		for key, v := range d {
			cur[key] = v
		}
		if !visit(k+1, cur, d) {
			return
		}
	}
}

// fit scores every prefix against the live state: the number of the history's objects whose
// definition differs from the one that prefix leaves (lower is better), and whether file k
// has positive evidence: an object it changed is, in the live database, as file k left it
// and not as it was before. An object a file re-creates exactly as it was (a view dropped by
// CASCADE and made again) is no change, hence no evidence.
func (s *states) fit(live catalog.State) (scores []int, evidenced []bool) {
	n := len(s.diffs)
	scores, evidenced = make([]int, n+1), make([]bool, n+1)
	mismatch := map[string]bool{}
	s.walk(func(k int, cur map[string]value, changed map[string]*string) bool {
		if k == 0 {
			for key, v := range cur {
				if !same(lookup(live, key), v) {
					mismatch[key] = true
					scores[0]++
				}
			}
			return true
		}
		scores[k] = scores[k-1]
		for key, v := range changed {
			now := !same(lookup(live, key), v)
			if now == mismatch[key] {
				continue
			}
			mismatch[key] = now
			if now {
				scores[k]++
			} else {
				scores[k]--
				evidenced[k] = true
			}
		}
		return true
	})
	return scores, evidenced
}

// at is the state of the universe after the first k files.
func (s *states) at(k int) map[string]value {
	out := map[string]value{}
	s.walk(func(i int, cur map[string]value, _ map[string]*string) bool {
		if i == k {
			for key, v := range cur {
				out[key] = v
			}
			return false
		}
		return true
	})
	return out
}

// owners maps each object of the universe to the last file among the first k that changed
// it (1-based; 0 when none did).
func (s *states) owners(k int) map[string]int {
	out := map[string]int{}
	for i := range min(k, len(s.diffs)) {
		for key := range s.diffs[i] {
			out[key] = i + 1
		}
	}
	return out
}

// objectDiff is one object the live database has other than a state says.
type objectDiff struct {
	key        string
	live, want value
}

func (d objectDiff) String() string {
	switch {
	case d.want == nil:
		return d.key + ": in the database, not made by the history"
	case d.live == nil:
		return d.key + ": missing"
	}
	return fmt.Sprintf("%s: %s, the history makes %s", d.key, clip(*d.live), clip(*d.want))
}

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

// differences lists the objects of the universe whose live definition is not the one state
// gives, sorted by key.
func differences(live catalog.State, want map[string]value) []objectDiff {
	var out []objectDiff
	for key, v := range want {
		if l := lookup(live, key); !same(l, v) {
			out = append(out, objectDiff{key: key, live: l, want: v})
		}
	}
	slices.SortFunc(out, func(a, b objectDiff) int { return cmp.Compare(a.key, b.key) })
	return out
}
