package dbconn_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/redact"
)

func TestMain(m *testing.M) {
	// With Cleanup, goleak leaves the exit to it.
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		if childDir != "" {
			_ = os.RemoveAll(childDir)
		}
		os.Exit(code)
	}))
}

type bundle struct {
	db   *dbtest.DB
	logs *dbtest.LogBuffer
	log  *slog.Logger
}

func setup(t *testing.T) bundle {
	t.Helper()
	logs := &dbtest.LogBuffer{}
	return bundle{db: dbtest.New(t), logs: logs, log: slog.New(slog.NewTextHandler(logs, nil))}
}

func TestResolve(t *testing.T) {
	t.Parallel()

	t.Run("DirectReachableLocksDirect", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		r, err := dbconn.NewResolver(dbconn.Config{DirectURL: b.db.DirectURL, PoolerURL: b.db.PoolerURL, Logger: b.log})
		require.NoError(t, err)
		d := r.Resolve(context.Background())
		require.Equal(t, dbconn.Direct, d.MigrationRole)
		require.Empty(t, d.Reason)
		require.Equal(t, 1, strings.Count(b.logs.String(), "✅ Using DIRECT"))
	})

	t.Run("DirectRefusedLocksPooler", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		r, err := dbconn.NewResolver(dbconn.Config{DirectURL: refusedURL(t), PoolerURL: b.db.PoolerURL, Logger: b.log})
		require.NoError(t, err)
		d := r.Resolve(context.Background())
		require.Equal(t, dbconn.Pooler, d.MigrationRole)
		require.Contains(t, d.Reason, "refused")
		require.Contains(t, b.logs.String(), "✅ Using POOLER (DIRECT unavailable - locked)")
		require.Contains(t, b.logs.String(), "reason=")
	})

	t.Run("DirectBlackHoledProbedOnceThenLocked", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		hole := newBlackHole(t)
		r, err := dbconn.NewResolver(dbconn.Config{
			DirectURL: hole.URL(), PoolerURL: b.db.PoolerURL, DirectTimeout: 300 * time.Millisecond, Logger: b.log,
		})
		require.NoError(t, err)
		d := r.Resolve(context.Background())
		require.Equal(t, dbconn.Pooler, d.MigrationRole)
		require.Contains(t, d.Reason, "no answer within 300ms")
		// It waited for the answer until its budget was spent (minus the time to give up).
		require.GreaterOrEqual(t, d.ProbeTime, 300*time.Millisecond-dbconn.ProbeMargin(300*time.Millisecond))
		require.Equal(t, int32(1), hole.Accepted(t))

		// Asking again returns the locked choice without touching the network.
		for range 3 {
			require.Equal(t, d, r.Resolve(context.Background()))
		}
		require.Equal(t, int32(1), hole.Accepted(t))
		require.Equal(t, 1, strings.Count(b.logs.String(), "✅ Using POOLER"))
	})

	t.Run("DirectWrongPasswordLocksPooler", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		wrong := withPassword(t, b.db.DirectURL, "Wr0ng-Secret-9f3a")
		r, err := dbconn.NewResolver(dbconn.Config{DirectURL: wrong, PoolerURL: b.db.PoolerURL, Logger: b.log})
		require.NoError(t, err)
		d := r.Resolve(context.Background())
		require.Equal(t, dbconn.Pooler, d.MigrationRole)
		require.Contains(t, d.Reason, "password authentication failed")
		require.NotContains(t, d.Reason, "Wr0ng-Secret-9f3a")
		require.NotContains(t, b.logs.String(), "Wr0ng-Secret-9f3a")
	})

	t.Run("NoDirectURLLocksPoolerWithoutProbe", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		r, err := dbconn.NewResolver(dbconn.Config{PoolerURL: b.db.PoolerURL, Logger: b.log})
		require.NoError(t, err)
		d := r.Resolve(context.Background())
		require.Equal(t, dbconn.Pooler, d.MigrationRole)
		require.Equal(t, "DATABASE_URL_DIRECT is not set", d.Reason)
		require.Zero(t, d.ProbeTime)
	})

	t.Run("SingleDatabaseURLSaysSo", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		r, err := dbconn.NewResolver(dbconn.Config{DatabaseURL: b.db.DirectURL, Logger: b.log})
		require.NoError(t, err)
		d := r.Resolve(context.Background())
		require.Equal(t, dbconn.Direct, d.MigrationRole)
		require.True(t, d.Single)
		require.Contains(t, b.logs.String(), "single DATABASE_URL")
	})
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	_, err := dbconn.NewResolver(dbconn.Config{})
	require.ErrorIs(t, err, dbconn.ErrNoURL)
	require.Contains(t, err.Error(), "DATABASE_URL_POOLER")

	_, err = dbconn.NewResolver(dbconn.Config{PoolerURL: "postgres://u:Hidden-77@localhost:5432/db?sslmode=bogus"})
	var ue *dbconn.URLError
	require.ErrorAs(t, err, &ue)
	require.Equal(t, "DATABASE_URL_POOLER", ue.Name)
	require.NotContains(t, err.Error(), "Hidden-77")

	_, err = dbconn.NewResolver(dbconn.Config{DirectURL: "postgres://localhost/db"})
	require.ErrorContains(t, err, "no POOLER URL")
}

