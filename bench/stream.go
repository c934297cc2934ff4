package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// pgbenchStream runs pgbench under a load in back-to-back chunks until stopped, so that a phase
// of unknown length (index builds) is covered whole and every transaction keeps its end time
// for the timeline.
type pgbenchStream struct {
	mu   sync.Mutex
	txs  []pgbenchTx
	err  error
	stop context.CancelFunc
	done chan struct{}
}

// pgbenchChunk is one pgbench run of the stream. An open-loop run that falls behind its
// schedule drops what it had not started when it ends: chunks are long enough that a phase's
// backlog shows as lag, not as gaps.
const pgbenchChunk = 10 * time.Second

func startPgbench(ctx context.Context, cfg *config, db string, load pgbenchLoad) *pgbenchStream {
	ctx, cancel := context.WithCancel(ctx)
	s := &pgbenchStream{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for ctx.Err() == nil {
			txs, err := pgbenchTimed(context.WithoutCancel(ctx), cfg, db, load, pgbenchChunk)
			s.mu.Lock()
			s.txs = append(s.txs, txs...)
			if err != nil && s.err == nil {
				s.err = err
			}
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return s
}

// finish stops after the chunk in flight and returns every transaction.
func (s *pgbenchStream) finish() ([]pgbenchTx, error) {
	s.stop()
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.txs, s.err
}

// pgbenchWarmup is how long after pgbench starts its latencies are not yet the application's:
// the stream's first chunk connects and fills its schedule while the server's caches warm.
const pgbenchWarmup = 5 * time.Second

// between is the latencies of the transactions that ended in [from, to), and how many of
// them failed.
func between(txs []pgbenchTx, from, to time.Time) ([]time.Duration, int) {
	var out []time.Duration
	failed := 0
	for _, t := range txs {
		switch {
		case t.end.Before(from) || !t.end.Before(to):
		case t.failed:
			failed++
		default:
			out = append(out, t.lat)
		}
	}
	return out, failed
}

// backfillStatus is the part of steady backfill status --json the bench reads.
type backfillStatus struct {
	State            string             `json:"state"`
	RowsDone         int64              `json:"rows_done"`
	ThrottledShare   float64            `json:"throttled_share"`
	ThrottledSeconds map[string]float64 `json:"throttled_seconds"`
}

func readBackfillStatus(ctx context.Context, cfg *config, db, name string) (backfillStatus, error) {
	out, err := steadyStdout(ctx, cfg, db, "backfill", "status", name, "--json")
	var exitErr *exec.ExitError
	if err != nil && !(errors.As(err, &exitErr) && exitErr.ExitCode() == 3) { // 3: a run is active
		return backfillStatus{}, fmt.Errorf("backfill status %s: %w", name, err)
	}
	var sts []backfillStatus
	if err := json.Unmarshal(out, &sts); err != nil || len(sts) != 1 {
		return backfillStatus{}, fmt.Errorf("backfill status %s: %v\n%s", name, err, out)
	}
	return sts[0], nil
}

// steadyStdout runs a one-shot steady command against db and returns its stdout alone.
func steadyStdout(ctx context.Context, cfg *config, db string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(cfg.root, "bin", "steady"), args...)
	cmd.Env = append(os.Environ(), "DATABASE_URL_DIRECT="+withDB(cfg.directURL, db), "DATABASE_URL_POOLER="+withDB(cfg.poolerURL, db), "STEADY_LOG_FORMAT=json")
	return cmd.Output()
}

// waitFor polls cond every 250 ms until it holds, ctx ends, or within passes.
func waitFor(ctx context.Context, within time.Duration, what string, cond func() (bool, error)) error {
	deadline := time.Now().Add(within)
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not within %s", what, within)
		}
		sleepCtx(ctx, 250*time.Millisecond)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}
