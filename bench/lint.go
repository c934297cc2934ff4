package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/steadydb/steady/internal/lint/corpus"
)

// The lint scenario scores steady lint and squawk side by side on the lint corpus
// (internal/lint/testdata/corpus): migrations written for it in five formats, each statement
// marked safe or dangerous by what a careful PostgreSQL DBA would stop. Both run offline, one
// case (a file, or a directory of one tool) at a time, as CI would run them. It needs no
// database, and writes its table into docs/lint.md. With -lint-corpus it scores another
// directory laid out and marked the same way (migrations written elsewhere, say): only its
// -- danger: marks are needed, and its table goes to stdout and -lint-out, not docs/lint.md.

const squawkVersion = "2.66.0"

// squawkTimeoutRules ask each file to SET lock_timeout and statement_timeout: the runner's job
// (steady sets them itself), so they are left out of squawk's runs.
const squawkTimeoutRules = "require-timeout-settings,require-lock-timeout,require-statement-timeout"

// squawkNotACatch are squawk's rules that say nothing of a statement's danger (reruns, schema
// taste, naming): they still count as alarms, since squawk fails the build on them, but a
// danger is caught only by another rule.
var squawkNotACatch = map[string]bool{
	"prefer-robust-stmts": true, "prefer-bigint-over-int": true, "prefer-bigint-over-smallint": true,
	"prefer-identity": true, "prefer-text-field": true, "prefer-timestamp-tz": true, "ban-char-field": true,
	"require-enum-value-ordering": true, "identifier-too-long": true, "require-table-schema": true, "unused-ignore": true,
}

// linter is one tool's run over a case: its alarms by file and statement, its catches, its exit.
type lintTool struct {
	name  string
	run   func(ctx context.Context, c corpus.Case) (findings []toolFinding, exit int, err error)
	catch func(toolFinding) bool
}

type toolFinding struct {
	file string // corpus-relative
	line int
	rule string
}

type lintScore struct {
	dangers, caught, safe, alarms, dangerCases, dangerFail, safeCases, safePass int
	missed, falseAlarms                                                         []string
	byDir                                                                       map[string]*dirScore
}

// dirScore is a tool's score on the files of one directory of the corpus (a history of an
// external corpus).
type dirScore struct{ files, dangers, caught, safe, alarms int }

func (s *lintScore) dir(path string) *dirScore {
	if s.byDir == nil {
		s.byDir = map[string]*dirScore{}
	}
	d := filepath.ToSlash(filepath.Dir(path))
	if s.byDir[d] == nil {
		s.byDir[d] = &dirScore{}
	}
	return s.byDir[d]
}

func benchLint(ctx context.Context, cfg *config) ([]row, error) {
	root := filepath.Join(cfg.root, "internal", "lint", "testdata", "corpus")
	if cfg.lintCorpus != "" {
		var err error
		if root, err = filepath.Abs(cfg.lintCorpus); err != nil {
			return nil, err
		}
	}
	cases, err := corpus.Load(root)
	if err != nil {
		return nil, err
	}
	squawk, err := installSquawk(ctx, cfg)
	if err != nil {
		return nil, err
	}
	steady := filepath.Join(cfg.root, "bin", "steady")
	tools := []lintTool{
		{name: "steady", run: func(ctx context.Context, c corpus.Case) ([]toolFinding, int, error) {
			return runSteadyLint(ctx, steady, root, c)
		}, catch: func(toolFinding) bool { return true }},
		{name: "squawk", run: func(ctx context.Context, c corpus.Case) ([]toolFinding, int, error) {
			return runSquawk(ctx, squawk, root, c, false)
		}, catch: func(f toolFinding) bool { return !squawkNotACatch[f.rule] }},
		{name: "squawk, assume in transaction", run: func(ctx context.Context, c corpus.Case) ([]toolFinding, int, error) {
			return runSquawk(ctx, squawk, root, c, true)
		}, catch: func(f toolFinding) bool { return !squawkNotACatch[f.rule] }},
	}
	scores := make([]lintScore, len(tools))
	for ti, tool := range tools {
		s := &scores[ti]
		for _, c := range cases {
			findings, exit, err := tool.run(ctx, c)
			if err != nil {
				return nil, fmt.Errorf("%s on %s: %w", tool.name, c.Name, err)
			}
			alarmed, caught := map[string]bool{}, map[string]bool{}
			for _, f := range findings {
				file, ok := c.File(f.file)
				if !ok {
					return nil, fmt.Errorf("%s on %s: a finding in %s", tool.name, c.Name, f.file)
				}
				key := fmt.Sprintf("%s#%d", f.file, file.At(f.line))
				alarmed[key] = true
				if tool.catch(f) {
					caught[key] = true
				}
			}
			for _, file := range c.Files {
				d := s.dir(file.Path)
				d.files++
				for i, st := range file.Statements {
					key := fmt.Sprintf("%s#%d", file.Path, i)
					where := fmt.Sprintf("%s:%d", file.Path, st.StartLine)
					if st.Danger != "" {
						s.dangers++
						d.dangers++
						if caught[key] {
							s.caught++
							d.caught++
						} else {
							s.missed = append(s.missed, where+" ("+st.Danger+")")
						}
						continue
					}
					s.safe++
					d.safe++
					if alarmed[key] {
						s.alarms++
						d.alarms++
						s.falseAlarms = append(s.falseAlarms, where)
					}
				}
			}
			if c.Dangerous() {
				s.dangerCases++
				if exit != 0 {
					s.dangerFail++
				}
			} else {
				s.safeCases++
				if exit == 0 {
					s.safePass++
				}
			}
		}
		log.Printf("lint: %s: caught %d of %d dangers, %d false alarms on %d safe statements", tool.name, s.caught, s.dangers, s.alarms, s.safe)
	}
	return nil, writeLintTable(cfg, cases, tools, scores)
}