func TestOpen(t *testing.T) {
	t.Parallel()

	t.Run("PoolsPerRoleAndModes", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		pools, err := dbconn.Open(context.Background(), dbconn.Config{DirectURL: b.db.DirectURL, PoolerURL: b.db.PoolerURL, Logger: b.log}, dbconn.OpenOpts{Migrate: true, Detect: true})
		require.NoError(t, err)
		defer pools.Close()
		require.Equal(t, dbconn.Direct, pools.Decision.MigrationRole)
		require.Equal(t, dbconn.ModeDirect, pools.Migration.Mode)
		require.Equal(t, dbconn.ModeTransaction, pools.Pooler.Mode)
		require.Equal(t, pgx.QueryExecModeExec, pools.Pooler.Config().ConnConfig.DefaultQueryExecMode)
		require.Equal(t, pgx.QueryExecModeExec, pools.Migration.Config().ConnConfig.DefaultQueryExecMode)
		require.NotSame(t, pools.Migration, pools.Pooler)
		require.Contains(t, b.logs.String(), "index builds, backfills and River use POOLER")
	})

	// Migrations through the POOLER share the pool of index builds, which sends cancel requests:
	// a migration given up on must not keep its locks on the server.
	t.Run("FallbackSharesTheLongPool", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		pools, err := dbconn.Open(context.Background(), dbconn.Config{DirectURL: refusedURL(t), PoolerURL: b.db.PoolerURL, Logger: b.log}, dbconn.OpenOpts{Migrate: true})
		require.NoError(t, err)
		defer pools.Close()
		require.Equal(t, dbconn.Pooler, pools.Decision.MigrationRole)
		require.Same(t, pools.Long, pools.Migration)
		require.NotSame(t, pools.Pooler.Pool, pools.Long.Pool)
		require.Equal(t, pools.Pooler.URL, pools.Long.URL)
		require.Equal(t, pools.Pooler.Mode, pools.Long.Mode)
	})

	t.Run("WithoutDetectionEveryPoolIsPoolerSafe", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		pools, err := dbconn.Open(context.Background(), dbconn.Config{DirectURL: b.db.DirectURL, PoolerURL: b.db.PoolerURL, Logger: b.log}, dbconn.OpenOpts{Migrate: true})
		require.NoError(t, err)
		defer pools.Close()
		for _, p := range []*dbconn.Pool{pools.Migration, pools.Pooler} {
			require.Equal(t, dbconn.ModeUnknown, p.Mode)
			require.Equal(t, pgx.QueryExecModeExec, p.Config().ConnConfig.DefaultQueryExecMode)
		}
		require.True(t, pools.Pooler.Pooled())
		require.False(t, pools.Migration.Pooled())
	})

	t.Run("BothUnreachableIsAClearError", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		hole := newBlackHole(t)
		_, err := dbconn.Open(context.Background(), dbconn.Config{
			DirectURL: hole.URL(), PoolerURL: refusedURL(t), DirectTimeout: 200 * time.Millisecond, Logger: b.log,
		}, dbconn.OpenOpts{Migrate: true, Detect: true})
		var ce *dbconn.ConnectError
		require.ErrorAs(t, err, &ce)
		require.Equal(t, dbconn.Pooler, ce.Role)
		require.Contains(t, err.Error(), "connect POOLER")
		require.Contains(t, err.Error(), "refused")
	})

	// pgx's default cached prepared statements fail through a transaction pooler
	// under concurrency (42P05/26000). The product's POOLER pool must not.
	t.Run("ThousandConcurrentParameterisedQueriesThroughPgBouncer", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		pools, err := dbconn.Open(context.Background(), dbconn.Config{PoolerURL: b.db.PoolerURL, MaxConns: 20, Logger: b.log}, dbconn.OpenOpts{Detect: true})
		require.NoError(t, err)
		defer pools.Close()
		ctx := context.Background()
		var wg sync.WaitGroup
		var failed atomic.Int32
		errs := make(chan error, 1000)
		for i := range 1000 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var got int
				var s string
				// Different statement texts so a statement cache would hold many entries.
				err := pools.Pooler.QueryRow(ctx, fmt.Sprintf("SELECT $1::int + %d, $2::text", i%50), i, "x").Scan(&got, &s)
				if err == nil && got != i+i%50 {
					err = fmt.Errorf("got %d want %d", got, i+i%50)
				}
				if err != nil {
					failed.Add(1)
					select {
					case errs <- err:
					default:
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		require.Zero(t, failed.Load(), "first error: %v", <-errs)
	})
}

