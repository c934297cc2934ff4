package dbconn

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// PoolMode is how a role's server connections are shared.
type PoolMode string

const (
	ModeDirect      PoolMode = "direct"      // every client connection has its own backend
	ModeSession     PoolMode = "session"     // a pooler hands a backend to one client at a time
	ModeTransaction PoolMode = "transaction" // a pooler shares backends between transactions
)

// DetectPoolMode tells a transaction pooler from a session pooler from a direct server by the
// backend pid: two open client connections that get the same backend are transaction-pooled
// (PgBouncer reuses the most recently released server first); a new client connection that gets
// a backend an earlier, closed client had is session-pooled; otherwise it is direct.
func DetectPoolMode(ctx context.Context, cfg *pgx.ConnConfig) (PoolMode, error) {
	cfg = cfg.Copy()
	// Simple protocol: nothing of the detection may stay on a shared server connection.
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	a, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return "", fmt.Errorf("detect pool mode: %w", err)
	}
	b, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		a.Close(ctx)
		return "", fmt.Errorf("detect pool mode: %w", err)
	}
	seen := map[uint32]bool{}
	for range 3 {
		pa, err := backendPID(ctx, a)
		if err != nil {
			return closeBoth(ctx, a, b, err)
		}
		pb, err := backendPID(ctx, b)
		if err != nil {
			return closeBoth(ctx, a, b, err)
		}
		if pa == pb {
			return closeBoth(ctx, a, b, nil)
		}
		seen[pa], seen[pb] = true, true
	}
	a.Close(ctx)
	b.Close(ctx)
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return "", fmt.Errorf("detect pool mode: %w", err)
	}
	defer c.Close(ctx)
	pc, err := backendPID(ctx, c)
	if err != nil {
		return "", fmt.Errorf("detect pool mode: %w", err)
	}
	if seen[pc] {
		return ModeSession, nil
	}
	return ModeDirect, nil
}

func closeBoth(ctx context.Context, a, b *pgx.Conn, err error) (PoolMode, error) {
	a.Close(ctx)
	b.Close(ctx)
	if err != nil {
		return "", fmt.Errorf("detect pool mode: %w", err)
	}
	return ModeTransaction, nil
}

func backendPID(ctx context.Context, c *pgx.Conn) (uint32, error) {
	var pid uint32
	err := c.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid)
	return pid, err
}
