package shadow

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/redact"
)

// Config says where the shadow database is.
type Config struct {
	// URL is an existing database steady may empty and fill (--shadow-url). When set, it is
	// the shadow.
	URL string
	// Server creates and drops a shadow database of its own when URL is empty: the migration
	// role's pool.
	Server *dbconn.Pool
	// Live is the pool of the database being migrated: a URL that reaches the same database
	// is refused.
	Live   *dbconn.Pool
	Logger *slog.Logger
}

// DB is a shadow database, empty when opened.
type DB struct {
	Conn    *pgx.Conn
	Where   string // for the log: "database steady_shadow_1a2b3c4d created through DIRECT"
	drop    func(context.Context) error
	connect func(context.Context) (*pgx.Conn, error)
}

// Reconnect replaces the session with a new one: settings a setup gave the database (ALTER
// DATABASE … SET search_path) apply to sessions that start after it.
func (db *DB) Reconnect(ctx context.Context) error {
	conn, err := db.connect(ctx)
	if err != nil {
		return &Error{Where: db.Where, Err: err}
	}
	_ = db.Conn.Close(ctx)
	db.Conn = conn
	return nil
}

// Close ends the session and, for a database steady created, drops it.
func (db *DB) Close(ctx context.Context) error {
	err := db.Conn.Close(ctx)
	if db.drop != nil {
		err = errors.Join(err, db.drop(ctx))
	}
	return err
}

// Error is a shadow database that could not be had.
type Error struct {
	Where string
	Err   error
}

func (e *Error) Error() string { return fmt.Sprintf("shadow database (%s): %v", e.Where, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// Open returns an empty shadow database.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	if cfg.URL != "" {
		return openURL(ctx, cfg)
	}
	if cfg.Server == nil {
		return nil, &Error{Where: "none", Err: errors.New("no --shadow-url and no server pool")}
	}
	return create(ctx, cfg)
}

func openURL(ctx context.Context, cfg Config) (*DB, error) {
	where := "--shadow-url " + redact.URL(cfg.URL)
	conn, err := dbconn.Connect(ctx, "--shadow-url", cfg.URL)
	if err != nil {
		return nil, &Error{Where: where, Err: err}
	}
	fail := func(err error) (*DB, error) {
		conn.Close(context.WithoutCancel(ctx))
		return nil, &Error{Where: where, Err: err}
	}
	if err := refuseLive(ctx, conn, cfg.Live); err != nil {
		return fail(err)
	}
	if _, err := conn.Exec(ctx, resetSQL, pgx.QueryExecModeSimpleProtocol); err != nil {
		return fail(fmt.Errorf("empty it: %w", err))
	}
	return &DB{Conn: conn, Where: where, connect: func(ctx context.Context) (*pgx.Conn, error) {
		return dbconn.Connect(ctx, "--shadow-url", cfg.URL)
	}}, nil
}

// identitySQL tells one database of one server from every other: the server's start time,
// address and port, and the database's name.
const identitySQL = `SELECT current_database(), pg_postmaster_start_time()::text,
	coalesce(inet_server_addr()::text, ''), coalesce(inet_server_port(), 0),
	EXISTS (SELECT FROM pg_class WHERE relname IN ('steady_migration_lease', 'steady_schema_versions', 'river_job') AND relkind IN ('r', 'p'))`

// refuseLive refuses a shadow URL that reaches the database being migrated, or any database
// steady or River keeps their tables in: emptying it would destroy what it holds.
func refuseLive(ctx context.Context, conn *pgx.Conn, live *dbconn.Pool) error {
	var name, started, addr string
	var port int
	var managed bool
	if err := conn.QueryRow(ctx, identitySQL).Scan(&name, &started, &addr, &port, &managed); err != nil {
		return fmt.Errorf("identify it: %w", err)
	}
	if managed {
		return fmt.Errorf("database %s holds steady's or River's tables: a shadow database must be one steady may empty", name)
	}
	if live == nil {
		return nil
	}
	var lname, lstarted, laddr string
	var lport int
	var lmanaged bool
	if err := live.QueryRow(ctx, identitySQL).Scan(&lname, &lstarted, &laddr, &lport, &lmanaged); err != nil {
		return fmt.Errorf("identify the database being migrated: %w", err)
	}
	if name == lname && started == lstarted && addr == laddr && port == lport {
		return fmt.Errorf("it is the database being migrated (%s)", name)
	}
	return nil
}

