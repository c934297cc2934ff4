package liveness

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
)

// IDPrefix starts every client id NewClientID makes. River's own default ids (host and time)
// never contain a dot, so a job attempted by a client whose id starts with it was attempted by
// a worker that heartbeats; the rescuer touches no other job (a worker of an older steady, say,
// is left to River's own rescuer).
const IDPrefix = "steady."

// NewClientID returns a River client id for this process: steady.HOST.PID.RANDOM (at most 64
// characters; River allows 100). It is new for every process, so a restarted worker never
// inherits the row, and the verdict, of its previous life.
func NewClientID() string {
	host, _ := os.Hostname()
	host = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '_'
	}, host)
	host = cmpOr(host[:min(len(host), 40)], "unknown_host")
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s%s.%d.%s", IDPrefix, host, os.Getpid(), hex.EncodeToString(b))
}

// hostKey identifies this process table: the boot id and the pid namespace. Two rows with the
// same key were written by processes that can see each other's pids; "" when unknown (no fast
// path then). The hostname alone is not enough: containers and cloned machines share names.
func hostKey() string {
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	ns, err := os.Readlink("/proc/self/ns/pid")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(boot)) + "/" + ns
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
