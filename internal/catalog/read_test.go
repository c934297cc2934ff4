package catalog_test

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/fingerprint"
)

// queryCounter is a pgx.QueryTracer that counts the queries a connection sends.
type queryCounter struct {
	mu      sync.Mutex
	queries []string
}

func (c *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.queries = append(c.queries, data.SQL)
	return ctx
}

func (c *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *queryCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queries)
}

// tripConn counts network round trips: a round trip starts with a write after a read.
type tripConn struct {
	net.Conn
	mu      sync.Mutex
	reading bool
	trips   int
}

func (c *tripConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	if c.reading || c.trips == 0 {
		c.trips++
		c.reading = false
	}
	c.mu.Unlock()
	return c.Conn.Write(b)
}

func (c *tripConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.mu.Lock()
	c.reading = true
	c.mu.Unlock()
	return n, err
}

func (c *tripConn) roundTrips() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.trips
}

func (c *tripConn) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.trips, c.reading = 0, true
}

func TestReadOneRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)

	for _, tc := range []struct{ name, url string }{
		{"Pooler", b.db.PoolerURL},
		{"Direct", b.db.DirectURL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := pgx.ParseConfig(tc.url)
			require.NoError(t, err)
			cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
			tracer := &queryCounter{}
			cfg.Tracer = tracer
			var wire *tripConn
			cfg.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
				c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
				if err != nil {
					return nil, err
				}
				wire = &tripConn{Conn: c}
				return wire, nil
			}
			conn, err := pgx.ConnectConfig(ctx, cfg)
			require.NoError(t, err)
			defer conn.Close(ctx)
			wire.reset() // the startup handshake is not Read's

			snap, err := catalog.Read(ctx, conn)
			require.NoError(t, err)
			require.Equal(t, 1, tracer.count(), "queries sent by Read")
			require.Equal(t, 1, wire.roundTrips(), "network round trips of Read")
			require.True(t, snap.Check(fingerprint.Effect{Object: obj(fingerprint.KindTable, "public", "", "leads")}).Holds)
		})
	}
}

func TestReadQueriers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	leads := fingerprint.Effect{Object: obj(fingerprint.KindTable, "public", "", "leads")}

	t.Run("PoolThroughPooler", func(t *testing.T) {
		t.Parallel()
		cfg, err := pgxpool.ParseConfig(b.db.PoolerURL)
		require.NoError(t, err)
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		require.NoError(t, err)
		defer pool.Close()
		snap, err := catalog.Read(ctx, pool)
		require.NoError(t, err)
		require.True(t, snap.Check(leads).Holds)
	})

	t.Run("TxSeesItsOwnDDL", func(t *testing.T) {
		t.Parallel()
		conn := connect(t, b.db.PoolerURL)
		tx, err := conn.Begin(ctx)
		require.NoError(t, err)
		defer tx.Rollback(ctx) //nolint:errcheck
		_, err = tx.Exec(ctx, "CREATE TABLE contracts (id bigint)")
		require.NoError(t, err)
		snap, err := catalog.Read(ctx, tx)
		require.NoError(t, err)
		require.True(t, snap.Check(fingerprint.Effect{Object: obj(fingerprint.KindTable, "public", "", "contracts")}).Holds)
	})

	t.Run("ErrorNamesTheOperation", func(t *testing.T) {
		t.Parallel()
		conn := connect(t, b.db.PoolerURL)
		canceled, cancel := context.WithCancel(ctx)
		cancel()
		_, err := catalog.Read(canceled, conn)
		require.ErrorContains(t, err, "read catalog snapshot: ")
		require.ErrorIs(t, err, context.Canceled)
	})
}

// The spelling of types must not depend on the session's search_path, which a pooler's
// server connection may carry over from another client. A session SET is
// only safe on a direct connection, so this test uses one.
func TestReadTypeSpellingIgnoresSearchPath(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	want, ok := b.snap.Table("public", "leads")
	require.True(t, ok)

	for _, path := range []string{`''`, `app`, `app, public`, `"$user", public, app`, `pg_catalog, app`} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			conn := connect(t, b.db.DirectURL)
			_, err := conn.Exec(ctx, "SET search_path = "+path)
			require.NoError(t, err)
			snap, err := catalog.Read(ctx, conn)
			require.NoError(t, err)
			got, ok := snap.Table("public", "leads")
			require.True(t, ok)
			require.Equal(t, want, got)
		})
	}
}

