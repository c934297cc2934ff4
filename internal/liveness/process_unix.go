//go:build unix

package liveness

import (
	"errors"
	"syscall"
)

// processGone reports whether no process has pid in this process table. EPERM means one does.
func processGone(pid int) bool {
	return pid > 0 && errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
