package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/redact"
)

// flags binds each flag to its environment variable: flag > env > default.
type flags struct {
	fs  *flag.FlagSet
	err error // the first environment variable that did not parse
}

func newFlags(name string, out io.Writer) *flags {
	fs := flag.NewFlagSet("steady "+name, flag.ContinueOnError)
	fs.SetOutput(out)
	return &flags{fs: fs}
}

func (f *flags) describe(usage, env string) string {
	if env == "" {
		return usage
	}
	return usage + " [" + env + "]"
}

func (f *flags) string(p *string, name, env, def, usage string) {
	v := def
	if s, ok := os.LookupEnv(env); ok && env != "" && s != "" {
		v = s
	}
	f.fs.StringVar(p, name, v, f.describe(usage, env))
}

func (f *flags) bool(p *bool, name, env string, def bool, usage string) {
	v := def
	if s, ok := os.LookupEnv(env); ok && env != "" && s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil && f.err == nil {
			f.err = fmt.Errorf("%s=%q: want true or false", env, s)
		}
		v = b
	}
	f.fs.BoolVar(p, name, v, f.describe(usage, env))
}

// count is an integer setting within [lo, hi]; out of range or not a number is a usage error
// naming the flag or variable.
func (f *flags) count(p *int, name, env string, def, lo, hi int, usage string) {
	v := def
	if s, ok := os.LookupEnv(env); ok && env != "" && s != "" {
		n, err := strconv.Atoi(s)
		if (err != nil || n < lo || n > hi) && f.err == nil {
			f.err = fmt.Errorf("%s=%q: want a whole number from %d to %d", env, s, lo, hi)
		}
		v = n
	}
	f.fs.Func(name, f.describe(usage, env)+fmt.Sprintf(" (%d to %d, default %d)", lo, hi, def), func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("want a whole number from %d to %d", lo, hi)
		}
		*p = n
		return nil
	})
	*p = v
}

func (f *flags) duration(p *time.Duration, name, env string, def time.Duration, usage string) {
	v := def
	if s, ok := os.LookupEnv(env); ok && env != "" && s != "" {
		d, err := time.ParseDuration(s)
		if err != nil && f.err == nil {
			f.err = fmt.Errorf("%s=%q: want a duration such as 5s", env, s)
		}
		v = d
	}
	f.fs.DurationVar(p, name, v, f.describe(usage, env))
}

// dbFlags registers the connection settings.
func dbFlags(f *flags) *dbconn.Config {
	c := &dbconn.Config{}
	f.string(&c.DirectURL, "direct-url", "DATABASE_URL_DIRECT", "", "direct PostgreSQL URL, tried once for migrations")
	f.string(&c.PoolerURL, "pooler-url", "DATABASE_URL_POOLER", "", "pooler (PgBouncer, Supavisor) URL; index builds, backfills and River always use it")
	f.string(&c.DatabaseURL, "database-url", "DATABASE_URL", "", "URL for any role whose own URL is unset")
	f.duration(&c.DirectTimeout, "direct-timeout", "STEADY_DIRECT_TIMEOUT", dbconn.DefaultDirectTimeout, "how long the one DIRECT probe may take")
	f.string(&c.PoolerMode, "pooler-mode", "STEADY_POOLER_MODE", "auto", "how the POOLER shares server connections: auto (detected; transaction unless shown to be direct), transaction or session")
	f.string(&c.Schema, "schema", "STEADY_SCHEMA", "public", "schema of steady's own tables and River's (made when missing); other tools' history tables stay where they are")
	return c
}

// logSetup holds the log settings and, once built, the logger.
type logSetup struct {
	format, level string
	logger        *slog.Logger
}

func logFlags(f *flags) *logSetup {
	l := &logSetup{}
	f.string(&l.format, "log-format", "STEADY_LOG_FORMAT", "", "text or json (default: text on a terminal, json otherwise)")
	f.string(&l.level, "log-level", "STEADY_LOG_LEVEL", "info", "debug, info, warn or error")
	return l
}

func (l *logSetup) build(w io.Writer) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(l.level)); err != nil {
		return fmt.Errorf("--log-level / STEADY_LOG_LEVEL=%q: want debug, info, warn or error", l.level)
	}
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: redact.ReplaceAttr}
	format := l.format
	if format == "" {
		format = "json"
		if isTerminal(w) {
			format = "text"
		}
	}
	switch strings.ToLower(format) {
	case "text":
		l.logger = slog.New(slog.NewTextHandler(w, opts))
	case "json":
		l.logger = slog.New(slog.NewJSONHandler(w, opts))
	default:
		return fmt.Errorf("--log-format / STEADY_LOG_FORMAT=%q: want text or json", l.format)
	}
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
