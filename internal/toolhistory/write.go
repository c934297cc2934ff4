package toolhistory

import (
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/steadydb/steady/internal/migfiles"
)

// Write is the SQL that creates the history table of the files' tool and records the
// migrations applied as that tool records them (golang-migrate: only the last version). lose
// is the index of an applied migration whose row is left out (-1: none). ok is false for
// steady's own format, which has no other tool's table.
func Write(ms []migfiles.Migration, lose int) (sql string, ok bool) {
	if len(ms) == 0 && lose < 0 {
		return "", false
	}
	var b strings.Builder
	rows := func(each func(i int, m migfiles.Migration)) {
		for i, m := range ms {
			if i != lose {
				each(i, m)
			}
		}
	}
	format := migfiles.FormatSteady
	if len(ms) > 0 {
		format = ms[0].Format
	}
	switch format {
	case migfiles.FormatGolangMigrate:
		b.WriteString("CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);\n")
		if n := len(ms); n > 0 && lose != n-1 {
			fmt.Fprintf(&b, "INSERT INTO schema_migrations VALUES (%s, false);\n", ms[n-1].Version)
		}
	case migfiles.FormatGoose:
		b.WriteString("CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp DEFAULT now());\n")
		b.WriteString("INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true);\n")
		rows(func(_ int, m migfiles.Migration) {
			fmt.Fprintf(&b, "INSERT INTO goose_db_version (version_id, is_applied) VALUES (%s, true);\n", m.Version)
		})
	case migfiles.FormatFlyway:
		b.WriteString(`CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL,
	type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum int, installed_by varchar(100) NOT NULL,
	installed_on timestamp NOT NULL DEFAULT now(), execution_time int NOT NULL, success boolean NOT NULL);` + "\n")
		rows(func(i int, m migfiles.Migration) {
			fmt.Fprintf(&b, "INSERT INTO flyway_schema_history VALUES (%d, %s, %s, 'SQL', %s, 0, 'deploy', DEFAULT, 1, true);\n",
				i+1, literal(string(m.Version)), literal(strings.ReplaceAll(m.Name, "_", " ")), literal(m.File))
		})
	case migfiles.FormatDbmate:
		b.WriteString("CREATE TABLE IF NOT EXISTS schema_migrations (version varchar(128) PRIMARY KEY);\n")
		rows(func(_ int, m migfiles.Migration) {
			fmt.Fprintf(&b, "INSERT INTO schema_migrations VALUES (%s);\n", literal(migfiles.FileVersion(m)))
		})
	case migfiles.FormatPrisma:
		b.WriteString(`CREATE TABLE "_prisma_migrations" (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz,
	migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(),
	applied_steps_count integer NOT NULL DEFAULT 0);` + "\n")
		rows(func(_ int, m migfiles.Migration) {
			fmt.Fprintf(&b, "INSERT INTO \"_prisma_migrations\" VALUES (gen_random_uuid()::text, %s, now(), %s, NULL, NULL, now(), 1);\n",
				literal(m.Checksum), literal(strings.TrimSuffix(m.File, "/migration.sql")))
		})
	case migfiles.FormatSupabase:
		b.WriteString("CREATE SCHEMA IF NOT EXISTS supabase_migrations;\n")
		b.WriteString("CREATE TABLE supabase_migrations.schema_migrations (version text PRIMARY KEY, statements text[], name text);\n")
		rows(func(_ int, m migfiles.Migration) {
			fmt.Fprintf(&b, "INSERT INTO supabase_migrations.schema_migrations VALUES (%s, NULL, %s);\n", literal(migfiles.FileVersion(m)), literal(m.Name))
		})
	case migfiles.FormatSqlx:
		b.WriteString(`CREATE TABLE IF NOT EXISTS _sqlx_migrations (version bigint PRIMARY KEY, description text NOT NULL,
	installed_on timestamptz NOT NULL DEFAULT now(), success boolean NOT NULL, checksum bytea NOT NULL, execution_time bigint NOT NULL);` + "\n")
		rows(func(_ int, m migfiles.Migration) {
			sum := sha512.Sum384([]byte(m.SQL))
			fmt.Fprintf(&b, "INSERT INTO _sqlx_migrations VALUES (%s, %s, DEFAULT, true, '\\x%s', 1);\n",
				m.Version, literal(strings.ReplaceAll(m.Name, "_", " ")), hex.EncodeToString(sum[:]))
		})
	case migfiles.FormatDiesel:
		b.WriteString("CREATE TABLE __diesel_schema_migrations (version varchar(50) PRIMARY KEY NOT NULL, run_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP);\n")
		rows(func(_ int, m migfiles.Migration) {
			fmt.Fprintf(&b, "INSERT INTO __diesel_schema_migrations (version) VALUES (%s);\n", literal(migfiles.FileVersion(m)))
		})
	default:
		return "", false
	}
	return b.String(), true
}

func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
