package historytest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// schemaDump is pg_dump's schema-only text of the database, with its grants but without owners
// (every object is the test role's). It is taken over the direct URL: pg_dump sets its session (search_path among others) before its
// transaction, which a transaction pooler would not keep. It only reads.
func schemaDump(t *testing.T, directURL string) string {
	t.Helper()
	target, password := splitPassword(t, directURL)
	cmd := exec.Command(pgDumpBin, "--schema-only", "--no-owner", "-d", target)
	cmd.Env = clientEnv(password)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, stderr.String())
	}
	// pg_dump 15.14+ brackets the script with \restrict KEY / \unrestrict KEY, a random key
	// per run.
	var b strings.Builder
	for line := range strings.Lines(stdout.String()) {
		if !strings.HasPrefix(line, `\restrict `) && !strings.HasPrefix(line, `\unrestrict `) {
			b.WriteString(line)
		}
	}
	return b.String()
}

var (
	// tocEntry is the comment pg_dump writes above each object:
	// "--\n-- Name: orders orders_pkey; Type: CONSTRAINT; Schema: public; Owner: -\n--\n".
	tocEntry = regexp.MustCompile(`(?m)^--\n-- Name: ([^;]*); Type: ([^;]*);(?: Schema: ([^;]*);)?[^\n]*\n--\n`)
	// bookkeeping names what is not the history's: steady's tables, River's objects, and the
	// history tables of the tools (golang-migrate's and dbmate's schema_migrations, which steady
	// sets aside as schema_migrations_*, goose's, Flyway's, Prisma's, sqlx's, diesel's) with
	// their sequences and indexes.
	bookkeeping = regexp.MustCompile(`^(schema_migrations.*|steady_.*|river_.*|goose_db_version.*|flyway_schema_history.*|_prisma_migrations.*|_sqlx_migrations.*|__diesel_schema_migrations.*)$`)
	// onTable is the table an index or a trigger is on.
	onTable   = regexp.MustCompile(`\bON (?:ONLY )?(?:public\.)?"?([A-Za-z0-9_]+)"?`)
	nameToken = regexp.MustCompile(`[A-Za-z0-9_]+`)
	// sessionSetting is a SET pg_dump writes before the first object that needs it: it trails
	// whichever entry precedes that object, which may be one left out.
	sessionSetting = regexp.MustCompile(`(?m)^SET default_(tablespace|table_access_method) = [^\n]*;\n\n?`)
)

// withoutBookkeeping is the dump without what is not h's: the bookkeeping above, and the
// schema the sweep's arguments give steady's own tables (--schema).
func (h *history) withoutBookkeeping(dump string) string {
	return withoutBookkeeping(dump, h.steadySchema())
}

// withoutBookkeeping keeps the dump's header and the entries of the history's own objects;
// the entries of schemas and in them are left out too, as is the Supabase CLI's schema.
func withoutBookkeeping(dump string, schemas ...string) string {
	schemas = slices.DeleteFunc(append(schemas, "supabase_migrations"), func(s string) bool { return s == "" })
	dump = sessionSetting.ReplaceAllString(dump, "")
	// The footer follows the last entry, which may be one left out (steady's foreign key
	// between its backfill tables comes last).
	footer := ""
	if i := strings.LastIndex(dump, "--\n-- PostgreSQL database dump complete\n"); i >= 0 {
		dump, footer = dump[:i], dump[i:]
	}
	locs := tocEntry.FindAllStringSubmatchIndex(dump, -1)
	if len(locs) == 0 {
		return dump + footer
	}
	var b strings.Builder
	b.WriteString(dump[:locs[0][0]])
	for i, loc := range locs {
		end := len(dump)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		name, typ, entry := dump[loc[2]:loc[3]], dump[loc[4]:loc[5]], dump[loc[0]:end]
		schema := ""
		if loc[6] >= 0 {
			schema = dump[loc[6]:loc[7]]
		}
		if slices.Contains(schemas, schema) || (typ == "SCHEMA" && slices.Contains(schemas, name)) {
			continue
		}
		if !isBookkeeping(name, typ, entry[loc[1]-loc[0]:]) {
			b.WriteString(entry)
		}
	}
	return b.String() + footer
}

func isBookkeeping(name, typ, body string) bool {
	// A constraint's, trigger's or column default's name starts with its table's; a comment's
	// names the object ("COLUMN river_job.kind"); a function's carries its arguments.
	for _, tok := range nameToken.FindAllString(name, -1) {
		if bookkeeping.MatchString(tok) {
			return true
		}
	}
	if typ == "INDEX" || typ == "TRIGGER" {
		if m := onTable.FindStringSubmatch(body); m != nil && bookkeeping.MatchString(m[1]) {
			return true
		}
	}
	return false
}

// diffDumps is `diff -u` of two dumps, for a failure message.
func diffDumps(t *testing.T, wantLabel, want, gotLabel, got string) string {
	t.Helper()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "want.sql"), filepath.Join(dir, "got.sql")
	require.NoError(t, os.WriteFile(a, []byte(want), 0o600))
	require.NoError(t, os.WriteFile(b, []byte(got), 0o600))
	out, _ := exec.Command("diff", "-u", "--label", wantLabel, "--label", gotLabel, a, b).CombinedOutput() // exit 1: they differ
	return string(out)
}