// runSteadyLint runs steady lint --fail-on warning --format json on a case.
func runSteadyLint(ctx context.Context, bin, root string, c corpus.Case) ([]toolFinding, int, error) {
	cmd := exec.CommandContext(ctx, bin, "lint", "--fail-on", "warning", "--format", "json", c.Name)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "STEADY_LINT_CONFIG=") // the corpus as shipped, no local config
	out, exit, err := runExit(cmd)
	if err != nil {
		return nil, 0, err
	}
	var rep struct {
		Findings []struct {
			File, Rule, Severity, Allowed string
			Line                          int
		} `json:"findings"`
		ParseErrors []any `json:"parse_errors"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		return nil, 0, fmt.Errorf("steady lint --format json: %w: %s", err, out)
	}
	if len(rep.ParseErrors) > 0 {
		return nil, 0, fmt.Errorf("steady lint: parse errors %v", rep.ParseErrors)
	}
	var fs []toolFinding
	for _, f := range rep.Findings {
		if f.Allowed == "" && f.Severity != "info" { // what fails --fail-on warning
			fs = append(fs, toolFinding{file: f.File, line: f.Line, rule: f.Rule})
		}
	}
	return fs, exit, nil
}

// runSquawk runs squawk on the files of a case, for PostgreSQL 15.
func runSquawk(ctx context.Context, bin, root string, c corpus.Case, inTx bool) ([]toolFinding, int, error) {
	args := []string{"--pg-version=15", "--reporter=json", "--exclude=" + squawkTimeoutRules}
	if inTx {
		args = append(args, "--assume-in-transaction")
	}
	for _, f := range c.Files {
		args = append(args, f.Path)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = root
	out, exit, err := runExit(cmd)
	if err != nil {
		return nil, 0, err
	}
	var violations []struct {
		File     string `json:"file"`
		Line     int    `json:"line"` // 0-based
		RuleName string `json:"rule_name"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(out), &violations); err != nil {
		return nil, 0, fmt.Errorf("squawk --reporter=json: %w: %s", err, out)
	}
	var fs []toolFinding
	for _, v := range violations {
		fs = append(fs, toolFinding{file: v.File, line: v.Line + 1, rule: v.RuleName})
	}
	return fs, exit, nil
}

// runExit runs a command and returns its stdout and exit code; failing to start is an error.
func runExit(cmd *exec.Cmd) ([]byte, int, error) {
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		if ee.ExitCode() > 1 {
			return nil, 0, fmt.Errorf("%s exited %d: %s", cmd.Args[0], ee.ExitCode(), stderr.String())
		}
		return out, ee.ExitCode(), nil
	case err != nil:
		return nil, 0, err
	}
	return out, 0, nil
}

// installSquawk brings squawk-cli's Linux binary from npm into .squawk/ once.
func installSquawk(ctx context.Context, cfg *config) (string, error) {
	dir := filepath.Join(cfg.root, ".squawk")
	bin := filepath.Join(dir, "node_modules", "@squawk-cli", "linux-x64", "bin", "squawk")
	if out, err := exec.CommandContext(ctx, bin, "--version").Output(); err == nil && strings.Contains(string(out), squawkVersion) {
		return bin, nil
	}
	log.Printf("lint: npm install squawk-cli@%s into %s", squawkVersion, dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--prefix", dir, "squawk-cli@"+squawkVersion)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("npm install squawk-cli: %w: %s", err, out)
	}
	return bin, nil
}

const lintBegin, lintEnd = "<!-- lint bench: generated by make bench-lint -->", "<!-- end of lint bench -->"

