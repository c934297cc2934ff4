package backfills_test

import (
	"errors"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/backfills"
)

const goodFile = `-- backfill: leads_status_fix
-- description: leads.status 'new' where a bug wrote ''
--   (the importer of last week)
-- key: id
-- slices: 4

-- The batch.
UPDATE leads SET status = 'new'
WHERE id > :from AND id <= :to AND status = '';

-- What is left.
SELECT id FROM leads WHERE id > :from AND id <= :to AND status = '';
`

func TestParseFile(t *testing.T) {
	t.Parallel()

	t.Run("HeaderAndStatements", func(t *testing.T) {
		t.Parallel()
		b, err := backfills.ParseFile("fix.sql", []byte(goodFile))
		require.NoError(t, err)
		require.Equal(t, "leads_status_fix", b.Name)
		require.Equal(t, "leads.status 'new' where a bug wrote '' (the importer of last week)", b.Description)
		require.Equal(t, "leads", b.Table, "the UPDATE's table by default")
		require.Equal(t, "leads", b.KeyRelation())
		require.Equal(t, "id", b.Key)
		require.Equal(t, 4, b.Slices)
		require.Equal(t, "UPDATE leads SET status = 'new'\nWHERE id > $1 AND id <= $2 AND status = ''", b.Update)
		require.Equal(t, "SELECT id FROM leads WHERE id > $1 AND id <= $2 AND status = ''", b.Pending)
		require.Equal(t, 8, b.Line)
		require.Equal(t, 4, b.KeyLine)
		require.Equal(t, goodFile, b.Source)
		require.Len(t, b.Checksum(), 64)
	})

	t.Run("NameFromTheFileAndNoSelect", func(t *testing.T) {
		t.Parallel()
		b, err := backfills.ParseFile("dir/Tenant-42-fix.sql", []byte("-- key: id\nDELETE FROM leads WHERE :from < id AND :to >= id AND business_id = 42;\n"))
		require.NoError(t, err)
		require.Equal(t, "tenant_42_fix", b.Name)
		require.Empty(t, b.Pending, "the SELECT is optional")
		require.Equal(t, "DELETE FROM leads WHERE $1 < id AND $2 >= id AND business_id = 42", b.Update)
	})

	t.Run("KeyTableByAlias", func(t *testing.T) {
		t.Parallel()
		b, err := backfills.ParseFile("messages.sql", []byte(`-- key: id
-- key-table: broadcast_recipients
UPDATE messages AS m SET delivered_at = r.delivered_at
FROM broadcast_recipients AS r
WHERE r.id > :from AND r.id <= :to AND m.id = r.message_id AND m.delivered_at IS NULL;
`))
		require.NoError(t, err)
		require.Equal(t, "messages", b.Table)
		require.Equal(t, "broadcast_recipients", b.KeyRelation())
	})

	t.Run("StringsAndCastsAreNotVariables", func(t *testing.T) {
		t.Parallel()
		b, err := backfills.ParseFile("strings.sql", []byte("-- key: id\nUPDATE leads SET status = ':from'::text WHERE id > :from AND id <= :to AND status = $$:to$$;\n"))
		require.NoError(t, err)
		require.Equal(t, "UPDATE leads SET status = ':from'::text WHERE id > $1 AND id <= $2 AND status = $$:to$$", b.Update)
	})

	// Each bad file is an error naming the file and the line at fault.
	for _, c := range []struct {
		name, src string
		line      int
		msg       string
	}{
		{"NoKey", "UPDATE leads SET status = 'x' WHERE id > :from AND id <= :to;", 0, `no key: add a header line "-- key: COLUMN"`},
		{"UnknownField", "-- key: id\n-- shedule: @daily\nUPDATE leads SET status = 'x' WHERE id > :from AND id <= :to;", 2, `unknown header field "shedule"`},
		{"FieldTwice", "-- key: id\n-- key: id\nUPDATE leads SET status = 'x' WHERE id > :from AND id <= :to;", 2, `header field "key" given twice`},
		{"BadName", "-- backfill: Fix-It\n-- key: id\nUPDATE leads SET status = 'x' WHERE id > :from AND id <= :to;", 1, `backfill name "Fix-It": want lower_snake`},
		{"BadSchedule", "-- key: id\n-- schedule: every night\nUPDATE leads SET status = 'x' WHERE id > :from AND id <= :to;", 2, `schedule "every night"`},
		{"BadSlices", "-- key: id\n-- slices: 0\nUPDATE leads SET status = 'x' WHERE id > :from AND id <= :to;", 2, `slices "0": want a whole number from 1 to 1024`},
		{"DoesNotParse", "-- key: id\n\nUPDATE leads SET status = 'x'\nWHERE id > :from AND AND id <= :to;", 4, "does not parse: syntax error"},
		{"WithoutTheKeyRange", "-- key: id\n\nUPDATE leads SET status = 'x'\nWHERE status = '';", 3, "UPDATE without the key range: its WHERE must hold id > :from AND id <= :to"},
		{"RangeOnAnotherColumn", "-- key: id\nUPDATE leads SET status = 'x' WHERE business_id > :from AND business_id <= :to;", 2, "UPDATE without the key range"},
		{"RangeOnlyInASubquery", "-- key: id\nUPDATE leads SET status = 'x' WHERE id IN (SELECT id FROM leads WHERE id > :from AND id <= :to);", 2, "UPDATE without the key range"},
		{"RangeUnderOr", "-- key: id\nUPDATE leads SET status = 'x' WHERE id > :from OR id <= :to;", 2, "UPDATE without the key range"},
		{"InclusiveFrom", "-- key: id\nUPDATE leads SET status = 'x' WHERE id >= :from AND id <= :to;", 2, "UPDATE without the key range"},
		{"SelectWithoutTheRange", "-- key: id\nUPDATE leads SET status = 'x' WHERE id > :from AND id <= :to;\nSELECT id FROM leads;", 3, "SELECT without the key range"},
		{"Parameters", "-- key: id\nUPDATE leads SET status = 'x' WHERE id > $1 AND id <= $2;", 2, "$1: write the psql variables :from and :to instead of parameters"},
		{"NoBatch", "-- key: id\nSELECT id FROM leads WHERE id > :from AND id <= :to;", 0, "no UPDATE or DELETE"},
		{"TwoBatches", "-- key: id\nUPDATE leads SET status = 'x' WHERE id > :from AND id <= :to;\n\nUPDATE leads SET status = 'y' WHERE id > :from AND id <= :to;", 4, "a second UPDATE or DELETE"},
		{"OtherStatement", "-- key: id\nUPDATE leads SET status = 'x' WHERE id > :from AND id <= :to;\nCREATE TABLE x (id int);", 3, "Create statement: a backfill file holds one UPDATE"},
		{"TransactionStatements", "-- key: id\nBEGIN;\nUPDATE leads SET status = 'x' WHERE id > :from AND id <= :to;\nCOMMIT;", 2, "Transaction statement"},
		{"TableMismatch", "-- key: id\n-- table: threads\nUPDATE leads SET status = 'x' WHERE id > :from AND id <= :to;", 2, "table threads, but the UPDATE on line 3 changes leads"},
		{"KeyTableNotRead", "-- key: id\n-- key-table: threads\nUPDATE leads SET status = 'x' WHERE id > :from AND id <= :to;", 2, "key-table threads is not a table the UPDATE on line 3 reads"},
	} {
		t.Run("Refuses"+c.name, func(t *testing.T) {
			t.Parallel()
			_, err := backfills.ParseFile("fix.sql", []byte(c.src))
			var fe *backfills.FileError
			require.True(t, errors.As(err, &fe), "%v", err)
			require.Equal(t, "fix.sql", fe.File)
			require.Equal(t, c.line, fe.Line, fe.Error())
			require.Contains(t, fe.Message, c.msg)
		})
	}
}

