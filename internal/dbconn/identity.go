package dbconn

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/redact"
)

// Identity is what one connection reaches: which server, which database, and whether its
// sessions may write. The DIRECT probe reads it in its one round trip, and the POOLER's first
// query (pool-mode detection, or a query of its own alongside the probe) reads it too.
type Identity struct {
	// The server: its postmaster's start time and port tell one running server from another.
	// Addr is shown, not compared: a server that listens on several addresses (PgBouncer on the
	// database host dialling localhost, DIRECT dialling the public address) is still one server.
	StartedAt time.Time `json:"server_started_at"`
	Port      int       `json:"server_port"`
	Addr      string    `json:"server_addr,omitempty"` // "" over a Unix socket
	// SystemID is pg_control_system()'s system identifier where the role may read it, read by
	// doctor only. A standby and a copy restored from a physical backup share it with their
	// primary, so it cannot tell one running server from another; it says they are related.
	SystemID string `json:"system_identifier,omitempty"`

	Database    string `json:"database"`
	DatabaseOID uint32 `json:"database_oid"`

	InRecovery      bool `json:"in_recovery"`                   // pg_is_in_recovery(): a hot standby
	DefaultReadOnly bool `json:"default_transaction_read_only"` // a role, database or server setting
	ReadOnly        bool `json:"transaction_read_only"`         // what a new transaction gets
}

// identityColumns is the select list that reads an Identity (scanned by Identity.dest), for
// one statement of its own or folded into another. Every function is callable by any role.
const identityColumns = `pg_postmaster_start_time(), coalesce(inet_server_port(), current_setting('port')::int),
	coalesce(host(inet_server_addr()), ''), current_database(),
	(SELECT oid FROM pg_database WHERE datname = current_database()), pg_is_in_recovery(),
	current_setting('default_transaction_read_only')::bool, current_setting('transaction_read_only')::bool`

func (id *Identity) dest() []any {
	return []any{&id.StartedAt, &id.Port, &id.Addr, &id.Database, &id.DatabaseOID, &id.InRecovery,
		&id.DefaultReadOnly, &id.ReadOnly}
}

// Querier is a connection or a pool.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// readIdentity reads what q reaches in one round trip. The simple protocol prepares nothing,
// whatever the URL turns out to point at.
func readIdentity(ctx context.Context, q Querier) (Identity, error) {
	var id Identity
	err := q.QueryRow(ctx, "SELECT "+identityColumns, pgx.QueryExecModeSimpleProtocol).Scan(id.dest()...)
	if err != nil {
		return id, fmt.Errorf("read what the connection reaches: %w", err)
	}
	return id, nil
}

// Preflight is what Open left to the caller's first round trip (OpenOpts.DeferIdentity): the
// read of what the POOLER reaches, queued into a batch that only reads, and the check of it.
type Preflight struct {
	r     *Resolver
	pools *Pools

	once    sync.Once
	id      Identity
	readErr error
	read    bool
	err     error
}

// Queue adds the read to b, first, so that it runs whatever later statements of b do. A nil
// Preflight (Open made the check) queues nothing and its Check passes.
func (f *Preflight) Queue(b *pgx.Batch) {
	if f == nil {
		return
	}
	b.Queue("SELECT " + identityColumns).QueryRow(func(row pgx.Row) error {
		f.readErr = row.Scan(f.id.dest()...)
		f.read = f.readErr == nil
		return f.readErr
	})
}

// Check is Open's check on what the batch read, once: a *ConnectError when the batch could not
// read it (sendErr, the batch's error, says why), a *RefusedError when the POOLER cannot be
// used as configured; otherwise it completes the decision and logs it. Later calls return the
// first call's answer.
func (f *Preflight) Check(sendErr error) error {
	if f == nil {
		return nil
	}
	f.once.Do(func() {
		if !f.read {
			err := cmp.Or(f.readErr, sendErr, errors.New("no answer"))
			f.err = &ConnectError{Role: Pooler, URL: f.pools.Long.URL, Err: errors.New(oneLine(redact.Error(
				fmt.Errorf("read what the connection reaches: %w", err))))}
			return
		}
		r := f.r
		r.once.Do(func() {
			r.decision = f.pools.Decision
			r.decision.Pooler = &f.id
			r.err = refusal(r.decision, redact.URL(r.urls.direct), redact.URL(r.urls.pooler))
			if r.err == nil {
				r.logDecision()
			}
		})
		f.pools.Decision, f.err = r.decision, r.err
	})
	return f.err
}

