package lint

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"slices"
)

// SyntaxError is a file that does not parse, for the outputs that list it with the findings.
type SyntaxError struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// WriteSARIF writes the report as SARIF 2.1.0, the format code-scanning UIs read (GitHub code
// scanning, GitLab, Azure DevOps): one run of the tool "steady", its rules with their why and
// safe text, one result per finding (error, warning, note for info), an allowed finding as a
// result with an in-source suppression carrying the reason, and a file that does not parse as
// a result of the rule syntax-error.
func (r *Report) WriteSARIF(w io.Writer, version string, syntax []SyntaxError) error {
	type message struct {
		Text string `json:"text"`
	}
	type region struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
	}
	type location struct {
		PhysicalLocation struct {
			ArtifactLocation struct {
				URI string `json:"uri"`
			} `json:"artifactLocation"`
			Region region `json:"region"`
		} `json:"physicalLocation"`
	}
	type suppression struct {
		Kind          string `json:"kind"`
		Justification string `json:"justification"`
	}
	type result struct {
		RuleID       string        `json:"ruleId"`
		RuleIndex    int           `json:"ruleIndex"`
		Level        string        `json:"level"`
		Message      message       `json:"message"`
		Locations    []location    `json:"locations"`
		Suppressions []suppression `json:"suppressions,omitempty"`
	}
	type rule struct {
		ID                   string  `json:"id"`
		ShortDescription     message `json:"shortDescription"`
		FullDescription      message `json:"fullDescription"`
		Help                 message `json:"help"`
		HelpURI              string  `json:"helpUri,omitempty"`
		DefaultConfiguration struct {
			Level string `json:"level"`
		} `json:"defaultConfiguration"`
	}
	level := map[Severity]string{Error: "error", Warning: "warning", Info: "note"}
	var rules []rule
	index := map[string]int{}
	for _, rl := range append(slices.Clone(Rules), &Rule{Name: "syntax-error", Why: "The file does not parse: nothing of it can run.", Safe: "Fix the SQL or the directive at the line given.", fixed: Error}) {
		ru := rule{ID: rl.Name, ShortDescription: message{rl.Name}, FullDescription: message{rl.Why}, Help: message{rl.Safe}}
		ru.DefaultConfiguration.Level = level[rl.fixed]
		if rl.sized {
			ru.DefaultConfiguration.Level = "warning"
		}
		index[rl.Name] = len(rules)
		rules = append(rules, ru)
	}
	loc := func(file string, line, col int) []location {
		var l location
		l.PhysicalLocation.ArtifactLocation.URI = (&url.URL{Path: filepath.ToSlash(file)}).String()
		l.PhysicalLocation.Region = region{StartLine: max(line, 1), StartColumn: col}
		return []location{l}
	}
	results := []result{}
	for _, p := range syntax {
		results = append(results, result{RuleID: "syntax-error", RuleIndex: index["syntax-error"], Level: "error",
			Message: message{p.Message}, Locations: loc(p.File, p.Line, 0)})
	}
	for _, f := range r.Findings {
		text := f.Detail + "\nlock: " + cmpStr(f.Lock, "—")
		if line := f.sizeLine(); line != "" {
			text += "\ntable: " + line
		}
		text += "\nwhy: " + f.Why + "\nsafe: " + f.Safe
		res := result{RuleID: f.Rule, RuleIndex: index[f.Rule], Level: level[f.Severity], Message: message{text},
			Locations: loc(f.File, f.Line, f.Column)}
		if f.Allowed != "" {
			res.Suppressions = []suppression{{Kind: "inSource", Justification: f.Allowed}}
		}
		results = append(results, res)
	}
	type driver struct {
		Name           string `json:"name"`
		Version        string `json:"version,omitempty"`
		InformationURI string `json:"informationUri"`
		Rules          []rule `json:"rules"`
	}
	type run struct {
		Tool struct {
			Driver driver `json:"driver"`
		} `json:"tool"`
		Results []result `json:"results"`
	}
	var rn run
	rn.Tool.Driver = driver{Name: "steady", Version: version, InformationURI: "https://github.com/steadydb/steady/blob/main/docs/lint.md", Rules: rules}
	rn.Results = results
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []run  `json:"runs"`
	}{"https://json.schemastore.org/sarif-2.1.0.json", "2.1.0", []run{rn}})
}
