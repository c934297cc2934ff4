package catalog_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestMain skips the whole package when no test database answers, as dbtest skips a test:
// ExampleRead needs the database too and, being an example, cannot skip itself. Under
// CI=true nothing is skipped.
func TestMain(m *testing.M) {
	if err := probe(os.Getenv("TEST_DATABASE_URL_DIRECT")); err != nil && os.Getenv("CI") != "true" {
		fmt.Printf("catalog: skipped: test database unavailable (run make test): %v\n", err)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func probe(url string) error {
	if url == "" {
		return fmt.Errorf("TEST_DATABASE_URL_DIRECT is not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}
