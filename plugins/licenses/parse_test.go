package licenses_test

import (
	"errors"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/denbi/service-registry/plugins/licenses"
)

func readFixture(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/licenses_small.json")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseSmallFixture(t *testing.T) {
	list, err := licenses.Parse(readFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	if list.Version != "3.99" || list.ReleaseDate != "2099-01-01" {
		t.Errorf("version %q, release date %q", list.Version, list.ReleaseDate)
	}
	want := []licenses.License{
		{ID: "MIT", Name: "MIT License", ReferenceURL: "https://spdx.org/licenses/MIT.html",
			SeeAlso: []string{"https://opensource.org/licenses/MIT"}, OSIApproved: true, FSFLibre: true},
		{ID: "Apache-2.0", Name: "Apache License 2.0", ReferenceURL: "https://spdx.org/licenses/Apache-2.0.html",
			SeeAlso:     []string{"https://www.apache.org/licenses/LICENSE-2.0", "https://opensource.org/licenses/Apache-2.0"},
			OSIApproved: true, FSFLibre: true},
		{ID: "GPL-3.0", Name: "GNU General Public License v3.0 only", ReferenceURL: "https://spdx.org/licenses/GPL-3.0.html",
			SeeAlso: []string{"https://www.gnu.org/licenses/gpl-3.0-standalone.html"}, OSIApproved: true, Deprecated: true},
		{ID: "GPL-2.0+", Name: "GNU General Public License v2.0 or later", ReferenceURL: "https://spdx.org/licenses/GPL-2.0+.html",
			SeeAlso: []string{}, OSIApproved: true, Deprecated: true},
		// trimmed id, name falls back to the id, bad URL dropped, non-strings
		// dropped from seeAlso, a string "yes" is not true
		{ID: "Beerware", Name: "Beerware", SeeAlso: []string{"https://people.freebsd.org/~phk/"}},
	}
	if !reflect.DeepEqual(list.Licenses, want) {
		t.Errorf("licenses:\n got %+v\nwant %+v", list.Licenses, want)
	}
	if len(list.Skipped) != 5 {
		t.Fatalf("want 5 skipped entries, got %q", list.Skipped)
	}
	for i, reason := range []string{"missing licenseId", "missing licenseId", `duplicate id "MIT"`, "characters SPDX ids do not use", "not an object"} {
		if !strings.Contains(list.Skipped[i], reason) {
			t.Errorf("skipped[%d] = %q, want it to mention %q", i, list.Skipped[i], reason)
		}
	}
}

func TestParseVersionMayBeANumber(t *testing.T) {
	list, err := licenses.Parse([]byte(`{"licenseListVersion": 3.2, "licenses": [{"licenseId": "MIT"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if list.Version != "3.2" || list.Licenses[0].Name != "MIT" {
		t.Fatalf("got %+v", list)
	}
}

func TestParseRejectsDocumentsThatAreNotALicenseList(t *testing.T) {
	for name, tc := range map[string]struct{ input, mention string }{
		"truncated JSON":      {`{"licenses": [{"licenseId": "MIT"}`, "invalid JSON"},
		"empty input":         {``, "invalid JSON"},
		"HTML error page":     {`<html><body>502 Bad Gateway</body></html>`, "invalid JSON"},
		"trailing garbage":    {`{"licenses": [{"licenseId": "MIT"}]} {"more": 1}`, "after the JSON document"},
		"top-level array":     {`[{"licenseId": "MIT"}]`, "not a JSON object"},
		"no licenses key":     {`{"exceptions": []}`, `no top-level "licenses" array`},
		"licenses not array":  {`{"licenses": {"MIT": {}}}`, `no top-level "licenses" array`},
		"empty list":          {`{"licenses": []}`, "no usable license"},
		"only unusable items": {`{"licenses": [{"name": "x"}, 7, null]}`, "no usable license"},
	} {
		t.Run(name, func(t *testing.T) {
			list, err := licenses.Parse([]byte(tc.input))
			if err == nil {
				t.Fatalf("want an error, got %+v", list)
			}
			if !errors.Is(err, licenses.ErrMalformed) || !strings.Contains(err.Error(), tc.mention) {
				t.Fatalf("error %q should wrap ErrMalformed and mention %q", err, tc.mention)
			}
		})
	}
}

var spdxID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.+-]*$`)

// FuzzParse checks that Parse never panics and that whatever it accepts
// fits the licenses collection.
func FuzzParse(f *testing.F) {
	f.Add(readFixture(f))
	f.Add([]byte(`{"licenseListVersion":"3.19","licenses":[{"licenseId":"MIT","name":"MIT License","seeAlso":["https://x"],"isOsiApproved":true}]}`))
	f.Add([]byte(`{"licenses":[{"licenseId":"A","name":"\u0000\uFFFD","reference":"http://[::1]:namedport"}]}`))
	f.Add([]byte(`{"licenses":[{"licenseId":1},{"licenseId":"B","seeAlso":{"a":1}}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		list, err := licenses.Parse(data)
		if err != nil {
			if list != nil || !errors.Is(err, licenses.ErrMalformed) {
				t.Fatalf("an error must wrap ErrMalformed and return no list: %v", err)
			}
			return
		}
		if len(list.Licenses) == 0 {
			t.Fatal("an accepted list must have licenses")
		}
		if utf8.RuneCountInString(list.Version) > 20 {
			t.Fatalf("version too long: %q", list.Version)
		}
		seen := map[string]bool{}
		for _, l := range list.Licenses {
			if !spdxID.MatchString(l.ID) || len(l.ID) > 80 || seen[l.ID] {
				t.Fatalf("bad or duplicate id %q", l.ID)
			}
			seen[l.ID] = true
			if l.Name == "" || utf8.RuneCountInString(l.Name) > 200 || !utf8.ValidString(l.Name) || strings.ContainsRune(l.Name, 0) {
				t.Fatalf("bad name %q", l.Name)
			}
			if l.ReferenceURL != "" && !strings.HasPrefix(l.ReferenceURL, "http") {
				t.Fatalf("bad reference %q", l.ReferenceURL)
			}
			if l.SeeAlso == nil || len(l.SeeAlso) > 50 {
				t.Fatalf("bad seeAlso %v", l.SeeAlso)
			}
			for _, s := range l.SeeAlso {
				if s == "" || !utf8.ValidString(s) {
					t.Fatalf("bad seeAlso entry %q", s)
				}
			}
		}
	})
}
