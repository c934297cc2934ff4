package liveness_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/steadydb/steady/internal/dbtest"
)

// TestMain checks that every heartbeat and pool a test started was stopped. Without a test
// database the package is skipped (under CI=true it fails, saying why): ExampleAlive needs one
// and cannot skip itself.
func TestMain(m *testing.M) {
	dbtest.RequireDatabase("liveness")
	goleak.VerifyTestMain(m)
}
