package dbconn_test

import (
	"context"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/redact"
)

// withOption adds a server setting to a DIRECT URL as a startup option (a direct server takes
// them; PgBouncer refuses them).
func withOption(t *testing.T, raw, setting string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	// pgx reads a plus as a plus: the space must be %20.
	u.RawQuery += "&options=" + strings.ReplaceAll(url.QueryEscape("-c "+setting), "+", "%20")
	return u.String()
}

func TestIdentity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("OneDatabaseThroughBothRoles", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		pools, err := dbconn.Open(ctx, dbconn.Config{DirectURL: b.db.DirectURL, PoolerURL: b.db.PoolerURL, Logger: b.log},
			dbconn.OpenOpts{Migrate: true})
		require.NoError(t, err)
		defer pools.Close()
		d := pools.Decision
		require.Equal(t, dbconn.Direct, d.MigrationRole)
		require.NotNil(t, d.Direct)
		require.NotNil(t, d.Pooler)
		require.Equal(t, b.db.Name, d.Direct.Database)
		require.Equal(t, dbconn.Comparison{SameServer: true, SameDatabase: true, Differences: []string{}}, dbconn.Compare(*d.Direct, *d.Pooler))
		require.Contains(t, b.logs.String(), "✅ Using DIRECT")
	})

	t.Run("TwoDatabasesAreRefused", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		other := dbtest.New(t)
		_, err := dbconn.Open(ctx, dbconn.Config{DirectURL: b.db.DirectURL, PoolerURL: other.PoolerURL, Logger: b.log},
			dbconn.OpenOpts{Migrate: true})
		var refused *dbconn.RefusedError
		require.ErrorAs(t, err, &refused)
		var mismatch *dbconn.MismatchError
		require.ErrorAs(t, err, &mismatch)
		require.Equal(t, redact.URL(b.db.DirectURL), mismatch.DirectURL)
		require.Equal(t, redact.URL(other.PoolerURL), mismatch.PoolerURL)
		require.Len(t, mismatch.Differences, 1, "one server")
		require.Contains(t, mismatch.Differences[0], "database: DIRECT reaches "+b.db.Name+" (oid ")
		require.Contains(t, mismatch.Differences[0], "POOLER "+other.Name+" (oid ")
		require.NotContains(t, err.Error(), redact.PasswordOf(b.db.DirectURL))
		require.NotContains(t, b.logs.String(), "✅ Using", "no decision is logged for a refused configuration")
	})

	t.Run("DirectReadOnlyMigratesThroughThePooler", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		pools, err := dbconn.Open(ctx, dbconn.Config{DirectURL: withOption(t, b.db.DirectURL, "default_transaction_read_only=on"),
			PoolerURL: b.db.PoolerURL, Logger: b.log}, dbconn.OpenOpts{Migrate: true})
		require.NoError(t, err)
		defer pools.Close()
		require.Equal(t, dbconn.Pooler, pools.Decision.MigrationRole)
		require.Equal(t, "DIRECT reaches read-only sessions (default_transaction_read_only = on): migrations need the primary", pools.Decision.Reason)
		require.Same(t, pools.Long, pools.Migration)
		require.Contains(t, b.logs.String(), `msg="✅ Using POOLER (DIRECT unavailable - locked)"`)
		require.Contains(t, b.logs.String(), `reason="DIRECT reaches read-only sessions`)
	})

	t.Run("PoolerReadOnlyIsRefused", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		admin, err := pgx.Connect(ctx, b.db.DirectURL)
		require.NoError(t, err)
		_, err = admin.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{b.db.Name}.Sanitize()+" SET default_transaction_read_only = on")
		require.NoError(t, admin.Close(ctx))
		require.NoError(t, err)
		direct := withOption(t, b.db.DirectURL, "default_transaction_read_only=off")
		conn, err := pgx.Connect(ctx, direct)
		require.NoError(t, err)
		var ro string
		require.NoError(t, conn.QueryRow(ctx, "SHOW default_transaction_read_only").Scan(&ro))
		require.NoError(t, conn.Close(ctx))
		require.Equal(t, "off", ro, "DIRECT can write")
		for _, opts := range []dbconn.OpenOpts{{Migrate: true}, {Migrate: true, Detect: true}} {
			_, err = dbconn.Open(ctx, dbconn.Config{DirectURL: direct, PoolerURL: b.db.PoolerURL, Logger: b.log}, opts)
			var ro *dbconn.ReadOnlyError
			require.ErrorAs(t, err, &ro, "%+v", opts)
			require.Equal(t, "read-only sessions (default_transaction_read_only = on)", ro.Why)
			require.Contains(t, err.Error(), "POOLER ("+redact.URL(b.db.PoolerURL)+") reaches read-only sessions")
			require.NotErrorAs(t, err, new(*dbconn.MismatchError), "one database")
		}
	})

	t.Run("PoolerUnreachableWhileMigratingIsAConnectError", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		_, err := dbconn.Open(ctx, dbconn.Config{DirectURL: b.db.DirectURL, PoolerURL: refusedURL(t), Logger: b.log},
			dbconn.OpenOpts{Migrate: true})
		var ce *dbconn.ConnectError
		require.ErrorAs(t, err, &ce, "what DIRECT reaches cannot be checked: nothing runs")
		require.Equal(t, dbconn.Pooler, ce.Role)
		require.NotErrorAs(t, err, new(*dbconn.RefusedError))
	})

	t.Run("OneDatabaseURLIsProbedOnce", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		trips := newTripCounter(t, b.db.DirectURL)
		pools, err := dbconn.Open(ctx, dbconn.Config{DatabaseURL: trips.URL(t, b.db.DirectURL), Logger: b.log},
			dbconn.OpenOpts{Migrate: true})
		require.NoError(t, err)
		require.Same(t, pools.Decision.Direct, pools.Decision.Pooler, "the probe read what both roles reach")
		pools.Close()
		require.Equal(t, 1, trips.Conns(t), "the probe's connection only")
	})
}

