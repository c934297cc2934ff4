package dbconn

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/steadydb/steady/internal/redact"
)

// Connect opens one session (not a pool) on rawURL, set up as steady's pools are: exec mode,
// steady's application_name, its cancel requests counted (WaitForCancels). name is what the
// URL is called in errors ("--shadow-url"). For a database that is no role's: a shadow
// database to replay a history on.
func Connect(ctx context.Context, name, rawURL string) (*pgx.Conn, error) {
	redact.Register(redact.PasswordOf(rawURL))
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, &URLError{Name: name, URL: redact.URL(rawURL), Err: errors.New(redact.Error(err))}
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "steady"
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	trackCancels(&cfg.Config, sendCancels)
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, &ConnectError{Role: Role(name), URL: redact.URL(rawURL), Err: errors.New(oneLine(redact.Error(err)))}
	}
	return conn, nil
}

// ConnectTo opens one session on another database of p's server, as p's own connections are
// made (same role, address, settings and cancel rule): a database steady has just created.
func (p *Pool) ConnectTo(ctx context.Context, database string) (*pgx.Conn, error) {
	cfg := p.Config().ConnConfig.Copy()
	cfg.Database = database
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, &ConnectError{Role: p.Role, URL: p.URL + " (database " + database + ")", Err: errors.New(oneLine(redact.Error(err)))}
	}
	return conn, nil
}

// PoolOn opens a pool on another database of p's server, as p's own connections are made: a
// database steady created for a while (steady history verify's prefixes). The caller closes
// it, then drops the database.
func (p *Pool) PoolOn(ctx context.Context, database string) (*pgxpool.Pool, error) {
	cfg := p.Config().Copy()
	cfg.ConnConfig.Database = database
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, &ConnectError{Role: p.Role, URL: p.URL + " (database " + database + ")", Err: errors.New(oneLine(redact.Error(err)))}
	}
	return pool, nil
}
