package dbconn

import (
	"context"
	"fmt"
	"net"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PoolMode is how a role's server connections are shared.
type PoolMode string

const (
	ModeDirect      PoolMode = "direct"      // every client connection has its own backend
	ModeSession     PoolMode = "session"     // a pooler hands a backend to one client at a time
	ModeTransaction PoolMode = "transaction" // a pooler shares backends between transactions
	ModeUnknown     PoolMode = "unknown"     // not detected (OpenOpts.Detect false)
)

// Pooled reports whether session state may leak between clients: true for a transaction
// pooler, and for an undetected POOLER role.
func (p *Pool) Pooled() bool {
	return p.Mode == ModeTransaction || (p.Mode == ModeUnknown && p.Role == Pooler)
}

// DetectPoolMode tells a transaction pooler from a session pooler from a direct server with two
// of the pool's own connections (they stay in the pool, so detection costs one connect time):
//   - both open client connections get the same backend pid → transaction pooling (PgBouncer
//     hands out the most recently released server first);
//   - otherwise, the server listens on the port the client dialled → direct;
//   - otherwise → a session pooler in front (PgBouncer's session mode on its own port).
//
// The queries use the simple protocol so nothing is prepared on a shared server connection.
func DetectPoolMode(ctx context.Context, pool *pgxpool.Pool) (PoolMode, error) {
	type acquired struct {
		c   *pgxpool.Conn
		err error
	}
	ch := make(chan acquired, 2)
	for range 2 {
		go func() {
			c, err := pool.Acquire(ctx)
			ch <- acquired{c, err}
		}()
	}
	var conns []*pgxpool.Conn
	var firstErr error
	for range 2 {
		a := <-ch
		if a.err != nil {
			firstErr = a.err
			continue
		}
		conns = append(conns, a.c)
	}
	defer func() {
		for _, c := range conns {
			c.Release()
		}
	}()
	if firstErr != nil {
		return "", fmt.Errorf("detect pool mode: %w", firstErr)
	}
	for range 3 {
		pa, err := backendPID(ctx, conns[0])
		if err != nil {
			return "", fmt.Errorf("detect pool mode: %w", err)
		}
		pb, err := backendPID(ctx, conns[1])
		if err != nil {
			return "", fmt.Errorf("detect pool mode: %w", err)
		}
		if pa == pb {
			return ModeTransaction, nil
		}
	}
	var serverPort int
	if err := conns[0].QueryRow(ctx, "SELECT coalesce(inet_server_port(), current_setting('port')::int)", pgx.QueryExecModeSimpleProtocol).Scan(&serverPort); err != nil {
		return "", fmt.Errorf("detect pool mode: %w", err)
	}
	if serverPort == dialledPort(conns[0]) {
		return ModeDirect, nil
	}
	return ModeSession, nil
}

func dialledPort(c *pgxpool.Conn) int {
	if ta, ok := c.Conn().PgConn().Conn().RemoteAddr().(*net.TCPAddr); ok {
		return ta.Port
	}
	return int(c.Conn().Config().Port)
}

func backendPID(ctx context.Context, c *pgxpool.Conn) (uint32, error) {
	var pid uint32
	err := c.QueryRow(ctx, "SELECT pg_backend_pid()", pgx.QueryExecModeSimpleProtocol).Scan(&pid)
	return pid, err
}
