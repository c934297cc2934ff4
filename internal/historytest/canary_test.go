package historytest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// canaryStep is one data statement of a history: the migration's version as the history writes
// it, and the statement's label, unique within the migration.
type canaryStep struct{ migration, step string }

// canaryCounts is how many times each data statement ran over the database's life.
func canaryCounts(ctx context.Context, directURL string) (map[canaryStep]int, error) {
	conn, err := pgx.Connect(ctx, directURL)
	if err != nil {
		return nil, fmt.Errorf("count canaries: %w", err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT migration, step, count(*) FROM canary GROUP BY 1, 2")
	if err != nil {
		return nil, fmt.Errorf("count canaries: %w", err)
	}
	counts := map[canaryStep]int{}
	for rows.Next() {
		var s canaryStep
		var n int
		if err := rows.Scan(&s.migration, &s.step, &n); err != nil {
			return nil, fmt.Errorf("count canaries: %w", err)
		}
		counts[s] = n
	}
	return counts, rows.Err()
}

// canaryMismatch describes, one line per statement, every data statement of want that did not
// run exactly once and every one that want does not know; "" when there is none.
func canaryMismatch(want map[canaryStep]bool, got map[canaryStep]int) string {
	var lines []string
	for s := range want {
		if got[s] != 1 {
			lines = append(lines, fmt.Sprintf("migration %s step %q ran %d times", s.migration, s.step, got[s]))
		}
	}
	for s, n := range got {
		if !want[s] {
			lines = append(lines, fmt.Sprintf("migration %s step %q is not in the history's Up sections and ran %d times", s.migration, s.step, n))
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// onceEach is the steps of a reference database, each of which must have run exactly once.
func onceEach(t *testing.T, counts map[canaryStep]int) map[canaryStep]bool {
	t.Helper()
	want := map[canaryStep]bool{}
	var twice []string
	for _, s := range slices.SortedFunc(maps.Keys(counts), func(a, b canaryStep) int {
		return strings.Compare(a.migration+"\x00"+a.step, b.migration+"\x00"+b.step)
	}) {
		want[s] = true
		if counts[s] != 1 {
			twice = append(twice, fmt.Sprintf("%s %q: %d", s.migration, s.step, counts[s]))
		}
	}
	if len(twice) > 0 {
		t.Fatalf("the history's own canary labels are not unique (psql ran each file once):\n%s", strings.Join(twice, "\n"))
	}
	return want
}
