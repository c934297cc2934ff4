package fingerprint

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// LintRules are the rules of steady's migration lint (package lint), the names a
// "-- steady:allow" directive may give. They live here because the parser validates the
// directive and the lint depends on the parser, not the other way round; package lint's tests
// check that the two lists agree.
var LintRules = []string{
	"adding-field-with-default",
	"adding-not-nullable-field",
	"adding-required-field",
	"adding-serial-primary-key-field",
	"backfill-in-ddl-transaction",
	"ban-char-field",
	"ban-cluster",
	"ban-concurrent-index-creation-in-transaction",
	"ban-drop-column",
	"ban-drop-table",
	"ban-lock-table",
	"ban-truncate-cascade",
	"ban-vacuum-full",
	"changing-column-type",
	"changing-table-persistence",
	"constraint-missing-not-valid",
	"disallowed-unique-constraint",
	"dynamic-sql-not-analysed",
	"new-enum-value-used-in-transaction",
	"prefer-bigint-over-int",
	"prefer-bigint-over-smallint",
	"prefer-identity",
	"prefer-robust-stmts",
	"prefer-text-field",
	"prefer-timestamp-tz",
	"renaming-column",
	"renaming-table",
	"require-concurrent-index-creation",
	"require-concurrent-index-deletion",
	"require-concurrent-refresh",
	"require-concurrent-reindex",
	"transaction-nesting",
	"unbatched-backfill",
}

// Allow is a "-- steady:allow RULE reason" directive: the lint reports the rule's findings on
// the statement that follows as allowed, with the reason, instead of as findings.
type Allow struct {
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
	Line   int    `json:"line"` // of the directive
}

// parseAllow reads "<rule> <reason>", the text after "steady:allow".
func parseAllow(rest string) (Allow, error) {
	rule, reason := strings.TrimSpace(rest), ""
	if end := strings.IndexAny(rule, " \t"); end >= 0 {
		rule, reason = rule[:end], strings.TrimSpace(rule[end:])
	}
	if rule == "" {
		return Allow{}, fmt.Errorf("%s", allowUsage)
	}
	if !slices.Contains(LintRules, rule) {
		if rule == "require-timeout-settings" {
			return Allow{}, fmt.Errorf("%q is not a steady rule: steady sets lock_timeout on every migration itself", rule)
		}
		return Allow{}, fmt.Errorf("unknown rule %q (known: %s)", rule, strings.Join(LintRules, ", "))
	}
	if reason == "" {
		return Allow{}, fmt.Errorf("%s needs a reason: %s", rule, allowUsage)
	}
	return Allow{Rule: rule, Reason: reason}, nil
}

// WithoutAllows returns sql without its "-- steady:allow" lines, for checksums: allowing a
// lint finding changes nothing that runs, so it must not make a migration that a database
// recorded look changed (checksum_changed). Files without such a line, every file written
// before the directive existed, are returned as they are and keep their checksum.
func WithoutAllows(sql []byte) []byte {
	if !bytes.Contains(sql, []byte(directiveAllow)) {
		return sql
	}
	var out []byte
	for line := range bytes.Lines(sql) {
		body := bytes.TrimSpace(line)
		if c, ok := bytes.CutPrefix(body, []byte("--")); ok {
			if rest, ok := bytes.CutPrefix(bytes.TrimSpace(c), []byte(directiveAllow)); ok && (len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t') {
				continue
			}
		}
		out = append(out, line...)
	}
	return out
}