func writeLintTable(cfg *config, cases []corpus.Case, tools []lintTool, scores []lintScore) error {
	formats := map[string]int{}
	files := 0
	for _, c := range cases {
		for _, f := range c.Files {
			formats[formatOf(f.Path)]++
			files++
		}
	}
	var b strings.Builder
	external := cfg.lintCorpus != ""
	if external {
		fmt.Fprintf(&b, "<!-- lint bench: generated by make bench-lint with -lint-corpus %s -->\n\n", cfg.lintCorpus)
	} else {
		fmt.Fprintf(&b, "%s\n\n", lintBegin)
	}
	fmt.Fprintf(&b, "Corpus (%s): %d cases (%d files: %s), %d dangerous statements in %d cases, %d safe statements (down sections included, where the files have them). squawk %s, `--pg-version=15`, without its three timeout rules (`%s`: the runner's job; steady sets them itself). Offline, one case at a time; steady with `--fail-on warning`.\n\n",
		cmp.Or(cfg.lintCorpus, "internal/lint/testdata/corpus"), len(cases), files, formatList(formats), scores[0].dangers, scores[0].dangerCases, scores[0].safe, squawkVersion, squawkTimeoutRules)
	b.WriteString("|")
	for _, t := range tools {
		b.WriteString(" | " + t.name)
	}
	b.WriteString(" |\n|---")
	for range tools {
		b.WriteString("|---")
	}
	b.WriteString("|\n")
	line := func(label string, f func(s lintScore) string) {
		b.WriteString("| " + label)
		for _, s := range scores {
			b.WriteString(" | " + f(s))
		}
		b.WriteString(" |\n")
	}
	pct := func(a, n int) string { return fmt.Sprintf("%d (%.0f%%)", a, 100*float64(a)/float64(max(n, 1))) }
	line(fmt.Sprintf("real dangers caught (of %d)", scores[0].dangers), func(s lintScore) string { return pct(s.caught, s.dangers) })
	line("real dangers missed", func(s lintScore) string { return fmt.Sprint(s.dangers - s.caught) })
	line(fmt.Sprintf("false alarms on safe statements (of %d)", scores[0].safe), func(s lintScore) string {
		return fmt.Sprintf("%d (%.1f%%)", s.alarms, 100*float64(s.alarms)/float64(max(s.safe, 1)))
	})
	line(fmt.Sprintf("exit ≠ 0 on cases with a real danger (of %d)", scores[0].dangerCases), func(s lintScore) string { return fmt.Sprint(s.dangerFail) })
	line(fmt.Sprintf("exit 0 on safe cases (of %d)", scores[0].safeCases), func(s lintScore) string { return fmt.Sprint(s.safePass) })
	if external {
		dirs := make([]string, 0, len(scores[0].byDir))
		for d := range scores[0].byDir {
			dirs = append(dirs, d)
		}
		slices.Sort(dirs)
		b.WriteString("\n| directory | files | dangers | safe |")
		for _, t := range tools {
			fmt.Fprintf(&b, " %s: caught, false alarms |", t.name)
		}
		b.WriteString("\n|---|---|---|---|")
		for range tools {
			b.WriteString("---|")
		}
		b.WriteString("\n")
		for _, d := range dirs {
			ds := scores[0].byDir[d]
			fmt.Fprintf(&b, "| %s | %d | %d | %d |", d, ds.files, ds.dangers, ds.safe)
			for _, s := range scores {
				fmt.Fprintf(&b, " %d, %d |", s.byDir[d].caught, s.byDir[d].alarms)
			}
			b.WriteString("\n")
		}
	}
	b.WriteString("\nA danger counts as caught when the tool reports it on the dangerous statement: steady with a warning or an error, squawk with a rule other than `prefer-robust-stmts` and its style rules (which still count as alarms: squawk fails the build on them).\n")
	for i, t := range tools {
		if len(scores[i].missed) > 0 {
			fmt.Fprintf(&b, "\n%s missed: %s.\n", t.name, strings.Join(scores[i].missed, "; "))
		}
		if i == 0 && len(scores[i].falseAlarms) > 0 {
			fmt.Fprintf(&b, "\n%s false alarms: %s.\n", t.name, strings.Join(scores[i].falseAlarms, "; "))
		}
	}
	if external {
		fmt.Print(b.String())
		if cfg.lintOut == "" {
			return nil
		}
		return os.WriteFile(cfg.lintOut, []byte(b.String()), 0o644)
	}
	fmt.Fprintf(&b, "\n%s\n", lintEnd)
	fmt.Print(b.String())
	return replaceSection(filepath.Join(cfg.root, "docs", "lint.md"), lintBegin, lintEnd, b.String())
}

func formatOf(path string) string {
	parts := strings.Split(filepath.ToSlash(path), "/")
	if parts[0] == "sets" {
		return parts[1]
	}
	return parts[0]
}

func formatList(m map[string]int) string {
	var parts []string
	for _, f := range []string{"steady", "goose", "golang-migrate", "flyway", "dbmate", "prisma", "supabase", "sqlx", "diesel"} {
		if m[f] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", m[f], f))
		}
	}
	return strings.Join(parts, ", ")
}

// replaceSection writes text in place of the lines from begin to end in a file, or appends it.
func replaceSection(path, begin, end, text string) error {
	body, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(body)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i >= 0 && j > i {
		s = s[:i] + strings.TrimSuffix(text, "\n") + s[j+len(end):]
	} else {
		s = strings.TrimRight(s, "\n") + "\n\n" + text
	}
	return os.WriteFile(path, []byte(s), 0o644)
}
