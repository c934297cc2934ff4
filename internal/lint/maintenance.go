package lint

import (
	"fmt"
	"slices"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// Maintenance statements that rebuild a table or its indexes under a lock that stops the
// application: each has an online form, or belongs outside a migration.

func (c *checker) reindex(s *pg_query.ReindexStmt) []hit {
	if reindexConcurrently(s) {
		return nil // see refusing
	}
	switch s.Kind {
	case pg_query.ReindexObjectType_REINDEX_OBJECT_INDEX:
		idx := relKey(s.Relation)
		if idx == nil {
			return nil
		}
		h := hit{rule: requireConcurrentReindex, detail: "REINDEX INDEX " + idx.String() + " without CONCURRENTLY"}
		if t, ok := c.set.indexTable(*idx); ok {
			h.table = &t
			h.detail += " (on " + t.String() + ")"
			c.hold(t, "SHARE", "REINDEX")
		} else if c.set.snap != nil {
			return nil // not in the catalog: the statement fails, or an earlier migration of the run makes it
		}
		return []hit{h}
	case pg_query.ReindexObjectType_REINDEX_OBJECT_TABLE:
		t := relKey(s.Relation)
		if t == nil {
			return nil
		}
		c.hold(*t, "SHARE", "REINDEX")
		return []hit{{rule: requireConcurrentReindex, table: t, detail: "REINDEX TABLE " + t.String() + " without CONCURRENTLY"}}
	}
	return []hit{{rule: requireConcurrentReindex, detail: "REINDEX " + s.Name + " of a whole schema or database without CONCURRENTLY: every table's indexes in turn"}}
}

func (c *checker) vacuum(s *pg_query.VacuumStmt) []hit {
	full := slices.ContainsFunc(s.Options, func(o *pg_query.Node) bool {
		d := o.GetDefElem()
		return d.GetDefname() == "full" && (d.Arg == nil || d.Arg.GetBoolean().GetBoolval() || d.Arg.GetString_().GetSval() == "true" || d.Arg.GetInteger().GetIval() == 1)
	})
	if !full || !s.IsVacuumcmd {
		return nil
	}
	if len(s.Rels) == 0 {
		return []hit{{rule: banVacuumFull, detail: "VACUUM FULL of every table of the database"}}
	}
	var hits []hit
	for _, r := range s.Rels {
		if t := relKey(r.GetVacuumRelation().GetRelation()); t != nil {
			hits = append(hits, hit{rule: banVacuumFull, table: t, detail: "VACUUM FULL " + t.String() + ": the table is rewritten"})
		}
	}
	return hits
}

func (c *checker) cluster(s *pg_query.ClusterStmt) []hit {
	t := relKey(s.Relation)
	if t == nil {
		return []hit{{rule: banCluster, detail: "CLUSTER of every table clustered before: each is rewritten in turn"}}
	}
	c.hold(*t, "ACCESS EXCLUSIVE", "CLUSTER")
	return []hit{{rule: banCluster, table: t, detail: fmt.Sprintf("CLUSTER %s: the table is rewritten in index order", t)}}
}

func (c *checker) truncate(s *pg_query.TruncateStmt) []hit {
	var hits []hit
	for _, r := range s.Relations {
		t := relKey(r.GetRangeVar())
		if t == nil {
			continue
		}
		c.hold(*t, "ACCESS EXCLUSIVE", "TRUNCATE")
		if s.Behavior == pg_query.DropBehavior_DROP_CASCADE {
			hits = append(hits, hit{rule: banTruncateCascade, table: t,
				detail: fmt.Sprintf("TRUNCATE %s CASCADE: every table with a foreign key to it is emptied too, and theirs in turn", t)})
		}
	}
	return hits
}

func (c *checker) refresh(s *pg_query.RefreshMatViewStmt) []hit {
	t := relKey(s.Relation)
	if t == nil || s.Concurrent {
		return nil
	}
	detail := fmt.Sprintf("REFRESH MATERIALIZED VIEW %s without CONCURRENTLY: reads of it wait until its query has run again", t)
	if s.SkipData {
		detail = fmt.Sprintf("REFRESH MATERIALIZED VIEW %s WITH NO DATA: it cannot be read until it is refreshed again", t)
	}
	return []hit{{rule: requireConcurrentRefresh, table: t, view: true, detail: detail}}
}

// lockTable flags an explicit LOCK that blocks writes: it is held to the end of the
// transaction, through every statement after it.
func (c *checker) lockTable(s *pg_query.LockStmt) []hit {
	lock := lockNames[s.Mode]
	if lockRank[lock] < lockRank["SHARE"] {
		return nil
	}
	var hits []hit
	for _, r := range s.Relations {
		t := relKey(r.GetRangeVar())
		if t == nil {
			continue
		}
		c.hold(*t, lock, "LOCK TABLE")
		hits = append(hits, hit{rule: banLockTable, table: t, lock: lock,
			detail: fmt.Sprintf("LOCK TABLE %s IN %s MODE: held until the migration's transaction ends", t, lock)})
	}
	return hits
}
