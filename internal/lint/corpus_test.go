package lint_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/lint"
	"github.com/steadydb/steady/internal/lint/corpus"
)

// TestCorpus lints every case of the lint corpus offline, as steady lint FILE (or DIR) does, and
// checks steady's findings statement by statement against the file's "-- expect:" marks: every
// warning and error exactly, and the info findings marked. The bench (make bench-lint) scores the
// same corpus against the "-- danger:" marks, for steady and for squawk.
func TestCorpus(t *testing.T) {
	t.Parallel()
	cases, err := corpus.Load("testdata/corpus")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(cases), 80)
	l, err := lint.New(lint.Config{})
	require.NoError(t, err)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			rep, err := c.Lint(context.Background(), l, "testdata/corpus")
			require.NoError(t, err)
			got := map[string][]string{} // "file#statement" → "severity rule"
			for _, f := range rep.Findings {
				if f.Allowed != "" {
					continue
				}
				file, ok := c.File(f.File)
				require.True(t, ok, "a finding in a file of another case: %s", f)
				key := fmt.Sprintf("%s#%d", f.File, file.At(f.Line))
				got[key] = append(got[key], f.Severity.String()+" "+f.Rule)
			}
			for _, file := range c.Files {
				for i, st := range file.Statements {
					key := fmt.Sprintf("%s#%d", file.Path, i)
					var loud, info []string
					for _, g := range got[key] {
						if g[:5] == "info " {
							info = append(info, g)
						} else {
							loud = append(loud, g)
						}
					}
					var wantLoud []string
					for _, e := range st.Expect {
						if e[:5] == "info " {
							require.Contains(t, info, e, "%s line %d", file.Path, st.StartLine)
						} else {
							wantLoud = append(wantLoud, e)
						}
					}
					slices.Sort(loud)
					slices.Sort(wantLoud)
					require.Equal(t, wantLoud, loud, "%s line %d: %v", file.Path, st.StartLine, rep.Findings)
				}
			}
		})
	}
}
