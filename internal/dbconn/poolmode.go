package dbconn

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/steadydb/steady/internal/bookkeeping"
)

// PoolMode is how a role's server connections are shared.
type PoolMode string

const (
	ModeDirect      PoolMode = "direct"      // every client connection has its own backend
	ModeSession     PoolMode = "session"     // a pooler hands a backend to one client at a time
	ModeTransaction PoolMode = "transaction" // a pooler shares backends between transactions
	ModeUnknown     PoolMode = "unknown"     // not detected and not set (OpenOpts.Detect false)
	ModeAuto        PoolMode = "auto"        // the POOLER setting that lets detection decide
)

// ParsePoolerMode reads the POOLER mode setting: auto (or empty), transaction or session.
func ParsePoolerMode(s string) (PoolMode, error) {
	switch m := PoolMode(strings.ToLower(strings.TrimSpace(s))); m {
	case "", ModeAuto:
		return ModeAuto, nil
	case ModeTransaction, ModeSession:
		return m, nil
	}
	return "", &SettingError{Name: "STEADY_POOLER_MODE", Flag: "pooler-mode", Value: s, Want: "auto, transaction or session"}
}

// ParseSchema reads the schema setting (Config.Schema); "" is public.
func ParseSchema(s string) (bookkeeping.Schema, error) {
	schema, err := bookkeeping.ParseSchema(s)
	if err != nil {
		return schema, &SettingError{Name: "STEADY_SCHEMA", Flag: "schema", Value: s, Want: bookkeeping.SchemaRule}
	}
	return schema, nil
}

// SettingError reports a setting that is not one of its values.
type SettingError struct {
	Name, Flag, Value, Want string
}

func (e *SettingError) Error() string {
	return fmt.Sprintf("--%s / %s=%q: want %s", e.Flag, e.Name, e.Value, e.Want)
}

// Pooled reports whether session state may leak between clients: true for a transaction
// pooler, and for an undetected POOLER role.
func (p *Pool) Pooled() bool {
	return p.Mode == ModeTransaction || (p.Mode == ModeUnknown && p.Role == Pooler)
}

// Detection is what DetectPoolMode saw.
type Detection struct {
	// Mode is ModeTransaction or ModeDirect, never ModeSession: a session pooler cannot be told
	// from a transaction pooler that does not hand backends out last-in-first-out, and taking
	// the one for the other is only safe in one direction.
	Mode PoolMode `json:"mode"`
	// Positive is true when Mode was shown, not assumed: a backend pid shared by two client
	// connections, or every sign of a direct server. Otherwise Mode is ModeTransaction by default.
	Positive bool   `json:"positive"`
	Evidence string `json:"evidence"` // what was seen, in words
	// Reached is what the first connection reached, read in detection's first query (nil when
	// it did not finish): the POOLER's identity costs no round trip of its own.
	Reached *Identity `json:"-"`
}

// DetectPoolMode tells a transaction pooler from a direct server with two of the pool's own
// connections (they stay in the pool, so detection costs one connect time). It concludes only
// from positive evidence:
//   - both open client connections run on the same backend pid → transaction pooling;
//   - each connection's backend is the one it was given at login (its BackendKeyData pid), the
//     server listens on the port the client dialled and sees the client's own port → direct;
//   - anything else (differing pids behind a pooler that does not hand servers out last-in-
//     first-out, as Supavisor, PgCat, Odyssey or RDS Proxy, or a busy PgBouncer; a session
//     pooler; queries that did not finish) → transaction, marked not positive.
//
// Only a connection that cannot be made is an error. The queries use the simple protocol so
// nothing is prepared on a shared server connection.
func DetectPoolMode(ctx context.Context, pool *pgxpool.Pool) (Detection, error) {
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
		return Detection{}, fmt.Errorf("detect pool mode: %w", firstErr)
	}
	assumed := func(why string) (Detection, error) {
		return Detection{Mode: ModeTransaction, Evidence: why + "; assumed transaction pooling, the safe choice " +
			"(set STEADY_POOLER_MODE=session only for a session pooler)"}, nil
	}
	var seen [2][]observation
	var reached *Identity
	for round := range 3 {
		for i, c := range conns {
			o, err := observe(ctx, c)
			if err != nil {
				d, _ := assumed(fmt.Sprintf("detection did not finish (%s)", oneLine(err.Error())))
				d.Reached = reached
				return d, nil
			}
			seen[i] = append(seen[i], o)
		}
		a, b := seen[0][round], seen[1][round]
		if reached == nil {
			reached = &a.reached
		}
		if a.pid == b.pid {
			return Detection{Mode: ModeTransaction, Positive: true, Reached: reached,
				Evidence: fmt.Sprintf("two open client connections ran on the same backend (pid %d)", a.pid)}, nil
		}
		if round == 0 && notDirect(conns[0], seen[0]) == "" && notDirect(conns[1], seen[1]) == "" {
			return Detection{Mode: ModeDirect, Positive: true, Reached: reached, Evidence: fmt.Sprintf("two open client connections "+
				"ran on different backends (pids %d and %d), each the one it was given at login, on the port the client "+
				"dialled (%d), and the server sees the client's own address", a.pid, b.pid, a.reached.Port)}, nil
		}
		// Otherwise a pooler in front: give one that hands out the last released server
		// (PgBouncer) two more chances to show it.
	}
	var doubts []string
	for i, c := range conns {
		if why := notDirect(c, seen[i]); why != "" {
			doubts = append(doubts, why)
		}
	}
	d, _ := assumed(fmt.Sprintf("two open client connections ran on different backends in %d tries (first pids %d and %d), and %s",
		len(seen[0]), seen[0][0].pid, seen[1][0].pid, strings.Join(doubts, "; ")))
	d.Reached = reached
	return d, nil
}

