package djangoimport

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// row builds a dump row from raw JSON fields.
func row(t *testing.T, fieldsJSON string) *Row {
	t.Helper()
	r := &Row{Model: "x.y"}
	if err := json.Unmarshal([]byte(fieldsJSON), &r.Fields); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestFieldsReadWhatDjangoWrites(t *testing.T) {
	f := newFields(row(t, `{
		"name": "Café", "number_text": 2020, "null_text": null,
		"yes": true, "no": false, "one": 1, "zero": 0, "word": "True", "null_bool": null,
		"year": 2019, "year_text": "2019", "year_float": 2019.0, "year_bad": "MMXIX",
		"aware": "2024-03-05T10:11:12.123Z", "offset": "2024-03-05T11:11:12+01:00",
		"naive": "2024-03-05T10:11:12", "date": "2024-03-05", "spaced": "2024-03-05 10:11:12",
		"fk_uuid": "3F1C2D4E-5A6B-4C7D-8E9F-A0B1C2D3E4F5", "fk_int": 7, "fk_null": null,
		"m2m": [1, "2", 3.0], "natural": [["auth", "user"]],
		"obj": {"b": [1, 2], "a": 12345678901234567890}, "list_null": null, "not_list": {"a": 1}
	}`))

	if got := f.str("name"); got != "Café" {
		t.Errorf("str: %q", got)
	}
	if got := f.str("number_text"); got != "2020" {
		t.Errorf("number as text: %q", got)
	}
	if f.str("null_text") != "" || f.str("missing") != "" || f.strOr("missing", "def") != "def" || f.strOr("name", "def") != "Café" {
		t.Error("null and missing text")
	}
	for name, want := range map[string]bool{"yes": true, "no": false, "one": true, "zero": false, "word": true} {
		if got := f.boolean(name, !want); got != want {
			t.Errorf("boolean %s: %v", name, got)
		}
	}
	if !f.boolean("null_bool", true) || f.boolean("missing", false) {
		t.Error("boolean defaults")
	}
	for _, name := range []string{"year", "year_text", "year_float"} {
		if n, ok := f.integer(name); !ok || n != 2019 {
			t.Errorf("integer %s: %d %v", name, n, ok)
		}
	}
	if _, ok := f.integer("missing"); ok {
		t.Error("missing integer reads as present")
	}
	want := time.Date(2024, 3, 5, 10, 11, 12, 0, time.UTC)
	for name, wantT := range map[string]time.Time{
		"aware": want.Add(123 * time.Millisecond), "offset": want, "naive": want, "spaced": want,
		"date": time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC),
	} {
		if got, ok := f.timestamp(name); !ok || !got.Equal(wantT) || got.Location() != time.UTC {
			t.Errorf("timestamp %s: %v %v", name, got, ok)
		}
	}
	if f.key("fk_uuid") != "3F1C2D4E-5A6B-4C7D-8E9F-A0B1C2D3E4F5" || f.key("fk_int") != "7" || f.key("fk_null") != "" {
		t.Error("foreign keys")
	}
	if got := f.keys("m2m"); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Errorf("m2m: %v", got)
	}
	if got := string(f.json("obj")); got != `{"b":[1,2],"a":12345678901234567890}` {
		t.Errorf("json keeps order and big numbers: %s", got)
	}
	if f.json("list_null") != nil || string(f.jsonList("list_null")) != "[]" {
		t.Error("null JSON")
	}
	if f.problem() != "" {
		t.Fatalf("problems on valid input: %s", f.problem())
	}

	// what cannot be read is collected, never guessed
	f.integer("year_bad")
	f.keys("natural")
	f.jsonList("not_list")
	f.boolean("name", false)
	for _, want := range []string{"year_bad:", "natural: a natural key", "not_list: expected a list", "name: expected true or false"} {
		if !strings.Contains(f.problem(), want) {
			t.Errorf("problem lacks %q: %s", want, f.problem())
		}
	}
}

