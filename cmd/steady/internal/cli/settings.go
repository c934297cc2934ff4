package cli

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// setting is one setting, declared once: its flag, its environment variable (none for a switch
// that only makes sense on a command line, such as --json), what it means, and its value, which
// holds the default and the check. Help, the environment and the flags are all read from it:
// flag > environment variable > default.
type setting struct {
	flag  string
	env   string
	usage string
	value value
}

// value is a typed setting bound to its variable: Set parses and checks the text of a flag or
// of an environment variable, so both are refused alike.
type value interface {
	pflag.Value
	// hint is what help adds after the usage: the range, "" when there is none.
	hint() string
}

// envAnnotation keeps a flag's environment variable on the flag, for the environment pass and
// for help.
const envAnnotation = "steady_env"

// register declares settings on a flag set.
func register(fs *pflag.FlagSet, settings ...setting) {
	for _, s := range settings {
		f := fs.VarPF(s.value, s.flag, "", s.usage)
		if s.env != "" {
			f.Annotations = map[string][]string{envAnnotation: {s.env}}
		}
		if _, ok := s.value.(*boolValue); ok {
			f.NoOptDefVal = "true" // --json, not --json=true
		}
	}
}

func envOf(f *pflag.Flag) string {
	if env := f.Annotations[envAnnotation]; len(env) > 0 {
		return env[0]
	}
	return ""
}

// applyEnv gives each setting not set by its flag the value of its environment variable (unset
// or empty: the default stays). A value that does not parse or check is a usage error naming
// the variable.
func applyEnv(fs *pflag.FlagSet, lookup LookupEnv) error {
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		env := envOf(f)
		if err != nil || env == "" || f.Changed {
			return
		}
		raw, ok := lookup(env)
		if !ok || raw == "" {
			return
		}
		if e := f.Value.Set(raw); e != nil {
			err = usageErr(fmt.Errorf("%s=%q: %w", env, raw, e))
		}
	})
	return err
}

// settingSources names the settings that a flag or a variable set: names only, never values
// (URLs carry passwords).
func settingSources(fs *pflag.FlagSet, lookup LookupEnv) (fromFlags, fromEnv []string) {
	fs.VisitAll(func(f *pflag.Flag) {
		switch env := envOf(f); {
		case f.Changed:
			fromFlags = append(fromFlags, "--"+f.Name)
		case env != "" && getenv(lookup, env) != "":
			fromEnv = append(fromEnv, env)
		}
	})
	return fromFlags, fromEnv
}

// getenv is os.Getenv through lookup: "" when unset.
func getenv(lookup LookupEnv, key string) string {
	v, _ := lookup(key)
	return v
}

// text is a string setting; any text is accepted here (what it must be is checked where it is
// used: a URL, a cron spec).
func text(p *string, def string) value {
	*p = def
	return (*textValue)(p)
}

type textValue string

func (v *textValue) Set(s string) error { *v = textValue(s); return nil }
func (v *textValue) String() string     { return string(*v) }
func (v *textValue) Type() string       { return "string" }
func (v *textValue) hint() string       { return "" }

// oneOf is a string setting with a fixed set of values, compared without case.
func oneOf(p *string, def string, choices ...string) value {
	*p = def
	return &choiceValue{p: p, choices: choices}
}

type choiceValue struct {
	p       *string
	choices []string
}

func (v *choiceValue) Set(s string) error {
	if s = strings.ToLower(s); !slices.Contains(v.choices, s) {
		return fmt.Errorf("want %s", orList(v.choices))
	}
	*v.p = s
	return nil
}
func (v *choiceValue) String() string { return *v.p }
func (v *choiceValue) Type() string   { return "string" }
func (v *choiceValue) hint() string   { return "" }

func orList(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}

// boolean is a switch: --json, --strict=false, STEADY_STRICT=true.
func boolean(p *bool, def bool) value {
	*p = def
	return (*boolValue)(p)
}

type boolValue bool

func (v *boolValue) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("want true or false")
	}
	*v = boolValue(b)
	return nil
}
func (v *boolValue) String() string { return strconv.FormatBool(bool(*v)) }
func (v *boolValue) Type() string   { return "bool" }
func (v *boolValue) hint() string   { return "" }

