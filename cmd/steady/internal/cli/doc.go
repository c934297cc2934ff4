// Package cli is the steady command tree: every command, its settings (flag > environment
// variable > default), its output and its exit code. [Run] runs one command line; package
// main wraps it in a process (signals, os.Exit), and the tests call it in-process with an
// environment of their own.
//
// Runs share no state (cobra's command sorting is switched off once, at init): each Run
// builds its own tree, logger and settings, and reads the environment only through its
// [LookupEnv].
package cli
