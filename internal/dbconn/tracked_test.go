package dbconn

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// The life of a connection as pgx leads it, without a server: what counts as a possible cancel
// request and what does not.
func TestTrackedCounts(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	cfg, err := pgconn.ParseConfig("postgres://u@" + l.Addr().String() + "/db")
	if err != nil {
		t.Fatal(err)
	}
	n := newCounter()
	track(cfg, n, sendCancels)
	ctx := context.Background()
	pending := func() int {
		n.mu.Lock()
		defer n.mu.Unlock()
		return n.n
	}
	dial := func() net.Conn {
		t.Helper()
		c, err := cfg.DialFunc(ctx, "tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	want := func(count int, when string) {
		t.Helper()
		if got := pending(); got != count {
			t.Fatalf("%s: %d connections may carry a cancel request, want %d", when, got, count)
		}
	}
	ended, stop := context.WithCancel(ctx)
	stop()

	c := dial()
	want(1, "dialled, not yet known")
	if err := n.wait(ended); err == nil {
		t.Fatal("wait returned nil with a connection pending")
	}
	if _, err := cfg.AfterNetConnect(ctx, cfg, c); err != nil {
		t.Fatal(err)
	}
	want(0, "a session")
	_ = c.SetDeadline(time.Now())
	want(1, "a session whose statement's context ended")
	_, _ = c.Write([]byte{0}) // fails: the deadline has passed
	want(1, "a write under the deadline (pgx closes the session next, and sends the cancel)")
	_ = c.SetDeadline(time.Time{})
	want(1, "deadline cleared: pgx may still close it and send the cancel")
	if _, err := c.Write([]byte{0}); err != nil {
		t.Fatal(err)
	}
	want(0, "the session sent its next message: it survived")
	_ = c.SetDeadline(time.Now())
	_ = c.Close()
	want(0, "closed")
	_ = c.Close()
	want(0, "closed twice")

	cancel := dial()
	if _, err := cancel.Write([]byte{0}); err != nil {
		t.Fatal(err)
	}
	want(1, "a cancel request written")
	_ = cancel.Close()
	want(0, "the cancel request's connection closed")

	// Under TLS pgx hands AfterNetConnect the *tls.Conn over the dialled connection.
	c = dial()
	if _, err := cfg.AfterNetConnect(ctx, cfg, tls.Client(c, &tls.Config{InsecureSkipVerify: true})); err != nil {
		t.Fatal(err)
	}
	want(0, "a TLS session")
	_ = c.Close()

	if err := n.wait(ended); err != nil {
		t.Fatalf("wait with nothing pending and an ended context: %v", err)
	}
}

// Through a pooler the cancel request is not sent: the server side reads nothing and pgx reads
// the close it waits for.
func TestPoolerCancelRequestIsNotSent(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	got := make(chan int, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			got <- -1
			return
		}
		defer c.Close()
		b, _ := io.ReadAll(c)
		got <- len(b)
	}()
	cfg, err := pgconn.ParseConfig("postgres://u@" + l.Addr().String() + "/db")
	if err != nil {
		t.Fatal(err)
	}
	track(cfg, newCounter(), dropCancels)
	c, err := cfg.DialFunc(context.Background(), "tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	msg := make([]byte, 16)
	binary.BigEndian.PutUint32(msg[0:4], 16)
	binary.BigEndian.PutUint32(msg[4:8], 80877102)
	if n, err := c.Write(msg); n != 16 || err != nil {
		t.Fatalf("write: %d, %v", n, err)
	}
	if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("read after the cancel request: %d, %v; want 0, EOF", n, err)
	}
	_ = c.Close()
	if n := <-got; n != 0 {
		t.Fatalf("the server side read %d bytes; want none", n)
	}
}