func TestDiagnose(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rep, err := dbconn.Diagnose(context.Background(), dbconn.Config{DirectURL: refusedURL(t), PoolerURL: b.db.PoolerURL, Logger: b.log})
	require.NoError(t, err)
	require.Equal(t, dbconn.Pooler, rep.MigrationRole)
	require.False(t, rep.Direct.Reachable)
	require.Contains(t, rep.Direct.Error, "refused")
	require.True(t, rep.Pooler.Reachable)
	require.Equal(t, dbconn.ModeTransaction, rep.Pooler.PoolMode)
	require.True(t, strings.HasPrefix(rep.Pooler.ServerVersion, "15"), rep.Pooler.ServerVersion)
	require.True(t, rep.OK())
	pw := redact.PasswordOf(b.db.PoolerURL)
	require.NotEmpty(t, pw)
	require.NotContains(t, rep.Pooler.URL, pw)
	require.NotContains(t, b.logs.String(), pw)
}

// refusedURL points at a loopback port nobody listens on.
func refusedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "postgres://steady:Refused-Pw-1@" + addr + "/steady?sslmode=disable"
}

// blackHole accepts connections and never answers: a probe of it costs exactly its timeout.
type blackHole struct {
	l        net.Listener
	peers    chan string // remote address of every accepted connection, in accept order
	accepted int32
}

func newBlackHole(t *testing.T) *blackHole {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	h := &blackHole{l: l, peers: make(chan string, 100)}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
			h.peers <- c.RemoteAddr().String()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		<-done
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return h
}

func (h *blackHole) URL() string {
	return "postgres://steady:Hole-Pw-2@" + h.l.Addr().String() + "/steady?sslmode=disable"
}

// Accepted counts the connections accepted so far. A kernel may complete a handshake before
// Accept returns, so it dials a marker connection and counts every connection accepted before it.
func (h *blackHole) Accepted(t *testing.T) int32 {
	t.Helper()
	marker, err := net.Dial("tcp", h.l.Addr().String())
	require.NoError(t, err)
	defer marker.Close()
	for peer := range h.peers {
		if peer == marker.LocalAddr().String() {
			return h.accepted
		}
		h.accepted++
	}
	return h.accepted
}

func withPassword(t *testing.T, raw, pw string) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(raw)
	require.NoError(t, err)
	return fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable", cfg.User, pw, cfg.Host, cfg.Port, cfg.Database)
}
