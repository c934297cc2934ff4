package backfills_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/backfills"
)

func TestCatalog(t *testing.T) {
	t.Parallel()
	c := backfills.Catalog{{Name: "b_first", Table: "t"}, {Name: "a_second", Table: "t", KeyTable: "k"}}

	t.Run("LookupAndNamesInCatalogOrder", func(t *testing.T) {
		t.Parallel()
		b, ok := c.Lookup("a_second")
		require.True(t, ok)
		require.Equal(t, "k", b.KeyRelation())
		_, ok = c.Lookup("nope")
		require.False(t, ok)
		require.Equal(t, []string{"b_first", "a_second"}, c.Names())
	})

	t.Run("UnknownNamesTheKnownOnes", func(t *testing.T) {
		t.Parallel()
		err := c.Unknown("nope")
		var ue *backfills.UnknownError
		require.True(t, errors.As(err, &ue))
		require.Equal(t, "nope", ue.Name)
		require.EqualError(t, err, `unknown backfill "nope" (known: b_first, a_second)`)
	})
}
