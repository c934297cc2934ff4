package dbconn

import (
	"context"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// gate holds a pool's statements back while its function says so. The function is set after
// the pool is made (the worker's heartbeat needs the pool first), so the hook reads it anew on
// every acquire.
type gate struct {
	fn atomic.Pointer[func(context.Context) error]
}

// install makes every acquire from pc ask the gate first. A refused acquire returns its
// connection to the pool and fails the statement with the gate's error: nothing is sent, and
// no connection is held while the caller waits to try again.
func (g *gate) install(pc *pgxpool.Config) {
	pc.PrepareConn = func(ctx context.Context, _ *pgx.Conn) (bool, error) {
		if fn := g.fn.Load(); fn != nil {
			if err := (*fn)(ctx); err != nil {
				return true, err
			}
		}
		return true, nil
	}
}

// SetGate makes every later statement on p wait for fn's consent: fn returns nil to let it go,
// or the error the statement fails with. ctx is the statement's, so fn can recognise its own
// statements and let them through. The worker's heartbeat sets one on the POOLER (see package
// liveness).
func (p *Pool) SetGate(fn func(ctx context.Context) error) { p.gate.fn.Store(&fn) }
