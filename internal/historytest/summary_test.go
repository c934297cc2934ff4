package historytest

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// tally counts the prefixes of one history, case and judge, and keeps why each prefix that did
// not converge did not, for the summary lines:
//
//	history shop (golang-migrate), case tool-history, judge shadow: converged 39 of 39 prefixes
//	    prefix 12 (after 012_x.up.sql): steady exit 1: …
type tally struct {
	h *history
	c historyCase
	j judge

	mu                           sync.Mutex
	tried, converged, unknowable int
	reasons                      map[int]string
	fellBack                     map[int]string
}

func newTally(h *history, c historyCase, j judge) *tally {
	return &tally{h: h, c: c, j: j, reasons: map[int]string{}, fellBack: map[int]string{}}
}

// record is one prefix's outcome.
func (y *tally) record(k int, unknowable bool, o outcome) {
	y.mu.Lock()
	defer y.mu.Unlock()
	y.tried++
	if o.fellBack != "" {
		y.fellBack[k] = o.fellBack
	}
	switch {
	case o.reason != "":
		y.reasons[k] = o.reason
	case unknowable:
		y.unknowable++
	default:
		y.converged++
	}
}

// log writes the summary line and one line per prefix that did not converge.
func (y *tally) log(t *testing.T) {
	y.mu.Lock()
	defer y.mu.Unlock()
	note := ""
	if y.unknowable > 0 {
		note = fmt.Sprintf("; %d more end in a data-only file nothing records, which steady runs again as its rules say (checked)", y.unknowable)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "history %s (%s), case %s, judge %s: converged %d of %d prefixes%s",
		y.h.name, y.h.format, y.c.summary, y.j.summary, y.converged, y.tried-y.unknowable, note)
	if ks := slices.Sorted(maps.Keys(y.fellBack)); len(ks) > 0 {
		// The judge the line names did not decide these: say so, and why.
		fmt.Fprintf(&b, "; in %d of them (prefixes %v) the shadow failed and the derived model judged: %s", len(ks), ks, y.fellBack[ks[0]])
	}
	for _, k := range slices.Sorted(maps.Keys(y.reasons)) {
		fmt.Fprintf(&b, "\n    prefix %d %s: %s", k, afterFile(y.h, k), y.reasons[k])
	}
	t.Log(b.String())
}

func afterFile(h *history, k int) string {
	if k == 0 {
		return "(a fresh database)"
	}
	return "(after " + h.files[k-1].file + ")"
}

// reasonLines is how many lines of steady's error or of a schema diff a reason keeps.
const reasonLines = 3

var (
	errorLog   = regexp.MustCompile(`level=ERROR|"level":"ERROR"`)
	errorField = regexp.MustCompile(`(?:\s|^)(?:msg|error|err)=("(?:[^"\\]|\\.)*"|\S+)`)
)

// why is the first lines of steady's error: the message it exits with, then the drift it
// logged for each migration, else its ERROR log lines, each cut short; the last lines of its
// output when it said none of these.
func (r run) why() string {
	var final, drift, logged []string
	for line := range strings.Lines(r.stderr + r.stdout) {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "steady: "):
			final = append(final, clipLine(line))
		case errorLog.MatchString(line):
			logged = append(logged, clipLine(errorMessage(line)))
		default:
			if d := driftOf(line); d != "" {
				drift = append(drift, clipLine(d))
			}
		}
	}
	lines := append(final, drift...)
	if len(lines) == 0 {
		lines = logged
	}
	if len(lines) == 0 {
		all := strings.Split(strings.TrimSpace(r.stderr+r.stdout), "\n")
		lines = all[max(0, len(all)-reasonLines):]
	}
	return fmt.Sprintf("steady exit %d: %s", r.code, strings.Join(lines[:min(len(lines), reasonLines)], " | "))
}

// withStatus adds to a reason that names no drifted migration the first rows steady status
// shows that are neither applied nor reconciled: steady's exit message only counts them.
func withStatus(reason, status string) string {
	if !strings.Contains(reason, "migrations show drift") || strings.Contains(reason, " drift: ") {
		return reason
	}
	rows := strings.Split(strings.TrimSpace(status), "\n")
	if len(rows) > 2 { // "steady status (exit N):" and the table's header come first
		rows = rows[2:]
		for i := range rows {
			rows[i] = clipLine(strings.Join(strings.Fields(rows[i]), " "))
		}
		reason += " | status: " + strings.Join(rows[:min(len(rows), reasonLines-1)], " | ")
	}
	return reason
}

// fellBack is why steady's derived model decided where the database stands although j is the
// shadow: steady falls back when it cannot have a shadow or the history does not replay on
// one, and says so in its "where the database stands" line. "" when it did not.
func (r run) fellBack(j judge) string {
	if j.summary != shadowJudge.summary {
		return ""
	}
	for line := range strings.Lines(r.stderr + r.stdout) {
		var m struct{ Msg, Judge, Why string }
		if json.Unmarshal([]byte(strings.TrimSpace(line)), &m) == nil && m.Msg == "where the database stands" && m.Judge == derivedJudge.summary {
			return clipLine(m.Why)
		}
	}
	return ""
}

