package historytest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSweep adopts every history at each prefix tried, in each history-table case and with
// each judge, and checks that steady brings the database to the tool's full history with every
// data statement run once.
func TestSweep(t *testing.T) {
	t.Parallel()
	for _, h := range sweptHistories(t) {
		t.Run(h.name, func(t *testing.T) {
			t.Parallel()
			ref := buildReference(t, h)
			for _, c := range historyCases {
				judges, err := judgesFor(c, judgesSetting())
				require.NoError(t, err)
				t.Run(c.test, func(t *testing.T) {
					t.Parallel()
					for _, j := range judges {
						ks, err := prefixes(h, c, j, prefixesSetting())
						require.NoError(t, err)
						t.Run(j.test, func(t *testing.T) {
							t.Parallel()
							y := newTally(h, c, j)
							t.Cleanup(func() { y.log(t) }) // after every prefix's subtest
							for _, k := range ks {
								t.Run(fmt.Sprintf("Prefix%02d", k), func(t *testing.T) {
									t.Parallel()
									sweepPrefix(t, h, ref, k, c, j, y)
								})
							}
						})
					}
				})
			}
		})
	}
}

// outcome is one prefix's: why it did not converge ("" when it did), and why the derived model
// judged although the shadow was asked for ("" when it did not).
type outcome struct{ reason, fellBack string }

// sweepPrefix is one database, counted in y.
func sweepPrefix(t *testing.T, h *history, ref *reference, k int, c historyCase, j judge, y *tally) {
	unknowable := unrecorded(h, k, c)
	var o outcome
	defer func() { // also after a t.Fatal
		if t.Failed() && o.reason == "" {
			o.reason = "the test failed before steady's outcome was checked (see its log)"
		}
		y.record(k, unknowable, o)
	}()
	if unknowable {
		// No tool can tell whether it ran: assert the decision docs/migrations.md's rules predict, not
		// an outcome nothing could guarantee.
		o.reason = runsAgainAsTheRulesSay(t, h, ref, k, c, j, &o)
		return
	}
	o.reason = adopt(t, h, ref, k, c, j, &o)
}

// adopt is one database: files 1..k applied as the tool applies them, the case's history table,
// then steady twice. It returns why the prefix did not converge ("" when it did), having
// reported it in full.
func adopt(t *testing.T, h *history, ref *reference, k int, c historyCase, j judge, o *outcome) string {
	db := setup(t, h, ref.upDir, k, toolHistorySQL(h, k, c))
	at := describePrefix(h, k)

	first := migrate(t, h, db.PoolerURL, j)
	o.fellBack = first.fellBack(j)
	if first.code != 0 {
		status := statusProblems(t, h, db.PoolerURL, j)
		t.Errorf("steady migrate --strict %s:\n%s\n%s", at, first.output(), status)
		return withStatus(first.why(), status)
	}
	var reasons []string
	got := h.withoutBookkeeping(schemaDump(t, db.DirectURL))
	if got != ref.dump {
		diff := diffDumps(t, "the tool, whole history", ref.dump, "steady, "+at, got)
		t.Errorf("the schema %s differs from the tool's full history:\n%s", at, diff)
		reasons = append(reasons, diffReason(diff))
	}
	if ref.canaries != nil {
		counts, err := canaryCounts(context.Background(), db.DirectURL)
		require.NoError(t, err)
		if m := canaryMismatch(ref.canaries, counts); m != "" {
			t.Errorf("data statements not run exactly once %s:\n%s", at, m)
			reasons = append(reasons, "data statements not run exactly once: "+firstLine(m))
		}
	}
	second := migrate(t, h, db.PoolerURL, j)
	switch {
	case second.code != 0:
		status := statusProblems(t, h, db.PoolerURL, j)
		t.Errorf("second steady migrate --strict %s:\n%s\n%s", at, second.output(), status)
		reasons = append(reasons, "second run: "+withStatus(second.why(), status))
	case applied(t, second) != 0:
		t.Errorf("the second run applied migrations %s:\n%s", at, second.output())
		reasons = append(reasons, fmt.Sprintf("the second run applied %d migrations", applied(t, second)))
	}
	return strings.Join(reasons, "; ")
}

// runsAgainAsTheRulesSay checks steady's plan where the last file applied only moved data and no
// history records it: everything before it is in place (reconciled, or recorded), and it runs
// again, because only a later migration could show that it ran.
func runsAgainAsTheRulesSay(t *testing.T, h *history, ref *reference, k int, c historyCase, j judge, o *outcome) string {
	db := setup(t, h, ref.upDir, k, toolHistorySQL(h, k, c))
	r := steady(t, db.PoolerURL, append([]string{"migrate", "--dry-run", "--json"}, h.steadyArgs(j)...)...)
	o.fellBack = r.fellBack(j)
	if r.code != 0 {
		t.Errorf("steady migrate --dry-run:\n%s", r.output())
		return "dry run: " + r.why()
	}
	var res struct {
		Migrations []struct {
			Name   string `json:"name"`
			Action string `json:"action"`
		} `json:"migrations"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &res), r.output())
	require.Len(t, res.Migrations, len(h.files))
	for i, m := range res.Migrations[:k-1] {
		if m.Action == "run" {
			t.Errorf("%s (file %d of the prefix %d) is in place, and the plan runs it: %s", m.Name, i+1, k, r.output())
			return fmt.Sprintf("data-only prefix: the plan runs %s (file %d), which is in place", m.Name, i+1)
		}
	}
	if res.Migrations[k-1].Action != "run" {
		t.Errorf("%s: data only, recorded nowhere, the last of the prefix: the plan says %q, not run", h.files[k-1].file, res.Migrations[k-1].Action)
		return fmt.Sprintf("data-only prefix: the plan says %q of its last file, not run", res.Migrations[k-1].Action)
	}
	t.Logf("%s is data-only and nothing records it: steady runs it again, as its rules say", h.files[k-1].file)
	return ""
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
