package migfiles

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Version orders migrations: one or more unsigned integers joined by dots, compared part by
// part as numbers. steady, golang-migrate, goose and dbmate versions are one integer (often a
// timestamp such as 20230412093000); Flyway's V1_1 is "1.1". Leading zeros are not significant:
// "0007" is version 7.
type Version string

// ParseVersion reads digits separated by "." or "_" (Flyway writes V1_1 for 1.1).
func ParseVersion(s string) (Version, error) {
	if s == "" {
		return "", fmt.Errorf("empty version")
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '_' })
	if len(parts) == 0 || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "_") || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "_") {
		return "", fmt.Errorf("version %q: want digits, optionally separated by dots", s)
	}
	out := make([]string, len(parts))
	for i, p := range parts {
		if strings.Trim(p, "0123456789") != "" {
			return "", fmt.Errorf("version %q: want digits, optionally separated by dots", s)
		}
		p = strings.TrimLeft(p, "0")
		if p == "" {
			p = "0"
		}
		if len(p) > 18 {
			return "", fmt.Errorf("version %q: a part has more than 18 digits", s)
		}
		out[i] = p
	}
	return Version(strings.Join(out, ".")), nil
}

// Compare orders versions numerically, part by part; a missing part counts as less (1 < 1.0 < 1.1).
func (v Version) Compare(w Version) int {
	a, b := strings.Split(string(v), "."), strings.Split(string(w), ".")
	for i := range min(len(a), len(b)) {
		if c := cmp.Compare(len(a[i]), len(b[i])); c != 0 { // no leading zeros: longer is larger
			return c
		}
		if c := strings.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

// Int reports the version as an integer when it has one part.
func (v Version) Int() (int64, bool) {
	if strings.Contains(string(v), ".") {
		return 0, false
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	return n, err == nil
}

// String pads one-part versions to four digits, as steady's own files are named ("0007").
func (v Version) String() string {
	if n, ok := v.Int(); ok {
		return fmt.Sprintf("%04d", n)
	}
	return string(v)
}

// MarshalJSON writes a one-part version as a JSON number, as steady always has; a dotted
// version (Flyway's 1.1) as a string.
func (v Version) MarshalJSON() ([]byte, error) {
	if n, ok := v.Int(); ok {
		return []byte(strconv.FormatInt(n, 10)), nil
	}
	return json.Marshal(string(v))
}

// UnmarshalJSON accepts both forms.
func (v *Version) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	p, err := ParseVersion(s)
	if err != nil {
		return err
	}
	*v = p
	return nil
}
