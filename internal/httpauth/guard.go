package httpauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/steadydb/steady/internal/redact"
)

// Credentials are what a request to a guarded endpoint must present: basic auth (User and
// Password, both or neither) or a bearer Token.
type Credentials struct {
	User     string
	Password string
	Token    string
}

// Set reports whether any credential is configured.
func (c Credentials) Set() bool { return c.User != "" || c.Password != "" || c.Token != "" }

func (c Credentials) basic() bool { return c.User != "" && c.Password != "" }

// validate rejects half a basic-auth pair: a user with no password would otherwise be an
// account anyone can use.
func (c Credentials) validate() error {
	switch {
	case c.User != "" && c.Password == "":
		return errors.New("STEADY_HTTP_USER is set but STEADY_HTTP_PASSWORD is empty")
	case c.Password != "" && c.User == "":
		return errors.New("STEADY_HTTP_PASSWORD is set but STEADY_HTTP_USER is empty")
	}
	return nil
}

// ExposedError is the refusal to serve guarded endpoints on a non-loopback address without
// credentials.
type ExposedError struct{ Addr string }

func (e *ExposedError) Error() string {
	return fmt.Sprintf("STEADY_HTTP_ADDR=%s is not a loopback address, and /metrics and /river need credentials there: "+
		"set STEADY_HTTP_TOKEN (bearer token), or STEADY_HTTP_USER and STEADY_HTTP_PASSWORD (basic auth), or listen on 127.0.0.1", e.Addr)
}

// Loopback reports whether addr ("host:port") listens on the loopback interface only. An empty
// host, an unspecified address (0.0.0.0, ::) and any host name but localhost are not loopback:
// a name may resolve elsewhere tomorrow.
func Loopback(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("STEADY_HTTP_ADDR=%q: want host:port: %w", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return true, nil
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback(), nil
}

// Guard checks credentials on the endpoints it wraps.
type Guard struct {
	creds   Credentials
	exposed bool
	user    [32]byte // SHA-256 of each secret: equal lengths make the compare constant-time
	pass    [32]byte
	token   [32]byte
}

// NewGuard decides, from the listen address, whether credentials are required, and refuses
// (*ExposedError) when they are required and missing. It registers the password and the token
// with redact.
func NewGuard(addr string, creds Credentials) (*Guard, error) {
	loopback, err := Loopback(addr)
	if err != nil {
		return nil, err
	}
	if err := creds.validate(); err != nil {
		return nil, err
	}
	if !loopback && !creds.Set() {
		return nil, &ExposedError{Addr: addr}
	}
	redact.Register(creds.Password, creds.Token)
	return &Guard{
		creds: creds, exposed: !loopback,
		user: sha256.Sum256([]byte(creds.User)), pass: sha256.Sum256([]byte(creds.Password)),
		token: sha256.Sum256([]byte(creds.Token)),
	}, nil
}

// Exposed reports whether the address is reachable from other hosts.
func (g *Guard) Exposed() bool { return g.exposed }

// Required reports whether requests must present credentials.
func (g *Guard) Required() bool { return g.creds.Set() }

// Schemes names the accepted schemes, for logs ("basic", "bearer", "none").
func (g *Guard) Schemes() string {
	var s []string
	if g.creds.basic() {
		s = append(s, "basic")
	}
	if g.creds.Token != "" {
		s = append(s, "bearer")
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ",")
}

// Allow reports whether r presents valid credentials (always true when none are configured).
func (g *Guard) Allow(r *http.Request) bool {
	if !g.creds.Set() {
		return true
	}
	if g.creds.Token != "" {
		if scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
			if equal(g.token, strings.TrimSpace(tok)) == 1 {
				return true
			}
		}
	}
	if g.creds.basic() {
		if u, p, ok := r.BasicAuth(); ok {
			// Both compared whatever the first gives: no early exit to time.
			return equal(g.user, u)&equal(g.pass, p) == 1
		}
	}
	return false
}

// Wrap answers 401 to requests without valid credentials and passes the others to next.
func (g *Guard) Wrap(next http.Handler) http.Handler {
	if !g.creds.Set() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.Allow(r) {
			next.ServeHTTP(w, r)
			return
		}
		if g.creds.basic() {
			w.Header().Add("WWW-Authenticate", `Basic realm="steady", charset="UTF-8"`)
		}
		if g.creds.Token != "" {
			w.Header().Add("WWW-Authenticate", `Bearer realm="steady"`)
		}
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	})
}

func equal(want [32]byte, got string) int {
	h := sha256.Sum256([]byte(got))
	return subtle.ConstantTimeCompare(want[:], h[:])
}
