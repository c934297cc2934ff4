package dbtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Main runs a package's tests, skipping the whole package when no test database answers (an
// executable example needs the database and, unlike a test, cannot skip itself). Under
// CI=true it fails at once instead, saying why. Use it as TestMain.
func Main(m *testing.M, pkg string) {
	RequireDatabase(pkg)
	os.Exit(m.Run())
}

// RequireDatabase starts the TestMain of a package whose examples need the test database: when
// TEST_DATABASE_URL_DIRECT is unset or does not answer, it exits 0 saying the package was
// skipped, or, under CI=true, exits 1 saying why (rather than let each example fail on its
// output). It returns when the database answers.
func RequireDatabase(pkg string) {
	err := probe(os.Getenv("TEST_DATABASE_URL_DIRECT"))
	switch {
	case err == nil:
		return
	case os.Getenv("CI") == "true":
		fmt.Fprintf(os.Stderr, "%s: test database unavailable under CI=true: %v\n", pkg, err)
		os.Exit(1)
	}
	fmt.Printf("%s: skipped: test database unavailable (run make test): %v\n", pkg, err)
	os.Exit(0)
}

// ForExample creates an empty database for an executable example and returns its direct URL
// and a function that drops it.
func ForExample(ctx context.Context) (string, func(), error) {
	direct := os.Getenv("TEST_DATABASE_URL_DIRECT")
	if direct == "" {
		return "", nil, errors.New("TEST_DATABASE_URL_DIRECT is not set (run make test)")
	}
	admin, err := pgx.Connect(ctx, withDB(direct, "postgres"))
	if err != nil {
		return "", nil, err
	}
	name := "example_" + randomHex(8)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		admin.Close(ctx)
		return "", nil, err
	}
	return withDB(direct, name), func() {
		_, _ = admin.Exec(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		admin.Close(ctx)
	}, nil
}

func probe(url string) error {
	if url == "" {
		return errors.New("TEST_DATABASE_URL_DIRECT is not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}