// TestIdentityCostsNoRoundTrip counts the round trips on the wire: the DIRECT probe reads what
// DIRECT reaches in the round trip that proves it answers; a worker reads what the POOLER reaches
// in pool-mode detection's first query; a one-shot migrate reads it with one query of its own,
// alongside the probe.
func TestIdentityCostsNoRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b, bouncer := setupWithBouncer(t)
	poolerURL := bouncer.URL(t, b.db.Name)
	directPing, poolerPing := connectAndPing(t, b.db.DirectURL), connectAndPing(t, poolerURL)
	t.Logf("connect, ping and close: %d round trips to PostgreSQL, %d to PgBouncer", directPing, poolerPing)

	t.Run("ProbeAndMigrate", func(t *testing.T) {
		direct, pooler := newTripCounter(t, b.db.DirectURL), newTripCounter(t, poolerURL)
		pools, err := dbconn.Open(ctx, dbconn.Config{DirectURL: direct.URL(t, b.db.DirectURL), PoolerURL: pooler.URL(t, poolerURL),
			Logger: b.log}, dbconn.OpenOpts{Migrate: true})
		require.NoError(t, err)
		require.Equal(t, dbconn.Direct, pools.Decision.MigrationRole)
		pools.Close()
		require.Equal(t, 1, direct.Conns(t))
		require.Equal(t, directPing, direct.Trips(t), "the probe: a connection and one round trip, as a ping")
		require.Equal(t, 1, pooler.Conns(t))
		require.Equal(t, poolerPing, pooler.Trips(t), "the POOLER: a connection and one query")
	})

	t.Run("WorkerDetection", func(t *testing.T) {
		opened := func(opts dbconn.OpenOpts) (conns, trips int) {
			pooler := newTripCounter(t, poolerURL)
			pools, err := dbconn.Open(ctx, dbconn.Config{DirectURL: b.db.DirectURL, PoolerURL: pooler.URL(t, poolerURL),
				Logger: b.log}, opts)
			require.NoError(t, err)
			if opts.Migrate {
				require.Same(t, pools.Pooler.Detection.Reached, pools.Decision.Pooler)
			}
			pools.Close()
			return pooler.Conns(t), pooler.Trips(t)
		}
		conns, trips := opened(dbconn.OpenOpts{Detect: true})
		withCheck, withCheckTrips := opened(dbconn.OpenOpts{Detect: true, Migrate: true})
		require.Equal(t, conns, withCheck, "no POOLER connection of its own")
		require.Equal(t, trips, withCheckTrips, "no POOLER round trip of its own")
		t.Logf("POOLER with detection: %d connections, %d round trips, with the identity check or without", conns, trips)
	})
}

