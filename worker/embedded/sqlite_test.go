package embedded

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSQLConfig(t *testing.T) {
	c := sqlConfig("/d/temporal.db", 0, "")
	require.Equal(t, 1, c.MaxConns, "one writer connection per file by default")
	require.Equal(t, "wal", c.ConnectAttributes["journal_mode"])
	require.Equal(t, "full", c.ConnectAttributes["synchronous"])
	require.NotEmpty(t, c.ConnectAttributes["busy_timeout"])
	c = sqlConfig("/d/temporal.db", 4, "normal")
	require.Equal(t, 4, c.MaxConns)
	require.Equal(t, "normal", c.ConnectAttributes["synchronous"])
}

// The schema is built aside and renamed: a leftover from a crash mid-way is
// replaced, and an existing database is never touched.
func TestEnsureSchemaIsAtomic(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, DBFile)
	require.NoError(t, os.WriteFile(db+".creating", []byte("half a schema"), 0o600))
	require.NoError(t, ensureSchema(sqlConfig(db, 1, ""), db))
	_, err := os.Stat(db + ".creating")
	require.True(t, os.IsNotExist(err))
	st, err := os.Stat(db)
	require.NoError(t, err)
	require.Positive(t, st.Size())

	before, err := os.ReadFile(db)
	require.NoError(t, err)
	require.NoError(t, ensureSchema(sqlConfig(db, 1, ""), db))
	after, err := os.ReadFile(db)
	require.NoError(t, err)
	require.Equal(t, before, after)
	require.NoError(t, checkpoint(db))
}

func TestListenAddress(t *testing.T) {
	cases := []struct {
		in, host string
		port     int
		err      string
	}{
		{"127.0.0.1:7233", "127.0.0.1", 7233, ""},
		{":7233", "0.0.0.0", 7233, ""},
		{"7233", "", 0, "missing port"},
		{"h:0", "", 0, "port must be 1-65535"},
		{"h:x", "", 0, "port must be 1-65535"},
	}
	for _, tc := range cases {
		host, port, err := splitHostPort(tc.in)
		if tc.err != "" {
			require.ErrorContains(t, err, tc.err, tc.in)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, tc.host, host)
		require.Equal(t, tc.port, port)
	}
	require.Equal(t, "127.0.0.1", dialHost("0.0.0.0"))
	require.Equal(t, "10.1.2.3", dialHost("10.1.2.3"))
}
