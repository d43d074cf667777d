package hooks_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/denbi/service-registry/config"
	"github.com/denbi/service-registry/hooks"
	"github.com/denbi/service-registry/internal/apikeys"
	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
)

const authWithKeyURL = "/api/collections/submission_keys/auth-with-key"

// exchange trades a key for a token and returns the decoded answer.
func exchange(t *testing.T, srv http.Handler, key string) (int, map[string]any) {
	t.Helper()
	res := testapp.Do(t, srv, http.MethodPost, authWithKeyURL, map[string]any{"key": key})
	var body map[string]any
	res.JSON(t, &body)
	return res.Status, body
}

func TestAuthWithKeyGivesATokenForTheKeysSubmission(t *testing.T) {
	app := apptest.New(t)
	ref := testapp.Seed(t, app)
	mine, key := testapp.CreateSubmission(t, app, ref, apikeys.ScopeWrite, nil)
	other, _ := testapp.CreateSubmission(t, app, ref, apikeys.ScopeWrite, map[string]any{"service_name": "Someone else's"})
	srv := testapp.Server(t, app)

	status, body := exchange(t, srv, key)
	if status != http.StatusOK {
		t.Fatalf("exchange: %d %v", status, body)
	}
	token, _ := body["token"].(string)
	record, _ := body["record"].(map[string]any)
	if token == "" || token == key || record == nil {
		t.Fatalf("want {token, record}: %v", body)
	}
	if record["submission"] != mine.Id || record["scope"] != apikeys.ScopeWrite || record["collectionName"] != apikeys.SubmissionKeys {
		t.Fatalf("record: %v", record)
	}
	if _, leaked := record["key_hash"]; leaked {
		t.Fatalf("the key's hash must stay hidden: %v", record)
	}
	if strings.Contains(testapp.Do(t, srv, http.MethodPost, authWithKeyURL, map[string]any{"key": key}).Header.Get("Set-Cookie"), "pb_") {
		t.Fatal("the exchange must not set cookies")
	}

	// the token reads its own submission ...
	res := testapp.Do(t, srv, http.MethodGet, "/api/collections/submissions/records/"+mine.Id, nil, "Authorization: "+token)
	if res.Status != http.StatusOK || res.Map(t)["service_name"] != mine.GetString("service_name") {
		t.Fatalf("view with the token: %d %s", res.Status, res.Body)
	}
	if strings.Contains(string(res.Body), "internal_contact_email") {
		t.Fatalf("write-only fields must stay hidden from the token: %s", res.Body)
	}
	// ... and nobody else's
	res = testapp.Do(t, srv, http.MethodGet, "/api/collections/submissions/records/"+other.Id, nil, "Authorization: "+token)
	if res.Status != http.StatusNotFound {
		t.Fatalf("another submission must be invisible to the token: %d %s", res.Status, res.Body)
	}

	// a browser session's edit needs a solved captcha ...
	patch := map[string]any{"comments": "Changed from the web page"}
	res = testapp.Do(t, srv, http.MethodPatch, "/api/collections/submissions/records/"+mine.Id, patch, "Authorization: "+token)
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "altcha") {
		t.Fatalf("an edit without a captcha must be refused: %d %s", res.Status, res.Body)
	}
	// ... with one it is saved
	patch["altcha"] = testapp.SolveCaptcha(t, srv)
	res = testapp.Do(t, srv, http.MethodPatch, "/api/collections/submissions/records/"+mine.Id, patch, "Authorization: "+token)
	if res.Status != http.StatusOK || res.Map(t)["comments"] != "Changed from the web page" {
		t.Fatalf("edit with the token: %d %s", res.Status, res.Body)
	}

	// deprecation works with the token too
	res = testapp.Do(t, srv, http.MethodPost, "/api/registry/submissions/"+mine.Id+"/deprecate", nil, "Authorization: "+token)
	if res.Status != http.StatusOK || res.Map(t)["status"] != "deprecated" {
		t.Fatalf("deprecate with the token: %d %s", res.Status, res.Body)
	}
}

func TestAuthWithKeyReadScopeCannotWrite(t *testing.T) {
	app := apptest.New(t)
	ref := testapp.Seed(t, app)
	mine, key := testapp.CreateSubmission(t, app, ref, apikeys.ScopeRead, nil)
	srv := testapp.Server(t, app)

	status, body := exchange(t, srv, key)
	if status != http.StatusOK {
		t.Fatalf("a read key may still open the form: %d %v", status, body)
	}
	record := body["record"].(map[string]any)
	if record["scope"] != apikeys.ScopeRead {
		t.Fatalf("the page needs the scope to show the form read-only: %v", record)
	}
	token := body["token"].(string)

	res := testapp.Do(t, srv, http.MethodGet, "/api/collections/submissions/records/"+mine.Id, nil, "Authorization: "+token)
	if res.Status != http.StatusOK {
		t.Fatalf("a read key views its submission: %d %s", res.Status, res.Body)
	}
	patch := map[string]any{"comments": "Not allowed", "altcha": testapp.SolveCaptcha(t, srv)}
	res = testapp.Do(t, srv, http.MethodPatch, "/api/collections/submissions/records/"+mine.Id, patch, "Authorization: "+token)
	if res.Status == http.StatusOK {
		t.Fatalf("a read key must not save: %s", res.Body)
	}
	res = testapp.Do(t, srv, http.MethodPost, "/api/registry/submissions/"+mine.Id+"/deprecate", nil, "Authorization: "+token)
	if res.Status != http.StatusForbidden {
		t.Fatalf("a read key must not deprecate: %d %s", res.Status, res.Body)
	}
	stored, err := app.FindRecordById("submissions", mine.Id)
	if err != nil {
		t.Fatal(err)
	}
	if stored.GetString("comments") != "" || stored.GetString("status") != "submitted" {
		t.Fatalf("nothing may change: comments %q status %q", stored.GetString("comments"), stored.GetString("status"))
	}
}