func TestLoadDir(t *testing.T) {
	t.Parallel()
	ok := "-- key: id\nUPDATE leads SET status = 'x' WHERE id > :from AND id <= :to;\n"
	t.Run("NameOrder", func(t *testing.T) {
		t.Parallel()
		c, err := backfills.LoadDir(fstest.MapFS{"b_fix.sql": {Data: []byte(ok)}, "a_fix.sql": {Data: []byte(ok)}, "notes.txt": {Data: []byte("x")}}, "dir")
		require.NoError(t, err)
		require.Equal(t, []string{"a_fix", "b_fix"}, c.Names())
		require.Equal(t, "dir/a_fix.sql", c[0].File)
	})
	t.Run("EveryBadFileAndDuplicateNames", func(t *testing.T) {
		t.Parallel()
		_, err := backfills.LoadDir(fstest.MapFS{
			"a_fix.sql": {Data: []byte(ok)},
			"b_fix.sql": {Data: []byte("-- backfill: a_fix\n" + ok)},
			"c_fix.sql": {Data: []byte("UPDATE leads SET x = 1;")},
		}, "dir")
		require.ErrorContains(t, err, "dir/b_fix.sql: backfill a_fix is also defined in dir/a_fix.sql")
		require.ErrorContains(t, err, "dir/c_fix.sql: no key")
	})
}
