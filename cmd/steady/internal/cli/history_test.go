package cli

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/historyverify"
)

func TestPrintVerify(t *testing.T) {
	t.Parallel()
	rep := &historyverify.Report{Files: 3, Format: "golang-migrate", DurationMS: 1500, Outcomes: []historyverify.Outcome{
		{Prefix: 0, Case: historyverify.CaseNoHistory, Converged: true},
		{Prefix: 2, After: "002_seed.up.sql", Case: historyverify.CaseNoHistory, Undecidable: true, Judge: "shadow", Reason: "002_seed.up.sql only changes data"},
		{Prefix: 3, After: "003_x.up.sql", Case: historyverify.CaseToolHistory, Judge: "shadow", Reason: "the schema differs from the whole history's:\nindex public.x is missing"},
	}}
	var b strings.Builder
	require.NoError(t, printVerify(&b, rep))
	out := b.String()
	require.Contains(t, out, "history: 3 files (golang-migrate), verified in 1.5s\n")
	require.Contains(t, out, "no-history       converged 1 of 1 prefixes; 1 more undecidable (below)\n")
	require.Contains(t, out, "tool-history     converged 0 of 1 prefixes\n")
	require.Regexp(t, `(?s)Prefixes that did not converge:\nPREFIX +AFTER +CASE +JUDGE +REASON\n3 +003_x.up.sql +tool-history +shadow +the schema differs from the whole history's: index public.x is missing\n`, out)
	require.Regexp(t, `(?s)Undecidable prefixes.*\n2 +002_seed.up.sql +no-history +shadow +002_seed.up.sql only changes data\n`, out)
	require.False(t, rep.AllConverged())
}

func TestParsePrefixes(t *testing.T) {
	t.Parallel()
	ks, err := parsePrefixes("all")
	require.NoError(t, err)
	require.Nil(t, ks)
	ks, err = parsePrefixes(" 10,0, 3,10")
	require.NoError(t, err)
	require.Equal(t, []int{0, 3, 10}, ks)
	for _, bad := range []string{"", "x", "-1", "1,,2"} {
		_, err := parsePrefixes(bad)
		require.ErrorContains(t, err, "--prefixes", bad)
	}
}
