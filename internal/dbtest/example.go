package dbtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Main runs a package's tests, skipping the whole package when no test database answers (an
// executable example needs the database and, unlike a test, cannot skip itself). Under
// CI=true nothing is skipped: the examples fail instead. Use it as TestMain.
func Main(m *testing.M, pkg string) {
	if err := probe(os.Getenv("TEST_DATABASE_URL_DIRECT")); err != nil && os.Getenv("CI") != "true" {
		fmt.Printf("%s: skipped: test database unavailable (run make test): %v\n", pkg, err)
		os.Exit(0)
	}
	os.Exit(m.Run())
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
