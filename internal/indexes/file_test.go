package indexes_test

import (
	"errors"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/indexes"
)

func TestParseFile(t *testing.T) {
	t.Parallel()

	t.Run("StatementsWithTheirWhy", func(t *testing.T) {
		t.Parallel()
		ixs, err := indexes.ParseFile("indexes/leads.sql", []byte(`-- Indexes of leads.

-- The lead board: one tab per status
-- of a business.
CREATE INDEX leads_status_idx ON leads (business_id, status);

-- A lead by phone.
CREATE UNIQUE INDEX leads_phone_idx ON leads (phone) WHERE phone IS NOT NULL;
`))
		require.NoError(t, err)
		require.Len(t, ixs, 2)
		require.Equal(t, "leads_status_idx", ixs[0].Name)
		require.Equal(t, "leads", ixs[0].Table)
		require.Equal(t, "The lead board: one tab per status of a business.", ixs[0].Why, "the comment just above, not the file's")
		require.Equal(t, "CREATE INDEX leads_status_idx ON leads (business_id, status)", ixs[0].SQL)
		require.Equal(t, 5, ixs[0].Line)
		require.True(t, ixs[1].Def.Unique)
		require.Equal(t, 8, ixs[1].Line)
	})

	for _, c := range []struct {
		name, src string
		line      int
		msg       string
	}{
		{"Concurrently", "-- why\nCREATE INDEX CONCURRENTLY x_idx ON leads (a);", 2, "write CREATE INDEX without CONCURRENTLY"},
		{"IfNotExists", "-- why\nCREATE INDEX IF NOT EXISTS x_idx ON leads (a);", 2, "drop IF NOT EXISTS"},
		{"NoWhy", "-- why\nCREATE INDEX a_idx ON leads (a);\n\nCREATE INDEX b_idx ON leads (b);", 4, "say why the index exists"},
		{"NotAnIndex", "-- why\nCREATE INDEX a_idx ON leads (a);\nDROP INDEX b_idx;", 3, "not a CREATE INDEX"},
		{"Qualified", "-- why\nCREATE INDEX a_idx ON public.leads (a);", 2, "write the table unqualified"},
		{"DoesNotParse", "-- why\nCREATE INDEX a_idx ON leads (a;", 2, "does not parse"},
		{"Empty", "-- nothing here\n", 0, "no CREATE INDEX statement"},
	} {
		t.Run("Refuses"+c.name, func(t *testing.T) {
			t.Parallel()
			_, err := indexes.ParseFile("x.sql", []byte(c.src))
			var fe *indexes.FileError
			require.True(t, errors.As(err, &fe), "%v", err)
			require.Equal(t, c.line, fe.Line, fe.Error())
			require.Contains(t, fe.Message, c.msg)
		})
	}
}

func TestLoadDir(t *testing.T) {
	t.Parallel()
	c, err := indexes.LoadDir(fstest.MapFS{
		"2_threads.sql": {Data: []byte("-- t\nCREATE INDEX t_idx ON threads (a);\n-- l2\nCREATE INDEX l2_idx ON leads (b);")},
		"1_leads.sql":   {Data: []byte("-- l\nCREATE INDEX l_idx ON leads (a);")},
	}, "ix")
	require.NoError(t, err)
	require.Equal(t, []string{"leads", "threads"}, c.Tables(), "tables in the order they first appear, files in name order")
	leads, _ := c.OnTable("leads")
	require.Equal(t, "l_idx", leads[0].Name)
	require.Equal(t, "l2_idx", leads[1].Name)

	_, err = indexes.LoadDir(fstest.MapFS{
		"a.sql": {Data: []byte("-- l\nCREATE INDEX l_idx ON leads (a);")},
		"b.sql": {Data: []byte("-- l\n\n-- again\nCREATE INDEX l_idx ON leads (b);")},
	}, "ix")
	require.EqualError(t, err, "ix/b.sql:4: index l_idx is also defined at ix/a.sql:2")
}
