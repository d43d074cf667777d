package edam_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/denbi/service-registry/plugins/edam"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// newApp returns an app wired like the registry (hooks + this plugin, no
// cron, no background sync) with the terms of source stored.
func newApp(t testing.TB, source string) (*tests.TestApp, http.Handler) {
	t.Helper()
	app := apptest.NewCore(t)
	if err := edam.Register(app, nil, edam.Config{Schedule: edam.ScheduleOff, SkipSyncOnEmpty: true}); err != nil {
		t.Fatal(err)
	}
	if source != "" {
		if _, err := edam.Apply(context.Background(), app, edam.ParseFile(t, source), edam.ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return app, testapp.Server(t, app)
}

// item is one element of GET /api/v1/edam/.
type item struct {
	ID        int64  `json:"id"`
	URI       string `json:"uri"`
	Accession string `json:"accession"`
	Branch    string `json:"branch"`
	Label     string `json:"label"`
	URL       string `json:"url"`
}

// list fetches GET url and decodes the array, failing on anything else.
func list(t testing.TB, srv http.Handler, url string) []item {
	t.Helper()
	res := testapp.Do(t, srv, http.MethodGet, url, nil)
	if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET %s: %d %s %s", url, res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	var items []item
	res.JSON(t, &items)
	return items
}

func accessions(items []item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Accession
	}
	return out
}

func TestListIsPublicOrderedAndCompact(t *testing.T) {
	_, srv := newApp(t, "testdata/minimal.owl")

	res := testapp.Do(t, srv, http.MethodGet, "/api/v1/edam/", nil)
	if res.Status != http.StatusOK || res.Header.Get("X-Request-ID") == "" {
		t.Fatalf("anonymous list: %d, request id %q", res.Status, res.Header.Get("X-Request-ID"))
	}
	var raw []map[string]any
	res.JSON(t, &raw)
	if len(raw) != 11 {
		t.Fatalf("%d items, want the 11 current terms (2 of 13 are obsolete): %s", len(raw), res.Body)
	}
	keys := []string{}
	for k := range raw[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"accession", "branch", "id", "label", "uri", "url"}) {
		t.Errorf("item keys %v", keys)
	}

	items := list(t, srv, "/api/v1/edam/")
	want := []string{"data_0006", "format_1915", "format_1929", "data_0842", "data_2091",
		"operation_0004", "operation_0292", "operation_2403", "topic_0003", "topic_0121", "topic_3391"}
	if got := accessions(items); !slices.Equal(got, want) {
		t.Errorf("order %v, want branch then sort_order %v", got, want)
	}
	p := items[slices.IndexFunc(items, func(i item) bool { return i.Accession == "topic_0121" })]
	if p != (item{ID: 100121, URI: "http://edamontology.org/topic_0121", Accession: "topic_0121", Branch: "topic",
		Label: "Proteomics", URL: "https://edamontology.org/topic_0121"}) {
		t.Errorf("topic_0121 item %+v", p)
	}
}

func TestListFilters(t *testing.T) {
	_, srv := newApp(t, "testdata/minimal.owl")
	cases := []struct {
		url  string
		want []string
	}{
		{"/api/v1/edam/?branch=topic", []string{"topic_0003", "topic_0121", "topic_3391"}},
		{"/api/v1/edam/?branch=identifier", []string{"data_0842", "data_2091"}},
		{"/api/v1/edam/?branch=data", []string{"data_0006"}},
		{"/api/v1/edam/?branch=nonsense", []string{}},
		{"/api/v1/edam/?q=PROTEOMICS", []string{"topic_0121"}},                                      // label, any case
		{"/api/v1/edam/?q=omics", []string{"topic_3391", "topic_0121"}},                             // exact label first
		{"/api/v1/edam/?q=alignment+construction", []string{"operation_0292"}},                      // synonym
		{"/api/v1/edam/?q=whole+proteomes", []string{"topic_0121"}},                                 // definition
		{"/api/v1/edam/?q=metabolites", []string{}},                                                 // obsolete terms are never listed
		{"/api/v1/edam/?branch=operation&q=sequence", []string{"operation_2403", "operation_0292"}}, // shorter label first
		{"/api/v1/edam/?q=%20fasta%20", []string{"format_1929"}},                                    // trimmed
		{"/api/v1/edam/?branch=topic&limit=2", []string{"topic_0003", "topic_0121"}},
		{"/api/v1/edam/?q=o&limit=1", []string{"topic_3391"}}, // shortest label starting with "o"
	}
	for _, c := range cases {
		if got := accessions(list(t, srv, c.url)); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.url, got, c.want)
		}
	}
}

