package djangoimport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/tools/types"
)

// fields reads a row's fields leniently, the way Django may have written
// them across versions: numbers as numbers or strings, booleans as
// booleans, 0/1 or strings, null for empty values. A field that is
// missing reads as its zero value or the given default (older versions of
// a model lack newer fields). Values that cannot be read at all are
// collected as problems and make the row skipped.
type fields struct {
	raw      map[string]json.RawMessage
	problems []string
}

func newFields(r *Row) *fields { return &fields{raw: r.Fields} }

func (f *fields) fail(name, format string, args ...any) {
	f.problems = append(f.problems, name+": "+fmt.Sprintf(format, args...))
}

// problem is the reason the row cannot be imported, or "".
func (f *fields) problem() string { return strings.Join(f.problems, "; ") }

// has reports whether the field is present and not null.
func (f *fields) has(name string) bool {
	raw, ok := f.raw[name]
	raw = bytes.TrimSpace(raw)
	return ok && len(raw) > 0 && string(raw) != "null"
}

// value returns the decoded field (json.Number for numbers), or nil.
func (f *fields) value(name string) any {
	if !f.has(name) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(f.raw[name]))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		f.fail(name, "unreadable value")
		return nil
	}
	return v
}

// str reads a text field; null and missing read as "".
func (f *fields) str(name string) string {
	switch v := f.value(name).(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	default:
		f.fail(name, "expected text, found %s", kindOf(v))
		return ""
	}
}

// strOr reads a text field, def when missing or null.
func (f *fields) strOr(name, def string) string {
	if !f.has(name) {
		return def
	}
	return f.str(name)
}

// boolean reads a boolean field, def when missing or null.
func (f *fields) boolean(name string, def bool) bool {
	switch v := f.value(name).(type) {
	case nil:
		return def
	case bool:
		return v
	case json.Number:
		switch v.String() {
		case "0":
			return false
		case "1":
			return true
		}
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true", "t", "1", "yes":
			return true
		case "false", "f", "0", "no", "":
			return false
		}
	}
	f.fail(name, "expected true or false")
	return def
}

// integer reads a whole number (also "2020" or 2020.0); ok is false when
// the field is missing or null.
func (f *fields) integer(name string) (n int64, ok bool) {
	var text string
	switch v := f.value(name).(type) {
	case nil:
		return 0, false
	case json.Number:
		text = v.String()
	case string:
		text = strings.TrimSpace(v)
	default:
		f.fail(name, "expected a whole number, found %s", kindOf(v))
		return 0, false
	}
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		return i, true
	}
	if x, err := strconv.ParseFloat(text, 64); err == nil && x == float64(int64(x)) {
		return int64(x), true
	}
	f.fail(name, "%q is not a whole number", text)
	return 0, false
}

// timeLayouts are the ways Django (DjangoJSONEncoder: isoformat with
// milliseconds, "Z" for UTC) and hand-edited dumps write dates and times.
// Times without a zone are taken as UTC, which is what Django stores.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// timestamp reads a date or date-time; ok is false when missing or null.
func (f *fields) timestamp(name string) (t time.Time, ok bool) {
	s := f.str(name)
	if s == "" {
		return time.Time{}, false
	}
	t, err := parseTime(s)
	if err != nil {
		f.fail(name, "%q is not an ISO 8601 date or time", s)
		return time.Time{}, false
	}
	return t, true
}

func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO 8601 date or time", s)
}

// key reads a foreign key (the related row's primary key); "" for null.
func (f *fields) key(name string) string {
	if !f.has(name) {
		return ""
	}
	k, err := scalarKey(f.raw[name])
	if err != nil {
		f.fail(name, "%v", err)
	}
	return k
}

// keys reads a many-to-many field: a list of primary keys.
func (f *fields) keys(name string) []string {
	if !f.has(name) {
		return nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(f.raw[name], &list); err != nil {
		f.fail(name, "expected a list of primary keys")
		return nil
	}
	out := make([]string, 0, len(list))
	for _, raw := range list {
		k, err := scalarKey(raw)
		if err != nil {
			f.fail(name, "%v", err)
			continue
		}
		out = append(out, k)
	}
	return out
}

// json returns a JSON field as compact raw JSON, or nil for null and
// missing fields. Big numbers and key order survive untouched.
func (f *fields) json(name string) types.JSONRaw {
	if !f.has(name) {
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, f.raw[name]); err != nil {
		f.fail(name, "unreadable JSON")
		return nil
	}
	return types.JSONRaw(buf.Bytes())
}

// jsonList is json for fields that hold a list: null and missing read as
// an empty list, anything but a list is a problem.
func (f *fields) jsonList(name string) types.JSONRaw {
	raw := f.json(name)
	if raw == nil {
		return types.JSONRaw("[]")
	}
	if raw[0] != '[' {
		f.fail(name, "expected a list")
		return types.JSONRaw("[]")
	}
	return raw
}

func kindOf(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case bool:
		return "true/false"
	case json.Number:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}
