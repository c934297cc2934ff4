package httpauth_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/steadydb/steady/internal/httpauth"
)

// A worker listening on every interface must be given credentials; with them, /metrics answers
// only to requests that present one.
func ExampleNewGuard() {
	_, err := httpauth.NewGuard("0.0.0.0:8080", httpauth.Credentials{})
	fmt.Println(err != nil)

	g, _ := httpauth.NewGuard("0.0.0.0:8080", httpauth.Credentials{Token: "example-token"})
	metrics := g.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "metrics") }))

	anonymous := httptest.NewRecorder()
	metrics.ServeHTTP(anonymous, httptest.NewRequest("GET", "/metrics", nil))
	fmt.Println(anonymous.Code, anonymous.Header().Get("WWW-Authenticate"))

	scraper := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Authorization", "Bearer example-token")
	metrics.ServeHTTP(scraper, req)
	fmt.Println(scraper.Code, scraper.Body.String())
	// Output:
	// true
	// 401 Bearer realm="steady"
	// 200 metrics
}
