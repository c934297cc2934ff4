package migrate

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/migfiles"
	"github.com/steadydb/steady/internal/shadow"
)

// ShadowConfig is where and how the history is replayed to learn the exact state of each of
// its prefixes (package shadow).
type ShadowConfig struct {
	// Open returns an empty shadow database. nil: no shadow; the derived model decides alone.
	Open func(ctx context.Context) (*shadow.DB, error)
	// Setup is SQL applied to the shadow before the first file: what a platform provides
	// before any migration (an auth schema, roles, extensions). SetupFile names it in errors.
	Setup, SetupFile string
	// Cache, when set, shares replayed states between the Migrators of one process that
	// adopt the same files on several databases (steady history verify).
	Cache *StatesCache
}

// StatesCache keeps replayed states by what they depend on, for the Migrators of a process.
type StatesCache struct {
	mu       sync.Mutex
	byDigest map[string]*states
}

func (c *StatesCache) get(digest string) *states {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byDigest[digest]
}

func (c *StatesCache) put(digest string, st *states) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byDigest == nil {
		c.byDigest = map[string]*states{}
	}
	c.byDigest[digest] = st
}

// ReplayError is a file PostgreSQL refused on the shadow database.
type ReplayError struct {
	File string
	Line int
	Err  error
}

func (e *ReplayError) Error() string {
	return fmt.Sprintf("the shadow stopped at %s:%d: %v; objects a platform provides before the first migration (a schema, a role, an extension) go in --shadow-setup",
		e.File, e.Line, e.Err)
}

func (e *ReplayError) Unwrap() error { return e.Err }

