package migrate

import (
	"context"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// What the tools themselves do, for `steady history verify`: apply a file as the tool that
// wrote it applies it, and record it in that tool's history table, so that a database can be
// brought to any prefix the way a team that never used steady got there.

// ApplyAsTool runs one parsed migration on conn as its tool sends it:
//   - golang-migrate, Prisma, the Supabase CLI: the whole file as one query (one implicit
//     transaction; the file's own BEGIN and COMMIT work inside it);
//   - sqlx, diesel, dbmate: the file (dbmate: its up section) as one query in a transaction,
//     or alone when the file runs outside one;
//   - goose, Flyway, steady: statement by statement, in one transaction unless the file runs
//     outside one.
func ApplyAsTool(ctx context.Context, conn *pgx.Conn, m *Migration) error {
	exec := func(sql string) error {
		_, err := conn.Exec(ctx, sql, pgx.QueryExecModeSimpleProtocol)
		return err
	}
	var err error
	switch m.Format {
	case FormatGolangMigrate, FormatPrisma, FormatSupabase:
		err = exec(m.SQL)
	case FormatSqlx, FormatDiesel, FormatDbmate:
		if m.NoTransaction || m.OwnTransactions {
			err = exec(m.SQL)
		} else {
			err = exec("BEGIN;\n" + m.SQL + "\n;COMMIT")
		}
	default:
		err = runOnShadow(ctx, conn, m, "")
	}
	if err != nil && conn.PgConn().TxStatus() != 'I' {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
	}
	if err != nil {
		return fmt.Errorf("apply %s as %s would: %w", m.File, m.Format, err)
	}
	return nil
}

// ToolHistory is the SQL that creates the history table of the files' tool and records the
// migrations applied as that tool records them (golang-migrate: only the last version). lose
// is the index of an applied migration whose row is left out (-1: none). ok is false for
// steady's own format, which has no other tool's table.
func ToolHistory(ms []Migration, lose int) (sql string, ok bool) {
	if len(ms) == 0 && lose < 0 {
		return "", false
	}
	var b strings.Builder
	rows := func(each func(i int, m Migration)) {
		for i, m := range ms {
			if i != lose {
				each(i, m)
			}
		}
	}
	format := FormatSteady
	if len(ms) > 0 {
		format = ms[0].Format
	}
	switch format {
	case FormatGolangMigrate:
		b.WriteString("CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);\n")
		if n := len(ms); n > 0 && lose != n-1 {
			fmt.Fprintf(&b, "INSERT INTO schema_migrations VALUES (%s, false);\n", ms[n-1].Version)
		}
	case FormatGoose:
		b.WriteString("CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp DEFAULT now());\n")
		b.WriteString("INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true);\n")
		rows(func(_ int, m Migration) {
			fmt.Fprintf(&b, "INSERT INTO goose_db_version (version_id, is_applied) VALUES (%s, true);\n", m.Version)
		})
	case FormatFlyway:
		b.WriteString(`CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL,
	type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum int, installed_by varchar(100) NOT NULL,
	installed_on timestamp NOT NULL DEFAULT now(), execution_time int NOT NULL, success boolean NOT NULL);` + "\n")
		rows(func(i int, m Migration) {
			fmt.Fprintf(&b, "INSERT INTO flyway_schema_history VALUES (%d, %s, %s, 'SQL', %s, 0, 'deploy', DEFAULT, 1, true);\n",
				i+1, literal(string(m.Version)), literal(strings.ReplaceAll(m.Name, "_", " ")), literal(m.File))
		})
	case FormatDbmate:
		b.WriteString("CREATE TABLE IF NOT EXISTS schema_migrations (version varchar(128) PRIMARY KEY);\n")
		rows(func(_ int, m Migration) {
			fmt.Fprintf(&b, "INSERT INTO schema_migrations VALUES (%s);\n", literal(fileVersion(m)))
		})
	case FormatPrisma:
		b.WriteString(`CREATE TABLE "_prisma_migrations" (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz,
	migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(),
	applied_steps_count integer NOT NULL DEFAULT 0);` + "\n")
		rows(func(_ int, m Migration) {
			fmt.Fprintf(&b, "INSERT INTO \"_prisma_migrations\" VALUES (gen_random_uuid()::text, %s, now(), %s, NULL, NULL, now(), 1);\n",
				literal(m.Checksum), literal(strings.TrimSuffix(m.File, "/migration.sql")))
		})
	case FormatSupabase:
		b.WriteString("CREATE SCHEMA IF NOT EXISTS supabase_migrations;\n")
		b.WriteString("CREATE TABLE supabase_migrations.schema_migrations (version text PRIMARY KEY, statements text[], name text);\n")
		rows(func(_ int, m Migration) {
			fmt.Fprintf(&b, "INSERT INTO supabase_migrations.schema_migrations VALUES (%s, NULL, %s);\n", literal(fileVersion(m)), literal(m.Name))
		})
	case FormatSqlx:
		b.WriteString(`CREATE TABLE IF NOT EXISTS _sqlx_migrations (version bigint PRIMARY KEY, description text NOT NULL,
	installed_on timestamptz NOT NULL DEFAULT now(), success boolean NOT NULL, checksum bytea NOT NULL, execution_time bigint NOT NULL);` + "\n")
		rows(func(_ int, m Migration) {
			sum := sha512.Sum384([]byte(m.SQL))
			fmt.Fprintf(&b, "INSERT INTO _sqlx_migrations VALUES (%s, %s, DEFAULT, true, '\\x%s', 1);\n",
				m.Version, literal(strings.ReplaceAll(m.Name, "_", " ")), hex.EncodeToString(sum[:]))
		})
	case FormatDiesel:
		b.WriteString("CREATE TABLE __diesel_schema_migrations (version varchar(50) PRIMARY KEY NOT NULL, run_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP);\n")
		rows(func(_ int, m Migration) {
			fmt.Fprintf(&b, "INSERT INTO __diesel_schema_migrations (version) VALUES (%s);\n", literal(fileVersion(m)))
		})
	default:
		return "", false
	}
	return b.String(), true
}

// fileVersion is the version as the file's name writes it, leading zeros kept (dbmate, the
// Supabase CLI and diesel record that text).
func fileVersion(m Migration) string {
	name := m.File
	if i := strings.IndexByte(name, '/'); i >= 0 {
		name = name[:i]
	}
	digits, _, _ := strings.Cut(name, "_")
	return strings.ReplaceAll(digits, "-", "")
}

func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