// integer is the one kind of whole-number setting: always within [lo, hi].
func integer[T ~int | ~int64](p *T, def, lo, hi T) value {
	*p = def
	return &intValue[T]{p: p, lo: lo, hi: hi}
}

type intValue[T ~int | ~int64] struct {
	p      *T
	lo, hi T
}

func (v *intValue[T]) Set(s string) error {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || T(n) < v.lo || T(n) > v.hi || int64(T(n)) != n {
		return fmt.Errorf("want a whole number from %d to %d", v.lo, v.hi)
	}
	*v.p = T(n)
	return nil
}
func (v *intValue[T]) String() string { return strconv.FormatInt(int64(*v.p), 10) }
func (v *intValue[T]) Type() string   { return "int" }
func (v *intValue[T]) hint() string   { return fmt.Sprintf("%d to %d", v.lo, v.hi) }

// optionalInt is a whole-number setting within [lo, hi] that may be left unset (nil): --from,
// --to, and --slices whose default is a file's.
func optionalInt(p **int64, lo, hi int64) value { return &optionalIntValue{p: p, lo: lo, hi: hi} }

type optionalIntValue struct {
	p      **int64
	lo, hi int64
}

func (v *optionalIntValue) Set(s string) error {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < v.lo || n > v.hi {
		if v.lo == math.MinInt64 && v.hi == math.MaxInt64 {
			return fmt.Errorf("want a whole number")
		}
		return fmt.Errorf("want a whole number from %d to %d", v.lo, v.hi)
	}
	*v.p = &n
	return nil
}

func (v *optionalIntValue) String() string {
	if *v.p == nil {
		return ""
	}
	return strconv.FormatInt(**v.p, 10)
}
func (v *optionalIntValue) Type() string { return "int" }

func (v *optionalIntValue) hint() string {
	if v.lo == math.MinInt64 && v.hi == math.MaxInt64 {
		return ""
	}
	return fmt.Sprintf("%d to %d", v.lo, v.hi)
}

// number is a decimal setting within [lo, hi].
func number(p *float64, def, lo, hi float64) value {
	*p = def
	return &floatValue{p: p, lo: lo, hi: hi}
}

type floatValue struct {
	p      *float64
	lo, hi float64
}

func (v *floatValue) Set(s string) error {
	x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || !(x >= v.lo && x <= v.hi) { // NaN fails both comparisons
		return fmt.Errorf("want a number from %g to %g", v.lo, v.hi)
	}
	*v.p = x
	return nil
}
func (v *floatValue) String() string { return strconv.FormatFloat(*v.p, 'g', -1, 64) }
func (v *floatValue) Type() string   { return "float" }
func (v *floatValue) hint() string   { return fmt.Sprintf("%g to %g", v.lo, v.hi) }

// duration is a duration setting (5s, 200ms, 1h30m) of any length.
func duration(p *time.Duration, def time.Duration) value {
	return durationIn(p, def, math.MinInt64, math.MaxInt64)
}

// durationIn is a duration setting within [lo, hi].
func durationIn(p *time.Duration, def, lo, hi time.Duration) value {
	*p = def
	return &durationValue{p: p, lo: lo, hi: hi}
}

type durationValue struct {
	p      *time.Duration
	lo, hi time.Duration
}

func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("want a duration such as 5s")
	}
	if d < v.lo || d > v.hi {
		return fmt.Errorf("want %s", v.hint())
	}
	*v.p = d
	return nil
}
func (v *durationValue) String() string { return shortDuration(*v.p) }
func (v *durationValue) Type() string   { return "duration" }

func (v *durationValue) hint() string {
	switch {
	case v.lo == math.MinInt64 && v.hi == math.MaxInt64:
		return ""
	case v.hi == math.MaxInt64:
		return "at least " + shortDuration(v.lo)
	}
	return shortDuration(v.lo) + " to " + shortDuration(v.hi)
}

// shortDuration is 1m rather than 1m0s, 1h rather than 1h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