// cannotWrite says why sessions on this connection cannot write, "" when they can.
func (id Identity) cannotWrite() string {
	switch {
	case id.InRecovery:
		return "a hot standby (pg_is_in_recovery() is true)"
	case id.DefaultReadOnly:
		return "read-only sessions (default_transaction_read_only = on)"
	case id.ReadOnly:
		return "read-only sessions (transaction_read_only = on)"
	}
	return ""
}

func (id Identity) server() string {
	return fmt.Sprintf("the one started at %s on port %d", id.StartedAt.UTC().Format(time.RFC3339Nano), id.Port)
}

func (id Identity) database() string { return fmt.Sprintf("%s (oid %d)", id.Database, id.DatabaseOID) }

// Comparison is what DIRECT and POOLER reach, side by side.
type Comparison struct {
	SameServer   bool     `json:"same_server"`
	SameDatabase bool     `json:"same_database"`
	Differences  []string `json:"differences"` // in words, DIRECT's first; empty when the same
}

// Compare tells whether two connections reach one database of one running server.
func Compare(direct, pooler Identity) Comparison {
	c := Comparison{Differences: []string{}}
	c.SameServer = direct.StartedAt.Equal(pooler.StartedAt) && direct.Port == pooler.Port
	if !c.SameServer {
		d := fmt.Sprintf("server: DIRECT reaches %s, POOLER %s", direct.server(), pooler.server())
		if direct.SystemID != "" && direct.SystemID == pooler.SystemID {
			d += fmt.Sprintf(" (both of system %s: one is a standby or a restored copy of the other)", direct.SystemID)
		}
		c.Differences = append(c.Differences, d)
	}
	c.SameDatabase = c.SameServer && direct.Database == pooler.Database && direct.DatabaseOID == pooler.DatabaseOID
	if direct.Database != pooler.Database || direct.DatabaseOID != pooler.DatabaseOID {
		c.Differences = append(c.Differences, fmt.Sprintf("database: DIRECT reaches %s, POOLER %s", direct.database(), pooler.database()))
	}
	return c
}

// RefusedError says steady must not write through the URLs as configured. It is returned
// before anything is written; the fix is the configuration (exit 2). Errs are
// *MismatchError and *ReadOnlyError.
type RefusedError struct{ Errs []error }

func (e *RefusedError) Error() string {
	msgs := make([]string, len(e.Errs))
	for i, err := range e.Errs {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ") + "; nothing was written"
}
func (e *RefusedError) Unwrap() []error { return e.Errs }

// MismatchError says DIRECT and POOLER reach different databases: migrating through one would
// leave the workers of the other on a schema nobody checked.
type MismatchError struct {
	DirectURL, PoolerURL string // redacted
	Differences          []string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("DIRECT (%s) and POOLER (%s) reach different databases (%s): "+
		"point DATABASE_URL_DIRECT and DATABASE_URL_POOLER at the same database",
		e.DirectURL, e.PoolerURL, strings.Join(e.Differences, "; "))
}

// ReadOnlyError says the POOLER cannot write: index builds, backfills, River and (when DIRECT is
// not used) migrations all write through it.
type ReadOnlyError struct {
	URL string // redacted
	Why string // what it reaches: "a hot standby (…)", "read-only sessions (…)"
}

func (e *ReadOnlyError) Error() string {
	return fmt.Sprintf("POOLER (%s) reaches %s, and index builds, backfills and River write through it: "+
		"point DATABASE_URL_POOLER at the primary", e.URL, e.Why)
}

// refusal checks, before anything is written, that the roles can be used as configured: the
// POOLER can write, and a DIRECT that migrations use reaches the POOLER's database. A DIRECT
// that is not used (a standby, read-only, unreachable) is not compared: nothing goes through
// it. urls are redacted. It returns a *RefusedError or nil.
func refusal(d Decision, directURL, poolerURL string) error {
	var errs []error
	if d.MigrationRole == Direct && !d.Single && d.Direct != nil && d.Pooler != nil {
		if c := Compare(*d.Direct, *d.Pooler); !c.SameDatabase {
			errs = append(errs, &MismatchError{DirectURL: directURL, PoolerURL: poolerURL, Differences: c.Differences})
		}
	}
	if d.Pooler != nil {
		if why := d.Pooler.cannotWrite(); why != "" {
			errs = append(errs, &ReadOnlyError{URL: poolerURL, Why: why})
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return &RefusedError{Errs: errs}
}
