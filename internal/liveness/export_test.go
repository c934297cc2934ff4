package liveness

// HostKeyForTest is this machine's host key.
func HostKeyForTest() string { return hostKey() }
