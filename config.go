package steady

import (
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"time"

	"github.com/steadydb/steady/internal/catalogfiles"
	"github.com/steadydb/steady/internal/dbconn"
)

// Config says where the database is and which catalogs to use, as steady's global settings do
// (--pooler-url, --direct-url, --database-url, --schema, --backfills-dir, --indexes-dir).
// Nothing in it is read from the environment: a program passes what it has.
type Config struct {
	// PoolerURL is where index builds, backfills and River go (PgBouncer, Supavisor).
	// DirectURL is tried once, for migrations only. DatabaseURL stands in for either when
	// unset. URLs never appear in errors or logs with their password.
	PoolerURL, DirectURL, DatabaseURL string
	// DirectTimeout bounds the one DIRECT probe of a migration; default 5s.
	DirectTimeout time.Duration
	// PoolerMode is how the POOLER shares server connections: auto (default), transaction or
	// session.
	PoolerMode string
	// Schema holds steady's own tables and River's; default public.
	Schema string

	// BackfillsDir and IndexesDir are the catalogs' directories; "" is the catalogs built into
	// steady. Backfills and Indexes, when set, are read instead (an embed.FS of the program's).
	BackfillsDir, IndexesDir string
	Backfills, Indexes       fs.FS
	// Catalogs, when set, are catalogs already read (LoadCatalogs): Open reads none again.
	Catalogs *Catalogs

	// StalledAfter is how long a run or build may go without progress while no live worker
	// holds it before status calls it stalled; default 30s.
	StalledAfter time.Duration

	Logger *slog.Logger // default: discard
}

func (c Config) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}

func (c Config) db() dbconn.Config {
	return dbconn.Config{DirectURL: c.DirectURL, PoolerURL: c.PoolerURL, DatabaseURL: c.DatabaseURL,
		DirectTimeout: c.DirectTimeout, PoolerMode: c.PoolerMode, Schema: c.Schema, Logger: c.logger()}
}

// check refuses settings that cannot work before anything connects.
func (c Config) check() error {
	if _, err := dbconn.ParsePoolerMode(c.PoolerMode); err != nil {
		return input(err)
	}
	if _, err := dbconn.ParseSchema(c.Schema); err != nil {
		return input(err)
	}
	return nil
}

// Catalogs are the backfills and index builds a configuration names.
type Catalogs struct {
	Backfills []Backfill
	Indexes   []Index
	c         *catalogfiles.Catalogs
}

// LoadCatalogs reads the catalogs cfg names: the built-in ones, or its directories. Every file
// that cannot be used is reported in one *InputError (Files lists them, each with its line).
func LoadCatalogs(cfg Config) (*Catalogs, error) {
	if cfg.Catalogs != nil {
		return cfg.Catalogs, nil
	}
	c, err := catalogfiles.Load(catalogfiles.Sources{BackfillsDir: cfg.BackfillsDir, IndexesDir: cfg.IndexesDir,
		Backfills: cfg.Backfills, Indexes: cfg.Indexes})
	if err != nil || c.Indexes == nil {
		return nil, input(err)
	}
	return &Catalogs{Backfills: c.Backfills, Indexes: c.Indexes.All(), c: c}, nil
}

// Backfill is the catalog backfill called name.
func (c *Catalogs) Backfill(name string) (Backfill, bool) { return c.c.Backfills.Lookup(name) }

// CheckBackfills refuses a name that is not a catalog backfill: an *InputError naming it and
// the ones that are.
func (c *Catalogs) CheckBackfills(names ...string) error {
	for _, n := range names {
		if _, ok := c.c.Backfills.Lookup(n); !ok {
			return input(c.c.Backfills.Unknown(n))
		}
	}
	return nil
}

// CheckIndexTables refuses a table that is not in the index catalog (an *InputError).
func (c *Catalogs) CheckIndexTables(tables ...string) error {
	for _, t := range tables {
		if _, ok := c.c.Indexes.OnTable(t); !ok {
			return input(fmt.Errorf("indexes build: %q is not a table of the index catalog (tables: %s)", t, strings.Join(c.c.Indexes.Tables(), ", ")))
		}
	}
	return nil
}

// IndexTables are the index catalog's tables, in build order.
func (c *Catalogs) IndexTables() []string { return c.c.Indexes.Tables() }
