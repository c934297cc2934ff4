package redact_test

import (
	"bytes"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/redact"
)

func TestURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"postgres://app:s3cret@db.example.com:5432/prod?sslmode=require": "postgres://app:***@db.example.com:5432/prod?sslmode=require",
		"postgresql://app@localhost/db":                                  "postgresql://app@localhost/db",
		"postgres://localhost/db?password=hunter2":                       "postgres://localhost/db?password=***",
		"host=db user=app password=hunter2 dbname=x":                     "host=db user=app password=*** dbname=x",
		"postgres://app:p%40ss@h/db":                                     "postgres://app:***@h/db",
	} {
		require.Equal(t, want, redact.URL(in), in)
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	redact.Register("registered-secret-42")
	got := redact.Text(`cannot parse "postgres://u:pw1@h:1/d": registered-secret-42 password='a b'`)
	require.NotContains(t, got, "pw1")
	require.NotContains(t, got, "registered-secret-42")
	require.NotContains(t, got, "a b")
	require.Contains(t, got, "postgres://u:***@h:1/d")
}

func TestPasswordOf(t *testing.T) {
	t.Parallel()
	require.Equal(t, "pw", redact.PasswordOf("postgres://u:pw@h/d"))
	require.Equal(t, "pw", redact.PasswordOf("postgres://u@h/d?password=pw"))
	require.Equal(t, "pw", redact.PasswordOf("host=h password=pw"))
	require.Equal(t, "", redact.PasswordOf("postgres://u@h/d"))
}

func TestReplaceAttrScrubsLogs(t *testing.T) {
	t.Parallel()
	redact.Register("log-secret-7")
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{ReplaceAttr: redact.ReplaceAttr}))
	log.Info("connect", "url", "postgres://u:pw2@h/d", "err", errors.New("bad log-secret-7"))
	require.NotContains(t, buf.String(), "pw2")
	require.NotContains(t, buf.String(), "log-secret-7")
}
