package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Report is the lint of a pending set.
type Report struct {
	Files    int       `json:"files"`
	Catalog  bool      `json:"catalog"` // judged against a database's catalog: sizes and severities follow the tables
	Findings []Finding `json:"findings"`
}

// Count is the number of findings of a severity that no directive allows.
func (r *Report) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Allowed == "" && f.Severity == s {
			n++
		}
	}
	return n
}

// Allowed is the number of findings a -- steady:allow directive accepts.
func (r *Report) Allowed() int {
	n := 0
	for _, f := range r.Findings {
		if f.Allowed != "" {
			n++
		}
	}
	return n
}

// Errors are the findings of severity error that no directive allows.
func (r *Report) Errors() []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Allowed == "" && f.Severity == Error {
			out = append(out, f)
		}
	}
	return out
}

// Fails reports a finding at or above the severity that no directive allows: what fails
// steady lint --fail-on.
func (r *Report) Fails(threshold Severity) bool {
	for _, f := range r.Findings {
		if f.Allowed == "" && f.Severity >= threshold {
			return true
		}
	}
	return false
}

// Summary is one line: "2 findings in 38 files: 1 error, 1 warning, 0 info; 7 allowed".
func (r *Report) Summary() string {
	n := len(r.Findings) - r.Allowed()
	return fmt.Sprintf("%s in %s: %s, %s, %d info; %d allowed",
		plural(n, "finding"), plural(r.Files, "file"), plural(r.Count(Error), "error"),
		plural(r.Count(Warning), "warning"), r.Count(Info), r.Allowed())
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// WriteText writes each finding for people, then the summary.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, f := range r.Findings {
		if f.Allowed != "" {
			fmt.Fprintf(&b, "%s:%d:%d: %s (%s, allowed): %s\n    allowed: %s\n", f.File, f.Line, f.Column, f.Rule, f.Severity, f.Detail, f.Allowed)
			continue
		}
		fmt.Fprintf(&b, "%s:%d:%d: %s %s: %s\n", f.File, f.Line, f.Column, f.Severity, f.Rule, f.Detail)
		fmt.Fprintf(&b, "    lock:  %s\n", cmpStr(f.Lock, "—"))
		if line := f.sizeLine(); line != "" {
			fmt.Fprintf(&b, "    table: %s\n", line)
		}
		fmt.Fprintf(&b, "    why:   %s\n    safe:  %s\n", f.Why, f.Safe)
	}
	b.WriteString(r.Summary() + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// sizeLine describes the table: "public.leads: ~1,000,000 rows, 180 MB; lock held ~5.0s (rewrite)".
func (f Finding) sizeLine() string {
	if f.Size == nil {
		return ""
	}
	s := f.Table + ": "
	if f.Size.Rows < 0 {
		s += "size unknown (never vacuumed or analyzed)"
	} else {
		s += fmt.Sprintf("~%s rows, %s", thousands(f.Size.Rows), bytesText(f.Size.Bytes))
	}
	if f.Size.Work != "" {
		s += fmt.Sprintf("; lock held ~%s (%s)", durationText(f.Size.Lock()), f.Size.Work)
	}
	return s
}

// WriteGitHub writes GitHub Actions workflow commands, one per file that does not parse and
// one per finding, so that a pull request shows each on its line: errors as ::error, warnings
// as ::warning, info and allowed findings as ::notice.
func (r *Report) WriteGitHub(w io.Writer, parseErrs []SyntaxError) error {
	var b strings.Builder
	for _, p := range parseErrs {
		fmt.Fprintf(&b, "::error file=%s,line=%d,title=syntax-error::%s\n", escapeProperty(p.File), p.Line, escapeData(p.Message))
	}
	for _, f := range r.Findings {
		level := map[Severity]string{Error: "error", Warning: "warning", Info: "notice"}[f.Severity]
		title := f.Rule
		msg := f.Detail
		if f.Allowed != "" {
			level, title = "notice", f.Rule+" (allowed)"
			msg += "\nallowed: " + f.Allowed
		} else {
			msg += "\nlock: " + cmpStr(f.Lock, "—")
			if line := f.sizeLine(); line != "" {
				msg += "\ntable: " + line
			}
			msg += "\nwhy: " + f.Why + "\nsafe: " + f.Safe
		}
		fmt.Fprintf(&b, "::%s file=%s,line=%d,col=%d,title=%s::%s\n",
			level, escapeProperty(f.File), f.Line, f.Column, escapeProperty(title), escapeData(msg))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// escapeData and escapeProperty encode what GitHub's workflow commands reserve.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// WriteJSON writes the report as one JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		*Report
		Errors   int `json:"errors"`
		Warnings int `json:"warnings"`
		Infos    int `json:"info"`
		Allowed  int `json:"allowed"`
	}{r, r.Count(Error), r.Count(Warning), r.Count(Info), r.Allowed()})
}

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func bytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func durationText(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return "<1ms"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
