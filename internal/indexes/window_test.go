package indexes_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/indexes"
)

func TestIndexWindow(t *testing.T) {
	t.Parallel()
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return v
	}

	t.Run("NoneIsAlwaysOpen", func(t *testing.T) {
		t.Parallel()
		w, err := indexes.ParseWindow("  ")
		require.NoError(t, err)
		require.Nil(t, w)
		open, _ := w.Open(time.Now())
		require.True(t, open)
	})

	t.Run("OpenFromEachTimeForTheDuration", func(t *testing.T) {
		t.Parallel()
		w, err := indexes.ParseWindow("0 2 * * * 4h")
		require.NoError(t, err)
		require.Equal(t, "UTC", w.Zone)
		for _, tc := range []struct {
			now   string
			open  bool
			until string // when open
			next  string // when closed
		}{
			{"2026-12-01T01:59:59Z", false, "", "2026-12-01T02:00:00Z"},
			{"2026-12-01T02:00:00Z", true, "2026-12-01T06:00:00Z", ""},
			{"2026-12-01T05:59:59Z", true, "2026-12-01T06:00:00Z", ""},
			{"2026-12-01T06:00:00Z", false, "", "2026-12-02T02:00:00Z"},
			{"2026-12-01T23:00:00Z", false, "", "2026-12-02T02:00:00Z"},
		} {
			open, until := w.Open(at(tc.now))
			require.Equal(t, tc.open, open, tc.now)
			if tc.open {
				require.Equal(t, at(tc.until), until, tc.now)
				require.Equal(t, at(tc.now), w.NextOpen(at(tc.now)), "open now: %s", tc.now)
			} else {
				require.Equal(t, at(tc.next), w.NextOpen(at(tc.now)).UTC(), tc.now)
			}
		}
	})

	t.Run("ReadInItsZone", func(t *testing.T) {
		t.Parallel()
		w, err := indexes.ParseWindow("CRON_TZ=Asia/Jerusalem 0 1 * * 6 3h")
		require.NoError(t, err)
		require.Equal(t, "Asia/Jerusalem", w.Zone)
		// Saturday 2026-12-05 01:00 in Jerusalem (UTC+2) is 2026-12-04 23:00 UTC.
		require.Equal(t, at("2026-12-04T23:00:00Z"), w.NextOpen(at("2026-12-01T00:00:00Z")).UTC())
		open, until := w.Open(at("2026-12-05T01:30:00Z"))
		require.True(t, open)
		require.Equal(t, at("2026-12-05T02:00:00Z"), until.UTC())
	})

	t.Run("OverlappingOpeningsExtendTheWindow", func(t *testing.T) {
		t.Parallel()
		w, err := indexes.ParseWindow("0 */2 * * * 3h")
		require.NoError(t, err)
		open, until := w.Open(at("2026-12-01T00:30:00Z"))
		require.True(t, open)
		require.True(t, until.After(at("2026-12-02T00:00:00Z")), "every two hours for three: always open (%s)", until)
	})

	t.Run("BadInputNamesWhatIsWrong", func(t *testing.T) {
		t.Parallel()
		for in, want := range map[string]string{
			"0 2 * * *":       `duration "*"`,
			"4h":              "want a cron spec and a duration",
			"0 2 * * * 0s":    `duration "0s"`,
			"0 2 * * * 200h":  `duration "200h"`,
			"0 25 * * * 4h":   `cron spec "0 25 * * *"`,
			"@nightly 4h":     `cron spec "@nightly"`,
			"0 2 * * * 4 h":   `duration "h"`,
			"CRON_TZ=Nope 4h": "no schedule after CRON_TZ=Nope",
		} {
			_, err := indexes.ParseWindow(in)
			require.ErrorContains(t, err, want, in)
			require.ErrorContains(t, err, "index build window", in)
		}
	})
}

func ExampleWindow() {
	w, _ := indexes.ParseWindow("0 2 * * * 4h")
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	open, _ := w.Open(now)
	fmt.Println(open, w.NextOpen(now).Format(time.RFC3339))
	open, until := w.Open(time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC))
	fmt.Println(open, until.Format(time.RFC3339))
	// Output:
	// false 2026-12-02T02:00:00Z
	// true 2026-12-02T06:00:00Z
}
