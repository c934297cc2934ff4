// Package cronspec reads the cron specs of steady's settings (backfill schedules, the index
// build window): a standard five-field spec or a descriptor, read in UTC unless it names its zone.
package cronspec

import (
	"fmt"
	"strings"

	"github.com/robfig/cron/v3"
)

// Parse parses a standard spec or descriptor, optionally prefixed with CRON_TZ=Zone (or
// TZ=Zone), and returns the zone it is read in: UTC without a prefix.
func Parse(spec string) (string, cron.Schedule, error) {
	zone, full := "UTC", "CRON_TZ=UTC "+spec
	if first, rest, _ := strings.Cut(spec, " "); strings.HasPrefix(first, "CRON_TZ=") || strings.HasPrefix(first, "TZ=") {
		if strings.TrimSpace(rest) == "" {
			return "", nil, fmt.Errorf("no schedule after %s", first) // robfig/cron panics on it
		}
		_, zone, _ = strings.Cut(first, "=")
		full = spec
	}
	s, err := cron.ParseStandard(full)
	return zone, s, err
}
