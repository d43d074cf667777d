package djangoimport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Dump is a parsed "manage.py dumpdata" file: Django's JSON serialisation,
// a list of {"model": "app.model", "pk": ..., "fields": {...}} objects.
// Rows are grouped by model label and keep their order within a model.
type Dump struct {
	rows   map[string][]*Row
	labels []string // model labels in order of first appearance
	total  int
}

// Row is one serialised Django object. Fields holds every field as Django
// wrote it: foreign keys as the related primary key, many-to-many fields as
// lists of primary keys, dates and times as ISO 8601 strings.
type Row struct {
	Model  string                     `json:"model"`
	PK     json.RawMessage            `json:"pk"`
	Fields map[string]json.RawMessage `json:"fields"`
}

// ErrNotADump is returned by ReadDump for input that is not the JSON output
// of "manage.py dumpdata".
var ErrNotADump = errors.New("not a Django dumpdata JSON file")

// ReadDump reads the JSON output of "manage.py dumpdata" (any --indent). It
// decodes one object at a time, so a dump costs about the memory of its
// rows. Rows are not checked here beyond their shape; each model's import
// checks its own fields and reports the rows it cannot use.
func ReadDump(r io.Reader) (*Dump, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotADump, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, fmt.Errorf("%w: expected a JSON list of objects, found %v", ErrNotADump, tok)
	}
	dump := &Dump{rows: map[string][]*Row{}}
	for dec.More() {
		var row Row
		if err := dec.Decode(&row); err != nil {
			return nil, fmt.Errorf("%w: object %d: %v", ErrNotADump, dump.total+1, err)
		}
		row.Model = strings.ToLower(strings.TrimSpace(row.Model))
		if row.Model == "" || !strings.Contains(row.Model, ".") {
			return nil, fmt.Errorf(`%w: object %d has no "model" of the form "app.model"`, ErrNotADump, dump.total+1)
		}
		if _, seen := dump.rows[row.Model]; !seen {
			dump.labels = append(dump.labels, row.Model)
		}
		dump.rows[row.Model] = append(dump.rows[row.Model], &row)
		dump.total++
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%w: the list is not closed: %v", ErrNotADump, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: unexpected data after the list", ErrNotADump)
	}
	return dump, nil
}

// Rows returns the rows of one model label ("submissions.servicesubmission").
func (d *Dump) Rows(model string) []*Row { return d.rows[model] }

// Models returns the model labels in the dump, in order of first appearance.
func (d *Dump) Models() []string { return append([]string(nil), d.labels...) }

// Len is the number of rows in the dump.
func (d *Dump) Len() int { return d.total }

// pkString returns the row's primary key as text: integers as digits,
// UUIDs and other strings as written.
func (r *Row) pkString() (string, error) {
	return scalarKey(r.PK)
}

// scalarKey reads a primary key value (number or string). A list means the
// dump was written with natural keys, which the importer does not resolve.
func scalarKey(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", errors.New("no primary key")
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return "", errors.New("empty primary key")
		}
		return s, nil
	case '[', '{':
		return "", errors.New("a natural key instead of a primary key (dump without --natural-foreign/--natural-primary)")
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", fmt.Errorf("primary key %s is neither a number nor a string", raw)
	}
	if i, err := n.Int64(); err == nil {
		return fmt.Sprint(i), nil
	}
	if f, err := n.Float64(); err == nil && f == float64(int64(f)) {
		return fmt.Sprint(int64(f)), nil
	}
	return "", fmt.Errorf("primary key %s is not a whole number", raw)
}
