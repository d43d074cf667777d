package hooks_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/denbi/service-registry/config"
	"github.com/denbi/service-registry/internal/apikeys"
	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// v1World is an app with reference data and a handler for many requests.
type v1World struct {
	app *tests.TestApp
	srv http.Handler
	ref testapp.Reference
}

func newV1World(t *testing.T, options ...func(*config.Config)) *v1World {
	t.Helper()
	app := apptest.New(t, options...)
	ref := testapp.Seed(t, app)
	testapp.Create(t, app, "licenses", map[string]any{"license_id": "MIT", "name": "MIT License"})
	testapp.Create(t, app, "licenses", map[string]any{"license_id": "GPL-3.0", "name": "GNU GPL v3.0", "deprecated": true})
	return &v1World{app: app, srv: testapp.Server(t, app), ref: ref}
}

func (w *v1World) post(t *testing.T, overrides map[string]any, headers ...string) *testapp.Response {
	t.Helper()
	return testapp.Do(t, w.srv, http.MethodPost, "/api/v1/submissions/", testapp.V1SubmissionData(w.ref, overrides), headers...)
}

// errorFields returns the field names of a v1 validation error envelope.
func errorFields(t *testing.T, res *testapp.Response) map[string]any {
	t.Helper()
	body := res.Map(t)
	envelope, ok := body["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error envelope: %s", res.Body)
	}
	if _, ok := body["request_id"].(string); !ok {
		t.Fatalf("no request_id in envelope: %s", res.Body)
	}
	return envelope
}

