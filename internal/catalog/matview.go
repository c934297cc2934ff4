package catalog

// MaterializedView returns a materialized view with its size, as Table does for tables (the
// lint sizes a REFRESH by it).
func (s *Snapshot) MaterializedView(schema, viewName string) (Table, bool) {
	k := name{schema, viewName}
	if s.relations[k] != "m" {
		return Table{}, false
	}
	size := s.sizes[k]
	rows := int64(-1)
	if size.Rows != nil {
		rows = *size.Rows
	}
	return Table{Schema: schema, Name: viewName, Columns: append([]Column(nil), s.columns[k]...),
		Rows: rows, HeapBytes: size.HeapBytes, TotalBytes: size.TotalBytes}, true
}