// replayDigest identifies what a replay depends on: the server's version, the setup and
// every file as it runs (version, name, checksum, transaction rule).
func (m *Migrator) replayDigest(serverVersion string) string {
	h := sha256.New()
	fmt.Fprintf(h, "steady shadow states v1\n%s\n%x\n", serverVersion, sha256.Sum256([]byte(m.cfg.Shadow.Setup)))
	for _, mi := range m.migrations {
		fmt.Fprintf(h, "%s %s %s %t\n", mi.Version, mi.Name, mi.Checksum, mi.NoTransaction)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// exactStates returns the state after every prefix of the history: from this run's memory,
// from steady_shadow_states, or by replaying the files on a shadow database. An error means
// no shadow could be had or the history does not replay on one; the caller falls back to the
// derived model.
func (m *Migrator) exactStates(ctx context.Context) (*states, error) {
	m.statesMu.Lock()
	defer m.statesMu.Unlock()
	if m.states != nil || m.statesErr != nil {
		return m.states, m.statesErr
	}
	if m.cfg.Shadow.Open == nil {
		return nil, errors.New("no shadow database: set --shadow-url, or give steady a role that may CREATE DATABASE")
	}
	var version string
	if err := m.cfg.Pool.QueryRow(ctx, "SELECT current_setting('server_version_num')").Scan(&version); err != nil {
		return nil, fmt.Errorf("read the server's version: %w", err)
	}
	digest := m.replayDigest(version)
	if st := m.cfg.Shadow.Cache.get(digest); st != nil {
		m.states = st
		return st, nil
	}
	if st, err := m.readCachedStates(ctx, digest); err == nil && st != nil {
		m.states = st
		return st, nil
	}
	st, err := m.replay(ctx)
	if err != nil {
		m.statesErr = err
		return nil, err
	}
	st.digest = digest
	m.states = st
	m.cfg.Shadow.Cache.put(digest, st)
	return st, nil
}

// replay runs every file on an empty shadow database, as its tool would run it, and reads the
// schema after each.
func (m *Migrator) replay(ctx context.Context) (*states, error) {
	start := time.Now()
	db, err := m.cfg.Shadow.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := db.Close(ctx); err != nil {
			m.log.Warn("could not clean the shadow database up", slog.String("shadow", db.Where), slog.Any("error", err))
		}
	}()
	if m.cfg.Shadow.Setup != "" {
		if _, err := db.Conn.Exec(ctx, m.cfg.Shadow.Setup, pgx.QueryExecModeSimpleProtocol); err != nil {
			return nil, fmt.Errorf("--shadow-setup %s: %w", m.cfg.Shadow.SetupFile, err)
		}
		if err := db.Reconnect(ctx); err != nil {
			return nil, err
		}
	}
	// Each read after the first reads only what the file changed: a full read of a large
	// schema after each of a thousand files made the replay quadratic. Its statement is
	// planned once for the whole replay.
	reader := catalog.StateReader{Prepare: true}
	base, err := reader.Read(ctx, db.Conn)
	if err != nil {
		return nil, err
	}
	st := newStates(catalog.MaskFrozenTimes(base))
	for i := range m.migrations {
		skip := func(st fingerprint.Statement) bool { return oldHistoryDrop(st, m.schema.Name()) }
		if err := migfiles.Run(ctx, db.Conn, &m.migrations[i], skip); err != nil {
			var re *migfiles.RunError
			if errors.As(err, &re) {
				return nil, &ReplayError{File: re.File, Line: re.Line, Err: re.Err}
			}
			return nil, err
		}
		now, err := reader.Read(ctx, db.Conn)
		if err != nil {
			return nil, err
		}
		st.add(catalog.MaskFrozenTimes(now))
	}
	st.where, st.took = db.Where, time.Since(start)
	m.log.Info("replayed the history on a shadow database", slog.String("shadow", db.Where),
		slog.Int("files", len(m.migrations)), slog.Int64("duration_ms", st.took.Milliseconds()))
	return st, nil
}

// cachedStates is how states are kept in steady_shadow_states.
type cachedStates struct {
	Base  catalog.State        `json:"base"`
	Diffs []map[string]*string `json:"diffs"`
	Where string               `json:"where"`
}

func (m *Migrator) readCachedStates(ctx context.Context, digest string) (*states, error) {
	var blob []byte
	var ms int64
	err := m.cfg.Pool.QueryRow(ctx, m.schema.SQL("SELECT states, replay_ms FROM steady_shadow_states WHERE digest = $1"), digest).Scan(&blob, &ms)
	if err != nil {
		if !errors.Is(err, pgx.ErrNoRows) && !isUndefined(err) {
			m.log.Debug("shadow states cache unreadable", slog.Any("error", err))
		}
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	var c cachedStates
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, err
	}
	if len(c.Diffs) != len(m.migrations) {
		return nil, errors.New("shadow states cache: wrong number of files")
	}
	st := &states{base: c.Base, diffs: c.Diffs, universe: map[string]bool{}, digest: digest, cached: true,
		where: "cached states of a replay (" + strings.TrimPrefix(c.Where, "database ") + ")", took: time.Duration(ms) * time.Millisecond}
	for _, d := range c.Diffs {
		for k := range d {
			st.universe[k] = true
		}
	}
	return st, nil
}

// keepStates stores freshly replayed states by their digest, keeping the latest few. It runs
// once steady's own tables exist (Migrate, not status); a failure only costs a replay later.
func (m *Migrator) keepStates(ctx context.Context) {
	m.statesMu.Lock()
	st, kept := m.states, m.statesKept
	m.statesKept = true
	m.statesMu.Unlock()
	if st == nil || kept || st.cached || st.digest == "" {
		return
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(cachedStates{Base: st.base, Diffs: st.diffs, Where: st.where}); err != nil {
		return
	}
	if err := zw.Close(); err != nil {
		return
	}
	b := &pgx.Batch{}
	b.Queue(m.schema.SQL(`INSERT INTO steady_shadow_states (digest, files, states, replay_ms) VALUES ($1, $2, $3, $4)
		ON CONFLICT (digest) DO NOTHING`), st.digest, len(st.diffs), buf.Bytes(), st.took.Milliseconds())
	b.Queue(m.schema.SQL(`DELETE FROM steady_shadow_states WHERE digest NOT IN
		(SELECT digest FROM steady_shadow_states ORDER BY created_at DESC LIMIT 3)`))
	if err := m.cfg.Pool.SendBatch(ctx, b).Close(); err != nil {
		m.log.Warn("could not keep the shadow's states", slog.Any("error", err))
	}
}
