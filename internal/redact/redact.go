// Package redact keeps secrets out of everything steady prints. URL shows a connection URL with
// its password masked; Text scrubs free text (error messages, log values) of URL passwords,
// password=… pairs and every secret registered with Register. ReplaceAttr applies Text to every
// string and error a slog handler is about to write, so a secret that slips into a log call is
// still masked.
package redact

import (
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// Mask replaces a secret.
const Mask = "***"

var (
	mu      sync.RWMutex
	secrets []string
)

// Register adds secrets (passwords of configured URLs, tokens) that Text removes wherever they
// appear. Empty strings are ignored.
func Register(ss ...string) {
	mu.Lock()
	defer mu.Unlock()
	for _, s := range ss {
		if s != "" && s != Mask {
			secrets = append(secrets, s)
		}
	}
}

// PasswordOf returns the password of a URL or key=value DSN, "" when it has none.
func PasswordOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok {
			return p
		}
		if p := u.Query().Get("password"); p != "" {
			return p
		}
	}
	if m := kvPassword.FindStringSubmatch(raw); m != nil {
		return strings.Trim(m[2], "'")
	}
	return ""
}

// URL returns raw with its password masked: postgres://user:***@host:port/db. A value that does
// not parse as a URL is scrubbed as Text.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return Text(raw)
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), Mask)
		}
	}
	q := u.Query()
	for k := range q {
		if isSecretParam(k) {
			q.Set(k, Mask)
		}
	}
	u.RawQuery = q.Encode()
	// url.UserPassword escapes the mask; show it plainly.
	return strings.Replace(u.String(), "%2A%2A%2A", Mask, -1)
}

var (
	urlPassword = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)([^@\s]*)(@)`)
	kvPassword  = regexp.MustCompile(`(?i)\b(password|passwd|sslpassword|token|secret)\s*=\s*('(?:[^'\\]|\\.)*'|[^\s&]+)`)
)

// Text scrubs s of URL passwords, password=… pairs and registered secrets.
func Text(s string) string {
	s = urlPassword.ReplaceAllString(s, "${1}"+Mask+"${3}")
	s = kvPassword.ReplaceAllString(s, "${1}="+Mask)
	mu.RLock()
	defer mu.RUnlock()
	for _, sec := range secrets {
		s = strings.ReplaceAll(s, sec, Mask)
	}
	return s
}

// Error returns err's message scrubbed by Text ("" for nil).
func Error(err error) string {
	if err == nil {
		return ""
	}
	return Text(err.Error())
}

// ReplaceAttr is a slog.HandlerOptions.ReplaceAttr that scrubs every string and error value.
func ReplaceAttr(_ []string, a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(Text(a.Value.String()))
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok {
			a.Value = slog.StringValue(Error(err))
		}
	}
	return a
}

func isSecretParam(k string) bool {
	switch strings.ToLower(k) {
	case "password", "sslpassword", "token", "secret":
		return true
	}
	return false
}
