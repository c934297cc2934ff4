package dbtest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Main runs a package's tests. With -short, or when no test database answers (outside CI),
// only its tests run, not its executable examples, which need the database and, unlike a
// test, cannot skip themselves; the tests that need the database skip (Env). Under CI=true a
// missing database fails at once instead, saying why. Use it as TestMain.
func Main(m *testing.M, pkg string) {
	RequireDatabase(pkg)
	os.Exit(m.Run())
}

// RequireDatabase starts the TestMain of a package whose examples need the test database. With
// -short, or when TEST_DATABASE_URL_DIRECT is unset or does not answer outside CI, it leaves
// the examples out (the package's unit tests still run; those that need the database skip),
// saying so; under CI=true without a database it exits 1 saying why (rather than let each
// example fail on its output).
func RequireDatabase(pkg string) {
	flag.Parse()
	if testing.Short() {
		onlyTests(pkg, "-short")
		return
	}
	err := probe(os.Getenv("TEST_DATABASE_URL_DIRECT"))
	switch {
	case err == nil:
		return
	case os.Getenv("CI") == "true":
		fmt.Fprintf(os.Stderr, "%s: test database unavailable under CI=true: %v\n", pkg, err)
		os.Exit(1)
	}
	onlyTests(pkg, fmt.Sprintf("test database unavailable (run make test): %v", err))
}

// onlyTests leaves the executable examples out of the run. When -run chose what runs, an
// example may be among it: then the whole package is skipped.
func onlyTests(pkg, why string) {
	if f := flag.Lookup("test.run"); f != nil && f.Value.String() == "" {
		_ = f.Value.Set("^Test")
		fmt.Printf("%s: examples skipped, and the tests that need the database: %s\n", pkg, why)
		return
	}
	fmt.Printf("%s: skipped: %s\n", pkg, why)
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

// ExampleDB creates an empty database for an executable example, reachable directly and
// through PgBouncer, and returns it with a function that drops it.
func ExampleDB(ctx context.Context) (*DB, func(), error) {
	pooler := os.Getenv("TEST_DATABASE_URL_POOLER")
	if pooler == "" {
		return nil, nil, errors.New("TEST_DATABASE_URL_POOLER is not set (run make test)")
	}
	directURL, drop, err := ForExample(ctx)
	if err != nil {
		return nil, nil, err
	}
	u, err := url.Parse(directURL)
	if err != nil {
		drop()
		return nil, nil, err
	}
	name := strings.TrimPrefix(u.Path, "/")
	return &DB{Name: name, DirectURL: directURL, PoolerURL: withDB(pooler, name)}, drop, nil
}