func TestV1CreateReturnsKeyOnceAndHidesPrivateFields(t *testing.T) {
	w := newV1World(t)
	res := w.post(t, nil, "User-Agent: pytest-client/1.0")
	if res.Status != http.StatusCreated {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	body := res.Map(t)
	key, _ := body["api_key"].(string)
	if len(key) != 64 {
		t.Fatalf("api_key must be 64 characters: %q", key)
	}
	if body["api_key_warning"] == "" || body["api_key_warning"] == nil {
		t.Fatal("api_key_warning missing")
	}
	id := body["id"].(string)
	links := body["links"].(map[string]any)
	if links["self"] != "http://127.0.0.1:8090/api/v1/submissions/"+id+"/" {
		t.Fatalf("links.self = %v", links["self"])
	}
	if _, has := links["biotoolsrecord"]; has {
		t.Fatal("links.biotoolsrecord must be absent without a record")
	}
	if body["status"] != "submitted" || body["biotoolsrecord"] != nil {
		t.Fatalf("new submissions are submitted without a bio.tools record: %v %v", body["status"], body["biotoolsrecord"])
	}
	raw := string(res.Body)
	for _, secret := range []string{"grace.internal@example.org", "Grace Hopper, Bielefeld University", "submission_ip", "user_agent_hash",
		"internal_contact", "data_protection_consent", "last_change_summary", "key_hash", "josiah@example.org"} {
		if strings.Contains(raw, secret) {
			t.Errorf("create response leaks %q", secret)
		}
	}
	keys, err := w.app.FindAllRecords(apikeys.SubmissionKeys)
	if err != nil || len(keys) != 1 {
		t.Fatalf("exactly one key must be created, got %d (%v)", len(keys), err)
	}
	if keys[0].GetString("key_hash") != apikeys.Hash(key) || keys[0].GetString("scope") != "write" || keys[0].GetString("label") != "Initial key" {
		t.Fatalf("unexpected key record: %v", keys[0])
	}

	stored, _ := w.app.FindRecordById("submissions", id)
	if stored.GetString("internal_contact_email") != "grace.internal@example.org" || stored.GetString("internal_contact_name") == "" {
		t.Fatal("internal contact must be stored")
	}
	ua := sha256.Sum256([]byte("pytest-client/1.0"))
	if stored.GetString("user_agent_hash") != hex.EncodeToString(ua[:]) {
		t.Fatal("user_agent_hash must be the SHA-256 of the User-Agent")
	}

	// the key works for exactly this submission
	got := testapp.Do(t, w.srv, http.MethodGet, "/api/v1/submissions/"+id+"/", nil, "Authorization: ApiKey "+key)
	if got.Status != http.StatusOK || got.Map(t)["service_name"] != "Proteome Explorer" {
		t.Fatalf("returned key does not read the submission: %d %s", got.Status, got.Body)
	}
	if strings.Contains(string(got.Body), "api_key") {
		t.Fatal("the key is shown only once, at creation")
	}
}

func TestV1CreateEmptyBodyAndMalformedInput(t *testing.T) {
	w := newV1World(t)
	res := testapp.Do(t, w.srv, http.MethodPost, "/api/v1/submissions/", "{}")
	if res.Status != http.StatusBadRequest {
		t.Fatalf("{}: status %d", res.Status)
	}
	fields := errorFields(t, res)
	for _, f := range []string{"service_name", "service_category_ids", "responsible_pi_ids", "service_center_id", "internal_contact_email", "data_protection_consent"} {
		if _, ok := fields[f]; !ok {
			t.Errorf("{} must report %s: %s", f, res.Body)
		}
	}

	res = testapp.Do(t, w.srv, http.MethodPost, "/api/v1/submissions/", `{"service_name": "x",`)
	if res.Status != http.StatusBadRequest || !strings.Contains(errorFields(t, res)["detail"].(string), "not a valid JSON") {
		t.Fatalf("malformed JSON: %d %s", res.Status, res.Body)
	}
	res = testapp.Do(t, w.srv, http.MethodPost, "/api/v1/submissions/", `[1,2]`)
	if res.Status != http.StatusBadRequest {
		t.Fatalf("a JSON array: %d %s", res.Status, res.Body)
	}

	for field, value := range map[string]any{
		"year_established":     "two thousand",
		"service_category_ids": "not-a-list-of-ids-but-a-map-is-worse",
		"is_toolbox":           "maybe",
		"service_name":         []any{"a", "b"},
		"date_of_entry":        "01/02/2024",
		"responsible_pi_ids":   map[string]any{"a": 1},
	} {
		if field == "service_category_ids" {
			value = map[string]any{"x": 1}
		}
		res := w.post(t, map[string]any{field: value})
		if res.Status != http.StatusBadRequest {
			t.Errorf("%s=%v: status %d", field, value, res.Status)
			continue
		}
		if msgs, ok := errorFields(t, res)[field].([]any); !ok || !strings.HasPrefix(msgs[0].(string), "Wrong type") {
			t.Errorf("%s: the error must name the field and the expected type: %s", field, res.Body)
		}
	}

	huge := strings.Repeat("a", 2<<20)
	res = w.post(t, map[string]any{"service_description": huge})
	if res.Status != http.StatusBadRequest || errorFields(t, res)["service_description"] == nil {
		t.Fatalf("2 MB description must be a 400 on the field, got %d %.300s", res.Status, res.Body)
	}
	if n, _ := w.app.CountRecords("submissions"); n != 0 {
		t.Fatalf("nothing may be written on bad input, found %d submissions", n)
	}
	if n, _ := w.app.CountRecords(apikeys.SubmissionKeys); n != 0 {
		t.Fatalf("no key without a submission, found %d", n)
	}
}

func TestV1CreateValidationRules(t *testing.T) {
	w := newV1World(t)
	year := time.Now().UTC().Year()
	cases := []struct {
		name      string
		overrides map[string]any
		field     string // "" = must succeed
	}{
		{"consent false", map[string]any{"data_protection_consent": false}, "data_protection_consent"},
		{"http website", map[string]any{"website_url": "http://not-https.com"}, "website_url"},
		{"invalid public contact", map[string]any{"public_contact_email": "not-valid"}, "public_contact_email"},
		{"https support page", map[string]any{"public_contact_email": "https://support.example.com"}, ""},
		{"missing internal name", map[string]any{"internal_contact_name": ""}, "internal_contact_name"},
		{"missing internal email", map[string]any{"internal_contact_email": ""}, "internal_contact_email"},
		{"year 1800", map[string]any{"year_established": 1800}, "year_established"},
		{"next year", map[string]any{"year_established": year + 1}, "year_established"},
		{"this year", map[string]any{"year_established": year}, ""},
		{"short description", map[string]any{"service_description": "Too short"}, "service_description"},
		{"5001 chars", map[string]any{"service_description": strings.Repeat("x", 5001)}, "service_description"},
		{"5000 chars", map[string]any{"service_description": strings.Repeat("x", 5000)}, ""},
		{"no license at all", map[string]any{"licenses": []any{}, "license_note": ""}, "licenses"},
		{"license note only", map[string]any{"licenses": []any{}, "license_note": "Proprietary"}, ""},
		{"SPDX license", map[string]any{"licenses": []any{"MIT"}, "license_note": ""}, ""},
		{"deprecated SPDX license", map[string]any{"licenses": []any{"GPL-3.0"}}, ""},
		{"unknown license", map[string]any{"licenses": []any{"NotALicense"}}, "licenses"},
		{"kpi yes without year", map[string]any{"kpi_monitoring": "yes", "kpi_start_year": ""}, "kpi_start_year"},
		{"kpi planned without year", map[string]any{"kpi_monitoring": "planned", "kpi_start_year": ""}, ""},
		{"toolbox without name", map[string]any{"is_toolbox": true, "toolbox_name": ""}, "toolbox_name"},
		{"toolbox with name", map[string]any{"is_toolbox": true, "toolbox_name": "de.NBI Proteomics"}, ""},
		{"gitlab as github", map[string]any{"github_url": "https://gitlab.com/x"}, "github_url"},
		{"wrong bio.tools domain", map[string]any{"biotools_url": "https://bioinformatics.tools/x"}, "biotools_url"},
		{"bad publication", map[string]any{"publications_pmids": "12345678, not-a-doi"}, "publications_pmids"},
		{"51 publications", map[string]any{"publications_pmids": strings.TrimSuffix(strings.Repeat("1, ", 51), ", ")}, "publications_pmids"},
		{"unknown category", map[string]any{"service_category_ids": []any{999}}, "service_category_ids"},
		{"empty categories", map[string]any{"service_category_ids": []any{}}, "service_category_ids"},
		{"unknown centre", map[string]any{"service_center_id": "00000000-0000-4000-8000-000000000000"}, "service_center_id"},
		{"associated partner without note", map[string]any{"responsible_pi_ids": []any{w.ref.PartnerPI}}, "associated_partner_note"},
		{"associated partner with note", map[string]any{"responsible_pi_ids": []any{w.ref.PartnerPI}, "associated_partner_note": "Dr. X, Uni Y"}, ""},
		{"unknown edam term", map[string]any{"edam_topic_ids": []any{"topic_9999"}}, "edam_topic_ids"},
	}
	for _, c := range cases {
		res := w.post(t, c.overrides)
		if c.field == "" {
			if res.Status != http.StatusCreated {
				t.Errorf("%s: want 201, got %d %s", c.name, res.Status, res.Body)
			}
			continue
		}
		if res.Status != http.StatusBadRequest {
			t.Errorf("%s: want 400, got %d", c.name, res.Status)
			continue
		}
		fields := errorFields(t, res)
		msgs, ok := fields[c.field].([]any)
		if !ok || len(msgs) == 0 || msgs[0] == "" {
			t.Errorf("%s: no message for %s in %s", c.name, c.field, res.Body)
		}
	}
}

func TestV1PublicContactIsEchoedAndIgnoredFieldsStayServerSide(t *testing.T) {
	w := newV1World(t)
	res := w.post(t, map[string]any{
		"public_contact_email":    "https://support.example.com",
		"status":                  "approved",
		"primary_maturity_tag":    "not-a-tag",
		"secondary_maturity_tags": []any{"bogus"},
		"id":                      "11111111-1111-4111-8111-111111111111",
		"unknown_key":             "ignored",
	})
	if res.Status != http.StatusCreated {
		t.Fatalf("status %d %s", res.Status, res.Body)
	}
	body := res.Map(t)
	if body["public_contact_email"] != "https://support.example.com" || body["status"] != "submitted" ||
		body["primary_maturity_tag"] != nil || body["id"] == "11111111-1111-4111-8111-111111111111" {
		t.Fatalf("server-managed fields must ignore client values: %s", res.Body)
	}
	if tags, ok := body["secondary_maturity_tags"].([]any); !ok || len(tags) != 0 {
		t.Fatalf("secondary tags must stay empty: %v", body["secondary_maturity_tags"])
	}
}

func TestV1SanitisesText(t *testing.T) {
	w := newV1World(t)
	res := w.post(t, map[string]any{
		"service_name":         "  Test\x00Service  ",
		"submitter_first_name": "Zoe\u0301",
		"host_institute":       "R&D <Institute>",
	})
	if res.Status != http.StatusCreated {
		t.Fatalf("status %d %s", res.Status, res.Body)
	}
	body := res.Map(t)
	if body["service_name"] != "TestService" || body["submitter_first_name"] != "Zo\u00e9" || body["host_institute"] != "R&D <Institute>" {
		t.Fatalf("sanitisation: name %q first %q host %q", body["service_name"], body["submitter_first_name"], body["host_institute"])
	}
}

func TestV1ClientIPFromTrustedProxyHeaders(t *testing.T) {
	w := newV1World(t, func(c *config.Config) {
		c.Security.TrustedProxyHeaders = []string{"X-Real-IP", "X-Forwarded-For"}
		c.Security.UseLeftmostIP = true
	})
	check := func(want string, headers ...string) {
		t.Helper()
		res := w.post(t, nil, headers...)
		if res.Status != http.StatusCreated {
			t.Fatalf("status %d %s", res.Status, res.Body)
		}
		rec, _ := w.app.FindRecordById("submissions", res.Map(t)["id"].(string))
		if got := rec.GetString("submission_ip"); got != want {
			t.Errorf("headers %v: submission_ip %q, want %q", headers, got, want)
		}
	}
	check("1.2.3.4", "X-Real-IP: 1.2.3.4", "X-Forwarded-For: 9.9.9.9")
	check("5.6.7.8", "X-Forwarded-For: 5.6.7.8, 10.0.0.1")

	direct := newV1World(t)
	res := direct.post(t, nil, "X-Real-IP: 1.2.3.4")
	rec, _ := direct.app.FindRecordById("submissions", res.Map(t)["id"].(string))
	if rec.GetString("submission_ip") != "192.0.2.1" {
		t.Errorf("without trusted proxies the peer address counts, got %q", rec.GetString("submission_ip"))
	}
}

// created makes a submission through the API and returns its id and key.
func (w *v1World) created(t *testing.T, overrides map[string]any) (string, string) {
	t.Helper()
	res := w.post(t, overrides)
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	body := res.Map(t)
	return body["id"].(string), body["api_key"].(string)
}

func TestV1DetailAccess(t *testing.T) {
	w := newV1World(t)
	id, key := w.created(t, map[string]any{"edam_topic_ids": []any{}})
	_, otherKey := w.created(t, map[string]any{"service_name": "Other"})
	url := "/api/v1/submissions/" + id + "/"

	res := testapp.Do(t, w.srv, http.MethodGet, url, nil, "Authorization: ApiKey "+key)
	if res.Status != http.StatusOK {
		t.Fatalf("owner: %d %s", res.Status, res.Body)
	}
	body := res.Map(t)
	for _, field := range []string{"id", "status", "submitted_at", "updated_at", "date_of_entry", "service_categories", "edam_topics",
		"edam_operations", "responsible_pis", "service_center", "licenses", "logo_url", "biotoolsrecord", "primary_maturity_tag",
		"secondary_maturity_tags", "links"} {
		if _, ok := body[field]; !ok {
			t.Errorf("detail lacks %s", field)
		}
	}
	pis := body["responsible_pis"].([]any)
	pi := pis[0].(map[string]any)
	if pi["display_name"] != "Carberry, Josiah" || pi["orcid"] != "0000-0002-1825-0097" {
		t.Errorf("nested PI: %v", pi)
	}
	if _, has := pi["email"]; has || strings.Contains(string(res.Body), "josiah@example.org") {
		t.Error("a PI's email must never appear in a submission")
	}
	centre := body["service_center"].(map[string]any)
	if centre["short_name"] != "BiGi" {
		t.Errorf("nested centre: %v", centre)
	}
	cats := body["service_categories"].([]any)
	if c := cats[0].(map[string]any); c["name"] != "Database" || c["id"] != float64(1) {
		t.Errorf("nested category must have an integer id: %v", c)
	}
	if body["logo_url"] != nil {
		t.Errorf("logo_url must be null without a logo: %v", body["logo_url"])
	}

	revoked := apikeys.Generate()
	record, _, _ := apikeys.NewSubmissionKey(w.app, id, "old", "write", "test")
	record.Set("key_hash", apikeys.Hash(revoked))
	record.Set("active", false)
	if err := w.app.Save(record); err != nil {
		t.Fatal(err)
	}

	statuses := map[string]struct {
		header string
		status int
	}{
		"anonymous":       {"", 403},
		"other owner":     {"Authorization: ApiKey " + otherKey, 404},
		"revoked":         {"Authorization: ApiKey " + revoked, 403},
		"random":          {"Authorization: ApiKey " + apikeys.Generate(), 403},
		"empty":           {"Authorization: ApiKey ", 403},
		"bearer with key": {"Authorization: Bearer " + key, 403},
	}
	var bodies []string
	for name, c := range statuses {
		var res *testapp.Response
		if c.header == "" {
			res = testapp.Do(t, w.srv, http.MethodGet, url, nil)
		} else {
			res = testapp.Do(t, w.srv, http.MethodGet, url, nil, c.header)
		}
		if res.Status != c.status {
			t.Errorf("%s: status %d, want %d", name, res.Status, c.status)
		}
		if c.status == 403 {
			bodies = append(bodies, withoutRequestID(res.Body))
		}
		if strings.Contains(string(res.Body), "Proteome") {
			t.Errorf("%s: data leaked", name)
		}
	}
	for _, b := range bodies[1:] {
		if b != bodies[0] {
			t.Errorf("403 bodies differ:\n%s\n%s", b, bodies[0])
		}
	}
}

func TestV1PatchScopesAndWriteOnlyFields(t *testing.T) {
	w := newV1World(t)
	id, key := w.created(t, nil)
	url := "/api/v1/submissions/" + id + "/"
	_, readKey, err := apikeys.IssueSubmissionKey(w.app, id, "reader", apikeys.ScopeRead, "test")
	if err != nil {
		t.Fatal(err)
	}

	res := testapp.Do(t, w.srv, http.MethodPatch, url, map[string]any{"kpi_start_year": "2025", "internal_contact_email": "new.internal@example.org"}, "Authorization: ApiKey "+key)
	if res.Status != http.StatusOK || res.Map(t)["kpi_start_year"] != "2025" {
		t.Fatalf("write key PATCH: %d %s", res.Status, res.Body)
	}
	if strings.Contains(string(res.Body), "new.internal@example.org") {
		t.Fatal("PATCH response must omit the internal contact")
	}
	rec, _ := w.app.FindRecordById("submissions", id)
	if rec.GetString("kpi_start_year") != "2025" || rec.GetString("internal_contact_email") != "new.internal@example.org" {
		t.Fatal("PATCH not persisted")
	}

	res = testapp.Do(t, w.srv, http.MethodPatch, url, map[string]any{"kpi_start_year": "1999"}, "Authorization: ApiKey "+readKey)
	if res.Status != http.StatusForbidden {
		t.Fatalf("read key PATCH: %d %s", res.Status, res.Body)
	}
	if res := testapp.Do(t, w.srv, http.MethodGet, url, nil, "Authorization: ApiKey "+readKey); res.Status != http.StatusOK {
		t.Fatalf("read key GET: %d", res.Status)
	}
	rec, _ = w.app.FindRecordById("submissions", id)
	if rec.GetString("kpi_start_year") != "2025" {
		t.Fatal("read key changed data")
	}

	res = testapp.Do(t, w.srv, http.MethodPut, url, map[string]any{"service_name": "x"}, "Authorization: ApiKey "+key)
	if res.Status != http.StatusMethodNotAllowed || res.Map(t)["detail"] == nil {
		t.Fatalf("PUT: %d %s", res.Status, res.Body)
	}

	// maturity tags and status are ignored on PATCH, even invalid ones
	res = testapp.Do(t, w.srv, http.MethodPatch, url, map[string]any{"status": "approved", "primary_maturity_tag": "bogus", "secondary_maturity_tags": "x"}, "Authorization: ApiKey "+key)
	if res.Status != http.StatusOK || res.Map(t)["status"] != "submitted" {
		t.Fatalf("server-managed fields on PATCH: %d %s", res.Status, res.Body)
	}

	// KPI rules on PATCH
	res = testapp.Do(t, w.srv, http.MethodPatch, url, map[string]any{"kpi_monitoring": "yes", "kpi_start_year": ""}, "Authorization: ApiKey "+key)
	if res.Status != http.StatusBadRequest || errorFields(t, res)["kpi_start_year"] == nil {
		t.Fatalf("PATCH yes + empty year: %d %s", res.Status, res.Body)
	}
	res = testapp.Do(t, w.srv, http.MethodPatch, url, map[string]any{"kpi_monitoring": "planned"}, "Authorization: ApiKey "+key)
	if res.Status != http.StatusOK || res.Map(t)["kpi_start_year"] != "" {
		t.Fatalf("PATCH planned: %d %s", res.Status, res.Body)
	}
	res = testapp.Do(t, w.srv, http.MethodPatch, url, map[string]any{"kpi_monitoring": "yes"}, "Authorization: ApiKey "+key)
	if res.Status != http.StatusBadRequest {
		t.Fatalf("PATCH yes on a planned row without year: %d %s", res.Status, res.Body)
	}
	// license rule on PATCH uses stored values for what is not sent
	res = testapp.Do(t, w.srv, http.MethodPatch, url, map[string]any{"license_note": ""}, "Authorization: ApiKey "+key)
	if res.Status != http.StatusBadRequest || errorFields(t, res)["licenses"] == nil {
		t.Fatalf("PATCH removing the only license information: %d %s", res.Status, res.Body)
	}
}

func TestV1MaturityTagsAreReturned(t *testing.T) {
	w := newV1World(t)
	id, key := w.created(t, nil)
	rec, _ := w.app.FindRecordById("submissions", id)
	rec.Set("status", "approved")
	rec.Set("primary_maturity_tag", "mature")
	rec.Set("secondary_maturity_tags", []string{"unstable"})
	if err := w.app.Save(rec); err != nil {
		t.Fatal(err)
	}
	body := testapp.Do(t, w.srv, http.MethodGet, "/api/v1/submissions/"+id+"/", nil, "Authorization: ApiKey "+key).Map(t)
	if body["primary_maturity_tag"] != "mature" || fmt.Sprint(body["secondary_maturity_tags"]) != "[unstable]" {
		t.Fatalf("tags: %v %v", body["primary_maturity_tag"], body["secondary_maturity_tags"])
	}

	// maturity tags only on approved services, at the model level
	other, _ := w.created(t, map[string]any{"service_name": "Other"})
	rec, _ = w.app.FindRecordById("submissions", other)
	rec.Set("primary_maturity_tag", "mature")
	if err := w.app.Save(rec); err == nil || !strings.Contains(err.Error(), "approved") {
		t.Fatalf("tags on a submitted service must fail validation: %v", err)
	}
	rec.Set("primary_maturity_tag", "")
	rec.Set("status", "approved")
	rec.Set("secondary_maturity_tags", []string{"stable"})
	if err := w.app.Save(rec); err == nil || !strings.Contains(err.Error(), "secondary") {
		t.Fatalf("unknown secondary tag must fail: %v", err)
	}
}

func TestV1ListAccessFiltersAndPagination(t *testing.T) {
	w := newV1World(t)
	readAdmin := testapp.AdminKey(t, w.app, "read")
	var ownKey string
	for i := 0; i < 23; i++ {
		id, key := w.created(t, map[string]any{"service_name": fmt.Sprintf("Service %02d", i)})
		ownKey = key
		rec, _ := w.app.FindRecordById("submissions", id)
		switch {
		case i < 3:
			rec.Set("status", "approved")
			rec.Set("primary_maturity_tag", "mature")
			if i == 0 {
				rec.Set("secondary_maturity_tags", []string{"unstable"})
			}
		case i == 3:
			rec.Set("status", "deprecated")
		}
		if err := w.app.Save(rec); err != nil {
			t.Fatal(err)
		}
	}

	if res := testapp.Do(t, w.srv, http.MethodGet, "/api/v1/submissions/", nil); res.Status != 403 {
		t.Errorf("anonymous list: %d", res.Status)
	}
	if res := testapp.Do(t, w.srv, http.MethodGet, "/api/v1/submissions/", nil, "Authorization: ApiKey "+ownKey); res.Status != 403 {
		t.Errorf("ApiKey list: %d", res.Status)
	}

	res := testapp.Do(t, w.srv, http.MethodGet, "/api/v1/submissions/", nil, "Authorization: AdminKey "+readAdmin)
	if res.Status != 200 {
		t.Fatalf("admin list: %d %s", res.Status, res.Body)
	}
	page := res.Map(t)
	results := page["results"].([]any)
	if page["count"] != float64(23) || len(results) != 20 || page["previous"] != nil {
		t.Fatalf("page 1: count %v, %d results, previous %v", page["count"], len(results), page["previous"])
	}
	if page["next"] != "http://127.0.0.1:8090/api/v1/submissions/?page=2" {
		t.Fatalf("next: %v", page["next"])
	}
	if strings.Contains(string(res.Body), "grace.internal@example.org") {
		t.Fatal("list leaks the internal contact")
	}
	first := results[0].(map[string]any)
	for _, f := range []string{"edam_topics", "responsible_pis", "biotoolsrecord", "website_url", "licenses", "license_note", "kpi_monitoring"} {
		if _, ok := first[f]; !ok {
			t.Errorf("list items lack %s", f)
		}
	}
	if first["service_name"] != "Service 22" {
		t.Errorf("default order is newest first, got %v", first["service_name"])
	}

	page2 := testapp.Do(t, w.srv, http.MethodGet, "/api/v1/submissions/?page=2", nil, "Authorization: AdminKey "+readAdmin).Map(t)
	if len(page2["results"].([]any)) != 3 || page2["next"] != nil || page2["previous"] == nil {
		t.Fatalf("page 2: %v", page2)
	}
	if res := testapp.Do(t, w.srv, http.MethodGet, "/api/v1/submissions/?page=9", nil, "Authorization: AdminKey "+readAdmin); res.Status != 404 {
		t.Errorf("page beyond the end: %d", res.Status)
	}

	count := func(query string) int {
		t.Helper()
		res := testapp.Do(t, w.srv, http.MethodGet, "/api/v1/submissions/?"+query, nil, "Authorization: AdminKey "+readAdmin)
		if res.Status != 200 {
			t.Fatalf("%s: %d %s", query, res.Status, res.Body)
		}
		return int(res.Map(t)["count"].(float64))
	}
	for query, want := range map[string]int{
		"status=approved":                          3,
		"status=deprecated":                        1,
		"primary_maturity_tag=mature":              3,
		"secondary_maturity_tags=unstable":         1,
		"secondary_maturity_tags=stable":           0,
		"secondary_maturity_tags=unstable,other":   0,
		"service_center=bigi":                      23,
		"service_center=nothere":                   0,
		"year_established=2020":                    23,
		"year_established=20x0":                    23,
		"register_as_elixir=true":                  0,
		"register_as_elixir=0":                     23,
		"status=approved&primary_maturity_tag=x":   0,
		"service_center=%25":                       0,
		"status=%27%20OR%201%3D1%20--":             0,
		"ordering=service_name&status=approved":    3,
		"ordering=-primary_maturity_tag&status=xx": 0,
	} {
		if got := count(query); got != want {
			t.Errorf("?%s: %d, want %d", query, got, want)
		}
	}
	ordered := testapp.Do(t, w.srv, http.MethodGet, "/api/v1/submissions/?ordering=service_name", nil, "Authorization: AdminKey "+readAdmin).Map(t)
	if ordered["results"].([]any)[0].(map[string]any)["service_name"] != "Service 00" {
		t.Error("ordering=service_name not applied")
	}
}

func TestV1AdminKeyScopes(t *testing.T) {
	w := newV1World(t)
	id, _ := w.created(t, nil)
	readKey := testapp.AdminKey(t, w.app, "read")
	fullKey := testapp.AdminKey(t, w.app, "full")
	url := "/api/v1/submissions/" + id + "/"

	for _, path := range []string{url, "/api/v1/categories/", "/api/v1/service-centers/", "/api/v1/pis/", "/api/v1/categories/1/"} {
		if res := testapp.Do(t, w.srv, http.MethodGet, path, nil, "Authorization: AdminKey "+readKey); res.Status != 200 {
			t.Errorf("read key GET %s: %d %s", path, res.Status, res.Body)
		}
	}
	res := testapp.Do(t, w.srv, http.MethodPatch, url, map[string]any{"comments": "x"}, "Authorization: AdminKey "+readKey)
	if res.Status != 403 {
		t.Errorf("read key PATCH: %d", res.Status)
	}
	res = testapp.Do(t, w.srv, http.MethodPost, "/api/v1/categories/", map[string]any{"name": "New"}, "Authorization: AdminKey "+readKey)
	if res.Status != 403 || !strings.Contains(string(res.Body), "read-only") {
		t.Errorf("read key POST category: %d %s", res.Status, res.Body)
	}
	res = testapp.Do(t, w.srv, http.MethodPatch, url, map[string]any{"comments": "from the office"}, "Authorization: AdminKey "+fullKey)
	if res.Status != 200 || res.Map(t)["comments"] != "from the office" {
		t.Errorf("full key PATCH: %d %s", res.Status, res.Body)
	}
	res = testapp.Do(t, w.srv, http.MethodPost, "/api/v1/categories/", map[string]any{"name": "New Category"}, "Authorization: AdminKey "+fullKey)
	if res.Status != 201 || res.Map(t)["is_active"] != true {
		t.Errorf("full key POST category: %d %s", res.Status, res.Body)
	}
	for _, header := range []string{"Authorization: AdminKey notavalidkey", "Authorization: Unknown x", "Authorization: AdminKey "} {
		if res := testapp.Do(t, w.srv, http.MethodGet, "/api/v1/categories/", nil, header); res.Status != 403 {
			t.Errorf("%s: %d", header, res.Status)
		}
	}
	_, subKey := w.created(t, map[string]any{"service_name": "Other"})
	if res := testapp.Do(t, w.srv, http.MethodGet, "/api/v1/categories/", nil, "Authorization: ApiKey "+subKey); res.Status != 403 {
		t.Errorf("submission key on reference data: %d", res.Status)
	}
}

func TestV1ReferenceDataCRUD(t *testing.T) {
	w := newV1World(t)
	full := "Authorization: AdminKey " + testapp.AdminKey(t, w.app, "full")
	do := func(method, url string, body any) *testapp.Response {
		return testapp.Do(t, w.srv, method, url, body, full)
	}

	res := do(http.MethodPost, "/api/v1/categories/", map[string]any{"name": "Workflow"})
	if res.Status != 201 {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	created := res.Map(t)
	catID := strconv.Itoa(int(created["id"].(float64)))
	if created["name"] != "Workflow" || created["is_active"] != true {
		t.Fatalf("created: %v", created)
	}
	if res := do(http.MethodPost, "/api/v1/categories/", map[string]any{"name": "workflow"}); res.Status != 400 || errorFields(t, res)["name"] == nil {
		t.Errorf("duplicate name (any case): %d %s", res.Status, res.Body)
	}
	if res := do(http.MethodPost, "/api/v1/categories/", map[string]any{}); res.Status != 400 || errorFields(t, res)["name"] == nil {
		t.Errorf("missing name: %d %s", res.Status, res.Body)
	}
	if res := do(http.MethodGet, "/api/v1/categories/999/", nil); res.Status != 404 {
		t.Errorf("unknown id: %d", res.Status)
	}
	if res := do(http.MethodPatch, "/api/v1/categories/"+catID+"/", map[string]any{"name": "Workflows"}); res.Status != 200 || res.Map(t)["name"] != "Workflows" {
		t.Errorf("rename: %d %s", res.Status, res.Body)
	}
	if res := do(http.MethodDelete, "/api/v1/categories/"+catID+"/", nil); res.Status != 204 || len(res.Body) != 0 {
		t.Errorf("delete: %d %s", res.Status, res.Body)
	}
	rec, err := w.app.FindRecordById("categories", catID)
	if err != nil || rec.GetBool("active") {
		t.Fatalf("DELETE must deactivate, not remove: %v %v", rec, err)
	}
	all := do(http.MethodGet, "/api/v1/categories/", nil)
	var list []map[string]any
	all.JSON(t, &list)
	if len(list) != 3 {
		t.Errorf("list returns active and inactive: %d", len(list))
	}
	var inactive []map[string]any
	do(http.MethodGet, "/api/v1/categories/?is_active=false", nil).JSON(t, &inactive)
	if len(inactive) != 1 || inactive[0]["name"] != "Workflows" {
		t.Errorf("?is_active=false: %v", inactive)
	}

	res = do(http.MethodPost, "/api/v1/service-centers/", map[string]any{"short_name": "RBC", "full_name": "RNA Bioinformatics Center", "website": "https://rbc.example.org"})
	if res.Status != 201 || res.Map(t)["short_name"] != "RBC" {
		t.Errorf("centre create: %d %s", res.Status, res.Body)
	}
	if res := do(http.MethodPost, "/api/v1/service-centers/", map[string]any{"short_name": "X"}); res.Status != 400 || errorFields(t, res)["full_name"] == nil {
		t.Errorf("centre without full name: %d %s", res.Status, res.Body)
	}

	res = do(http.MethodPost, "/api/v1/pis/", map[string]any{"last_name": "Curie", "first_name": "Marie", "orcid": "0000-0002-1825-0098", "email": "marie@example.org"})
	if res.Status != 400 || errorFields(t, res)["orcid"] == nil {
		t.Errorf("invalid ORCID: %d %s", res.Status, res.Body)
	}
	res = do(http.MethodPost, "/api/v1/pis/", map[string]any{"last_name": "Curie", "first_name": "Marie", "orcid": "0000-0002-3960-224X", "email": "marie@example.org"})
	if res.Status != 201 {
		t.Fatalf("PI create: %d %s", res.Status, res.Body)
	}
	pi := res.Map(t)
	if pi["display_name"] != "Curie, Marie" || pi["email"] != "marie@example.org" {
		t.Errorf("PI: %v", pi)
	}
	if res := do(http.MethodPut, "/api/v1/pis/"+pi["id"].(string)+"/", map[string]any{"last_name": "Curie"}); res.Status != 400 {
		t.Errorf("PUT without every required field: %d", res.Status)
	}
	if res := testapp.Do(t, w.srv, http.MethodGet, "/api/v1/pis/", nil); res.Status != 403 {
		t.Errorf("anonymous PIs: %d", res.Status)
	}
}

func TestCollectionAPICreateReturnsKeyAndHidesWriteOnlyFields(t *testing.T) {
	w := newV1World(t)
	full := testapp.AdminKey(t, w.app, "full")
	data := testapp.SubmissionData(w.ref, map[string]any{"status": "approved", "primary_maturity_tag": "mature"})
	res := testapp.Do(t, w.srv, http.MethodPost, "/api/collections/submissions/records", data, "Authorization: AdminKey "+full)
	if res.Status != 200 {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	body := res.Map(t)
	key, _ := body["api_key"].(string)
	if len(key) != 64 || body["status"] != "submitted" || body["primary_maturity_tag"] != "" {
		t.Fatalf("create response: %s", res.Body)
	}
	for _, hidden := range []string{"internal_contact_email", "internal_contact_name", "submission_ip", "user_agent_hash", "data_protection_consent", "last_change_summary"} {
		if _, has := body[hidden]; has {
			t.Errorf("response contains %s", hidden)
		}
	}
	view := testapp.Do(t, w.srv, http.MethodGet, "/api/collections/submissions/records/"+body["id"].(string), nil, "Authorization: ApiKey "+key)
	if view.Status != 200 || strings.Contains(string(view.Body), "grace.internal@example.org") || strings.Contains(string(view.Body), "api_key") {
		t.Fatalf("view: %d %s", view.Status, view.Body)
	}
	keyRec, err := w.app.FindFirstRecordByData(apikeys.SubmissionKeys, "key_hash", apikeys.Hash(key))
	if err != nil || keyRec.GetString("created_by") != "api:test full key" {
		t.Fatalf("key record created_by: %v %v", keyRec, err)
	}

	// a superuser (dashboard) sees the internal contact
	su := testapp.Superuser(t, w.app, "office@example.org")
	suView := testapp.Do(t, w.srv, http.MethodGet, "/api/collections/submissions/records/"+body["id"].(string), nil, "Authorization: "+su)
	if !strings.Contains(string(suView.Body), "grace.internal@example.org") {
		t.Fatalf("the office must see the internal contact: %s", suView.Body)
	}
}

func TestReferenceDataPublicButPIEmailsHidden(t *testing.T) {
	w := newV1World(t)
	res := testapp.Do(t, w.srv, http.MethodGet, "/api/collections/pis/records", nil)
	if res.Status != 200 || !strings.Contains(string(res.Body), "Carberry") {
		t.Fatalf("active PIs are public: %d %s", res.Status, res.Body)
	}
	if strings.Contains(string(res.Body), "josiah@example.org") {
		t.Fatal("PI emails must not be public")
	}
	admin := testapp.Do(t, w.srv, http.MethodGet, "/api/collections/pis/records", nil, "Authorization: AdminKey "+testapp.AdminKey(t, w.app, "read"))
	if !strings.Contains(string(admin.Body), "josiah@example.org") {
		t.Fatal("admin keys see PI emails")
	}
	write := testapp.Do(t, w.srv, http.MethodPost, "/api/collections/categories/records", map[string]any{"name": "Sneaky", "active": true})
	if write.Status == 200 {
		t.Fatal("anonymous clients must not create reference data")
	}
}

func TestV1ListQueriesDoNotGrowWithThePage(t *testing.T) {
	w := newV1World(t)
	admin := "Authorization: AdminKey " + testapp.AdminKey(t, w.app, "read")
	list := func() {
		if res := testapp.Do(t, w.srv, http.MethodGet, "/api/v1/submissions/", nil, admin); res.Status != 200 {
			t.Fatalf("list: %d", res.Status)
		}
	}
	w.created(t, nil)
	list() // warm the collection cache
	small := countQueries(w.app, list)
	for i := 0; i < 15; i++ {
		w.created(t, map[string]any{"service_name": fmt.Sprintf("Service %d", i), "responsible_pi_ids": []any{w.ref.PIs[i%2]}})
	}
	large := countQueries(w.app, list)
	if small != large {
		t.Fatalf("queries grow with the page: %d for 1 item, %d for 16", small, large)
	}
	t.Logf("queries per list page: %d", large)
}

// countQueries counts the SQL statements f sends to the data database.
func countQueries(app core.App, f func()) int {
	var n atomic.Int64
	db := app.ConcurrentDB().(*dbx.DB)
	prevQuery, prevExec := db.QueryLogFunc, db.ExecLogFunc
	db.QueryLogFunc = func(context.Context, time.Duration, string, *sql.Rows, error) { n.Add(1) }
	db.ExecLogFunc = func(context.Context, time.Duration, string, sql.Result, error) { n.Add(1) }
	defer func() { db.QueryLogFunc, db.ExecLogFunc = prevQuery, prevExec }()
	f()
	return int(n.Load())
}
