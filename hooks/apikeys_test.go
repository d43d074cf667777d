package hooks_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/denbi/service-registry/hooks"
	"github.com/denbi/service-registry/internal/apikeys"
	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
)

var requestIDPattern = regexp.MustCompile(`"request_id":"[0-9a-f-]{36}"`)

// withoutRequestID blanks the per-request id so bodies can be compared.
func withoutRequestID(body []byte) string {
	return requestIDPattern.ReplaceAllString(string(body), `"request_id":"-"`)
}

func TestKeyAuthAcceptsValidKeysAndRecordsUse(t *testing.T) {
	app := apptest.New(t)
	srv := testapp.Server(t, app)
	key := testapp.AdminKey(t, app, apikeys.ScopeRead)

	res := testapp.Do(t, srv, http.MethodGet, "/api/v1/", nil, "Authorization: AdminKey "+key)
	if res.Status != http.StatusOK {
		t.Fatalf("valid admin key: status %d, body %s", res.Status, res.Body)
	}
	body := res.Map(t)
	if body["submissions"] != "http://127.0.0.1:8090/api/v1/submissions/" {
		t.Fatalf("unexpected root document: %s", res.Body)
	}

	record, err := app.FindFirstRecordByData(apikeys.AdminKeys, "key_hash", apikeys.Hash(key))
	if err != nil {
		t.Fatal(err)
	}
	if record.GetDateTime("last_used_at").IsZero() {
		t.Fatal("last_used_at was not recorded")
	}
}

func TestKeyAuthSetsAuthForCollectionRules(t *testing.T) {
	app := apptest.New(t)
	srv := testapp.Server(t, app)
	ref := testapp.Seed(t, app)
	own, ownKey := testapp.CreateSubmission(t, app, ref, apikeys.ScopeWrite, nil)
	other, otherKey := testapp.CreateSubmission(t, app, ref, apikeys.ScopeRead, map[string]any{"service_name": "Other service"})

	res := testapp.Do(t, srv, http.MethodGet, "/api/collections/submissions/records/"+own.Id, nil, "Authorization: ApiKey "+ownKey)
	if res.Status != http.StatusOK || res.Map(t)["service_name"] != "Proteome Explorer" {
		t.Fatalf("owner key must read its submission: %d %s", res.Status, res.Body)
	}

	res = testapp.Do(t, srv, http.MethodGet, "/api/collections/submissions/records/"+own.Id, nil, "Authorization: ApiKey "+otherKey)
	if res.Status != http.StatusNotFound {
		t.Fatalf("another owner's key must not see the submission: %d %s", res.Status, res.Body)
	}

	res = testapp.Do(t, srv, http.MethodPatch, "/api/collections/submissions/records/"+other.Id,
		map[string]any{"comments": "changed"}, "Authorization: ApiKey "+otherKey)
	if res.Status == http.StatusOK {
		t.Fatalf("a read-scope key must not update: %s", res.Body)
	}
	fresh, _ := app.FindRecordById("submissions", other.Id)
	if fresh.GetString("comments") == "changed" {
		t.Fatal("read-scope update was written")
	}
}

func TestUnusableCredentialsGetTheSame403(t *testing.T) {
	app := apptest.New(t)
	srv := testapp.Server(t, app)

	revoked := testapp.AdminKey(t, app, apikeys.ScopeFull)
	record, err := app.FindFirstRecordByData(apikeys.AdminKeys, "key_hash", apikeys.Hash(revoked))
	if err != nil {
		t.Fatal(err)
	}
	record.Set("active", false)
	if err := app.Save(record); err != nil {
		t.Fatal(err)
	}

	cases := map[string][]string{
		"no header":         nil,
		"unknown admin key": {"Authorization: AdminKey " + apikeys.Generate()},
		"unknown api key":   {"Authorization: ApiKey " + apikeys.Generate()},
		"revoked admin key": {"Authorization: AdminKey " + revoked},
		"empty admin key":   {"Authorization: AdminKey "},
		"empty api key":     {"Authorization: ApiKey"},
		"short garbage":     {"Authorization: ApiKey x"},
		"bearer":            {"Authorization: Bearer x"},
		"bearer with key":   {"Authorization: Bearer " + revoked},
		"wrong case scheme": {"Authorization: adminkey " + revoked},
	}
	var first string
	for name, headers := range cases {
		res := testapp.Do(t, srv, http.MethodGet, "/api/v1/", nil, headers...)
		if res.Status != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", name, res.Status)
			continue
		}
		body := withoutRequestID(res.Body)
		if !strings.Contains(body, `"detail":`) || !strings.Contains(body, "Authorization: ApiKey") {
			t.Errorf("%s: body does not explain what to send: %s", name, body)
		}
		if first == "" {
			first = body
		} else if body != first {
			t.Errorf("%s: body differs from the others:\n%s\n%s", name, body, first)
		}
	}
}

