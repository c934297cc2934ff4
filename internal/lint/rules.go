package lint

import "slices"

// work is what PostgreSQL does while it holds a finding's lock, which sets how long it holds it.
type work int

const (
	workNone       work = iota // catalog only: brief once granted (it still waits behind running queries)
	workRewrite                // the table and its indexes written anew
	workScan                   // every row of the table read
	workIndex                  // an index built: a scan and a sort
	workForeignKey             // every row of the table looked up in the referenced one
)

func (w work) String() string {
	return [...]string{"none", "rewrite", "scan", "index build", "foreign key check"}[w]
}

// Rule is one check of the lint. Names follow squawk's where squawk has the rule.
type Rule struct {
	Name string
	Lock string // the lock the statement takes, as PostgreSQL's documentation names it
	Why  string // one sentence: why it hurts
	Safe string // one sentence: how to do it safely in steady

	work work
	// sized rules judge a lock on an existing table: their severity follows the table's size
	// (offline: Warning), up to max. Others have the fixed severity.
	sized bool
	max   Severity
	fixed Severity
	// locking rules are about a lock on a table: a table created earlier in the same pending
	// set (or absent from the catalog) is not a finding, since nothing can be waiting on it.
	locking bool
	// onlyIfRows: with a catalog, an empty table is Info and any other keeps the fixed severity.
	onlyIfRows bool
}

