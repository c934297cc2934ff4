package backfills

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPace(t *testing.T) {
	t.Parallel()
	const batch = 200 * time.Millisecond

	t.Run("IdleApplicationWorksBackToBack", func(t *testing.T) {
		t.Parallel()
		p := newPace(1)
		for range 10 {
			p.observe(0)
		}
		require.Zero(t, p.wait(batch))
		require.Empty(t, p.reason())
	})

	t.Run("WaitsInProportionToTheApplicationsActiveSessions", func(t *testing.T) {
		t.Parallel()
		one, three := newPace(1), newPace(1)
		for range 30 {
			one.observe(1)
			three.observe(3)
		}
		require.InDelta(t, float64(batch), float64(one.wait(batch)), float64(time.Millisecond))
		require.InDelta(t, float64(3*batch), float64(three.wait(batch)), float64(time.Millisecond))
		require.Contains(t, three.reason(), "yielding to the application: 3.0 other sessions active; waiting 3.0× each batch")

		polite := newPace(4)
		for range 30 {
			polite.observe(1)
		}
		require.Greater(t, polite.wait(batch), one.wait(batch), "a higher yield waits longer under the same load")
	})

	t.Run("SlowsDownAsLoadArrivesAndSpeedsUpWhenItClears", func(t *testing.T) {
		t.Parallel()
		p := newPace(1)
		p.observe(0)
		var waits []time.Duration
		for range 5 {
			p.observe(4)
			waits = append(waits, p.wait(batch))
		}
		for i := 1; i < len(waits); i++ {
			require.Greater(t, waits[i], waits[i-1], "each busy reading waits longer")
		}
		waits = waits[:0]
		for range 20 {
			p.observe(0)
			waits = append(waits, p.wait(batch))
		}
		for i := 1; i < len(waits); i++ {
			require.LessOrEqual(t, waits[i], waits[i-1], "each idle reading waits less")
		}
		require.Zero(t, waits[len(waits)-1], "back to full speed")
	})

	t.Run("FullSpeedNeverWaits", func(t *testing.T) {
		t.Parallel()
		p := newPace(-1)
		for range 10 {
			p.observe(50)
		}
		require.Zero(t, p.wait(batch))
	})

	t.Run("BoundedUnderAnyLoad", func(t *testing.T) {
		t.Parallel()
		p := newPace(MaxYield)
		for range 10 {
			p.observe(500)
		}
		require.Equal(t, time.Duration(maxNice)*batch, p.wait(batch))
	})
}
