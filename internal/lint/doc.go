// Package lint judges migrations before they run: the lock each statement takes and, with a
// catalog snapshot, the table it takes it on.
//
// # Rules
//
// Each rule reads the parse tree that package fingerprint keeps for every statement
// (fingerprint.Statement.Tree) and is named like squawk's rule for the same thing where there
// is one ([Rules]). A [Finding] has the file, line and column, the rule, the lock, why it hurts
// and how to do it safely in steady.
//
// # Pending sets
//
// [Linter.Lint] takes a pending set: files that run one after another. A statement on a table
// created earlier in the set is no finding: nothing can be waiting on it. With a snapshot, a
// table the catalog does not have is no finding either, and a column's current type comes from
// the catalog (a binary-coercible type change is no finding).
//
// # Severity
//
// Rules about breaking running code or about statements that fail have a fixed severity. Rules
// whose cost follows the table (a rewrite, a scan, an index build under a lock) are warnings
// offline; with a snapshot they are info below Config.WarnRows estimated rows, warnings from it
// and errors from Config.ErrorRows, and carry the table's size and an estimate of how long the
// lock is held, from [Rates] calibrated by the bench (docs/lint.md, "Lock-time estimates"). A
// table never analysed is probed for a row ([RowProbe]).
//
// # Suppression
//
// A "-- steady:allow RULE reason" directive on the lines before a statement (parsed and
// validated by package fingerprint) turns the rule's findings on it into allowed ones: reported
// with the reason, not counted.
//
// # The migration step
//
// [Gate] is migrate.Config.Gate: it lints each migration just before it runs, logs every
// finding, and either refuses a migration with an error (strict) or lets it run and keeps its
// findings in the migration's evidence.
package lint
