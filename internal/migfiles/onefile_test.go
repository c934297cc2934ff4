package migfiles

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

// TestLoadFileReadsAsADirectoryOfIt: a file alone loads as the directory holding only it.
func TestLoadFileReadsAsADirectoryOfIt(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"20240101000000_add.sql": "-- +goose Up\n-- +goose NO TRANSACTION\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- +goose Down\nDROP INDEX i;\n",
		"0001_init.sql":          "CREATE TABLE t (a int);\n",
	} {
		got, err := LoadFile(name, []byte(body))
		require.NoError(t, err, name)
		want, err := Load(fstest.MapFS{name: &fstest.MapFile{Data: []byte(body)}})
		require.NoError(t, err, name)
		require.Equal(t, want, got, name)
		require.Len(t, got, 1, name)
	}
	_, err := LoadFile("notes.txt", []byte("hello"))
	_, want := Load(fstest.MapFS{"notes.txt": &fstest.MapFile{Data: []byte("hello")}})
	require.Equal(t, want, err)
}
