package biotools_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/denbi/service-registry/config"
	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/denbi/service-registry/plugins/biotools"
	"github.com/pocketbase/pocketbase/core"
)

func (e *env) edamTerm(t testing.TB, id, accession, branch, label string, obsolete bool) {
	t.Helper()
	testapp.Create(t, e.app, "edam_terms", map[string]any{
		"id": id, "uri": "http://edamontology.org/" + accession, "accession": accession,
		"branch": branch, "label": label, "obsolete": obsolete, "sort_order": 1,
	})
}

func (e *env) license(t testing.TB, licenseID, name string, deprecated bool) *core.Record {
	t.Helper()
	return testapp.Create(t, e.app, "licenses", map[string]any{"license_id": licenseID, "name": name, "deprecated": deprecated})
}

func TestPrefill(t *testing.T) {
	e := newEnv(t)
	e.edamTerm(t, "121", "topic_0121", "topic", "Proteomics", false)
	e.edamTerm(t, "91", "topic_0091", "topic", "Bioinformatics", true) // obsolete: no id
	e.edamTerm(t, "292", "operation_0292", "operation", "Sequence alignment", false)
	mit := e.license(t, "MIT", "MIT License", false)
	srv := testapp.Server(t, e.app)

	res := testapp.Do(t, srv, http.MethodGet, "/biotools/prefill/?id="+url.QueryEscape(" https://bio.tools/DemoTool/ "), nil)
	if res.Status != http.StatusOK {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	var got biotools.Prefill
	res.JSON(t, &got)
	if !got.Found || got.BiotoolsID != "DemoTool" || got.Name != "DemoTool" || got.Homepage != "https://demotool.example.org" ||
		got.Version != "2.0" || got.Publications != "12345678, 10.1000/demo.2" ||
		got.GitHubURL != "https://github.com/example/demotool" || !strings.HasPrefix(got.Message, "Metadata found in bio.tools.") {
		t.Errorf("prefill: %+v", got)
	}
	if got.License != "mit" || got.LicenseMatch == nil || got.LicenseMatch.ID != mit.Id || got.LicenseMatch.LicenseID != "MIT" {
		t.Errorf("license: raw %q, match %+v", got.License, got.LicenseMatch)
	}
	if len(got.EDAMTopics) != 3 || got.EDAMTopics[0].ID == nil || *got.EDAMTopics[0].ID != "121" || *got.EDAMTopics[0].Label != "Proteomics" ||
		got.EDAMTopics[1].ID != nil || got.EDAMTopics[2].ID != nil || strings.Join(got.EDAMTopicIDs, ",") != "121" {
		t.Errorf("topics: %+v %v", got.EDAMTopics, got.EDAMTopicIDs)
	}
	if len(got.EDAMOperations) != 2 || strings.Join(got.EDAMOperationIDs, ",") != "292" || got.EDAMOperations[0].Term != "Sequence alignment" {
		t.Errorf("operations: %+v %v", got.EDAMOperations, got.EDAMOperationIDs)
	}
	if !strings.Contains(string(res.Body), `"license_match":{"id":"`+mit.Id+`","license_id":"MIT","name":"MIT License","deprecated":false}`) {
		t.Errorf("license_match must be an object: %s", res.Body)
	}
	if e.fake.path(0) != "/api/tool/demotool/?format=json" {
		t.Errorf("requested %q", e.fake.path(0))
	}
}

func TestPrefillWithRealRecords(t *testing.T) {
	realTool(t, "blast")
	e := newEnv(t)
	e.license(t, "GPL-3.0", "GNU General Public License v3.0 only", true)
	srv := testapp.Server(t, e.app)

	var blast, signalp, bowtie2 map[string]any
	testapp.Do(t, srv, http.MethodGet, "/biotools/prefill/?id=blast", nil).JSON(t, &blast)
	testapp.Do(t, srv, http.MethodGet, "/biotools/prefill/?id=https://bio.tools/signalp", nil).JSON(t, &signalp)
	testapp.Do(t, srv, http.MethodGet, "/biotools/prefill/?id=bowtie2", nil).JSON(t, &bowtie2)
	if blast["found"] != true || blast["license"] != "" || blast["license_match"] != nil || blast["name"] != "BLAST" {
		t.Errorf("blast (no license): %v", blast)
	}
	if signalp["license"] != "Other" || signalp["license_match"] != nil {
		t.Errorf("signalp (license Other matches nothing): %v", signalp)
	}
	match, _ := bowtie2["license_match"].(map[string]any)
	if match == nil || match["license_id"] != "GPL-3.0" || match["deprecated"] != true {
		t.Errorf("bowtie2 (deprecated SPDX id, flagged): %v", bowtie2["license_match"])
	}
	if topics, _ := bowtie2["edam_topics"].([]any); len(topics) != 2 {
		t.Errorf("bowtie2 lists Mapping twice; prefill once: %v", bowtie2["edam_topics"])
	}
	if bowtie2["github_url"] != "https://github.com/BenLangmead/bowtie2" {
		t.Errorf("bowtie2 github_url %v", bowtie2["github_url"])
	}
}

func TestPrefillErrors(t *testing.T) {
	e := newEnv(t, func(c *biotools.Config) { c.PrefillTimeout = 300 * time.Millisecond })
	e.fake.on("down", status(http.StatusServiceUnavailable))
	e.fake.on("slow", e.fake.hang)
	e.fake.on("garbage", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>")) })
	srv := testapp.Server(t, e.app)

	for _, tc := range []struct {
		url    string
		status int
		body   string
	}{
		{"/biotools/prefill/", 400, `{"found":false,"error":"No bio.tools ID provided."}`},
		{"/biotools/prefill/?id=%20%20", 400, `{"found":false,"error":"No bio.tools ID provided."}`},
		{"/biotools/prefill/?id=https://bio.tools/", 400, `{"found":false,"error":"No bio.tools ID provided."}`},
		{"/biotools/prefill/?id=unknown", 404, `{"found":false,"error":"No tool with ID 'unknown' found in bio.tools."}`},
		{"/biotools/prefill/?id=a/b", 404, `{"found":false,"error":"No tool with ID 'a/b' found in bio.tools."}`},
		{"/biotools/prefill/?id=down", 503, `{"found":false,"error":"bio.tools is temporarily unavailable. Please fill in manually."}`},
		{"/biotools/prefill/?id=slow", 503, `{"found":false,"error":"bio.tools is temporarily unavailable. Please fill in manually."}`},
		{"/biotools/prefill/?id=garbage", 503, `{"found":false,"error":"bio.tools is temporarily unavailable. Please fill in manually."}`},
	} {
		res := testapp.Do(t, srv, http.MethodGet, tc.url, nil)
		if res.Status != tc.status || compact(res.Body) != tc.body {
			t.Errorf("%s: %d %s, want %d %s", tc.url, res.Status, res.Body, tc.status, tc.body)
		}
	}
	// the prefill tries once: a person is waiting
	if n := e.fake.requests.Load(); n != 4 {
		t.Errorf("want one request per upstream lookup (4), got %d", n)
	}

	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		res := testapp.Do(t, srv, method, "/biotools/prefill/?id=demotool", nil)
		if res.Status != http.StatusMethodNotAllowed || !strings.Contains(res.Header.Get("Allow"), "GET") {
			t.Errorf("%s: %d %s", method, res.Status, res.Body)
		}
	}
	res := testapp.Do(t, srv, http.MethodGet, "/biotools/prefill?id=demotool", nil)
	if res.Status != http.StatusMovedPermanently || res.Header.Get("Location") != "/biotools/prefill/?id=demotool" {
		t.Errorf("bare path: %d %q", res.Status, res.Header.Get("Location"))
	}
}

func TestPrefillIsRateLimitedUnderItsConfiguredLabel(t *testing.T) {
	app := apptest.NewCore(t, func(c *config.Config) {
		c.RateLimit.Enabled = true
		c.RateLimit.PrefillPerHour = 2
	})
	fake := newFake(t)
	if _, err := biotools.Register(app, nil, biotools.Config{APIURL: fake.URL + "/api", RequestsPerSecond: 1000}); err != nil {
		t.Fatal(err)
	}
	srv := testapp.Server(t, app)
	var statuses []int
	for range 3 {
		statuses = append(statuses, testapp.Do(t, srv, http.MethodGet, "/biotools/prefill/?id=demotool", nil).Status)
	}
	if fmt.Sprint(statuses) != "[200 200 429]" {
		t.Fatalf("statuses %v: the rule labelled /biotools/prefill/ must apply", statuses)
	}
}

func TestPrefillCanBeSwitchedOff(t *testing.T) {
	e := newEnv(t, func(c *biotools.Config) { c.PrefillDisabled = true })
	res := testapp.Do(t, testapp.Server(t, e.app), http.MethodGet, "/biotools/prefill/?id=demotool", nil)
	if res.Status != http.StatusNotFound || e.fake.requests.Load() != 0 {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
}

func compact(b []byte) string { return strings.TrimSpace(string(b)) }

// linked creates n submissions linking to demotool with the given status
// and waits for their records.
func (e *env) linked(t testing.TB, n int, status string) []*core.Record {
	t.Helper()
	var out []*core.Record
	for range n {
		s := e.submission(t, "https://bio.tools/demotool")
		e.setStatus(t, s.Id, status)
		out = append(out, s)
	}
	e.plugin.Wait()
	return out
}

func TestV1ListNeedsAnAdminKey(t *testing.T) {
	e := newEnv(t)
	submissions := e.linked(t, 1, "submitted")
	_, ownerKey := testapp.CreateSubmission(t, e.app, e.ref, "write", nil)
	readKey := testapp.AdminKey(t, e.app, "read")
	srv := testapp.Server(t, e.app)

	for name, auth := range map[string]string{
		"anonymous":      "",
		"submission key": "Authorization: ApiKey " + ownerKey,
	} {
		res := testapp.Do(t, srv, http.MethodGet, "/api/v1/biotools/", nil, auth)
		body := res.Map(t)
		detail, _ := body["error"].(map[string]any)
		if res.Status != http.StatusForbidden || detail == nil || !strings.Contains(fmt.Sprint(detail["detail"]), "admin key") {
			t.Errorf("%s: %d %s", name, res.Status, res.Body)
		}
		if strings.Contains(string(res.Body), "demotool") {
			t.Errorf("%s: records leaked", name)
		}
	}

	superuser := testapp.Superuser(t, e.app, "office@example.org")
	if res := testapp.Do(t, srv, http.MethodGet, "/api/v1/biotools/", nil, "Authorization: "+superuser); res.Status != http.StatusOK {
		t.Errorf("dashboard superuser: %d %s", res.Status, res.Body)
	}
	res := testapp.Do(t, srv, http.MethodGet, "/api/v1/biotools/", nil, "Authorization: AdminKey "+readKey)
	if res.Status != http.StatusOK {
		t.Fatalf("admin key: %d %s", res.Status, res.Body)
	}
	var page struct {
		Count    int              `json:"count"`
		Next     *string          `json:"next"`
		Previous *string          `json:"previous"`
		Results  []map[string]any `json:"results"`
	}
	res.JSON(t, &page)
	if page.Count != 1 || page.Next != nil || page.Previous != nil || len(page.Results) != 1 ||
		page.Results[0]["biotools_id"] != "DemoTool" || page.Results[0]["edam_topics_resolved"] == nil || page.Results[0]["functions"] == nil {
		t.Fatalf("a not-approved submission's record is listed for admins, full shape: %s", res.Body)
	}
	if page.Results[0]["id"] != e.record(t, submissions[0].Id).Id {
		t.Error("wrong record")
	}
}

func TestV1ListPagesAndFilters(t *testing.T) {
	e := newEnv(t)
	submissions := e.linked(t, 23, "approved")
	other := e.submission(t, "https://bio.tools/blast")
	e.plugin.Wait()
	key := "Authorization: AdminKey " + testapp.AdminKey(t, e.app, "read")
	srv := testapp.Server(t, e.app)

	type page struct {
		Count    int              `json:"count"`
		Next     *string          `json:"next"`
		Previous *string          `json:"previous"`
		Results  []map[string]any `json:"results"`
	}
	get := func(u string, want int) page {
		t.Helper()
		res := testapp.Do(t, srv, http.MethodGet, u, nil, key)
		if res.Status != want {
			t.Fatalf("%s: %d %s", u, res.Status, res.Body)
		}
		var p page
		if want == http.StatusOK {
			res.JSON(t, &p)
		}
		return p
	}

	first := get("/api/v1/biotools/?biotools_id=demotool", 200)
	if first.Count != 23 || len(first.Results) != 20 || first.Previous != nil || first.Next == nil ||
		*first.Next != "https://registry.example.org/api/v1/biotools/?biotools_id=demotool&page=2" {
		t.Fatalf("page 1: count %d, %d results, next %v previous %v", first.Count, len(first.Results), deref(first.Next), deref(first.Previous))
	}
	second := get("/api/v1/biotools/?biotools_id=demotool&page=2", 200)
	if len(second.Results) != 3 || second.Next != nil || second.Previous == nil ||
		*second.Previous != "https://registry.example.org/api/v1/biotools/?biotools_id=demotool" {
		t.Fatalf("page 2: %d results, next %v previous %v", len(second.Results), deref(second.Next), deref(second.Previous))
	}
	seen := map[any]bool{}
	for _, r := range append(first.Results, second.Results...) {
		seen[r["id"]] = true
	}
	if len(seen) != 23 {
		t.Fatalf("pages overlap: %d distinct records", len(seen))
	}
	get("/api/v1/biotools/?biotools_id=demotool&page=3", 404)
	get("/api/v1/biotools/?page=0", 404)
	get("/api/v1/biotools/?page=x", 404)
	if all := get("/api/v1/biotools/", 200); all.Count != 24 {
		t.Fatalf("unfiltered count %d", all.Count)
	}
	bySubmission := get("/api/v1/biotools/?submission="+other.Id, 200)
	if bySubmission.Count != 1 || bySubmission.Results[0]["biotools_id"] != "blast" {
		t.Fatalf("?submission: %+v", bySubmission)
	}
	if none := get("/api/v1/biotools/?submission="+submissions[0].Id+"x", 200); none.Count != 0 || none.Results == nil {
		t.Fatalf("unknown submission: %+v", none)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func TestV1DetailIsPublicOnlyForApprovedSubmissions(t *testing.T) {
	e := newEnv(t)
	srv := testapp.Server(t, e.app)
	for _, status := range []string{"draft", "submitted", "under_review", "rejected", "deprecated"} {
		s := e.linked(t, 1, status)[0]
		res := testapp.Do(t, srv, http.MethodGet, "/api/v1/biotools/demotool/", nil)
		if res.Status != http.StatusNotFound || !strings.Contains(string(res.Body), `"detail":"No BioToolsRecord matches the given query."`) {
			t.Fatalf("%s: %d %s", status, res.Status, res.Body)
		}
		recordID := e.record(t, s.Id).Id
		if res := testapp.Do(t, srv, http.MethodGet, "/api/v1/biotools/"+recordID+"/", nil); res.Status != http.StatusNotFound {
			t.Fatalf("%s, by record id: %d", status, res.Status)
		}
	}

	approved := e.linked(t, 2, "approved") // two approved services link the same tool
	want, other := e.record(t, approved[0].Id), e.record(t, approved[1].Id)
	if c1, c2 := want.GetDateTime("created").String(), other.GetDateTime("created").String(); c2 < c1 || c2 == c1 && other.Id < want.Id {
		want = other // the background worker may have stored the second one first
	}
	for range 3 {
		res := testapp.Do(t, srv, http.MethodGet, "/api/v1/biotools/DemoTool/", nil)
		if res.Status != http.StatusOK {
			t.Fatalf("approved: %d %s", res.Status, res.Body)
		}
		body := res.Map(t)
		if body["id"] != want.Id || body["biotools_id"] != "DemoTool" || body["last_synced_at"] == nil {
			t.Fatalf("want the oldest approved record %s, got %v", want.Id, body["id"])
		}
		functions, _ := body["functions"].([]any)
		if len(functions) != 2 || body["edam_topic_uris"] == nil || body["edam_topics_resolved"] == nil {
			t.Fatalf("shape: %s", res.Body)
		}
	}
	if res := testapp.Do(t, srv, http.MethodGet, "/api/v1/biotools/"+want.Id+"/", nil); res.Status != http.StatusOK {
		t.Fatalf("approved, by record id: %d %s", res.Status, res.Body)
	}
	res := testapp.Do(t, srv, http.MethodGet, "/api/v1/biotools/DemoTool", nil)
	if res.Status != http.StatusMovedPermanently || res.Header.Get("Location") != "/api/v1/biotools/DemoTool/" {
		t.Fatalf("bare path: %d %q", res.Status, res.Header.Get("Location"))
	}
}