func TestRevokedKeyFailsOnCollectionAPITooAndErrorIsPlain(t *testing.T) {
	app := apptest.New(t)
	srv := testapp.Server(t, app)
	res := testapp.Do(t, srv, http.MethodGet, "/api/collections/submissions/records", nil, "Authorization: AdminKey "+apikeys.Generate())
	if res.Status != http.StatusForbidden {
		t.Fatalf("status %d", res.Status)
	}
	if got := res.Map(t)["message"]; got != hooks.CredentialsMessage {
		t.Fatalf("collection API errors keep PocketBase's shape, got %s", res.Body)
	}
}

func TestRevokedKeyTokenStopsWorking(t *testing.T) {
	app := apptest.New(t)
	srv := testapp.Server(t, app)
	ref := testapp.Seed(t, app)
	sub, key := testapp.CreateSubmission(t, app, ref, apikeys.ScopeWrite, nil)

	record, err := app.FindFirstRecordByData(apikeys.SubmissionKeys, "key_hash", apikeys.Hash(key))
	if err != nil {
		t.Fatal(err)
	}
	token, err := record.NewAuthToken()
	if err != nil {
		t.Fatal(err)
	}
	res := testapp.Do(t, srv, http.MethodGet, "/api/collections/submissions/records/"+sub.Id, nil, "Authorization: "+token)
	if res.Status != http.StatusOK {
		t.Fatalf("a key's token must work while the key is active: %d %s", res.Status, res.Body)
	}

	record.Set("active", false)
	if err := app.Save(record); err != nil {
		t.Fatal(err)
	}
	res = testapp.Do(t, srv, http.MethodGet, "/api/collections/submissions/records/"+sub.Id, nil, "Authorization: "+token)
	if res.Status != http.StatusForbidden {
		t.Fatalf("a revoked key's token must stop working: %d %s", res.Status, res.Body)
	}
}

func TestBrowserSessionEditsNeedACaptcha(t *testing.T) {
	w := newV1World(t)
	id, key := w.created(t, nil)
	record, err := w.app.FindFirstRecordByData(apikeys.SubmissionKeys, "key_hash", apikeys.Hash(key))
	if err != nil {
		t.Fatal(err)
	}
	token, _ := record.NewAuthToken()
	url := "/api/collections/submissions/records/" + id

	res := testapp.Do(t, w.srv, http.MethodPatch, url, map[string]any{"comments": "from the web page"}, "Authorization: "+token)
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "CAPTCHA") {
		t.Fatalf("a session edit without a captcha: %d %s", res.Status, res.Body)
	}
	res = testapp.Do(t, w.srv, http.MethodPatch, url, map[string]any{"comments": "from the web page", "altcha": testapp.SolveCaptcha(t, w.srv)}, "Authorization: "+token)
	if res.Status != http.StatusOK {
		t.Fatalf("a session edit with a solved captcha: %d %s", res.Status, res.Body)
	}
	rows := w.changeRows(t, id)
	if len(rows) != 1 || rows[0].GetString("changed_by") != "submitter" {
		t.Fatalf("web edits are logged as the submitter: %v", rows)
	}
	res = testapp.Do(t, w.srv, http.MethodPatch, url, map[string]any{"comments": "from a script"}, "Authorization: ApiKey "+key)
	if res.Status != http.StatusOK {
		t.Fatalf("API clients with a key need no captcha: %d %s", res.Status, res.Body)
	}
}
