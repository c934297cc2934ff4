package dbconn

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/steadydb/steady/internal/redact"
)

// Role names a connection role.
type Role string

const (
	Direct Role = "DIRECT"
	Pooler Role = "POOLER"
)

// DefaultDirectTimeout bounds the DIRECT probe, as the Python migration runner did.
const DefaultDirectTimeout = 5 * time.Second

// ProbeMargin is how long before its timeout the DIRECT probe stops waiting, to give up and
// clean up within the timeout: a tenth of it, at most 20ms.
func ProbeMargin(timeout time.Duration) time.Duration { return min(timeout/10, 20*time.Millisecond) }

// ErrNoURL is returned when no connection URL is configured at all.
var ErrNoURL = errors.New("no database URL: set DATABASE_URL_POOLER and DATABASE_URL_DIRECT, or DATABASE_URL (flags --pooler-url, --direct-url, --database-url)")

// Config says where the roles connect. DatabaseURL stands in for any role whose own URL is unset.
type Config struct {
	DirectURL   string
	PoolerURL   string
	DatabaseURL string

	DirectTimeout   time.Duration // default DefaultDirectTimeout
	PoolerMode      string        // auto (default: detected, transaction unless shown otherwise), transaction or session
	Schema          string        // where steady's tables and River's live; default public (package bookkeeping)
	ApplicationName string        // default "steady"; passes through PgBouncer
	MaxConns        int32         // per pool; default 10
	Logger          *slog.Logger  // default slog.Default()
}

// URLs resolved per role.
type urls struct {
	direct, pooler string
	single         bool // both roles come from DATABASE_URL
}

func (c Config) withDefaults() Config {
	c.DirectTimeout = cmp.Or(c.DirectTimeout, DefaultDirectTimeout)
	c.ApplicationName = cmp.Or(c.ApplicationName, "steady")
	c.MaxConns = cmp.Or(c.MaxConns, 10)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// validate resolves the per-role URLs, registers their passwords with redact and checks that
// each one parses, naming the input that does not.
func (c Config) validate() (urls, error) {
	for _, raw := range []string{c.DirectURL, c.PoolerURL, c.DatabaseURL} {
		redact.Register(redact.PasswordOf(raw))
	}
	if c.DirectTimeout < 0 {
		return urls{}, fmt.Errorf("STEADY_DIRECT_TIMEOUT must not be negative, got %s", c.DirectTimeout)
	}
	u := urls{direct: cmp.Or(c.DirectURL, c.DatabaseURL), pooler: cmp.Or(c.PoolerURL, c.DatabaseURL)}
	u.single = c.DirectURL == "" && c.PoolerURL == "" && c.DatabaseURL != ""
	if u.direct == "" && u.pooler == "" {
		return urls{}, ErrNoURL
	}
	if u.pooler == "" {
		return urls{}, errors.New("no POOLER URL: set DATABASE_URL_POOLER (or DATABASE_URL); index builds, backfills and River always use POOLER")
	}
	for _, in := range []struct{ name, raw string }{
		{"DATABASE_URL_DIRECT", c.DirectURL}, {"DATABASE_URL_POOLER", c.PoolerURL}, {"DATABASE_URL", c.DatabaseURL},
	} {
		if in.raw == "" {
			continue
		}
		if _, err := pgxpool.ParseConfig(in.raw); err != nil {
			return urls{}, &URLError{Name: in.name, URL: redact.URL(in.raw), Err: errors.New(redact.Error(err))}
		}
	}
	return u, nil
}

// URLError reports a URL that does not parse.
type URLError struct {
	Name string // the variable, e.g. DATABASE_URL_POOLER
	URL  string // redacted
	Err  error  // redacted
}

func (e *URLError) Error() string { return fmt.Sprintf("%s (%s): %v", e.Name, e.URL, e.Err) }
func (e *URLError) Unwrap() error { return e.Err }
