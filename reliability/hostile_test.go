package reliability_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/denbi/service-registry/internal/loadgen"
)

// collectionNames maps the /api/v1 names of the registration's relation
// fields to the collection API's.
var collectionNames = map[string]string{
	"service_category_ids": "service_categories",
	"responsible_pi_ids":   "responsible_pis",
	"service_center_id":    "service_center",
}

// forCollectionAPI renames a /api/v1 body for the collection API.
func forCollectionAPI(body map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range body {
		if renamed, ok := collectionNames[k]; ok {
			k = renamed
		}
		out[k] = v
	}
	return out
}

// hostileBodies are request bodies an attacker or a broken client sends,
// each built around base (a valid registration for creates, nothing for
// updates) so that only the hostile part can be the reason for a refusal.
// rename maps /api/v1 field names to the endpoint's.
func hostileBodies(base map[string]any, rename func(map[string]any) map[string]any) map[string][]byte {
	with := func(field string, value any) []byte {
		body := map[string]any{}
		for k, v := range base {
			body[k] = v
		}
		body[field] = value
		raw, _ := json.Marshal(rename(body))
		return raw
	}
	raw := func(s string) []byte { return []byte(s) }
	withName := with("service_name", "Load test service")
	invalidUTF8 := bytes.Replace(withName, []byte(`"Load test service`), []byte("\"Load \xff\xfe test service"), 1)
	return map[string][]byte{
		"20 MB body":                 with("service_description", strings.Repeat("A", 20<<20)),
		"deeply nested JSON":         raw(`{"service_name":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`),
		"invalid UTF-8 in a string":  invalidUTF8,
		"number for a name":          with("service_name", 123),
		"string for a relation list": with("service_category_ids", []any{"1; DROP TABLE submissions"}),
		"number for a relation":      with("service_category_ids", 7),
		"object for a year":          with("year_established", map[string]any{"$gt": 0}),
		"string for a boolean":       with("data_protection_consent", "yes please"),
		"SQL in a relation id":       with("service_center_id", "x' OR '1'='1"),
		"not JSON at all":            raw("service_name=evil&status=approved"),
		"truncated JSON":             withName[:len(withName)/2],
		"a JSON array":               raw(`[1, 2, 3]`),
	}
}

// TestHostileInputIsRefusedCleanly sends the hostile corpus to every public
// write endpoint and hostile query strings to the read endpoints: 4xx with
// an explanation (or, for searches, a harmless empty answer), never a 5xx,
// nothing written, and a healthy server afterwards.
func TestHostileInputIsRefusedCleanly(t *testing.T) {
	r := startRegistry(t)
	var own loadgen.Created
	if err := loadgen.Request(r.client, http.MethodPost, r.URL+"/api/v1/submissions/", "", r.refs.Registration(1), &own); err != nil {
		t.Fatal(err)
	}
	ownerBefore := r.ownView(t, own)
	countBefore := r.total(t, "submissions")

	same := func(m map[string]any) map[string]any { return m }
	writes := []struct {
		method, path, auth string
		bodies             map[string][]byte
	}{
		{http.MethodPost, "/api/v1/submissions/", "", hostileBodies(r.refs.Registration(2), same)},
		{http.MethodPatch, "/api/v1/submissions/" + own.ID + "/", "ApiKey " + own.APIKey, hostileBodies(nil, same)},
		{http.MethodPost, "/api/collections/submissions/records", "", hostileBodies(r.refs.Registration(2), forCollectionAPI)},
		{http.MethodPatch, "/api/collections/submissions/records/" + own.ID, "ApiKey " + own.APIKey, hostileBodies(nil, forCollectionAPI)},
	}
	for _, w := range writes {
		for name, body := range w.bodies {
			status, answer := r.send(t, w.method, w.path, w.auth, body)
			if status < 400 || status >= 500 {
				t.Errorf("%s to %s %s: want a 4xx, got %d %.200s", name, w.method, w.path, status, answer)
				continue
			}
			if !explains(answer) {
				t.Errorf("%s to %s %s: the %d does not explain itself: %.300s", name, w.method, w.path, status, answer)
			}
		}
	}

	reads := []string{
		"/api/v1/submissions/?page=-1",
		"/api/v1/submissions/?page=abc",
		"/api/v1/submissions/?page=99999999999999999999999",
		"/api/v1/edam/?branch=topic&q=" + url.QueryEscape("' OR 1=1 --"),
		"/api/v1/edam/?branch=" + url.QueryEscape("topic' OR '1'='1") + "&q=prot",
		"/api/v1/edam/?branch=topic&q=" + url.QueryEscape(strings.Repeat("prote", 2000)),
		"/api/v1/edam/?branch=topic&q=%00%ff",
		"/api/collections/submissions/records?filter=" + url.QueryEscape("id != '' || 1 = 1"),
		"/api/collections/submissions/records?filter=" + url.QueryEscape("internal_contact_email ~ '@'"),
		"/api/collections/submissions/records?sort=" + url.QueryEscape("(SELECT 1)"),
		"/api/collections/submissions/records?expand=" + url.QueryEscape("service_center.submissions_via_service_center"),
		"/api/collections/api_keys/records?filter=" + url.QueryEscape("key_hash != ''"),
		"/api/collections/submission_changes/records",
		"/api/collections/mail_outbox/records",
		"/api/v1/categories/?filter=" + url.QueryEscape("1=1) OR (1=1"),
	}
	for _, path := range reads {
		status, answer := r.send(t, http.MethodGet, path, "", nil)
		switch {
		case status >= 500:
			t.Errorf("GET %s: %d %.300s", path, status, answer)
		case status >= 400:
			if !explains(answer) {
				t.Errorf("GET %s: the %d does not explain itself: %.300s", path, status, answer)
			}
		case strings.Contains(string(answer), own.ID) || strings.Contains(string(answer), "load@example.org"):
			t.Errorf("GET %s leaked a submission to an anonymous caller: %.300s", path, answer)
		}
	}

	r.healthy(t)
	if got := r.total(t, "submissions"); got != countBefore {
		t.Errorf("hostile requests changed the number of submissions from %d to %d", countBefore, got)
	}
	if after := r.ownView(t, own); after != ownerBefore {
		t.Errorf("hostile requests changed the owner's submission:\nbefore %s\nafter  %s", ownerBefore, after)
	}
}

// send sends a raw body and returns the status and the answer.
func (r *registry) send(t *testing.T, method, path, auth string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, r.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := r.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, loadgen.MaxBody))
	return res.StatusCode, answer
}

// ownView is the owner's view of a submission, to compare before and after.
func (r *registry) ownView(t *testing.T, c loadgen.Created) string {
	t.Helper()
	var view map[string]any
	if err := loadgen.Request(r.client, http.MethodGet, r.URL+"/api/v1/submissions/"+c.ID+"/", "ApiKey "+c.APIKey, nil, &view); err != nil {
		t.Fatal(err)
	}
	delete(view, "updated_at") // a refused update writes nothing, but be exact about what is compared
	raw, _ := json.Marshal(view)
	return string(raw)
}

// explains reports whether a JSON error answer carries a sentence for a
// person: some string value with at least three words.
func explains(answer []byte) bool {
	var v any
	if json.Unmarshal(answer, &v) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case string:
			return len(strings.Fields(x)) >= 3
		case map[string]any:
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		case []any:
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}
