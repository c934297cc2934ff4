package steady_test

import (
	"testing"

	"github.com/steadydb/steady/internal/dbtest"
)

// The examples need the test database; without it the package is skipped (failed under
// CI=true).
func TestMain(m *testing.M) { dbtest.Main(m, "steady") }