// The rules. The why and safe sentences are printed with every finding.
var (
	requireConcurrentIndexCreation = &Rule{
		Name: "require-concurrent-index-creation", Lock: "SHARE", work: workIndex, sized: true, max: Error, locking: true,
		Why:  "CREATE INDEX without CONCURRENTLY blocks every INSERT, UPDATE and DELETE on the table until the build ends.",
		Safe: "Move the index to the index catalog in jobs/, where a worker builds it CONCURRENTLY through the pooler (and heals a failed build); or run CREATE INDEX CONCURRENTLY IF NOT EXISTS alone in a migration marked -- steady:no-transaction.",
	}
	requireConcurrentIndexDeletion = &Rule{
		Name: "require-concurrent-index-deletion", Lock: "ACCESS EXCLUSIVE", work: workNone, sized: true, max: Warning, locking: true,
		Why:  "DROP INDEX without CONCURRENTLY queues behind every running query on the table and blocks all reads and writes of it while it waits.",
		Safe: "Run DROP INDEX CONCURRENTLY IF EXISTS alone in a migration marked -- steady:no-transaction.",
	}
	constraintMissingNotValid = &Rule{
		Name: "constraint-missing-not-valid", Lock: "ACCESS EXCLUSIVE", work: workScan, sized: true, max: Error, locking: true,
		Why:  "Adding a CHECK or FOREIGN KEY without NOT VALID checks every existing row while holding the lock.",
		Safe: "Add the constraint NOT VALID here (new rows are checked at once) and VALIDATE CONSTRAINT it in a later migration, which holds only SHARE UPDATE EXCLUSIVE (reads and writes go on), as 0034 and 0036 do.",
	}
	addingNotNullableField = &Rule{
		Name: "adding-not-nullable-field", Lock: "ACCESS EXCLUSIVE", work: workScan, sized: true, max: Error, locking: true,
		Why:  "SET NOT NULL reads every row of the table under the lock to prove that none is NULL.",
		Safe: "Add CHECK (column IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it in a later migration, then SET NOT NULL (PostgreSQL 12+ skips the scan given the validated check) and drop the check.",
	}
	addingRequiredField = &Rule{
		Name: "adding-required-field", Lock: "ACCESS EXCLUSIVE", work: workNone, fixed: Error, locking: true, onlyIfRows: true,
		Why:  "A NOT NULL column without a DEFAULT fails on a table that has rows (each would be NULL): the migration can only succeed on an empty table.",
		Safe: "Add the column nullable or with a constant DEFAULT, fill it with a backfill in jobs/, then make it NOT NULL as adding-not-nullable-field says.",
	}
	addingFieldWithDefault = &Rule{
		Name: "adding-field-with-default", Lock: "ACCESS EXCLUSIVE", work: workRewrite, sized: true, max: Error, locking: true,
		Why:  "A volatile default (random(), gen_random_uuid(), clock_timestamp(), a serial, an identity or a stored generated column) is computed for each existing row: the table and its indexes are rewritten under the lock.",
		Safe: "Add the column without a default (or with a constant one), then ALTER COLUMN … SET DEFAULT for new rows, and fill existing rows with a backfill in jobs/, as 0031 does with webhook_secret.",
	}
	changingColumnType = &Rule{
		Name: "changing-column-type", Lock: "ACCESS EXCLUSIVE", work: workRewrite, sized: true, max: Error, locking: true,
		Why:  "Changing a column's type rewrites the table and rebuilds its indexes under the lock, unless the new type is binary-coercible (varchar to a longer varchar or to text, numeric to a larger precision).",
		Safe: "Add a column of the new type, fill it with a backfill in jobs/, switch the application to it, and drop the old column in a later release.",
	}
	disallowedUniqueConstraint = &Rule{
		Name: "disallowed-unique-constraint", Lock: "ACCESS EXCLUSIVE", work: workIndex, sized: true, max: Error, locking: true,
		Why:  "ADD CONSTRAINT … UNIQUE builds its index while holding the lock: no reads or writes of the table until it is built.",
		Safe: "Build the unique index CONCURRENTLY first (index catalog in jobs/, or CREATE UNIQUE INDEX CONCURRENTLY in a -- steady:no-transaction migration), then ADD CONSTRAINT … UNIQUE USING INDEX in a later migration, which is instant.",
	}
	addingSerialPrimaryKeyField = &Rule{
		Name: "adding-serial-primary-key-field", Lock: "ACCESS EXCLUSIVE", work: workIndex, sized: true, max: Error, locking: true,
		Why:  "ADD PRIMARY KEY builds its index (and checks NOT NULL) while holding the lock: no reads or writes of the table until it is done.",
		Safe: "Build a unique index CONCURRENTLY first (index catalog in jobs/, or a -- steady:no-transaction migration), then ADD CONSTRAINT … PRIMARY KEY USING INDEX in a later migration.",
	}
	renamingColumn = &Rule{
		Name: "renaming-column", Lock: "ACCESS EXCLUSIVE", work: workNone, fixed: Warning, locking: true,
		Why:  "Code of the release still running reads and writes the old name and fails from the moment the rename commits.",
		Safe: "Add the new column, write both from the application, backfill it in jobs/, switch reads, and drop the old column in a later release.",
	}
	renamingTable = &Rule{
		Name: "renaming-table", Lock: "ACCESS EXCLUSIVE", work: workNone, fixed: Warning, locking: true,
		Why:  "Code of the release still running names the old table and fails from the moment the rename commits.",
		Safe: "Create the new table and move to it over releases (or rename and leave a view under the old name until no code uses it).",
	}
	banDropColumn = &Rule{
		Name: "ban-drop-column", Lock: "ACCESS EXCLUSIVE", work: workNone, fixed: Warning, locking: true,
		Why:  "Code of the release still running that names the column fails as soon as the drop commits.",
		Safe: "Stop reading and writing the column in a release first, then drop it in a later migration and record why with -- steady:allow ban-drop-column <reason>.",
	}
	banDropTable = &Rule{
		Name: "ban-drop-table", Lock: "ACCESS EXCLUSIVE", work: workNone, fixed: Warning, locking: true,
		Why:  "Code of the release still running that uses the table fails as soon as the drop commits, and its rows are gone.",
		Safe: "Stop using the table in a release first, then drop it in a later migration and record why with -- steady:allow ban-drop-table <reason>.",
	}
	banConcurrentIndexCreationInTransaction = &Rule{
		Name: "ban-concurrent-index-creation-in-transaction", Lock: "none", work: workNone, fixed: Warning,
		Why:  "PostgreSQL refuses CONCURRENTLY in a transaction block, so steady runs this whole file outside one, statement by statement: its other statements lose their all-or-nothing, and a failure half-way leaves the file half applied.",
		Safe: "Put the concurrent statement alone in its own migration (-- steady:no-transaction says so), or the index in the index catalog in jobs/.",
	}
	transactionNesting = &Rule{
		Name: "transaction-nesting", Lock: "none", work: workNone, fixed: Warning,
		Why:  "A file with its own BEGIN and COMMIT runs as psql runs it, unwrapped: its statements outside the blocks commit one by one, and steady records the migration only after the file, so a failure half-way leaves it half applied and unrecorded.",
		Safe: "Let the file be one transaction: remove the transaction statements (steady runs the file in one); mark it -- steady:no-transaction if a statement cannot run inside a transaction.",
	}
	preferRobustStmts = &Rule{
		Name: "prefer-robust-stmts", Lock: "", work: workNone, fixed: Warning,
		Why:  "The catalog cannot show whether it ran, so when part of the migration is found in place steady runs it again, and running it twice fails or changes data twice.",
		Safe: "Make it rerunnable (INSERT … ON CONFLICT DO NOTHING, an UPDATE whose WHERE skips rows already done, IF NOT EXISTS), or say what it leaves with -- steady:fingerprint KIND NAME.",
	}
)

// Rules are every rule, by name.
var Rules = []*Rule{
	addingFieldWithDefault, addingNotNullableField, addingRequiredField, addingSerialPrimaryKeyField,
	banConcurrentIndexCreationInTransaction, banDropColumn, banDropTable, changingColumnType,
	constraintMissingNotValid, disallowedUniqueConstraint, preferRobustStmts, renamingColumn,
	renamingTable, requireConcurrentIndexCreation, requireConcurrentIndexDeletion, transactionNesting,
}

// RuleByName returns a rule.
func RuleByName(name string) (*Rule, bool) {
	i := slices.IndexFunc(Rules, func(r *Rule) bool { return r.Name == name })
	if i < 0 {
		return nil, false
	}
	return Rules[i], true
}
