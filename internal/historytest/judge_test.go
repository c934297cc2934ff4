package historytest

import (
	"fmt"
	"os"
	"strings"
)

// judge is what decides where a database stands: the exact states of a shadow database (steady's
// default; it creates the shadow through PgBouncer, whose test configuration has a wildcard
// database entry), or the model derived from the SQL text (--shadow off).
type judge struct {
	test, summary string
	args          []string
}

var (
	shadowJudge  = judge{test: "Shadow", summary: "shadow"}
	derivedJudge = judge{test: "Derived", summary: "derived", args: []string{"--shadow", "off"}}
)

// judgesEnv chooses the judges of each case: "sample" (the default: the shadow in every case,
// the derived model in the no-history case only), "all", "shadow" or "derived".
const judgesEnv = "STEADY_HISTORY_JUDGES"

func judgesSetting() string { return os.Getenv(judgesEnv) }

// judgesFor returns the judges case c is tried with.
func judgesFor(c historyCase, setting string) ([]judge, error) {
	switch strings.TrimSpace(setting) {
	case "", "sample":
		if !c.table {
			return []judge{shadowJudge, derivedJudge}, nil
		}
		return []judge{shadowJudge}, nil
	case "all":
		return []judge{shadowJudge, derivedJudge}, nil
	case "shadow":
		return []judge{shadowJudge}, nil
	case "derived":
		return []judge{derivedJudge}, nil
	}
	return nil, fmt.Errorf("%s=%q: want sample, all, shadow or derived", judgesEnv, setting)
}

// args is what steady is told besides the command: the directory, the format when it is given
// rather than detected, the judge (with the platform's setup for a shadow) and the sweep's
// extra arguments.
func (h *history) steadyArgs(j judge) []string {
	args := []string{"--migrations-dir", h.dir}
	if h.declared {
		args = append(args, "--migrations-format", string(h.format))
	}
	if h.setup != "" && j.args == nil {
		args = append(args, "--shadow-setup", h.setup)
	}
	return append(append(args, j.args...), h.args...)
}