// TestPreflightRidesOnTheFirstRoundTrip: through the POOLER alone, a process that migrates can
// leave the read of what the POOLER reaches to its own first round trip (OpenOpts.DeferIdentity):
// Open does no I/O, and the check refuses a POOLER that cannot write before the caller writes.
func TestPreflightRidesOnTheFirstRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b, bouncer := setupWithBouncer(t)
	poolerURL := bouncer.URL(t, b.db.Name)
	first := func(pools *dbconn.Pools) error {
		f := pools.Preflight()
		require.NotNil(t, f)
		batch := &pgx.Batch{}
		f.Queue(batch)
		batch.Queue("SELECT 1")
		return f.Check(pools.Migration.SendBatch(ctx, batch).Close())
	}

	t.Run("OneRoundTripAfterTheConnection", func(t *testing.T) {
		trips := newTripCounter(t, poolerURL)
		pools, err := dbconn.Open(ctx, dbconn.Config{PoolerURL: trips.URL(t, poolerURL), Logger: b.log},
			dbconn.OpenOpts{Migrate: true, DeferIdentity: true})
		require.NoError(t, err)
		require.Zero(t, trips.Conns(t), "Open did no I/O")
		require.Nil(t, pools.Decision.Pooler)
		require.NotContains(t, b.logs.String(), "✅ Using POOLER", "no decision logged before the check")
		require.NoError(t, first(pools))
		require.NoError(t, pools.Preflight().Check(nil), "checked once, the answer kept")
		pools.Close()
		require.Equal(t, dbconn.Pooler, pools.Decision.MigrationRole)
		require.NotNil(t, pools.Decision.Pooler)
		require.Equal(t, b.db.Name, pools.Decision.Pooler.Database)
		require.Contains(t, b.logs.String(), "✅ Using POOLER (DIRECT unavailable - locked)")
		require.Equal(t, 1, trips.Conns(t))
		require.Equal(t, connectAndPing(t, poolerURL), trips.Trips(t), "a connection and the caller's one round trip, as a ping")
	})

	t.Run("APoolerThatCannotWriteIsRefused", func(t *testing.T) {
		ro := dbtest.New(t)
		admin, err := pgx.Connect(ctx, ro.DirectURL)
		require.NoError(t, err)
		_, err = admin.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{ro.Name}.Sanitize()+" SET default_transaction_read_only = on")
		require.NoError(t, err)
		require.NoError(t, admin.Close(ctx))
		roURL := bouncer.URL(t, ro.Name)
		pools, err := dbconn.Open(ctx, dbconn.Config{PoolerURL: roURL, Logger: b.log}, dbconn.OpenOpts{Migrate: true, DeferIdentity: true})
		require.NoError(t, err)
		defer pools.Close()
		err = first(pools)
		var ro2 *dbconn.ReadOnlyError
		require.ErrorAs(t, err, new(*dbconn.RefusedError))
		require.ErrorAs(t, err, &ro2)
		require.Contains(t, err.Error(), "read-only sessions (default_transaction_read_only = on)")
		require.ErrorIs(t, pools.Preflight().Check(nil), err, "refused once, refused every time")
	})

	t.Run("NotDeferredWithDIRECT", func(t *testing.T) {
		pools, err := dbconn.Open(ctx, dbconn.Config{DirectURL: b.db.DirectURL, PoolerURL: poolerURL, Logger: b.log},
			dbconn.OpenOpts{Migrate: true, DeferIdentity: true})
		require.NoError(t, err)
		defer pools.Close()
		require.Nil(t, pools.Preflight(), "the POOLER's identity was read alongside the probe")
		require.NotNil(t, pools.Decision.Pooler)
		batch := &pgx.Batch{}
		pools.Preflight().Queue(batch)
		require.Zero(t, batch.Len(), "nothing left to read")
		require.NoError(t, pools.Preflight().Check(nil))
	})
}

// setupWithBouncer is setup with a PgBouncer of the test's own and one server connection:
// pool-mode detection shows transaction pooling in its first round.
func setupWithBouncer(t *testing.T) (bundle, *dbtest.PgBouncer) {
	t.Helper()
	return setup(t), dbtest.StartPgBouncer(t, dbtest.PgBouncerConfig{DefaultPoolSize: 1})
}

// connectAndPing is what connecting, one query and closing cost on url's wire, in round trips.
func connectAndPing(t *testing.T, url string) int {
	t.Helper()
	ctx := context.Background()
	c := newTripCounter(t, url)
	conn, err := pgx.Connect(ctx, c.URL(t, url))
	require.NoError(t, err)
	require.NoError(t, conn.Ping(ctx))
	require.NoError(t, conn.Close(ctx))
	require.Equal(t, 1, c.Conns(t))
	return c.Trips(t)
}

// tripCounter is a loopback proxy in front of a server that counts connections and round trips:
// a round trip starts with a client write that follows the server's last write.
type tripCounter struct {
	l      net.Listener
	target string
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  int
	trips  int
}

func newTripCounter(t *testing.T, rawURL string) *tripCounter {
	t.Helper()
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	c := &tripCounter{l: l, target: u.Host}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			client, err := l.Accept()
			if err != nil {
				return
			}
			c.wg.Add(1)
			go c.relay(client)
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		<-done
		c.wg.Wait()
	})
	return c
}

func (c *tripCounter) URL(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	u.Host = c.l.Addr().String()
	return u.String()
}

