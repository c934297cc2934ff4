package catalogfiles_test

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	pg_query "github.com/pganalyze/pg_query_go/v6"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/catalogfiles"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/demodata"
)

func TestBackfillCatalog(t *testing.T) {
	t.Parallel()

	t.Run("NamesAreUniqueAndSnakeCase", func(t *testing.T) {
		t.Parallel()
		require.GreaterOrEqual(t, len(catalogfiles.ShippedBackfills()), 5)
		seen := map[string]bool{}
		for _, b := range catalogfiles.ShippedBackfills() {
			require.Regexp(t, `^[a-z][a-z0-9_]{2,62}$`, b.Name)
			require.False(t, seen[b.Name], "duplicate backfill %s", b.Name)
			seen[b.Name] = true
			require.NotEmpty(t, b.Description, b.Name)
			got, ok := catalogfiles.ShippedBackfills().Lookup(b.Name)
			require.True(t, ok)
			require.Equal(t, b.Name, got.Name)
		}
		_, ok := catalogfiles.ShippedBackfills().Lookup("nope")
		require.False(t, ok)
	})

	t.Run("StatementsParseAndTakeTheKeyRange", func(t *testing.T) {
		t.Parallel()
		for _, b := range catalogfiles.ShippedBackfills() {
			update := parseOne(t, b.Name+" Update", b.Update).GetUpdateStmt()
			require.NotNil(t, update, "%s: Update must be one UPDATE", b.Name)
			require.Equal(t, b.Table, update.GetRelation().GetRelname(), "%s: Update must change Table", b.Name)
			require.NotNil(t, parseOne(t, b.Name+" Pending", b.Pending).GetSelectStmt(), "%s: Pending must be one SELECT", b.Name)
			for _, sql := range []string{b.Update, b.Pending} {
				require.Equal(t, []int{1, 2}, params(t, sql), "%s: the statements take exactly $1 and $2 (the key range)", b.Name)
			}
		}
	})

	t.Run("DefaultSchedulesParse", func(t *testing.T) {
		t.Parallel()
		scheds, err := catalogfiles.ShippedBackfills().ResolveSchedules(catalogfiles.ShippedBackfills().DefaultSpecs())
		require.NoError(t, err)
		require.NotEmpty(t, scheds)
	})

	t.Run("TablesKeysAndStatementsExistOnTheShippedSchema", func(t *testing.T) {
		t.Parallel()
		db := dbtest.NewMigrated(t)
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, db.DirectURL)
		require.NoError(t, err)
		defer conn.Close(ctx)
		for _, b := range catalogfiles.ShippedBackfills() {
			var keyType string
			var unique bool
			err := conn.QueryRow(ctx, `SELECT format_type(a.atttypid, a.atttypmod),
					EXISTS (SELECT FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisunique AND i.indnkeyatts = 1 AND i.indkey[0] = a.attnum)
				FROM pg_attribute a
				WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND NOT a.attisdropped`, b.KeyRelation(), b.Key).Scan(&keyType, &unique)
			require.NoError(t, err, "%s: key %s.%s", b.Name, b.KeyRelation(), b.Key)
			require.Contains(t, []string{"bigint", "integer", "smallint"}, keyType, b.Name)
			require.True(t, unique, "%s: the key must be unique and indexed", b.Name)
			var table *string
			require.NoError(t, conn.QueryRow(ctx, `SELECT to_regclass($1)::text`, b.Table).Scan(&table))
			require.NotNil(t, table, "%s: table %s", b.Name, b.Table)
			// EXPLAIN resolves every table, column, function and type without running anything.
			for _, sql := range []string{b.Update, b.Pending} {
				_, err := conn.Exec(ctx, "EXPLAIN "+sql, int64(0), int64(1))
				require.NoError(t, err, "%s:\n%s", b.Name, sql)
			}
		}
	})
}

// Each shipped file is plain SQL that psql runs for one key range: through PgBouncer, over the
// whole table on demo data, its UPDATE does the work and its SELECT, run by psql after it,
// finds none left.
func TestBackfillFilesRunInPsql(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigrated(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, db.PoolerURL+"&default_query_exec_mode=exec")
	require.NoError(t, err)
	defer pool.Close()
	_, err = demodata.Load(ctx, pool, 1, nil)
	require.NoError(t, err)
	target, password := splitPassword(t, db.PoolerURL)
	for _, b := range catalogfiles.ShippedBackfills() {
		var before int64
		require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM ("+b.Pending+") AS p", int64(-1)<<62, int64(1)<<62).Scan(&before))
		require.Positive(t, before, "%s: demo data gives it work", b.Name)
		cmd := exec.Command("psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-v", "from=-1", "-v", "to=9223372036854775807",
			"-d", target, "-f", filepath.Join("..", "..", b.File))
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "PGPASSWORD=" + password}
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s: %s", b.Name, out)
		require.Empty(t, strings.TrimSpace(string(out)), "%s: the SELECT after the UPDATE finds nothing left", b.Name)
	}
}

func splitPassword(t *testing.T, rawURL string) (target, password string) {
	t.Helper()
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	if u.User != nil {
		password, _ = u.User.Password()
		u.User = url.User(u.User.Username())
	}
	return u.String(), password
}

func parseOne(t *testing.T, what, sql string) *pg_query.Node {
	t.Helper()
	tree, err := pg_query.Parse(sql)
	require.NoError(t, err, what)
	require.Len(t, tree.Stmts, 1, what)
	return tree.Stmts[0].Stmt
}

var paramRE = regexp.MustCompile(`"ParamRef":\{"number":(\d+)`)

// params lists the distinct parameter numbers a statement uses.
func params(t *testing.T, sql string) []int {
	t.Helper()
	js, err := pg_query.ParseToJSON(sql)
	require.NoError(t, err)
	var out []int
	for _, m := range paramRE.FindAllStringSubmatch(js, -1) {
		n, _ := strconv.Atoi(m[1])
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}