func TestPrimaryKeys(t *testing.T) {
	for raw, want := range map[string]string{`1`: "1", `"abc"`: "abc", `12.0`: "12", `" 42 "`: "42"} {
		if got, err := scalarKey(json.RawMessage(raw)); err != nil || got != want {
			t.Errorf("%s: %q %v", raw, got, err)
		}
	}
	for _, raw := range []string{``, `null`, `""`, `1.5`, `[1]`, `{"a":1}`, `true`} {
		if got, err := scalarKey(json.RawMessage(raw)); err == nil {
			t.Errorf("%s: accepted as %q", raw, got)
		}
	}
	for pk, want := range map[string]string{"1": "dj0000000000001", "9999999999999": "dj9999999999999"} {
		if got, ok := auditID(pk); !ok || got != want || len(got) != 15 {
			t.Errorf("auditID(%s) = %q %v", pk, got, ok)
		}
	}
	for _, pk := range []string{"0", "-1", "10000000000000", "abc", ""} {
		if got, ok := auditID(pk); ok {
			t.Errorf("auditID(%q) = %q", pk, got)
		}
	}
}

func TestReadDumpGroupsRowsByModel(t *testing.T) {
	dump, err := ReadDump(strings.NewReader(`[
		{"model": "Registry.ServiceCategory", "pk": 1, "fields": {"name": "A"}},
		{"model": "auth.user", "pk": 1, "fields": {}},
		{"model": "registry.servicecategory", "pk": 2, "fields": {"name": "B"}}
	]`))
	if err != nil {
		t.Fatal(err)
	}
	if dump.Len() != 3 || !slices.Equal(dump.Models(), []string{"registry.servicecategory", "auth.user"}) ||
		len(dump.Rows("registry.servicecategory")) != 2 {
		t.Fatalf("dump: %d rows, models %v", dump.Len(), dump.Models())
	}
	if _, err := ReadDump(strings.NewReader(`[{"model": "nodot", "fields": {}}]`)); !errors.Is(err, ErrNotADump) {
		t.Errorf("model without app: %v", err)
	}
}

// FuzzReadDump feeds arbitrary input to the dump reader and every lenient
// field reader: nothing may panic, every error wraps ErrNotADump, and
// JSON values come back as valid JSON.
func FuzzReadDump(f *testing.F) {
	f.Add([]byte(`[{"model": "registry.servicecategory", "pk": 1, "fields": {"name": "A", "is_active": true}}]`))
	f.Add([]byte(`[{"model": "submissions.servicesubmission", "pk": "3f1c2d4e-5a6b-4c7d-8e9f-a0b1c2d3e4f5",
		"fields": {"submitted_at": "2024-03-05T10:11:12.123Z", "service_categories": [1, "2"], "year_established": "2019",
		"secondary_maturity_tags": null, "last_change_summary": {"changes": []}}}]`))
	f.Add([]byte(`[{"model": "a.b", "pk": [1], "fields": {"x": [[1]], "y": 1e400, "z": "\u0000"}}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dump, err := ReadDump(strings.NewReader(string(data)))
		if err != nil {
			if !errors.Is(err, ErrNotADump) {
				t.Fatalf("error does not wrap ErrNotADump: %v", err)
			}
			return
		}
		n := 0
		for _, model := range dump.Models() {
			for _, r := range dump.Rows(model) {
				n++
				if pk, err := r.pkString(); err == nil && pk == "" {
					t.Fatalf("empty pk from %s", r.PK)
				}
				f := newFields(r)
				for name := range r.Fields {
					_ = f.str(name)
					_ = f.boolean(name, false)
					_, _ = f.integer(name)
					_, _ = f.timestamp(name)
					_ = f.key(name)
					_ = f.keys(name)
					if raw := f.json(name); raw != nil && !json.Valid(raw) {
						t.Fatalf("json(%s) is not JSON: %s", name, raw)
					}
					if raw := f.jsonList(name); !json.Valid(raw) || raw[0] != '[' {
						t.Fatalf("jsonList(%s) is not a list: %s", name, raw)
					}
				}
			}
		}
		if n != dump.Len() {
			t.Fatalf("%d rows grouped, Len %d", n, dump.Len())
		}
	})
}
