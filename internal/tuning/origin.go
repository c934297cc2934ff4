package tuning

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Origin is where a setting's value in steady's sessions comes from, so that the advice names
// the statement that overrides it for steady's role and leaves the application's alone.
type Origin struct {
	Setting  string
	Value    string // as SHOW prints it
	Source   string // pg_settings.source: default, configuration file, global, database, user, database user, client, session, …
	Role     string // the role steady's sessions run as
	Database string
}

// ReadOrigin reads where setting's value comes from, in one round trip (the simple protocol:
// nothing is prepared on a pooler's server connection).
func ReadOrigin(ctx context.Context, q Querier, setting string) (Origin, error) {
	o := Origin{Setting: setting}
	err := q.QueryRow(ctx, `SELECT current_setting($1), source, current_user, current_database() FROM pg_settings WHERE name = $1`,
		pgx.QueryExecModeSimpleProtocol, setting).Scan(&o.Value, &o.Source, &o.Role, &o.Database)
	if err != nil {
		return o, fmt.Errorf("read where %s comes from: %w", setting, err)
	}
	return o, nil
}

// Where names what set the value. Settings apply in this order, each overriding the ones
// before: the server's configuration, ALTER ROLE ALL SET, ALTER DATABASE SET, ALTER ROLE SET,
// ALTER ROLE … IN DATABASE … SET, then the client's connection options and a session's SET.
func (o Origin) Where() string {
	role, db := pgx.Identifier{o.Role}.Sanitize(), pgx.Identifier{o.Database}.Sanitize()
	switch o.Source {
	case "default":
		return "PostgreSQL's default"
	case "configuration file":
		return "the server's configuration file (postgresql.conf, or ALTER SYSTEM)"
	case "command line", "environment variable":
		return "the server's " + o.Source
	case "global":
		return "ALTER ROLE ALL SET " + o.Setting
	case "database":
		return fmt.Sprintf("ALTER DATABASE %s SET %s", db, o.Setting)
	case "user":
		return fmt.Sprintf("ALTER ROLE %s SET %s", role, o.Setting)
	case "database user":
		return fmt.Sprintf("ALTER ROLE %s IN DATABASE %s SET %s", role, db, o.Setting)
	case "client":
		return "the connection's options (the URL's options or PGOPTIONS)"
	case "session":
		return "a session SET on the server connection (behind a transaction pooler, another client's SET stays on it)"
	}
	return "pg_settings.source " + o.Source
}

// Fix is what gives steady's role value (SQL text: '256MB', 0) for the setting, and leaves the
// application's roles alone.
func (o Origin) Fix(value string) string {
	role, db := pgx.Identifier{o.Role}.Sanitize(), pgx.Identifier{o.Database}.Sanitize()
	switch o.Source {
	case "database", "database user":
		// Only a setting for the role in this database overrides one made there for the role;
		// for the database's own it is the narrowest that does.
		return fmt.Sprintf("ALTER ROLE %s IN DATABASE %s SET %s = %s", role, db, o.Setting, value)
	case "client":
		return fmt.Sprintf("remove %s from DATABASE_URL_POOLER's options and from PGOPTIONS", o.Setting)
	case "session":
		return fmt.Sprintf("make the client that runs SET %s through the pooler use SET LOCAL, then RECONNECT on PgBouncer's admin console", o.Setting)
	}
	return fmt.Sprintf("ALTER ROLE %s SET %s = %s", role, o.Setting, value)
}