func TestListRejectsBadLimits(t *testing.T) {
	_, srv := newApp(t, "testdata/minimal.owl")
	for _, limit := range []string{"0", "-3", "ten", "1.5"} {
		res := testapp.Do(t, srv, http.MethodGet, "/api/v1/edam/?limit="+limit, nil)
		body := res.Map(t)
		detail, _ := body["error"].(map[string]any)["detail"].(string)
		if res.Status != http.StatusBadRequest || !strings.Contains(detail, "limit") || body["request_id"] != res.Header.Get("X-Request-ID") {
			t.Errorf("limit=%s: %d %s", limit, res.Status, res.Body)
		}
	}
}

func TestTypeaheadRanksLabelsFirst(t *testing.T) {
	_, srv := newApp(t, edam.SharedData(t, "edam/EDAM_1.25.owl"))
	items := list(t, srv, "/api/v1/edam/?branch=topic&q=prote")
	if len(items) < 10 {
		t.Fatalf("only %d topics match \"prote\"", len(items))
	}
	labels := make([]string, len(items))
	for i, it := range items {
		labels[i] = it.Label
	}
	// every label starting with "prote" comes before any other match
	prefixEnd := slices.IndexFunc(labels, func(l string) bool { return !strings.HasPrefix(strings.ToLower(l), "prote") })
	if prefixEnd < 3 {
		t.Fatalf("label prefix matches should lead: %q", labels)
	}
	for _, l := range labels[prefixEnd:] {
		if strings.HasPrefix(strings.ToLower(l), "prote") {
			t.Errorf("%q is ranked after a weaker match: %q", l, labels)
		}
	}
	if i := slices.Index(labels, "Proteomics"); i < 0 || i > 2 {
		t.Errorf("Proteomics should be among the first three: %q", labels[:min(8, len(labels))])
	}
	if !slices.ContainsFunc(labels[:prefixEnd], func(l string) bool { return strings.HasPrefix(l, "Protein") }) {
		t.Errorf("no Protein… topic among the first results: %q", labels[:prefixEnd])
	}

	limited := list(t, srv, "/api/v1/edam/?branch=topic&q=prote&limit=5")
	if !slices.Equal(accessions(limited), accessions(items[:5])) {
		t.Errorf("limit must cut the ranked list: %v vs %v", accessions(limited), accessions(items[:5]))
	}
	if all := list(t, srv, "/api/v1/edam/"); len(all) != 2358 {
		t.Errorf("%d current terms listed, want 2358", len(all))
	}
}

// detail is GET /api/v1/edam/{accession}/.
type detail struct {
	item
	Definition  string   `json:"definition"`
	Synonyms    []string `json:"synonyms"`
	Parent      *item    `json:"parent"`
	EDAMVersion string   `json:"edam_version"`
	Obsolete    bool     `json:"obsolete"`
}

func TestDetail(t *testing.T) {
	_, srv := newApp(t, "testdata/minimal.owl")

	get := func(url string) detail {
		t.Helper()
		res := testapp.Do(t, srv, http.MethodGet, url, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", url, res.Status, res.Body)
		}
		var d detail
		if err := json.Unmarshal(res.Body, &d); err != nil {
			t.Fatal(err)
		}
		var raw map[string]any
		_ = json.Unmarshal(res.Body, &raw)
		if len(raw) != 11 {
			t.Errorf("%s: %d keys: %s", url, len(raw), res.Body)
		}
		return d
	}

	d := get("/api/v1/edam/topic_0121/")
	if d.ID != 100121 || d.Label != "Proteomics" || d.URL != "https://edamontology.org/topic_0121" || d.EDAMVersion != "1.99" || d.Obsolete ||
		!strings.HasPrefix(d.Definition, "Protein and peptide identification") || len(d.Synonyms) != 5 {
		t.Errorf("topic_0121 detail %+v", d)
	}
	if d.Parent == nil || *d.Parent != (item{ID: 103391, URI: "http://edamontology.org/topic_3391", Accession: "topic_3391",
		Branch: "topic", Label: "Omics", URL: "https://edamontology.org/topic_3391"}) {
		t.Errorf("parent %+v", d.Parent)
	}

	if root := get("/api/v1/edam/topic_0003/"); root.Parent != nil || root.Synonyms == nil {
		t.Errorf("a root has parent null and synonyms []: %+v", root)
	}
	if old := get("/api/v1/edam/topic_0079/"); !old.Obsolete || old.Label != "Metabolites" {
		t.Errorf("obsolete terms are found by accession: %+v", old)
	}
	if byID := get("/api/v1/edam/100121/"); byID.Accession != "topic_0121" {
		t.Errorf("integer id fallback: %+v", byID)
	}

	for _, url := range []string{"/api/v1/edam/topic_4242/", "/api/v1/edam/100079/", "/api/v1/edam/Proteomics/", "/api/v1/edam/999999/"} {
		res := testapp.Do(t, srv, http.MethodGet, url, nil)
		body := res.Map(t)
		errBody, _ := body["error"].(map[string]any)
		if res.Status != http.StatusNotFound || errBody["detail"] != "No EdamTerm matches the given query." ||
			body["request_id"] == "" || body["request_id"] != res.Header.Get("X-Request-ID") {
			t.Errorf("GET %s: %d %s", url, res.Status, res.Body)
		}
	}
}