// A database with thousands of objects reads in one statement, and checks are map lookups.
func TestReadLargeDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	const tables = 2000
	direct := connect(t, db.DirectURL)
	// Batches keep each transaction's lock count (a table, its toast table, sequence and
	// index each take one) far below max_locks_per_transaction × max_connections.
	for from := 0; from < tables; from += 500 {
		_, err := direct.Exec(ctx, fmt.Sprintf(`DO $$
BEGIN
	FOR i IN %d..%d LOOP
		EXECUTE format('CREATE TABLE t%%s (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name text NOT NULL, created_at timestamptz DEFAULT now())', i);
	END LOOP;
END $$`, from, from+499))
		require.NoError(t, err)
	}

	// Sequential, so the two timings do not compete for the server.
	for _, tc := range []struct{ name, url string }{
		{"Direct", db.DirectURL},
		{"Pooler", db.PoolerURL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := connect(t, tc.url)
			// The first read warms the server's catalog caches; report the second.
			_, err := catalog.Read(ctx, conn)
			require.NoError(t, err)
			start := time.Now()
			snap, err := catalog.Read(ctx, conn)
			elapsed := time.Since(start)
			require.NoError(t, err)
			t.Logf("Read of %d tables (%d columns, %d indexes, %d sequences): %v", tables, 3*tables, tables, tables, elapsed)

			start = time.Now()
			for i := range tables {
				table := fmt.Sprintf("t%d", i)
				require.True(t, snap.Check(fingerprint.Effect{Object: obj(fingerprint.KindTable, "public", "", table)}).Holds)
				require.True(t, snap.Check(fingerprint.Effect{Object: obj(fingerprint.KindColumn, "public", table, "name"), Type: "text", NotNull: ptr(true)}).Holds)
				require.True(t, snap.Check(fingerprint.Effect{Object: obj(fingerprint.KindIndex, "public", table, table+"_pkey")}).Holds)
				require.True(t, snap.Check(fingerprint.Effect{Object: obj(fingerprint.KindSequence, "public", "", table+"_id_seq")}).Holds)
				require.False(t, snap.Check(fingerprint.Effect{Object: obj(fingerprint.KindColumn, "public", table, "phone")}).Exists)
			}
			t.Logf("%d checks: %v", 5*tables, time.Since(start))
		})
	}
}

func TestReadRelationsReadsOnlyTheNamedRelations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	conn := connect(t, b.db.PoolerURL)
	holds := func(snap *catalog.Snapshot, o fingerprint.Object) bool {
		return snap.Check(fingerprint.Effect{Object: o}).Holds
	}

	snap, err := catalog.ReadRelations(ctx, conn, []string{"leads", "lead_names"})
	require.NoError(t, err)
	// The named relations and what hangs off them, as a full read sees them.
	for _, o := range []fingerprint.Object{
		obj(fingerprint.KindTable, "public", "", "leads"),
		obj(fingerprint.KindView, "public", "", "lead_names"),
		obj(fingerprint.KindColumn, "public", "leads", "phone_whatsapp"),
		obj(fingerprint.KindConstraint, "public", "leads", "leads_phone_check"),
		obj(fingerprint.KindTrigger, "public", "leads", "leads_touch"),
		// Not relations: read whole.
		obj(fingerprint.KindType, "public", "", "mood"),
		obj(fingerprint.KindEnumValue, "app", "status", "done"),
		obj(fingerprint.KindFunction, "public", "", "touch"),
		obj(fingerprint.KindSchema, "", "", "app"),
	} {
		require.True(t, holds(snap, o), o.String())
		require.True(t, holds(b.snap, o), o.String())
	}
	// An index is a relation of its own: read when named.
	require.False(t, holds(snap, obj(fingerprint.KindIndex, "public", "leads", "leads_created_at_idx")))
	require.False(t, holds(snap, obj(fingerprint.KindSequence, "public", "", "invoice_numbers")))
	require.False(t, holds(snap, obj(fingerprint.KindTable, "public", "", "dupes")))

	snap, err = catalog.ReadRelations(ctx, conn, []string{"leads_created_at_idx"})
	require.NoError(t, err)
	require.True(t, holds(snap, obj(fingerprint.KindIndex, "public", "leads", "leads_created_at_idx")))
	require.False(t, holds(snap, obj(fingerprint.KindTable, "public", "", "leads")))

	// No names: no relations at all (not every relation).
	snap, err = catalog.ReadRelations(ctx, conn, nil)
	require.NoError(t, err)
	require.False(t, holds(snap, obj(fingerprint.KindTable, "public", "", "leads")))
	require.True(t, holds(snap, obj(fingerprint.KindType, "public", "", "mood")))
}