func (c *tripCounter) relay(client net.Conn) {
	defer c.wg.Done()
	defer client.Close()
	server, err := net.Dial("tcp", c.target)
	if err != nil {
		return
	}
	defer server.Close()
	c.mu.Lock()
	c.conns++
	c.mu.Unlock()
	serverSpoke := true // the client speaks first: its first write starts a round trip
	var mu sync.Mutex
	copyCounting := func(dst, src net.Conn, fromClient bool) {
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				mu.Lock()
				if fromClient && serverSpoke {
					c.mu.Lock()
					c.trips++
					c.mu.Unlock()
				}
				serverSpoke = !fromClient
				mu.Unlock()
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				if tc, ok := dst.(*net.TCPConn); ok {
					_ = tc.CloseWrite()
				}
				return
			}
		}
	}
	var both sync.WaitGroup
	both.Add(1)
	go func() {
		defer both.Done()
		copyCounting(client, server, false)
	}()
	copyCounting(server, client, true)
	both.Wait()
}

// Conns and Trips wait until every connection the proxy relayed has ended, then count.
func (c *tripCounter) Conns(t *testing.T) int {
	t.Helper()
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conns
}

func (c *tripCounter) Trips(t *testing.T) int {
	t.Helper()
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.trips
}

func TestCompare(t *testing.T) {
	t.Parallel()
	started := time.Date(2026, 1, 2, 3, 4, 5, 678901000, time.UTC)
	primary := dbconn.Identity{StartedAt: started, Port: 5432, Addr: "10.0.0.5", SystemID: "7716540908119865487",
		Database: "app", DatabaseOID: 16384}
	for name, tc := range map[string]struct {
		pooler     func(dbconn.Identity) dbconn.Identity
		sameServer bool
		sameDB     bool
		diffs      []string
	}{
		"OneDatabase": {func(id dbconn.Identity) dbconn.Identity { return id }, true, true, []string{}},
		// PgBouncer on the database host dials localhost: another address, the same server.
		"AnotherAddressOfTheServer": {func(id dbconn.Identity) dbconn.Identity { id.Addr = "127.0.0.1"; return id }, true, true, []string{}},
		"AnotherDatabase": {func(id dbconn.Identity) dbconn.Identity {
			id.Database, id.DatabaseOID = "app_staging", 16999
			return id
		},
			true, false, []string{"database: DIRECT reaches app (oid 16384), POOLER app_staging (oid 16999)"}},
		// A restored copy has the database's name and oid, and the system identifier.
		"ARestoredCopy": {func(id dbconn.Identity) dbconn.Identity { id.StartedAt = started.Add(time.Hour); return id }, false, false,
			[]string{"server: DIRECT reaches the one started at 2026-01-02T03:04:05.678901Z on port 5432, POOLER the one started at " +
				"2026-01-02T04:04:05.678901Z on port 5432 (both of system 7716540908119865487: one is a standby or a restored copy of the other)"}},
		"AnotherServerOnTheHost": {func(id dbconn.Identity) dbconn.Identity { id.Port, id.SystemID = 5433, ""; return id }, false, false,
			[]string{"server: DIRECT reaches the one started at 2026-01-02T03:04:05.678901Z on port 5432, POOLER the one started at " +
				"2026-01-02T03:04:05.678901Z on port 5433"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := dbconn.Compare(primary, tc.pooler(primary))
			require.Equal(t, dbconn.Comparison{SameServer: tc.sameServer, SameDatabase: tc.sameDB, Differences: tc.diffs}, c)
		})
	}
}

func TestDiagnoseComparesWhatTheRolesReach(t *testing.T) {
	t.Parallel()
	b := setup(t)
	other := dbtest.New(t)
	rep, err := dbconn.Diagnose(context.Background(), dbconn.Config{DirectURL: b.db.DirectURL, PoolerURL: other.PoolerURL, Logger: b.log})
	require.NoError(t, err)
	require.True(t, rep.OK(), "both answer")
	require.NotNil(t, rep.Comparison)
	require.True(t, rep.Comparison.SameServer)
	require.False(t, rep.Comparison.SameDatabase)
	require.Contains(t, rep.Refused, "reach different databases")
	require.Equal(t, b.db.Name, rep.Direct.Identity.Database)
	require.Equal(t, other.Name, rep.Pooler.Identity.Database)
	require.Equal(t, rep.Direct.Identity.SystemID, rep.Pooler.Identity.SystemID, "a superuser reads the system identifier")
	require.NotEmpty(t, rep.Direct.Identity.SystemID)
	require.NotContains(t, b.logs.String(), "✅ Using", "the decision is not logged for a refused configuration, as in migrate")
}
