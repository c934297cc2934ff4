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
// no-history case judged by the shadow tries every point of samplePrefixes; the cases with a
// history table and the derived model try fewerPrefixes.
func prefixes(h *history, c historyCase, j judge, setting string) ([]int, error) {
	n := len(h.files)
	switch strings.TrimSpace(setting) {
	case "", "sample":
		if c.table || j.summary != shadowJudge.summary {
			return fewerPrefixes(h), nil
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

// fewerPrefixes is the smaller fixed sample: a fresh database, a third and two thirds of the
// way, one file short of the end, and the end.
func fewerPrefixes(h *history) []int {
	n := len(h.files)
	return sorted([]int{0, n / 3, 2 * n / 3, n - 1, n}, n)
}

func sorted(ks []int, n int) []int {
	ks = slices.DeleteFunc(ks, func(k int) bool { return k < 0 || k > n })
	slices.Sort(ks)
	return slices.Compact(ks)
}