// resetSQL empties a shadow database: every schema but the system ones, with what it holds
// (extensions in them too), every publication and event trigger; then public as initdb
// makes it.
const resetSQL = `DO $reset$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT pubname FROM pg_publication LOOP
		EXECUTE format('DROP PUBLICATION %I', r.pubname);
	END LOOP;
	FOR r IN SELECT evtname FROM pg_event_trigger LOOP
		EXECUTE format('DROP EVENT TRIGGER %I', r.evtname);
	END LOOP;
	FOR r IN SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' LOOP
		EXECUTE format('DROP EXTENSION %I CASCADE', r.extname);
	END LOOP;
	FOR r IN SELECT nspname FROM pg_namespace
		WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
		  AND nspname NOT LIKE 'pg\_temp\_%' AND nspname NOT LIKE 'pg\_toast\_temp\_%' LOOP
		EXECUTE format('DROP SCHEMA %I CASCADE', r.nspname);
	END LOOP;
	CREATE SCHEMA public AUTHORIZATION pg_database_owner;
	COMMENT ON SCHEMA public IS 'standard public schema';
	GRANT USAGE ON SCHEMA public TO PUBLIC;
END
$reset$`

func create(ctx context.Context, cfg Config) (*DB, error) {
	name := "steady_shadow_" + randomHex(4)
	where := fmt.Sprintf("database %s created through %s", name, cfg.Server.Role)
	ident := pgx.Identifier{name}.Sanitize()
	// CREATE DATABASE refuses a transaction block: alone, in the simple protocol.
	if _, err := cfg.Server.Exec(ctx, "CREATE DATABASE "+ident+" TEMPLATE template0", pgx.QueryExecModeSimpleProtocol); err != nil {
		return nil, &Error{Where: fmt.Sprintf("CREATE DATABASE through %s", cfg.Server.Role), Err: err}
	}
	drop := func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		// FORCE: a pooler keeps server connections to the shadow after the session ends.
		_, err := cfg.Server.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)", pgx.QueryExecModeSimpleProtocol)
		if err != nil {
			return fmt.Errorf("drop shadow database %s: %w", name, err)
		}
		return nil
	}
	conn, err := cfg.Server.ConnectTo(ctx, name)
	if err != nil {
		err = errors.Join(err, drop(ctx))
		if strings.Contains(err.Error(), "no such database") {
			err = fmt.Errorf("%w (PgBouncer reaches a new database only with a wildcard [databases] entry: pass --shadow-url)", err)
		}
		return nil, &Error{Where: where, Err: err}
	}
	return &DB{Conn: conn, Where: where, drop: drop, connect: func(ctx context.Context) (*pgx.Conn, error) {
		return cfg.Server.ConnectTo(ctx, name)
	}}, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Settings are the shadow's settings (--shadow, --shadow-url, --shadow-setup), read once.
type Settings struct {
	Off       bool   // decide from the SQL text alone
	URL       string // an existing database to empty and use
	Setup     string // SQL applied before the first file
	SetupFile string // its name
}

// Opener returns how a process with these pools opens its shadow: through --shadow-url, or by
// creating a database through the migration role's pool. nil when the shadow is off.
func (s Settings) Opener(pools *dbconn.Pools, log *slog.Logger) func(context.Context) (*DB, error) {
	if s.Off {
		return nil
	}
	return func(ctx context.Context) (*DB, error) {
		return Open(ctx, Config{URL: s.URL, Server: pools.Migration, Live: pools.Migration, Logger: log})
	}
}
