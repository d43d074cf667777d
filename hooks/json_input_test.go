package hooks_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/denbi/service-registry/internal/testapp"
)

func TestCollectionAPIRefusesWrongJSONTypes(t *testing.T) {
	w := newV1World(t)
	record, key := testapp.CreateSubmission(t, w.app, w.ref, "write", nil)
	path := "/api/collections/submissions/records/" + record.Id
	for _, c := range []struct{ body, field string }{
		{`{"service_name": 123}`, "service_name"},
		{`{"data_protection_consent": "yes please"}`, "data_protection_consent"},
		{`{"year_established": "nineteen"}`, "year_established"},
		{`{"service_categories": 7}`, "service_categories"},
		{`{"service_categories+": [7]}`, "service_categories+"},
		{`{"public_contact_email": ["a@example.org"]}`, "public_contact_email"},
	} {
		res := testapp.Do(t, w.srv, http.MethodPatch, path, c.body, "Authorization: ApiKey "+key)
		if res.Status != http.StatusBadRequest {
			t.Errorf("%s: want 400, got %d %s", c.body, res.Status, res.Body)
			continue
		}
		data, _ := res.Map(t)["data"].(map[string]any)
		field, _ := data[c.field].(map[string]any)
		if msg, _ := field["message"].(string); !strings.HasPrefix(msg, "Wrong type: send ") {
			t.Errorf("%s: the error does not name the field and the expected type: %s", c.body, res.Body)
		}
	}
	stored, err := w.app.FindRecordById("submissions", record.Id)
	if err != nil {
		t.Fatal(err)
	}
	if stored.GetString("service_name") != record.GetString("service_name") || stored.GetInt("year_established") != record.GetInt("year_established") {
		t.Fatal("a refused update changed the submission")
	}

	// right types and unknown keys still pass
	res := testapp.Do(t, w.srv, http.MethodPatch, path,
		`{"service_name": "Renamed service", "year_established": 2019, "service_categories": ["`+w.ref.Categories[0]+`"], "no_such_field": 1}`, "Authorization: ApiKey "+key)
	if res.Status != http.StatusOK || res.Map(t)["service_name"] != "Renamed service" {
		t.Fatalf("a well-typed update was refused: %d %s", res.Status, res.Body)
	}
}

func TestJSONBodiesMustBeUTF8(t *testing.T) {
	w := newV1World(t)
	record, key := testapp.CreateSubmission(t, w.app, w.ref, "write", nil)
	invalid := "{\"service_name\": \"Bad \xff\xfe name\"}"
	for _, path := range []string{"/api/v1/submissions/" + record.Id + "/", "/api/collections/submissions/records/" + record.Id} {
		res := testapp.Do(t, w.srv, http.MethodPatch, path, invalid, "Authorization: ApiKey "+key)
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "not valid UTF-8") {
			t.Errorf("%s: want 400 naming UTF-8, got %d %s", path, res.Status, res.Body)
		}
	}
	// the check hands the body on intact: key auth, access rules and the
	// handler all read it
	res := testapp.Do(t, w.srv, http.MethodPatch, "/api/v1/submissions/"+record.Id+"/", `{"service_name": "Grüße aus Köln"}`, "Authorization: ApiKey "+key)
	if res.Status != http.StatusOK || res.Map(t)["service_name"] != "Grüße aus Köln" {
		t.Fatalf("a UTF-8 update was refused or lost: %d %s", res.Status, res.Body)
	}
}

func TestV1RefusesANullBody(t *testing.T) {
	w := newV1World(t)
	record, key := testapp.CreateSubmission(t, w.app, w.ref, "write", nil)
	res := testapp.Do(t, w.srv, http.MethodPatch, "/api/v1/submissions/"+record.Id+"/", "null", "Authorization: ApiKey "+key)
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "expected an object") {
		t.Fatalf("null body: want 400, got %d %s", res.Status, res.Body)
	}
}
