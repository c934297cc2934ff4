package catalogfiles

import (
	"sync"

	shippedbackfills "github.com/steadydb/steady/backfills"
	shippedindexes "github.com/steadydb/steady/indexes"
	"github.com/steadydb/steady/internal/backfills"
	"github.com/steadydb/steady/internal/indexes"
)

// The shipped catalogs, read once.
var shipped = sync.OnceValues(func() (*Catalogs, error) {
	return Load(Sources{})
})

// Shipped returns the catalogs embedded in the binary (backfills/ and indexes/ of the
// repository). They are data tested with the repository: a bad one is a programmer error.
func Shipped() *Catalogs {
	c, err := shipped()
	if err != nil {
		panic("catalogfiles: the shipped catalogs: " + err.Error())
	}
	return c
}

// ShippedBackfills is the shipped backfill catalog.
func ShippedBackfills() backfills.Catalog { return Shipped().Backfills }

// ShippedIndexes is the shipped index catalog.
func ShippedIndexes() *indexes.Catalog { return Shipped().Indexes }

var (
	_ = shippedbackfills.FS
	_ = shippedindexes.FS
)