// driftOf reads a JSON "migration" log line that reports drift: "VERSION NAME drift: …".
func driftOf(line string) string {
	if !strings.HasPrefix(line, "{") || !strings.Contains(line, `"drift"`) {
		return ""
	}
	var m struct {
		Msg     string          `json:"msg"`
		Version json.RawMessage `json:"version"`
		Name    string          `json:"name"`
		Drift   []string        `json:"drift"`
	}
	if json.Unmarshal([]byte(line), &m) != nil || m.Msg != "migration" || len(m.Drift) == 0 {
		return ""
	}
	return fmt.Sprintf("%s %s drift: %s", strings.Trim(string(m.Version), `"`), m.Name, strings.Join(m.Drift, "; "))
}

// errorMessage keeps a log line's message and error, text or JSON.
func errorMessage(line string) string {
	if strings.HasPrefix(line, "{") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			return strings.TrimSpace(fmt.Sprintf("%v %v", m["msg"], orEmpty(m["error"])))
		}
	}
	if fields := errorField.FindAllStringSubmatch(line, -1); fields != nil {
		var parts []string
		for _, f := range fields {
			parts = append(parts, strings.Trim(f[1], `"`))
		}
		return strings.Join(parts, ": ")
	}
	return line
}

func orEmpty(v any) any {
	if v == nil {
		return ""
	}
	return v
}

func clipLine(s string) string {
	const most = 300
	if r := []rune(s); len(r) > most {
		return string(r[:most]) + "…"
	}
	return s
}

// diffReason is the first changed lines of a schema diff.
func diffReason(diff string) string {
	var lines []string
	for line := range strings.Lines(diff) {
		line = strings.TrimRight(line, "\n")
		if (strings.HasPrefix(line, "-") || strings.HasPrefix(line, "+")) && !strings.HasPrefix(line, "---") && !strings.HasPrefix(line, "+++") &&
			strings.TrimSpace(line[1:]) != "" {
			lines = append(lines, clipLine(line))
		}
		if len(lines) == reasonLines {
			break
		}
	}
	return "schema differs: " + strings.Join(lines, " | ")
}

// TestWhy: a reason keeps the error steady exits with and the drift it logged, cut short.
func TestWhy(t *testing.T) {
	t.Parallel()
	r := run{code: 4, stdout: "migrations: 2 applied, 40 reconciled, 0 partial, 0 failed (42 total) in 1.713s\n",
		stderr: `{"time":"2026-12-07T13:44:05Z","level":"INFO","msg":"migration","version":20230823231905,"name":"create_schema","decision":"reconciled","found":["schema thunderdome"]}
{"time":"2026-12-07T13:44:05Z","level":"WARN","msg":"migration","version":20260509140000,"name":"add_legend","decision":"drift","drift":["index x: missing","column t.c: text NULL, the history makes integer NULL"]}
steady: 1 migrations show drift
`}
	require.Equal(t, "steady exit 4: steady: 1 migrations show drift | 20260509140000 add_legend drift: index x: missing; column t.c: text NULL, the history makes integer NULL", r.why())

	r = run{code: 1, stderr: `{"time":"x","level":"ERROR","msg":"❌ migration failed","error":"relation \"a\" already exists"}` + "\n"}
	require.Equal(t, `steady exit 1: ❌ migration failed relation "a" already exists`, r.why())

	r = run{code: 2, stderr: "one\ntwo\nthree\nfour\n"}
	require.Equal(t, "steady exit 2: two | three | four", r.why())
}

// TestFellBack: a run asked to use the shadow that logged the derived model as its judge.
func TestFellBack(t *testing.T) {
	t.Parallel()
	r := run{stderr: `{"level":"WARN","msg":"where the database stands","judge":"derived","why":"no exact states: the shadow stopped at a.sql:2","prefix":39,"total":72}` + "\n"}
	require.Equal(t, "no exact states: the shadow stopped at a.sql:2", r.fellBack(shadowJudge))
	require.Empty(t, r.fellBack(derivedJudge), "asked for")
	r = run{stderr: `{"level":"INFO","msg":"where the database stands","judge":"shadow","why":"exact states","prefix":39,"total":72}` + "\n"}
	require.Empty(t, r.fellBack(shadowJudge))
}

func TestDiffReason(t *testing.T) {
	t.Parallel()
	diff := "--- the tool\n+++ steady\n@@ -1,3 +1,3 @@\n CREATE TABLE a ();\n-CREATE INDEX i ON a (x);\n+\n+CREATE INDEX j ON a (x);\n"
	require.Equal(t, "schema differs: -CREATE INDEX i ON a (x); | +CREATE INDEX j ON a (x);", diffReason(diff))
}
