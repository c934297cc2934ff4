package liveness

import (
	"fmt"
	"strings"
	"time"
)

// Summary says how many workers are alive and since when, by the server's clock:
// "workers: 2 alive (host-a pid 12 since 13:02:11, up 4m; host-b pid 7 since …)" or
// "workers: none alive (the last heartbeat was 3m ago, at 13:05:02Z)".
func (c Census) Summary() string {
	if len(c.Alive) == 0 {
		if c.LastHeartbeat == nil {
			return "workers: none alive (none has ever run against this database)"
		}
		return fmt.Sprintf("workers: none alive (the last heartbeat was %s ago, at %s)",
			c.Now.Sub(*c.LastHeartbeat).Round(time.Second), c.LastHeartbeat.UTC().Format(time.RFC3339))
	}
	parts := make([]string, len(c.Alive))
	for i, w := range c.Alive {
		parts[i] = fmt.Sprintf("%s pid %d since %s, up %s", w.Host, w.PID, w.StartedAt.UTC().Format(time.RFC3339), w.Up.Round(time.Second))
	}
	return fmt.Sprintf("workers: %d alive (%s)", len(c.Alive), strings.Join(parts, "; "))
}
