package dbconn

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// When a statement's context ends, pgx closes its connection in the background and, before
// that, sends PostgreSQL's cancel request on a new connection. PgBouncer 1.18.0 (Debian 12's
// package) exits with "FATAL ... disconnect_client(): bad client state" when the client of a
// cancel request closes that connection before PgBouncer has finished forwarding it
// (pgbouncer/pgbouncer#801, fixed upstream by #846 in May 2023). So a process that gives up on
// a statement and exits a millisecond later takes the pooler down, and every application
// behind it: a Go client exiting 0.3-4 ms after its statement's deadline crashed PgBouncer
// 1.18.0 within three tries here. steady counts the connections that may carry a cancel
// request and waits for them before it exits (WaitForCancels).
//
// A cancel request is told from a session without reading the bytes (they are encrypted under
// TLS): pgx calls AfterNetConnect for every session it opens and never for a cancel request.
// A session counts again from the moment a statement's context ends (pgx sets a deadline on
// it): the cancel request is dialled later, from the goroutine that closes the session.
//
// Waiting does not help a process killed with -9 while a cancel request is in flight. So the
// POOLER pool that carries River, heartbeats and backfill batches sends no cancel request at
// all: each of its statements is short or bounded on the server by its own statement_timeout,
// and a client that gives up closes its connection, which PgBouncer passes on by closing the
// server connection. Only statements that must be stopped on the server when given up on (an
// index build cut short by its job's timeout keeps waiting for the table's writers otherwise;
// a migration or demo-data's load holds its locks) run on pools that keep them (Pools.Long,
// Pools.Migration).

// cancels counts the process's connections that may be carrying a cancel request.
var cancels = newCounter()

type counter struct {
	mu   sync.Mutex
	n    int
	zero chan struct{} // closed while n == 0
}

func newCounter() *counter {
	c := &counter{zero: make(chan struct{})}
	close(c.zero)
	return c
}

func (c *counter) add(delta int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == 0 && delta > 0 {
		c.zero = make(chan struct{})
	}
	c.n += delta
	if c.n == 0 {
		close(c.zero)
	}
}

func (c *counter) wait(ctx context.Context) error {
	c.mu.Lock()
	zero := c.zero
	c.mu.Unlock()
	select {
	case <-zero:
		return nil
	default:
	}
	select {
	case <-zero:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// WaitForCancels returns once no connection this process opened may still be carrying a
// cancel request, or when ctx ends (then it returns ctx's error). A process calls it last,
// before it exits.
func WaitForCancels(ctx context.Context) error { return cancels.wait(ctx) }

// cancelRule says what becomes of a cancel request on a pool's connections.
type cancelRule bool

const (
	sendCancels cancelRule = true
	dropCancels cancelRule = false // not sent where it can be seen: without TLS
)

// trackCancels makes c's connections count in cancels while they may carry a cancel request,
// and drops the cancel requests the rule says to.
func trackCancels(c *pgconn.Config, rule cancelRule) { track(c, cancels, rule) }

func track(c *pgconn.Config, n *counter, rule cancelRule) {
	dial, after := c.DialFunc, c.AfterNetConnect
	c.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		n.add(1)
		conn, err := dial(ctx, network, addr)
		if err != nil {
			n.add(-1)
			return nil, err
		}
		t := newTracked(conn, n)
		t.drop = rule == dropCancels
		return t, nil
	}
	c.AfterNetConnect = func(ctx context.Context, cfg *pgconn.Config, conn net.Conn) (net.Conn, error) {
		inner := conn
		if t, ok := inner.(*tls.Conn); ok {
			inner = t.NetConn()
		}
		if t, ok := inner.(*tracked); ok {
			t.settle()
		}
		if after != nil {
			return after(ctx, cfg, conn)
		}
		return conn, nil
	}
}

// tracked counts in cancels while it may be carrying a cancel request: from its dial until it
// is known to be a session, and, as a session, from the moment pgx sets a deadline on it (it
// does only when a statement's context ends, then sends a cancel request on a new connection
// before it closes the session) until the session is closed or, its deadline cleared (the
// statement finished first), sends its next message.
type tracked struct {
	net.Conn
	n        *counter
	session  atomic.Bool
	counted  atomic.Bool
	deadline atomic.Bool // a deadline is set
	drop     bool        // a cancel request written is not sent
	wrote    atomic.Bool
	dropped  atomic.Bool // one was: reads see the close the server would send
}

func newTracked(c net.Conn, n *counter) *tracked {
	t := &tracked{Conn: c, n: n}
	t.counted.Store(true) // counted by the dial
	return t
}

func (t *tracked) count(yes bool) {
	if t.counted.CompareAndSwap(!yes, yes) {
		if yes {
			t.n.add(1)
		} else {
			t.n.add(-1)
		}
	}
}

func (t *tracked) settle() {
	t.session.Store(true)
	t.count(false)
}

func (t *tracked) SetDeadline(d time.Time) error {
	t.deadline.Store(!d.IsZero())
	if !d.IsZero() && t.session.Load() {
		t.count(true)
	}
	return t.Conn.SetDeadline(d)
}

func (t *tracked) Write(b []byte) (int, error) {
	if t.session.Load() && !t.deadline.Load() {
		t.count(false)
	}
	if first := t.wrote.CompareAndSwap(false, true); first && t.drop && isCancelRequest(b) {
		t.dropped.Store(true)
		return len(b), nil
	}
	return t.Conn.Write(b)
}

func (t *tracked) Read(b []byte) (int, error) {
	if t.dropped.Load() {
		return 0, io.EOF // what the server does once it has handled a cancel request
	}
	return t.Conn.Read(b)
}

// isCancelRequest reports whether b is PostgreSQL's CancelRequest message: its length, the
// code 80877102, then the backend's pid and secret key.
func isCancelRequest(b []byte) bool {
	return len(b) >= 16 && int(binary.BigEndian.Uint32(b[0:4])) == len(b) && binary.BigEndian.Uint32(b[4:8]) == 80877102
}

func (t *tracked) Close() error {
	err := t.Conn.Close()
	t.session.Store(false) // a closed connection sends nothing more
	t.count(false)
	return err
}
