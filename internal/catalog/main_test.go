package catalog_test

import (
	"testing"

	"github.com/steadydb/steady/internal/dbtest"
)

// TestMain skips the package when no test database answers (outside CI): ExampleRead needs it.
func TestMain(m *testing.M) { dbtest.Main(m, "catalog") }
