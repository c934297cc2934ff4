package lint

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// DefaultConfigFile is the checked-in configuration steady lint reads from the current
// directory when it exists.
const DefaultConfigFile = ".steady-lint.toml"

// FileConfig is a .steady-lint.toml: the exit policy, the row thresholds and a level per rule.
//
//	fail_on = "warning"          # error (default), warning or info
//	warn_rows = 50000
//	error_rows = 500000
//	[rules]
//	ban-drop-column = "error"    # error, warning, info or off
//	prefer-bigint-over-int = "off"
type FileConfig struct {
	FailOn    string           `toml:"fail_on"`
	WarnRows  int64            `toml:"warn_rows"`
	ErrorRows int64            `toml:"error_rows"`
	Rules     map[string]Level `toml:"rules"`
}

// ConfigFileError is a configuration file that cannot be used: bad input, naming the file and
// what is wrong in it.
type ConfigFileError struct {
	File string
	Err  error
}

func (e *ConfigFileError) Error() string { return fmt.Sprintf("lint config %s: %v", e.File, e.Err) }
func (e *ConfigFileError) Unwrap() error { return e.Err }

// ReadConfigFile reads and checks a configuration file: TOML, only the keys above, known rules,
// known levels.
func ReadConfigFile(path string) (FileConfig, error) {
	var fc FileConfig
	fail := func(err error) (FileConfig, error) { return FileConfig{}, &ConfigFileError{File: path, Err: err} }
	body, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fail(err)
	}
	md, err := toml.Decode(string(body), &fc)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return fail(fmt.Errorf("line %d: %s", pe.Position.Line, pe.Message))
		}
		return fail(err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return fail(fmt.Errorf("unknown key %s (known: fail_on, warn_rows, error_rows, [rules])", strings.Join(keys, ", ")))
	}
	if fc.FailOn != "" {
		if _, err := ParseFailOn(fc.FailOn); err != nil {
			return fail(fmt.Errorf("fail_on: %w", err))
		}
	}
	if fc.WarnRows < 0 || fc.ErrorRows < 0 {
		return fail(fmt.Errorf("warn_rows and error_rows must be positive"))
	}
	for _, name := range slices.Sorted(maps.Keys(fc.Rules)) {
		if _, ok := RuleByName(name); !ok {
			return fail(fmt.Errorf("[rules] %s: unknown rule (steady help lint lists them)", name))
		}
		if _, err := ParseLevel(string(fc.Rules[name])); err != nil {
			return fail(fmt.Errorf("[rules] %s: %w", name, err))
		}
	}
	return fc, nil
}

// ParseFailOn reads the severity from which findings fail the lint: error, warning or info.
func ParseFailOn(s string) (Severity, error) {
	var sev Severity
	if err := sev.UnmarshalText([]byte(s)); err != nil {
		return 0, err
	}
	return sev, nil
}
