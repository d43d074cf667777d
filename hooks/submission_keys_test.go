package hooks_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/denbi/service-registry/internal/apikeys"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

func apikeysIssue(app core.App, submissionID, scope string) (*core.Record, string, error) {
	return apikeys.IssueSubmissionKey(app, submissionID, "Extra "+scope+" key", scope, "test")
}

func TestOwnerRotatesTheKeyInUse(t *testing.T) {
	w := newRecoveryWorld(t)
	_, readKey := issueKey(t, w, "read")
	path := "/api/registry/submissions/" + w.submission.Id + "/keys/rotate"
	other, otherKey := testapp.CreateSubmission(t, w.app, w.ref, "write", map[string]any{"service_name": "Another service"})
	admin := testapp.AdminKey(t, w.app, "full")

	for name, c := range map[string]struct {
		auth string
		want int
	}{
		"no key":                   {"", http.StatusForbidden},
		"read key":                 {"ApiKey " + readKey, http.StatusForbidden},
		"another submission's key": {"ApiKey " + otherKey, http.StatusNotFound},
		"admin key":                {"AdminKey " + admin, http.StatusForbidden},
		"wrong key":                {"ApiKey " + strings.Repeat("x", 64), http.StatusForbidden},
	} {
		var headers []string
		if c.auth != "" {
			headers = append(headers, "Authorization: "+c.auth)
		}
		if res := testapp.Do(t, w.srv, http.MethodPost, path, map[string]any{}, headers...); res.Status != c.want {
			t.Errorf("%s: want %d, got %d %s", name, c.want, res.Status, res.Body)
		}
	}

	res := testapp.Do(t, w.srv, http.MethodPost, path, map[string]any{"label": "CI pipeline"}, "Authorization: ApiKey "+w.key)
	if res.Status != http.StatusOK {
		t.Fatalf("rotation: %d %s", res.Status, res.Body)
	}
	body := res.Map(t)
	newKey, _ := body["api_key"].(string)
	key, _ := body["key"].(map[string]any)
	if len(newKey) != 64 || key["label"] != "CI pipeline" || key["scope"] != "write" || key["active"] != true {
		t.Fatalf("answer: %s", res.Body)
	}
	detail := "/api/v1/submissions/" + w.submission.Id + "/"
	for k, want := range map[string]int{w.key: http.StatusForbidden, newKey: http.StatusOK, readKey: http.StatusOK} {
		if got := testapp.Do(t, w.srv, http.MethodGet, detail, nil, "Authorization: ApiKey "+k); got.Status != want {
			t.Errorf("after rotation a key answers %d, want %d", got.Status, want)
		}
	}
	if got := testapp.Do(t, w.srv, http.MethodGet, "/api/v1/submissions/"+other.Id+"/", nil, "Authorization: ApiKey "+otherKey); got.Status != http.StatusOK {
		t.Error("rotating one service's key touched another's")
	}
	changes, err := w.app.FindAllRecords("submission_changes", dbx.HashExp{"submission": w.submission.Id})
	if err != nil || len(changes) != 1 || !strings.Contains(changes[0].GetString("changes"), "CI pipeline") {
		t.Fatalf("want one change-log row naming the new key: %v %v", changes, err)
	}
}

func TestOwnerListsKeysWithoutSecrets(t *testing.T) {
	w := newRecoveryWorld(t)
	readRecord, readKey := issueKey(t, w, "read")
	readRecord.Set("active", false)
	if err := w.app.Save(readRecord); err != nil {
		t.Fatal(err)
	}
	path := "/api/registry/submissions/" + w.submission.Id + "/keys"
	if res := testapp.Do(t, w.srv, http.MethodGet, path, nil, "Authorization: ApiKey "+readKey); res.Status != http.StatusForbidden {
		t.Fatalf("a revoked key listed keys: %d", res.Status)
	}
	res := testapp.Do(t, w.srv, http.MethodGet, path, nil, "Authorization: ApiKey "+w.key)
	if res.Status != http.StatusOK {
		t.Fatalf("list: %d %s", res.Status, res.Body)
	}
	var list struct {
		Items []map[string]any `json:"items"`
	}
	res.JSON(t, &list)
	if len(list.Items) != 2 {
		t.Fatalf("want both keys, got %s", res.Body)
	}
	keys, _ := w.app.FindAllRecords(apikeys.SubmissionKeys, dbx.HashExp{"submission": w.submission.Id})
	for _, k := range keys {
		if strings.Contains(string(res.Body), k.GetString("key_hash")) {
			t.Fatal("the list shows a key hash")
		}
	}
	if strings.Contains(string(res.Body), w.key) || strings.Contains(string(res.Body), "key_hash") {
		t.Fatal("the list shows a key")
	}
	current := 0
	for _, item := range list.Items {
		for _, field := range []string{"id", "label", "scope", "active", "created", "last_used_at", "current"} {
			if _, ok := item[field]; !ok {
				t.Errorf("item without %s: %v", field, item)
			}
		}
		if item["current"] == true {
			current++
			if item["active"] != true || item["scope"] != "write" {
				t.Errorf("the current key: %v", item)
			}
		}
	}
	if current != 1 {
		t.Errorf("want one current key, got %d", current)
	}
}
