package indexes

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/catalog"
)

// The catalog states a build meets, and the statement it runs next.
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
	index := func(def string, valid bool) catalog.Index {
		return catalog.Index{Schema: "public", Name: ix.Name, Table: "reminders", Valid: valid, Ready: valid, Definition: def}
	}
	for name, tc := range map[string]struct {
		st     state
		done   []Action
		action Action // "" = in place
		sql    string
		err    string
	}{
		"Missing": {st: state{}, action: Create,
			sql: `CREATE INDEX CONCURRENTLY reminders_due_pending_idx ON public.reminders USING btree (due_at) WHERE completed_at IS NULL AND notified_at IS NULL`},
		"InPlace":   {st: state{index: index(want, true), hasIndex: true}},
		"Invalid":   {st: state{index: index(want, false), hasIndex: true}, action: Drop, sql: `DROP INDEX CONCURRENTLY IF EXISTS "public"."reminders_due_pending_idx"`},
		"Different": {st: state{index: index(other, true), hasIndex: true}, action: CreateReplacement},
		"ReplacementInvalid": {st: state{index: index(other, true), hasIndex: true, replacement: index(want, false), hasReplacement: true},
			action: DropReplacement, sql: `DROP INDEX CONCURRENTLY IF EXISTS "public"."reminders_due_pending_idx_steady_new"`},
		"ReplacementBuilt": {st: state{index: index(other, true), hasIndex: true, replacement: index(want, true), hasReplacement: true}, action: Drop},
		"OldDropped": {st: state{replacement: index(want, true), hasReplacement: true}, action: Rename,
			sql: `ALTER INDEX "public"."reminders_due_pending_idx_steady_new" RENAME TO "reminders_due_pending_idx"`},
		"ReplacementOutdated": {st: state{replacement: index(other, true), hasReplacement: true}, action: DropReplacement},
		"Busy":                {st: state{busy: &Progress{PID: 7, Table: "reminders", Phase: "building index"}}, err: "another index build is running on reminders (pid 7"},
		"NameOnAnotherTable": {st: state{index: catalog.Index{Name: ix.Name, Table: "leads", Valid: true, Ready: true, Definition: want}, hasIndex: true},
			err: "taken by an index on table leads"},
		"BuiltButReadsBackDifferent": {st: state{index: index(other, true), hasIndex: true}, done: []Action{Create}, err: "does not compare equal"},
		"ReplacementReadsBackDifferent": {st: state{replacement: index(other, true), hasReplacement: true}, done: []Action{CreateReplacement},
			err: "does not compare equal"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			step, err := plan(ix, tc.st, tc.done)
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
