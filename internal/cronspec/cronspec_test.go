package cronspec_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/cronspec"
)

func ExampleParse() {
	zone, s, err := cronspec.Parse("CRON_TZ=Asia/Jerusalem 45 3 * * *")
	if err != nil {
		panic(err)
	}
	from := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	fmt.Println(zone, s.Next(from).UTC())
	// Output: Asia/Jerusalem 2026-12-02 01:45:00 +0000 UTC
}

func TestParse(t *testing.T) {
	t.Parallel()
	from := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

	t.Run("UTCWithoutAZone", func(t *testing.T) {
		t.Parallel()
		zone, s, err := cronspec.Parse("15 3 * * *")
		require.NoError(t, err)
		require.Equal(t, "UTC", zone)
		require.Equal(t, time.Date(2026, 12, 2, 3, 15, 0, 0, time.UTC), s.Next(from).UTC())
	})

	t.Run("DescriptorsAndTZPrefix", func(t *testing.T) {
		t.Parallel()
		zone, s, err := cronspec.Parse("TZ=Europe/London @daily")
		require.NoError(t, err)
		require.Equal(t, "Europe/London", zone)
		require.Equal(t, time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), s.Next(from).UTC())
	})

	t.Run("BadSpecsAreErrors", func(t *testing.T) {
		t.Parallel()
		for _, spec := range []string{"", "61 * * * *", "every night", "CRON_TZ=Asia/Jerusalem", "CRON_TZ=Not/AZone 0 3 * * *"} {
			_, _, err := cronspec.Parse(spec)
			require.Error(t, err, spec)
		}
	})
}
