package historytest

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// prefixesEnv chooses the prefixes the sweep tries: "sample" (the default), "all", or a list
// such as "0,7,12,n" (n: the whole history; with -run naming a history, a case and a judge, to
// look at one database).
const prefixesEnv = "STEADY_HISTORY_PREFIXES"

// prefixes returns the k (files 1..k applied) to try for h in case c with judge j, in order.
// The default sample spends its databases where the catalog alone must tell the prefix: the
// no-history case judged by the shadow tries every point of samplePrefixes; the other cases and
// the derived model try the few points of casePrefixes.
func prefixes(h *history, c historyCase, j judge, setting string) ([]int, error) {
	n := len(h.files)
	switch strings.TrimSpace(setting) {
	case "", "sample":
		if c.table || j.summary != shadowJudge.summary {
			return casePrefixes(h, c), nil
		}
		return samplePrefixes(h), nil
	case "all":
		ks := make([]int, n+1)
		for k := range ks {
			ks[k] = k
		}
		return ks, nil
	}
	// A list names prefixes of any history: those past this one's end are not its.
	var ks []int
	for part := range strings.SplitSeq(setting, ",") {
		part = strings.TrimSpace(part)
		if part == "n" {
			ks = append(ks, n)
			continue
		}
		k, err := strconv.Atoi(part)
		if err != nil || k < 0 {
			return nil, fmt.Errorf("%s=%q: want sample, all, or prefixes (0 and up, n for the end) separated by commas", prefixesEnv, setting)
		}
		if k <= n {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return slices.Compact(ks), nil
}

func prefixesSetting() string { return os.Getenv(prefixesEnv) }

// samplePrefixes is the fixed sample `make test` tries, chosen from the files alone:
//   - 0, 1, 2: a fresh database, the canary table alone, the first data;
//   - n/3, n/2, 2n/3, n-1, n: spread over the history, and the end (nothing to do);
//   - right after the first and the last data-only file: the catalog cannot show whether it ran,
//     only a history table or a later migration can;
//   - right after the first and the last file that drops a table or a column or renames
//     something: earlier effects are gone from the catalog.
func samplePrefixes(h *history) []int {
	n := len(h.files)
	ks := []int{0, 1, 2, n / 3, n / 2, 2 * n / 3, n - 1, n}
	firstLast := func(match func(migrationFile) bool) {
		if i := slices.IndexFunc(h.files, match); i >= 0 {
			ks = append(ks, i+1)
		}
		for i := n - 1; i >= 0; i-- {
			if match(h.files[i]) {
				ks = append(ks, i+1)
				break
			}
		}
	}
	firstLast(func(f migrationFile) bool { return f.dataOnly })
	firstLast(func(f migrationFile) bool { return f.dropOrRename })
	return sorted(ks, n)
}

// casePrefixes is the smaller fixed sample of the cases besides the shadow's no-history one,
// three points each, none that another case already tries the same way:
//   - the tool's table: empty on a fresh database (what the first migration of a history that
//     replaces the tool's own reads), half the history recorded, and all of it;
//   - the table with a row deleted: an odd prefix (the last applied row lost) and an even one (a
//     middle row lost), a third and two thirds of the way, and one file short of the end;
//   - the derived model without a table: a third, two thirds, and one short of the end (its
//     fresh database is the shadow's: no judge decides there).
func casePrefixes(h *history, c historyCase) []int {
	n := len(h.files)
	switch {
	case c.corrupt:
		return sorted([]int{n/3 | 1, 2 * n / 3 &^ 1, n - 1}, n)
	case c.table:
		return sorted([]int{0, n / 2, n}, n)
	}
	return sorted([]int{n / 3, 2 * n / 3, n - 1}, n)
}

func sorted(ks []int, n int) []int {
	ks = slices.DeleteFunc(ks, func(k int) bool { return k < 0 || k > n })
	slices.Sort(ks)
	return slices.Compact(ks)
}
