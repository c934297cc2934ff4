package backfills

import (
	"slices"
	"strconv"
	"strings"
)

// Backfill is one entry of the backfill catalog, or an ad hoc run's definition: a data change
// too large for a migration, made in keyset batches by River jobs on the POOLER (the Runner
// works it). It is read from a file (ParseFile).
//
// Both statements take the batch's key range as $1 (exclusive) and $2 (inclusive) on
// KeyTable.Key. Update must change only rows that Pending selects, and afterwards Pending must
// select none of them: that is what makes a rerun idempotent and the remaining work countable.
type Backfill struct {
	Name        string // lower_snake; names the run, its jobs and its settings
	Description string
	Table       string // the table Update changes; throttling watches the locks on it
	KeyTable    string // the table whose key delimits batches; default Table
	Key         string // a unique, indexed integer column of KeyTable (its primary key)
	Update      string // the batch: UPDATE … WHERE key > $1 AND key <= $2 AND <still needs work>
	Pending     string // SELECT of the KeyTable rows in ($1, $2] that still need the change; "": not counted
	Schedule    string // default cron spec (robfig standard; CRON_TZ= allowed); "" runs only when enqueued
	Slices      int    // key-range slices of a scheduled or on-start run; default 1

	File    string // the file it was read from, as errors name it
	Source  string // the file's text: an ad hoc run stores it (Checksum)
	Line    int    // where Update starts in File
	KeyLine int    // the line of the key field in File
}

// KeyRelation is the table whose key delimits batches.
func (b Backfill) KeyRelation() string {
	if b.KeyTable != "" {
		return b.KeyTable
	}
	return b.Table
}

// Catalog is the list of backfills, in the order commands show them (the product's are the
// files of backfills/, read by LoadDir).
type Catalog []Backfill

// Lookup returns the entry called name.
func (c Catalog) Lookup(name string) (Backfill, bool) {
	i := slices.IndexFunc(c, func(b Backfill) bool { return b.Name == name })
	if i < 0 {
		return Backfill{}, false
	}
	return c[i], true
}

// Names lists the catalog's names in catalog order.
func (c Catalog) Names() []string {
	names := make([]string, len(c))
	for i, b := range c {
		names[i] = b.Name
	}
	return names
}

// Unknown is the error for a name that is not in the catalog.
func (c Catalog) Unknown(name string) error { return &UnknownError{Name: name, Known: c.Names()} }

// UnknownError names a backfill that is not in the catalog, and the ones that are.
type UnknownError struct {
	Name  string
	Known []string
}

func (e *UnknownError) Error() string {
	return "unknown backfill " + strconv.Quote(e.Name) + " (known: " + strings.Join(e.Known, ", ") + ")"
}
