package catalogue_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/denbi/service-registry/plugins/catalogue"
)

// FuzzParseQuery checks that any query string gives a usable state whose
// canonical form parses back to the same state.
//
//	go test ./plugins/catalogue -run '^$' -fuzz FuzzParseQuery -fuzztime 60s
func FuzzParseQuery(f *testing.F) {
	for _, seed := range []string{
		"", "q=protein", "q=%00%ff&page=-1", "category=1&category=1&center=12&topic=topic_0121&maturity=unstable",
		"sort=updated_desc&group_by=pi&view=list&page=99999999999999999999", "q=" + strings.Repeat("é", 300),
		"category=0&category=01&center=0f8fad5b-d9cb-469f-a165-70867728950e", "q=a+b&q=c", "page=2&page=3",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q := catalogue.ParseQuery(raw)
		if !utf8.ValidString(q.Q) || utf8.RuneCountInString(q.Q) > 200 || q.Q != strings.TrimSpace(q.Q) {
			t.Fatalf("q %q", q.Q)
		}
		if q.Page < 1 || !slices.Contains([]string{"name_asc", "name_desc", "updated_desc", "updated_asc", "added_desc", "added_asc"}, q.Sort) ||
			!slices.Contains([]string{"", "category", "service_center", "pi"}, q.GroupBy) || (q.View != "grid" && q.View != "list") {
			t.Fatalf("state %+v", q)
		}
		for _, list := range [][]string{q.Categories, q.Centres, q.Topics, q.Maturity} {
			if len(list) > 50 {
				t.Fatalf("%d values kept", len(list))
			}
			seen := map[string]bool{}
			for _, v := range list {
				if seen[v] || v == "" || strings.ContainsAny(v, "&=<>\"' ") {
					t.Fatalf("value %q in %v", v, list)
				}
				seen[v] = true
			}
		}
		if _, err := url.ParseQuery(q.Canonical); err != nil {
			t.Fatalf("canonical %q: %v", q.Canonical, err)
		}
		again := catalogue.ParseQuery(q.Canonical)
		if again.Canonical != q.Canonical {
			t.Fatalf("canonical form is not stable:\n%q\n%q", q.Canonical, again.Canonical)
		}
	})
}

// FuzzTextHelpers checks the excerpt and publication helpers on any text.
func FuzzTextHelpers(f *testing.F) {
	for _, seed := range []string{"", "12345678, 10.1000/xyz", "PMC123; doi:10.1234/a.b", strings.Repeat("word ", 100), "ä\x00\xff"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ex := catalogue.Excerpt(text, 40)
		if utf8.ValidString(text) && (!utf8.ValidString(ex) || utf8.RuneCountInString(ex) > 41) {
			t.Fatalf("excerpt %q of %q", ex, text)
		}
		for _, l := range catalogue.PublicationLinks(text) {
			if l[1] != "" && !strings.HasPrefix(l[1], "https://") {
				t.Fatalf("link %q", l[1])
			}
		}
	})
}
