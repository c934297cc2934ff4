package indexes_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/indexes"
)

func TestNewIndexCatalog(t *testing.T) {
	t.Parallel()
	entry := func(name, table, sql string) indexes.Index {
		return indexes.Index{Name: name, Table: table, SQL: sql, Why: "a query"}
	}

	t.Run("KeepsTableAndEntryOrder", func(t *testing.T) {
		t.Parallel()
		c, err := indexes.NewCatalog([]indexes.Index{
			entry("b1", "b", "CREATE INDEX b1 ON b (x)"),
			entry("a1", "a", "CREATE INDEX a1 ON a (x)"),
			entry("b2", "b", "CREATE INDEX b2 ON b (y)"),
		})
		require.NoError(t, err)
		require.Equal(t, []string{"b", "a"}, c.Tables())
		b, ok := c.OnTable("b")
		require.True(t, ok)
		require.Equal(t, "b1", b[0].Name)
		require.Equal(t, "b2", b[1].Name)
		_, ok = c.OnTable("c")
		require.False(t, ok)
	})

	for name, tc := range map[string]struct {
		entries []indexes.Index
		want    string
	}{
		"NameDisagrees":  {[]indexes.Index{entry("a1", "a", "CREATE INDEX a2 ON a (x)")}, "creates index a2, not a1"},
		"TableDisagrees": {[]indexes.Index{entry("a1", "a", "CREATE INDEX a1 ON b (x)")}, "indexes table b, not a"},
		"Concurrently":   {[]indexes.Index{entry("a1", "a", "CREATE INDEX CONCURRENTLY a1 ON a (x)")}, "CONCURRENTLY"},
		"TwoStatements":  {[]indexes.Index{entry("a1", "a", "CREATE INDEX a1 ON a (x); DROP TABLE a")}, "exactly one"},
		"Duplicate": {[]indexes.Index{entry("a1", "a", "CREATE INDEX a1 ON a (x)"),
			entry("a1", "a", "CREATE INDEX a1 ON a (y)")}, "duplicate name"},
		"TooLong": {[]indexes.Index{entry("a_very_long_index_name_that_leaves_no_room_for_the_suffix_x",
			"a", "CREATE INDEX a_very_long_index_name_that_leaves_no_room_for_the_suffix_x ON a (x)")}, "too long"},
		"NoWhy": {[]indexes.Index{{Name: "a1", Table: "a", SQL: "CREATE INDEX a1 ON a (x)"}}, "say why the index exists"},
	} {
		t.Run("Refuses"+name, func(t *testing.T) {
			t.Parallel()
			_, err := indexes.NewCatalog(tc.entries)
			require.ErrorContains(t, err, tc.want)
		})
	}
}
