package liveness_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Heartbeats and pools start goroutines: every test must stop them.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
