package cli

import (
	"context"
	"time"

	api "github.com/steadydb/steady"
	"github.com/steadydb/steady/internal/dbconn"
)

// catalogSettings are where the backfill and index catalogs are read from, exactly as
// --migrations-dir for migrations: the files built into the binary unless a directory is set.
type catalogSettings struct{ backfillsDir, indexesDir string }

func (s *catalogSettings) backfills() setting {
	return setting{"backfills-dir", "STEADY_BACKFILLS_DIR", "read backfills from this directory instead of the ones built in", text(&s.backfillsDir, "")}
}

func (s *catalogSettings) indexes() setting {
	return setting{"indexes-dir", "STEADY_INDEXES_DIR", "read index builds from this directory instead of the ones built in", text(&s.indexesDir, "")}
}

// apiConfig is the Go API's configuration made of the command's settings.
func apiConfig(e *env, db *dbconn.Config, cat *catalogSettings, stalledAfter time.Duration) api.Config {
	return api.Config{PoolerURL: db.PoolerURL, DirectURL: db.DirectURL, DatabaseURL: db.DatabaseURL,
		DirectTimeout: db.DirectTimeout, PoolerMode: db.PoolerMode, Schema: db.Schema,
		BackfillsDir: cat.backfillsDir, IndexesDir: cat.indexesDir, StalledAfter: stalledAfter, Logger: e.log.logger}
}

// openClient opens the Go API's client on catalogs read before (cats; nil reads them: a bad
// file is exit 2, naming it), the POOLER opened.
func openClient(ctx context.Context, e *env, db *dbconn.Config, cat *catalogSettings, cats *api.Catalogs, stalledAfter time.Duration) (*api.Client, error) {
	cfg := apiConfig(e, db, cat, stalledAfter)
	cfg.Catalogs = cats
	return api.Open(ctx, cfg)
}