func TestBareRoutesRedirect(t *testing.T) {
	_, srv := newApp(t, "")
	for from, to := range map[string]string{
		"/api/v1/edam?branch=topic&q=x": "/api/v1/edam/?branch=topic&q=x",
		"/api/v1/edam/topic_0121":       "/api/v1/edam/topic_0121/",
	} {
		res := testapp.Do(t, srv, http.MethodGet, from, nil)
		if res.Status != http.StatusMovedPermanently || res.Header.Get("Location") != to || res.Header.Get("X-Request-ID") == "" {
			t.Errorf("GET %s: %d → %q", from, res.Status, res.Header.Get("Location"))
		}
	}
	if items := list(t, srv, "/api/v1/edam/"); len(items) != 0 {
		t.Errorf("an empty table lists nothing, got %d", len(items))
	}
}

func TestCollectionAPIIsReadOnlyForEveryone(t *testing.T) {
	_, srv := newApp(t, "testdata/minimal.owl")

	res := testapp.Do(t, srv, http.MethodGet, "/api/collections/edam_terms/records?perPage=1&sort=id", nil)
	page := res.Map(t)
	if res.Status != http.StatusOK || page["totalItems"] != float64(13) {
		t.Fatalf("anonymous list: %d %s", res.Status, res.Body)
	}
	res = testapp.Do(t, srv, http.MethodGet, "/api/collections/edam_terms/records/100121", nil)
	if res.Status != http.StatusOK || res.Map(t)["label"] != "Proteomics" {
		t.Fatalf("anonymous view: %d %s", res.Status, res.Body)
	}

	body := map[string]any{"id": "100999", "uri": "http://edamontology.org/topic_0999", "accession": "topic_0999", "branch": "topic", "label": "Forged"}
	for _, req := range []struct{ method, url string }{
		{http.MethodPost, "/api/collections/edam_terms/records"},
		{http.MethodPatch, "/api/collections/edam_terms/records/100121"},
		{http.MethodDelete, "/api/collections/edam_terms/records/100121"},
	} {
		res := testapp.Do(t, srv, req.method, req.url, body)
		if res.Status != http.StatusForbidden {
			t.Errorf("anonymous %s %s: %d %s", req.method, req.url, res.Status, res.Body)
		}
	}
	res = testapp.Do(t, srv, http.MethodGet, "/api/collections/edam_terms/records/100121", nil)
	if res.Map(t)["label"] != "Proteomics" {
		t.Error("a forbidden write changed the term")
	}
}

func TestListFollowsRecordChanges(t *testing.T) {
	app, srv := newApp(t, "testdata/minimal.owl")
	if got := accessions(list(t, srv, "/api/v1/edam/?q=proteomics")); !slices.Equal(got, []string{"topic_0121"}) {
		t.Fatalf("before: %v", got)
	}

	rec, err := app.FindRecordById("edam_terms", "100121")
	if err != nil {
		t.Fatal(err)
	}
	rec.Set("label", "Protein science")
	if err := app.Save(rec); err != nil {
		t.Fatal(err)
	}
	items := list(t, srv, "/api/v1/edam/?branch=topic&q=protein+sci")
	if len(items) != 1 || items[0].Label != "Protein science" {
		t.Errorf("after an update: %+v", items)
	}

	rec.Set("obsolete", true)
	if err := app.Save(rec); err != nil {
		t.Fatal(err)
	}
	if items := list(t, srv, "/api/v1/edam/?branch=topic"); slices.Contains(accessions(items), "topic_0121") {
		t.Error("a term made obsolete must leave the list")
	}

	coll, _ := app.FindCollectionByNameOrId("edam_terms")
	added := core.NewRecord(coll)
	added.Load(map[string]any{"id": "100999", "uri": "http://edamontology.org/topic_0999", "accession": "topic_0999",
		"branch": "topic", "label": "Added by hand", "sort_order": 999, "synonyms": []string{"Manual"}})
	if err := app.Save(added); err != nil {
		t.Fatal(err)
	}
	if got := accessions(list(t, srv, "/api/v1/edam/?q=manual")); !slices.Equal(got, []string{"topic_0999"}) {
		t.Errorf("after a create: %v", got)
	}
	if err := app.Delete(added); err != nil {
		t.Fatal(err)
	}
	if got := list(t, srv, "/api/v1/edam/?q=manual"); len(got) != 0 {
		t.Errorf("after a delete: %v", got)
	}
}
