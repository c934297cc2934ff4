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
	workUpdate                 // every row written anew by an UPDATE (or deleted)
)

func (w work) String() string {
	return [...]string{"none", "rewrite", "scan", "index build", "foreign key check", "update"}[w]
}

// Rule is one check of the lint. Names follow squawk's where squawk has the rule.
type Rule struct {
	Name string
	Lock string // the lock the statement takes, as PostgreSQL's documentation names it
	Why  string // one sentence: why it hurts
	Safe string // one sentence: how to do it safely, in any repository
	// SafeOwn, when set, is Safe for steady's own migrations: it may cite steady's own files
	// (the catalogs in backfills/ and indexes/, earlier migrations), which mean nothing in another repository.
	SafeOwn string

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
	// style rules judge the schema's taste, not a lock: reported offline (steady lint), not by
	// the migration step, dry runs and status, which judge what is about to run.
	style bool
}

// The rules. The why and safe sentences are printed with every finding.
var (
	requireConcurrentIndexCreation = &Rule{
		Name: "require-concurrent-index-creation", Lock: "SHARE", work: workIndex, sized: true, max: Error, locking: true,
		Why:     "CREATE INDEX without CONCURRENTLY blocks every INSERT, UPDATE and DELETE on the table until the build ends.",
		Safe:    "Run CREATE INDEX CONCURRENTLY IF NOT EXISTS alone in its migration (steady runs it outside a transaction); if the build fails it leaves an INVALID index: drop it and build again.",
		SafeOwn: "Move the index to the index catalog (a file in indexes/), where a worker builds it CONCURRENTLY through the pooler (and heals a failed build); or run CREATE INDEX CONCURRENTLY IF NOT EXISTS alone in a migration marked -- steady:no-transaction.",
	}
	requireConcurrentIndexDeletion = &Rule{
		Name: "require-concurrent-index-deletion", Lock: "ACCESS EXCLUSIVE", work: workNone, sized: true, max: Warning, locking: true,
		Why:  "DROP INDEX without CONCURRENTLY queues behind every running query on the table and blocks all reads and writes of it while it waits.",
		Safe: "Run DROP INDEX CONCURRENTLY IF EXISTS alone in its migration (steady runs it outside a transaction).",
	}
	constraintMissingNotValid = &Rule{
		Name: "constraint-missing-not-valid", Lock: "ACCESS EXCLUSIVE", work: workScan, sized: true, max: Error, locking: true,
		Why:     "Adding a CHECK or FOREIGN KEY without NOT VALID checks every existing row while holding the lock.",
		Safe:    "Add the constraint NOT VALID here (new rows are checked at once) and VALIDATE CONSTRAINT it in a later migration, which holds only SHARE UPDATE EXCLUSIVE (reads and writes go on).",
		SafeOwn: "Add the constraint NOT VALID here (new rows are checked at once) and VALIDATE CONSTRAINT it in a later migration, which holds only SHARE UPDATE EXCLUSIVE (reads and writes go on), as 0034 and 0036 do.",
	}
	addingNotNullableField = &Rule{
		Name: "adding-not-nullable-field", Lock: "ACCESS EXCLUSIVE", work: workScan, sized: true, max: Error, locking: true,
		Why:  "SET NOT NULL reads every row of the table under the lock to prove that none is NULL.",
		Safe: "Add CHECK (column IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it in a later migration, then SET NOT NULL (PostgreSQL 12+ skips the scan given the validated check) and drop the check.",
	}
	addingRequiredField = &Rule{
		Name: "adding-required-field", Lock: "ACCESS EXCLUSIVE", work: workNone, fixed: Error, locking: true, onlyIfRows: true,
		Why:     "A NOT NULL column without a DEFAULT fails on a table that has rows (each would be NULL): the migration can only succeed on an empty table.",
		Safe:    "Add the column nullable or with a constant DEFAULT, fill it in batches outside the migration, then make it NOT NULL as adding-not-nullable-field says.",
		SafeOwn: "Add the column nullable or with a constant DEFAULT, fill it with a backfill file in backfills/, then make it NOT NULL as adding-not-nullable-field says.",
	}
	addingFieldWithDefault = &Rule{
		Name: "adding-field-with-default", Lock: "ACCESS EXCLUSIVE", work: workRewrite, sized: true, max: Error, locking: true,
		Why:     "A volatile default (random(), gen_random_uuid(), clock_timestamp(), a serial, an identity or a stored generated column) is computed for each existing row: the table and its indexes are rewritten under the lock.",
		Safe:    "Add the column without a default (or with a constant one), then ALTER COLUMN … SET DEFAULT for new rows, and fill existing rows in batches outside the migration.",
		SafeOwn: "Add the column without a default (or with a constant one), then ALTER COLUMN … SET DEFAULT for new rows, and fill existing rows with a backfill file in backfills/, as 0031 does with webhook_secret.",
	}
	changingColumnType = &Rule{
		Name: "changing-column-type", Lock: "ACCESS EXCLUSIVE", work: workRewrite, sized: true, max: Error, locking: true,
		Why:     "Changing a column's type rewrites the table and rebuilds its indexes under the lock, unless the new type is binary-coercible (varchar to a longer varchar or to text, numeric to a larger precision).",
		Safe:    "Add a column of the new type, fill it in batches outside the migration, switch the application to it, and drop the old column in a later release.",
		SafeOwn: "Add a column of the new type, fill it with a backfill file in backfills/, switch the application to it, and drop the old column in a later release.",
	}
	disallowedUniqueConstraint = &Rule{
		Name: "disallowed-unique-constraint", Lock: "ACCESS EXCLUSIVE", work: workIndex, sized: true, max: Error, locking: true,
		Why:     "ADD CONSTRAINT … UNIQUE builds its index while holding the lock: no reads or writes of the table until it is built.",
		Safe:    "Build the unique index first with CREATE UNIQUE INDEX CONCURRENTLY alone in a migration, then ADD CONSTRAINT … UNIQUE USING INDEX in a later migration, which is instant.",
		SafeOwn: "Build the unique index CONCURRENTLY first (index catalog in indexes/, or CREATE UNIQUE INDEX CONCURRENTLY in a -- steady:no-transaction migration), then ADD CONSTRAINT … UNIQUE USING INDEX in a later migration, which is instant.",
	}
	addingSerialPrimaryKeyField = &Rule{
		Name: "adding-serial-primary-key-field", Lock: "ACCESS EXCLUSIVE", work: workIndex, sized: true, max: Error, locking: true,
		Why:     "ADD PRIMARY KEY builds its index (and checks NOT NULL) while holding the lock: no reads or writes of the table until it is done.",
		Safe:    "Build a unique index first with CREATE UNIQUE INDEX CONCURRENTLY alone in a migration, then ADD CONSTRAINT … PRIMARY KEY USING INDEX in a later migration.",
		SafeOwn: "Build a unique index CONCURRENTLY first (index catalog in indexes/, or a -- steady:no-transaction migration), then ADD CONSTRAINT … PRIMARY KEY USING INDEX in a later migration.",
	}
	renamingColumn = &Rule{
		Name: "renaming-column", Lock: "ACCESS EXCLUSIVE", work: workNone, fixed: Warning, locking: true,
		Why:  "Code of the release still running reads and writes the old name and fails from the moment the rename commits.",
		Safe: "Add the new column, write both from the application, fill it in batches, switch reads, and drop the old column in a later release.",
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
		Why:     "PostgreSQL refuses CONCURRENTLY (and VACUUM) in a transaction block: where the file runs in one the migration fails; where steady runs the whole file outside one for it, its other statements lose their all-or-nothing, and a failure half-way leaves the file half applied.",
		Safe:    "Put the concurrent statement alone in its own migration, marked as the tool wants it (-- steady:no-transaction, -- +goose NO TRANSACTION, -- migrate:up transaction:false).",
		SafeOwn: "Put the concurrent statement alone in its own migration (-- steady:no-transaction says so), or the index in the index catalog (a file in indexes/).",
	}
	transactionNesting = &Rule{
		Name: "transaction-nesting", Lock: "none", work: workNone, fixed: Warning,
		Why:  "A file's own BEGIN … COMMIT is its only all-or-nothing when its tool does not wrap it; when the tool does (goose, dbmate) or the block leaves statements out, a COMMIT ends the transaction early and a failure after it leaves the file half applied.",
		Safe: "Let one BEGIN … COMMIT cover the whole file (or none, and let the tool wrap it); in goose and dbmate files, remove them or mark the file as running without a transaction.",
	}
	preferRobustStmts = &Rule{
		Name: "prefer-robust-stmts", Lock: "", work: workNone, fixed: Info,
		Why:  "The catalog cannot show whether it ran, so when part of the migration is found in place steady runs it again, and running it twice fails or changes data twice.",
		Safe: "Make it rerunnable (INSERT … ON CONFLICT DO NOTHING, an UPDATE whose WHERE skips rows already done, IF NOT EXISTS), or say what it leaves with -- steady:fingerprint KIND NAME.",
	}
	requireConcurrentReindex = &Rule{
		Name: "require-concurrent-reindex", Lock: "SHARE on the table, ACCESS EXCLUSIVE on each index rebuilt", work: workIndex, sized: true, max: Error, locking: true,
		Why:  "REINDEX without CONCURRENTLY blocks writes to the table, and every query that would use an index being rebuilt, until the rebuild ends.",
		Safe: "REINDEX INDEX CONCURRENTLY (PostgreSQL 12+), alone in a migration that runs outside a transaction.",
	}
	banVacuumFull = &Rule{
		Name: "ban-vacuum-full", Lock: "ACCESS EXCLUSIVE", work: workRewrite, sized: true, max: Error, locking: true,
		Why:  "VACUUM FULL writes a new copy of the table and its indexes while holding ACCESS EXCLUSIVE: no reads or writes until it ends.",
		Safe: "Leave dead rows to autovacuum; to shrink a bloated table online, use pg_repack or pg_squeeze outside the migration.",
	}
	banCluster = &Rule{
		Name: "ban-cluster", Lock: "ACCESS EXCLUSIVE", work: workRewrite, sized: true, max: Error, locking: true,
		Why:  "CLUSTER writes a new copy of the table in index order, and rebuilds its indexes, while holding ACCESS EXCLUSIVE: no reads or writes until it ends.",
		Safe: "Use pg_repack --order-by outside the migration, or accept the order new rows get; CLUSTER's order is not kept anyway.",
	}
	changingTablePersistence = &Rule{
		Name: "changing-table-persistence", Lock: "ACCESS EXCLUSIVE", work: workRewrite, sized: true, max: Error, locking: true,
		Why:  "SET LOGGED writes the whole table into the WAL, and SET UNLOGGED rewrites it, while holding ACCESS EXCLUSIVE: no reads or writes until it ends.",
		Safe: "Create the table LOGGED from the start; for an existing one, copy it into a new logged table in batches and swap the names in a short migration.",
	}
	requireConcurrentRefresh = &Rule{
		Name: "require-concurrent-refresh", Lock: "ACCESS EXCLUSIVE on the materialized view", work: workRewrite, sized: true, max: Error, locking: true,
		Why:  "REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks every read of the view while its query runs again.",
		Safe: "Give the view a unique index and REFRESH MATERIALIZED VIEW CONCURRENTLY (reads go on), on a schedule rather than in a migration.",
	}
	banTruncateCascade = &Rule{
		Name: "ban-truncate-cascade", Lock: "ACCESS EXCLUSIVE on every table emptied", work: workNone, fixed: Warning, locking: true,
		Why:  "CASCADE empties every table that references this one through a foreign key, and theirs in turn: rows of tables the statement does not name are lost.",
		Safe: "Name every table to empty in the TRUNCATE, without CASCADE, so that a forgotten reference fails the statement instead of deleting data.",
	}
	banLockTable = &Rule{
		Name: "ban-lock-table", Lock: "as named", work: workNone, fixed: Warning, locking: true,
		Why:  "An explicit LOCK is held until the transaction ends: every statement after it runs while the application waits, and while it waits for running queries a queue forms behind it.",
		Safe: "Leave locking to the statements themselves (steady runs each migration with a lock_timeout); if the order of locks matters, lock in the weakest mode that serves, just before the statement that needs it.",
	}
	unbatchedBackfill = &Rule{
		Name: "unbatched-backfill", Lock: "ROW EXCLUSIVE; each row changed stays locked until commit", work: workUpdate, sized: true, max: Error, locking: true,
		Why:     "An UPDATE or DELETE of a whole table writes every row in one transaction: each row stays locked until it commits (concurrent writes to them wait), the table and the WAL bloat, and a failure rolls all of it back.",
		Safe:    "Fill the rows in batches outside the migration (a steady backfill job, or a loop of UPDATE … WHERE id BETWEEN … that commits each batch).",
		SafeOwn: "Move it to the backfill catalog (a file in backfills/): a worker runs it in batches through the pooler, each batch with its checkpoint.",
	}
	backfillInDDLTransaction = &Rule{
		Name: "backfill-in-ddl-transaction", Lock: "the ALTER's, held until commit", work: workUpdate, sized: true, max: Error, locking: true,
		Why:     "An ALTER TABLE keeps its lock until its transaction commits, so the table stays locked (ACCESS EXCLUSIVE: no reads or writes) while every row is written after it.",
		Safe:    "Commit the ALTER TABLE alone in its migration, then fill the rows in batches outside the migration.",
		SafeOwn: "Commit the ALTER TABLE alone in its migration, then fill the rows with a backfill file in backfills/.",
	}
	newEnumValueUsedInTransaction = &Rule{
		Name: "new-enum-value-used-in-transaction", Lock: "none", work: workNone, fixed: Error,
		Why:  "PostgreSQL refuses to use an enum value added by ALTER TYPE … ADD VALUE before the transaction that added it commits (55P04, unsafe use of new value): the migration fails.",
		Safe: "Add the value in a migration of its own (or outside a transaction), and use it in a later one.",
	}
	dynamicSQLNotAnalysed = &Rule{
		Name: "dynamic-sql-not-analysed", Lock: "whatever it takes", work: workNone, fixed: Warning,
		Why:  "steady cannot see what a statement built at run time does: it may take any lock on any table.",
		Safe: "Write the statement out (plain SQL in the block, or EXECUTE of a constant), or check it by hand and record why with -- steady:allow dynamic-sql-not-analysed <reason>.",
	}
	preferIdentity = &Rule{
		Name: "prefer-identity", Lock: "none", work: workNone, fixed: Info, style: true,
		Why:  "A serial's sequence is a separate object with its own owner and grants; an identity column is part of the table and follows it through dumps and copies.",
		Safe: "bigint GENERATED BY DEFAULT AS IDENTITY.",
	}
	preferBigintOverInt = &Rule{
		Name: "prefer-bigint-over-int", Lock: "none", work: workNone, fixed: Info, style: true,
		Why:  "A 32-bit column runs out at 2 147 483 647, and widening it later rewrites the table.",
		Safe: "bigint.",
	}
	preferBigintOverSmallint = &Rule{
		Name: "prefer-bigint-over-smallint", Lock: "none", work: workNone, fixed: Info, style: true,
		Why:  "A 16-bit column runs out at 32 767, and widening it later rewrites the table.",
		Safe: "bigint (or integer where the range is known to be small).",
	}
	preferTextField = &Rule{
		Name: "prefer-text-field", Lock: "none", work: workNone, fixed: Info, style: true,
		Why:  "A varchar(n) limit is changed with ALTER COLUMN TYPE, which rewrites the table when it shrinks; a CHECK on length() is changed with NOT VALID and VALIDATE, online.",
		Safe: "text, with CHECK (length(col) <= n) where a limit is wanted.",
	}
	preferTimestampTz = &Rule{
		Name: "prefer-timestamp-tz", Lock: "none", work: workNone, fixed: Info, style: true,
		Why:  "timestamp without time zone drops the offset: the same instant written from two time zones is stored as two different times.",
		Safe: "timestamptz.",
	}
	banCharField = &Rule{
		Name: "ban-char-field", Lock: "none", work: workNone, fixed: Info, style: true,
		Why:  "char(n) pads with blanks and compares in surprising ways; it is never faster than text.",
		Safe: "text (or varchar).",
	}
)

// Rules are every rule, by name.
var Rules = []*Rule{
	addingFieldWithDefault, addingNotNullableField, addingRequiredField, addingSerialPrimaryKeyField,
	backfillInDDLTransaction, banCharField, banCluster, banConcurrentIndexCreationInTransaction,
	banDropColumn, banDropTable, banLockTable, banTruncateCascade, banVacuumFull, changingColumnType,
	changingTablePersistence, constraintMissingNotValid, disallowedUniqueConstraint, dynamicSQLNotAnalysed,
	newEnumValueUsedInTransaction, preferBigintOverInt, preferBigintOverSmallint, preferIdentity,
	preferRobustStmts, preferTextField, preferTimestampTz, renamingColumn, renamingTable,
	requireConcurrentIndexCreation, requireConcurrentIndexDeletion, requireConcurrentRefresh,
	requireConcurrentReindex, transactionNesting, unbatchedBackfill,
}

// RuleByName returns a rule.
func RuleByName(name string) (*Rule, bool) {
	i := slices.IndexFunc(Rules, func(r *Rule) bool { return r.Name == name })
	if i < 0 {
		return nil, false
	}
	return Rules[i], true
}