func TestAuthWithKeyRefusesEveryBadKeyAlike(t *testing.T) {
	app := apptest.New(t)
	ref := testapp.Seed(t, app)
	_, revoked := testapp.CreateSubmission(t, app, ref, apikeys.ScopeWrite, nil)
	keyRecord, err := app.FindFirstRecordByData(apikeys.SubmissionKeys, "key_hash", apikeys.Hash(revoked))
	if err != nil {
		t.Fatal(err)
	}
	keyRecord.Set("active", false)
	if err := app.Save(keyRecord); err != nil {
		t.Fatal(err)
	}
	admin := testapp.AdminKey(t, app, apikeys.ScopeFull)
	srv := testapp.Server(t, app)

	for name, body := range map[string]any{
		"unknown key":     map[string]any{"key": apikeys.Generate()},
		"revoked key":     map[string]any{"key": revoked},
		"admin key":       map[string]any{"key": admin},
		"too short":       map[string]any{"key": "short"},
		"empty":           map[string]any{"key": ""},
		"no key field":    map[string]any{"token": "x"},
		"key not a text":  map[string]any{"key": 12345},
		"malformed JSON":  `{"key": `,
		"way too long":    map[string]any{"key": strings.Repeat("a", 5000)},
		"key with spaces": map[string]any{"key": "   "},
	} {
		res := testapp.Do(t, srv, http.MethodPost, authWithKeyURL, body)
		if res.Status != http.StatusForbidden || res.Map(t)["message"] != hooks.CredentialsMessage {
			t.Errorf("%s: want the one 403 for bad credentials, got %d %s", name, res.Status, res.Body)
		}
		if strings.Contains(string(res.Body), "token") {
			t.Errorf("%s: no token may be issued: %s", name, res.Body)
		}
	}
}

func TestAuthWithKeyTokenDiesWithItsKey(t *testing.T) {
	app := apptest.New(t)
	ref := testapp.Seed(t, app)
	mine, key := testapp.CreateSubmission(t, app, ref, apikeys.ScopeWrite, nil)
	srv := testapp.Server(t, app)

	status, body := exchange(t, srv, "  "+key+"\n") // pasted with white space
	if status != http.StatusOK {
		t.Fatalf("exchange: %d %v", status, body)
	}
	token := body["token"].(string)

	keyRecord, err := app.FindFirstRecordByData(apikeys.SubmissionKeys, "key_hash", apikeys.Hash(key))
	if err != nil {
		t.Fatal(err)
	}
	keyRecord.Set("active", false)
	if err := app.Save(keyRecord); err != nil {
		t.Fatal(err)
	}
	res := testapp.Do(t, srv, http.MethodGet, "/api/collections/submissions/records/"+mine.Id, nil, "Authorization: "+token)
	if res.Status != http.StatusForbidden {
		t.Fatalf("a revoked key's token must stop working at once: %d %s", res.Status, res.Body)
	}
}

func TestAuthWithKeyIsRateLimited(t *testing.T) {
	app := apptest.New(t, func(c *config.Config) { c.RateLimit.Enabled = true })
	srv := testapp.Server(t, app)

	for i := range 20 {
		if res := testapp.Do(t, srv, http.MethodPost, authWithKeyURL, map[string]any{"key": apikeys.Generate()}); res.Status != http.StatusForbidden {
			t.Fatalf("attempt %d: %d %s", i+1, res.Status, res.Body)
		}
	}
	res := testapp.Do(t, srv, http.MethodPost, authWithKeyURL, map[string]any{"key": apikeys.Generate()})
	if res.Status != http.StatusTooManyRequests {
		t.Fatalf("the 21st attempt within the hour must be refused: %d %s", res.Status, res.Body)
	}
}

func TestAuthWithKeyStoresNoClientFingerprint(t *testing.T) {
	app := apptest.New(t)
	ref := testapp.Seed(t, app)
	_, key := testapp.CreateSubmission(t, app, ref, apikeys.ScopeWrite, nil)
	srv := testapp.Server(t, app)
	if status, body := exchange(t, srv, key); status != http.StatusOK {
		t.Fatalf("exchange: %d %v", status, body)
	}
	origins, err := app.CountRecords("_authOrigins")
	if err != nil {
		t.Fatal(err)
	}
	if origins != 0 {
		t.Fatalf("the exchange stored %d device fingerprints (IP + user agent)", origins)
	}
}