// observation is what one client connection's backend says about itself.
type observation struct {
	pid        uint32
	clientPort *int    // NULL over a Unix socket
	clientAddr *string // NULL over a Unix socket
	reached    Identity
}

func observe(ctx context.Context, c *pgxpool.Conn) (observation, error) {
	var o observation
	err := c.QueryRow(ctx, `SELECT pg_backend_pid(), inet_client_port(), host(inet_client_addr()), `+identityColumns,
		pgx.QueryExecModeSimpleProtocol).Scan(append([]any{&o.pid, &o.clientPort, &o.clientAddr}, o.reached.dest()...)...)
	return o, err
}

// notDirect says why one connection does not look like its own server backend, "" when it does.
func notDirect(c *pgxpool.Conn, seen []observation) string {
	pc := c.Conn().PgConn()
	for _, o := range seen {
		// A pooler makes up the BackendKeyData it sends at login (it has no backend yet).
		if o.pid != pc.PID() {
			return fmt.Sprintf("a connection given backend pid %d at login ran on pid %d", pc.PID(), o.pid)
		}
	}
	o := seen[0]
	dialled := int(c.Conn().Config().Port)
	switch local := pc.Conn().LocalAddr().(type) {
	case *net.TCPAddr:
		if remote, ok := pc.Conn().RemoteAddr().(*net.TCPAddr); ok {
			dialled = remote.Port
		}
		if o.clientPort == nil || *o.clientPort != local.Port || o.clientAddr == nil || !sameIP(*o.clientAddr, local.IP) {
			return fmt.Sprintf("the server sees the client at %s, not at %s", clientOf(o), local)
		}
	default:
		if o.clientAddr != nil {
			return fmt.Sprintf("the client dialled a Unix socket and the server sees a TCP client (%s)", clientOf(o))
		}
	}
	if o.reached.Port != dialled {
		return fmt.Sprintf("the server listens on port %d, the client dialled %d", o.reached.Port, dialled)
	}
	return ""
}

func clientOf(o observation) string {
	if o.clientAddr == nil || o.clientPort == nil {
		return "a Unix socket"
	}
	return net.JoinHostPort(*o.clientAddr, fmt.Sprint(*o.clientPort))
}

func sameIP(s string, ip net.IP) bool {
	parsed := net.ParseIP(s)
	return parsed != nil && parsed.Equal(ip)
}

// resolveMode decides the mode in force from the setting and what detection saw (nil when the
// process does not detect), and words a warning when the evidence contradicts the setting.
func resolveMode(role Role, setting PoolMode, d *Detection) (PoolMode, string) {
	if role != Pooler || setting == ModeAuto || setting == "" {
		if d == nil {
			return ModeUnknown, ""
		}
		return d.Mode, ""
	}
	if d == nil || !d.Positive {
		return setting, ""
	}
	switch {
	case setting == ModeSession && d.Mode == ModeTransaction:
		return setting, "STEADY_POOLER_MODE=session, but the POOLER is a transaction pooler (" + d.Evidence +
			"): River will LISTEN and get no notifications, and session settings leak to other clients; set STEADY_POOLER_MODE=auto"
	case setting == ModeTransaction && d.Mode == ModeDirect:
		return setting, "STEADY_POOLER_MODE=transaction, but the POOLER answers as a direct server (" + d.Evidence +
			"): safe, but River polls instead of listening; set STEADY_POOLER_MODE=auto to let it listen"
	}
	return setting, ""
}
