// Package indexes holds the indexes the CRM product's queries need beyond the primary keys and
// unique constraints its migrations declare: plain CREATE INDEX statements in SQL files,
// embedded in the binary as [FS]. steady worker and steady indexes read them unless
// --indexes-dir (STEADY_INDEXES_DIR) names another directory. Adding an index is adding a
// statement to a file; nothing is compiled for it.
//
// # Files
//
// Each statement is a plain CREATE [UNIQUE] INDEX with a name and an unqualified table (no
// CONCURRENTLY: steady adds it; no IF NOT EXISTS: an INVALID index left by a failed build
// satisfies it), with a comment just above it saying which query it serves:
//
//	-- The lead board: one tab per status of a business (tabs_config).
//	CREATE INDEX leads_business_status_idx ON leads (business_id, status);
//
// One job per table builds the table's indexes one at a time, in file order; tables build in
// parallel, in the order they first appear, files read in name order (the numbers put the
// biggest tables first, so that they start first).
//
// steady lint checks the files (a table or column no migration makes, a name taken twice); a
// bad file stops steady worker and steady indexes with exit 2, naming the file and line.
package indexes
