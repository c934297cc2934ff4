package indexes

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/catalog"
)

// The catalog states a build meets, the state status shows for them (classify, once for
// both), and the statement the build runs next.
func TestPlan(t *testing.T) {
	t.Parallel()
	ixs, _ := MustCatalog([]Index{{Name: "reminders_due_pending_idx", Table: "reminders",
		SQL: `CREATE INDEX reminders_due_pending_idx ON reminders (due_at) WHERE completed_at IS NULL AND notified_at IS NULL`,
		Why: "the notifier"}}).OnTable("reminders")
	ix := ixs[0]
	const (
		want  = "CREATE INDEX reminders_due_pending_idx ON public.reminders USING btree (due_at) WHERE ((completed_at IS NULL) AND (notified_at IS NULL))"
		other = "CREATE INDEX reminders_due_pending_idx ON public.reminders USING btree (due_at)"
	)
	index := func(def string, valid bool) *catalog.Index {
		return &catalog.Index{Schema: "public", Name: ix.Name, Table: "reminders", Valid: valid, Ready: valid, Definition: def}
	}
	replacement := func(def string, valid bool) *catalog.Index {
		r := index(def, valid)
		r.Name = ix.Replacement()
		return r
	}
	building := func(index string) []Progress {
		return []Progress{{PID: 7, Table: "reminders", Index: index, Phase: "building index: scanning table", BlocksTotal: 10, BlocksDone: 4}}
	}
	for name, tc := range map[string]struct {
		index, replacement *catalog.Index
		progress           []Progress
		done               []Action
		state              State  // what status shows
		action             Action // "" = in place
		sql                string
		err                string
	}{
		"Missing": {state: Missing, action: Create,
			sql: `CREATE INDEX CONCURRENTLY reminders_due_pending_idx ON public.reminders USING btree (due_at) WHERE completed_at IS NULL AND notified_at IS NULL`},
		"InPlace":   {index: index(want, true), state: Valid},
		"Invalid":   {index: index(want, false), state: Invalid, action: Drop, sql: `DROP INDEX CONCURRENTLY IF EXISTS "public"."reminders_due_pending_idx"`},
		"Different": {index: index(other, true), state: Different, action: CreateReplacement},
		"ReplacementInvalid": {index: index(other, true), replacement: replacement(want, false), state: Different,
			action: DropReplacement, sql: `DROP INDEX CONCURRENTLY IF EXISTS "public"."reminders_due_pending_idx_steady_new"`},
		"ReplacementBuilt": {index: index(other, true), replacement: replacement(want, true), state: Different, action: Drop},
		"OldDropped": {replacement: replacement(want, true), state: Missing, action: Rename,
			sql: `ALTER INDEX "public"."reminders_due_pending_idx_steady_new" RENAME TO "reminders_due_pending_idx"`},
		"ReplacementOutdated": {replacement: replacement(other, true), state: Missing, action: DropReplacement},
		"NameOnAnotherTable": {index: &catalog.Index{Name: ix.Name, Table: "leads", Valid: true, Ready: true, Definition: want},
			state: Different, err: "taken by an index on table leads"},
		// Status said invalid ("the next build drops and rebuilds it"); the builder refused to.
		"InvalidNameOnAnotherTable": {index: &catalog.Index{Name: ix.Name, Table: "leads", Definition: want},
			state: Different, err: "taken by an index on table leads"},
		"BuiltButReadsBackDifferent": {index: index(other, true), done: []Action{Create}, state: Different, err: "does not compare equal"},
		"ReplacementReadsBackDifferent": {replacement: replacement(other, true), done: []Action{CreateReplacement},
			state: Missing, err: "does not compare equal"},

		// A build of the index itself: building, and the builder waits for it.
		"ItsBuildRuns":            {index: index(want, false), progress: building(ix.Name), state: Building, err: "another index build is running on reminders (pid 7"},
		"ItsReplacementBuildRuns": {index: index(other, true), progress: building(ix.Replacement()), state: Building, err: "another index build is running on reminders (pid 7"},
		// Where the two classifications differed: a build of another index on the table. The
		// index is what the catalog shows (status said so, the builder said busy); a statement
		// waits for the other build, an index in place is done.
		"OtherBuildOnTheTableWhileMissing": {progress: building("reminders_manual_idx"), state: Missing, err: "another index build is running on reminders (pid 7"},
		"OtherBuildOnTheTableWhileInvalid": {index: index(want, false), progress: building(""), state: Invalid, err: "another index build is running on reminders (pid 7"},
		"OtherBuildOnTheTableWhileInPlace": {index: index(want, true), progress: building("reminders_manual_idx"), state: Valid},
		"BuildOnAnotherTable":              {progress: []Progress{{PID: 8, Table: "leads", Index: ix.Name}}, state: Missing, action: Create},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			lookup := func(name string) (catalog.Index, bool) {
				for _, i := range []*catalog.Index{tc.index, tc.replacement} {
					if i != nil && i.Name == name {
						return *i, true
					}
				}
				return catalog.Index{}, false
			}
			st := ix.classify(lookup, tc.progress)
			require.Equal(t, tc.state, st.State, st.Detail)
			step, err := plan(ix, st, tc.done)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				var busy *BusyError
				require.True(t, errors.Is(err, ErrPermanent) || errors.As(err, &busy))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.action, step.Action)
			if tc.sql != "" {
				require.Equal(t, tc.sql, step.SQL)
			}
		})
	}
}
