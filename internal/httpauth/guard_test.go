package httpauth_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/httpauth"
	"github.com/steadydb/steady/internal/redact"
)

func TestLoopback(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true,
		"127.0.0.2:8080": true,
		"[::1]:8080":     true,
		"localhost:8080": true,
		"LocalHost:0":    true,
		"0.0.0.0:8080":   false,
		":8080":          false,
		"[::]:8080":      false,
		"10.1.2.3:8080":  false,
		"worker:8080":    false, // a name may resolve anywhere
	} {
		got, err := httpauth.Loopback(addr)
		require.NoError(t, err, addr)
		require.Equal(t, want, got, addr)
	}
	_, err := httpauth.Loopback("8080")
	require.ErrorContains(t, err, `STEADY_HTTP_ADDR="8080"`)
}

func TestNewGuard(t *testing.T) {
	t.Parallel()

	t.Run("ExposedWithoutCredentialsIsRefused", func(t *testing.T) {
		t.Parallel()
		_, err := httpauth.NewGuard("0.0.0.0:8080", httpauth.Credentials{})
		var ee *httpauth.ExposedError
		require.True(t, errors.As(err, &ee))
		require.Contains(t, err.Error(), "STEADY_HTTP_TOKEN")
		require.Contains(t, err.Error(), "STEADY_HTTP_USER and STEADY_HTTP_PASSWORD")
	})

	t.Run("LoopbackWithoutCredentialsIsOpen", func(t *testing.T) {
		t.Parallel()
		g, err := httpauth.NewGuard("127.0.0.1:0", httpauth.Credentials{})
		require.NoError(t, err)
		require.False(t, g.Exposed())
		require.False(t, g.Required())
		require.True(t, g.Allow(httptest.NewRequest("GET", "/metrics", nil)))
	})

	t.Run("ExposedWithTokenOrBasic", func(t *testing.T) {
		t.Parallel()
		for _, c := range []httpauth.Credentials{{Token: "tok-1"}, {User: "ops", Password: "pw-1"}} {
			g, err := httpauth.NewGuard(":8080", c)
			require.NoError(t, err)
			require.True(t, g.Exposed())
			require.True(t, g.Required())
		}
	})

	t.Run("HalfABasicPairIsRefused", func(t *testing.T) {
		t.Parallel()
		_, err := httpauth.NewGuard("127.0.0.1:0", httpauth.Credentials{User: "ops"})
		require.ErrorContains(t, err, "STEADY_HTTP_PASSWORD is empty")
		_, err = httpauth.NewGuard("127.0.0.1:0", httpauth.Credentials{Password: "x"})
		require.ErrorContains(t, err, "STEADY_HTTP_USER is empty")
	})

	t.Run("SecretsAreRedacted", func(t *testing.T) {
		t.Parallel()
		_, err := httpauth.NewGuard("0.0.0.0:1", httpauth.Credentials{User: "ops", Password: "Guard-Pw-5521", Token: "Guard-Tok-7731"})
		require.NoError(t, err)
		require.Equal(t, "a *** b ***", redact.Text("a Guard-Pw-5521 b Guard-Tok-7731"))
	})
}

func TestWrap(t *testing.T) {
	t.Parallel()
	g, err := httpauth.NewGuard("0.0.0.0:8080", httpauth.Credentials{User: "ops", Password: "s3cret", Token: "t0ken"})
	require.NoError(t, err)
	h := g.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	serve := func(set func(*http.Request)) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/metrics", nil)
		set(r)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}

	for name, tc := range map[string]struct {
		set  func(*http.Request)
		want int
	}{
		"NoCredentials":   {func(*http.Request) {}, http.StatusUnauthorized},
		"Basic":           {func(r *http.Request) { r.SetBasicAuth("ops", "s3cret") }, http.StatusTeapot},
		"BasicWrongPass":  {func(r *http.Request) { r.SetBasicAuth("ops", "s3cre") }, http.StatusUnauthorized},
		"BasicWrongUser":  {func(r *http.Request) { r.SetBasicAuth("op", "s3cret") }, http.StatusUnauthorized},
		"Bearer":          {func(r *http.Request) { r.Header.Set("Authorization", "Bearer t0ken") }, http.StatusTeapot},
		"BearerLowercase": {func(r *http.Request) { r.Header.Set("Authorization", "bearer t0ken") }, http.StatusTeapot},
		"BearerWrong":     {func(r *http.Request) { r.Header.Set("Authorization", "Bearer t0ke") }, http.StatusUnauthorized},
		"TokenAsPassword": {func(r *http.Request) { r.SetBasicAuth("ops", "t0ken") }, http.StatusUnauthorized},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := serve(tc.set)
			require.Equal(t, tc.want, w.Code)
			if tc.want == http.StatusUnauthorized {
				require.Equal(t, []string{`Basic realm="steady", charset="UTF-8"`, `Bearer realm="steady"`}, w.Header().Values("WWW-Authenticate"))
				require.NotContains(t, w.Body.String(), "s3cret")
			}
		})
	}
}
