// Package corpus reads the lint corpus (internal/lint/testdata/corpus): migrations written for
// the lint's tests and its bench, in the formats steady reads, each statement marked with what
// a careful PostgreSQL DBA says of it and with what steady is expected to report.
//
// Marks are line comments on the lines just before a statement:
//
//	-- danger: why a DBA would stop this statement
//	-- expect: warning require-concurrent-index-creation
//
// A statement with no danger mark is safe. Each file of the corpus is one case, linted alone as
// `steady lint FILE` does; each directory under sets/<format>/ is one case, linted as
// `steady lint DIR` does.
package corpus

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/lint"
	"github.com/steadydb/steady/internal/migfiles"
)

// Case is a file, or a directory of files of one tool.
type Case struct {
	Name  string // the path under the corpus root
	Set   bool   // a directory: linted as one
	Files []File
}

// File is one migration file of a case.
type File struct {
	Path       string // relative to the corpus root
	Text       string
	Statements []Statement // every statement as written, down sections included
}

// Statement is one statement of a file and its marks.
type Statement struct {
	StartLine, EndLine int
	Danger             string   // "" for a safe statement
	Expect             []string // "severity rule", in any order
}

// Dangerous reports a case with a statement marked as a danger.
func (c Case) Dangerous() bool {
	for _, f := range c.Files {
		for _, s := range f.Statements {
			if s.Danger != "" {
				return true
			}
		}
	}
	return false
}

// At is the index of the statement a line belongs to: the one whose lines hold it, else the
// first after it (a finding on a comment before a statement is about it); -1 past the end.
func (f File) At(line int) int {
	for i, s := range f.Statements {
		if line <= s.EndLine {
			return i
		}
	}
	return -1
}

// Load reads the corpus under root.
func Load(root string) ([]Case, error) {
	var cases []Case
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		parts := strings.Split(filepath.ToSlash(rel), "/")
		switch {
		case d.IsDir() && len(parts) == 3 && parts[0] == "sets":
			c := Case{Name: rel, Set: true}
			entries, err := os.ReadDir(path)
			if err != nil {
				return err
			}
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".down.sql") || !strings.HasSuffix(e.Name(), ".sql") {
					continue
				}
				f, err := readFile(root, filepath.Join(rel, e.Name()))
				if err != nil {
					return err
				}
				c.Files = append(c.Files, f)
			}
			cases = append(cases, c)
			return filepath.SkipDir
		case d.IsDir() || parts[0] == "sets" || !strings.HasSuffix(path, ".sql") || strings.HasSuffix(path, ".down.sql"):
			return nil
		}
		f, err := readFile(root, rel)
		if err != nil {
			return err
		}
		cases = append(cases, Case{Name: rel, Files: []File{f}})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load corpus: %w", err)
	}
	slices.SortFunc(cases, func(a, b Case) int { return strings.Compare(a.Name, b.Name) })
	return cases, nil
}

func readFile(root, rel string) (File, error) {
	body, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		return File{}, err
	}
	f := File{Path: rel, Text: string(body)}
	tree, err := pg_query.Parse(f.Text)
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", rel, err)
	}
	lineOf := func(off int) int { return strings.Count(f.Text[:min(off, len(f.Text))], "\n") + 1 }
	for _, raw := range tree.Stmts {
		lo, hi := int(raw.StmtLocation), int(raw.StmtLocation+raw.StmtLen)
		if raw.StmtLen == 0 {
			hi = len(strings.TrimRight(f.Text, " \t\r\n"))
		}
		st := Statement{EndLine: lineOf(hi)}
		for i, l := range strings.Split(f.Text[lo:hi], "\n") {
			t := strings.TrimSpace(l)
			switch {
			case strings.HasPrefix(t, "-- danger:"):
				st.Danger = strings.TrimSpace(strings.TrimPrefix(t, "-- danger:"))
			case strings.HasPrefix(t, "-- expect:"):
				st.Expect = append(st.Expect, strings.Join(strings.Fields(strings.TrimPrefix(t, "-- expect:")), " "))
			case t == "" || strings.HasPrefix(t, "--"):
			case st.StartLine == 0:
				st.StartLine = lineOf(lo) + i
			}
		}
		f.Statements = append(f.Statements, st)
	}
	return f, nil
}

// Lint lints a case as steady lint does: a file alone, read as its format's tool reads it, or
// a set as a directory.
func (c Case) Lint(ctx context.Context, l *lint.Linter, root string) (*lint.Report, error) {
	var ms []migfiles.Migration
	var err error
	if c.Set {
		ms, err = migfiles.Load(os.DirFS(filepath.Join(root, c.Name)))
	} else {
		f := c.Files[0]
		base := filepath.Base(f.Path)
		ms, err = migfiles.LoadFile(base, []byte(f.Text))
	}
	if err != nil {
		return nil, fmt.Errorf("lint %s: %w", c.Name, err)
	}
	files := make([]lint.File, len(ms))
	for i := range ms {
		if ms[i].Parsed, err = fingerprint.Parse(ms[i].File, ms[i].SQL); err != nil {
			return nil, fmt.Errorf("lint %s: %w", c.Name, err)
		}
		name := ms[i].File
		if c.Set {
			name = filepath.Join(c.Name, ms[i].File)
		} else {
			name = c.Name
		}
		files[i] = lint.FileOf(ms[i], name)
	}
	if c.Set {
		return l.LintDir(ctx, files, nil, lint.LintOpts{}), nil
	}
	return l.LintContext(ctx, files, nil, lint.LintOpts{}), nil
}

// File returns the file of the case a finding names.
func (c Case) File(name string) (File, bool) {
	i := slices.IndexFunc(c.Files, func(f File) bool { return f.Path == name })
	if i < 0 {
		return File{}, false
	}
	return c.Files[i], true
}
