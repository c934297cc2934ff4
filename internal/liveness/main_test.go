package liveness_test

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that every heartbeat and pool a test started was stopped. Without a test
// database outside CI the package is skipped: ExampleAlive needs one and cannot skip itself.
func TestMain(m *testing.M) {
	if os.Getenv("TEST_DATABASE_URL_DIRECT") == "" && os.Getenv("CI") != "true" {
		fmt.Println("liveness: skipped: TEST_DATABASE_URL_DIRECT is not set (run make test)")
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}
