package historytest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbtest"
)

// TestSweep adopts every history at each prefix tried, in each history-table case, and checks
// that steady brings the database to psql's full history with every data statement run once.
func TestSweep(t *testing.T) {
	t.Parallel()
	for _, h := range loadHistories(t) {
		ks, err := prefixes(h, prefixesSetting())
		require.NoError(t, err)
		t.Run(h.name, func(t *testing.T) {
			t.Parallel()
			ref := buildReference(t, h)
			for _, c := range historyCases {
				t.Run(c.test, func(t *testing.T) {
					t.Parallel()
					var tried, converged, unknowable atomic.Int64
					t.Cleanup(func() { // after every prefix's subtest
						note := ""
						if n := unknowable.Load(); n > 0 {
							note = fmt.Sprintf("; %d more end in a data-only file nothing records, which steady runs again as its rules say (checked)", n)
						}
						t.Logf("history %s (%s), case %s: converged %d of %d prefixes%s",
							h.name, h.format, c.summary, converged.Load(), tried.Load()-unknowable.Load(), note)
					})
					for _, k := range ks {
						t.Run(fmt.Sprintf("Prefix%02d", k), func(t *testing.T) {
							t.Parallel()
							tried.Add(1)
							if unrecorded(h, k, c) {
								// No tool can tell whether it ran: assert the decision the README's
								// rules predict, not an outcome nothing could guarantee.
								unknowable.Add(1)
								runsAgainAsTheRulesSay(t, h, ref, k, c)
								return
							}
							defer func() {
								if !t.Failed() {
									converged.Add(1)
								}
							}()
							adopt(t, h, ref, k, c)
						})
					}
				})
			}
		})
	}
}

// adopt is one database: files 1..k by psql, the case's history table, then steady twice.
func adopt(t *testing.T, h *history, ref *reference, k int, c historyCase) {
	db := setup(t, h, ref.upDir, k, toolHistorySQL(h, k, c))
	at := describePrefix(h, k)

	first := migrate(t, h, db.PoolerURL)
	require.Equalf(t, 0, first.code, "steady migrate --strict %s:\n%s", at, first.output())

	got := withoutBookkeeping(schemaDump(t, db.DirectURL))
	if got != ref.dump {
		t.Errorf("the schema %s differs from psql's full history:\n%s", at,
			diffDumps(t, "psql, whole history", ref.dump, "steady, "+at, got))
	}
	counts, err := canaryCounts(context.Background(), db.DirectURL)
	require.NoError(t, err)
	if m := canaryMismatch(ref.canaries, counts); m != "" {
		t.Errorf("data statements not run exactly once %s:\n%s", at, m)
	}

	second := migrate(t, h, db.PoolerURL)
	require.Equalf(t, 0, second.code, "second steady migrate --strict %s:\n%s\n%s", at, second.output(), statusProblems(t, h, db.PoolerURL))
	require.Zerof(t, applied(t, second), "the second run applied migrations %s:\n%s", at, second.output())
}

// runsAgainAsTheRulesSay checks steady's plan where the last file applied only moved data and no
// history records it: everything before it is in place (reconciled, or recorded), and it runs
// again, because only a later migration could show that it ran.
func runsAgainAsTheRulesSay(t *testing.T, h *history, ref *reference, k int, c historyCase) {
	db := setup(t, h, ref.upDir, k, toolHistorySQL(h, k, c))
	r := steady(t, db.PoolerURL, "migrate", "--dry-run", "--json", "--migrations-dir", h.dir)
	require.Equalf(t, 0, r.code, "steady migrate --dry-run:\n%s", r.output())
	var res struct {
		Migrations []struct {
			Name   string `json:"name"`
			Action string `json:"action"`
		} `json:"migrations"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &res), r.output())
	require.Len(t, res.Migrations, len(h.files))
	for i, m := range res.Migrations[:k-1] {
		require.NotEqualf(t, "run", m.Action, "%s (file %d of the prefix %d) is in place: %s", m.Name, i+1, k, r.output())
	}
	require.Equalf(t, "run", res.Migrations[k-1].Action, "%s: data only, recorded nowhere, the last of the prefix", h.files[k-1].file)
	t.Logf("%s is data-only and nothing records it: steady runs it again, as its rules say", h.files[k-1].file)
}

// setup is a fresh database with files 1..k of h applied by psql through PgBouncer, then tail
// (a history table, or nothing).
func setup(t *testing.T, h *history, upDir string, k int, tail string) *dbtest.DB {
	t.Helper()
	db := dbtest.New(t)
	psql(t, db.PoolerURL, applyScript(h.files[:k], upDir, tail))
	return db
}

// unrecorded: file k, the last applied, only moves data and no history row says it ran. The
// catalog cannot tell whether it did, so steady's rule (such a migration counts as run only when
// a later one is present) runs it again; the sweep still requires every statement once.
func unrecorded(h *history, k int, c historyCase) bool {
	if k == 0 || !h.files[k-1].dataOnly {
		return false
	}
	switch {
	case !c.table:
		return true
	case c.corrupt && h.format == golangMigrate: // its only row is gone
		return true
	case c.corrupt:
		return lostRow(k) == k-1
	}
	return false
}

func describePrefix(h *history, k int) string {
	if k == 0 {
		return "at prefix 0 (a fresh database)"
	}
	return fmt.Sprintf("at prefix %d (after %s)", k, h.files[k-1].file)
}
