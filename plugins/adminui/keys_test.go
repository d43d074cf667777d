package adminui_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/denbi/service-registry/internal/apikeys"
	"github.com/denbi/service-registry/plugins/adminui"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// keyAnswer is the answer of the key routes.
type keyAnswer struct {
	Message string `json:"message"`
	Key     string `json:"key"`
	Warning string `json:"warning"`
	Revoked int    `json:"revoked"`
	Issued  *struct {
		ID, Prefix, Label, Scope string
	} `json:"issued"`
	Keys []struct {
		ID        string `json:"id"`
		Prefix    string `json:"prefix"`
		Label     string `json:"label"`
		Scope     string `json:"scope"`
		Active    bool   `json:"active"`
		CreatedBy string `json:"created_by"`
	} `json:"keys"`
}

func keyHashes(t *testing.T, e *env, submissionID string) []string {
	t.Helper()
	var keys []*core.Record
	if err := e.app.RecordQuery(apikeys.SubmissionKeys).AndWhere(dbx.HashExp{"submission": submissionID}).All(&keys); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range keys {
		out = append(out, k.GetString("key_hash"))
	}
	return out
}

// TestKeyManagement issues, resets and revokes keys: the plaintext appears
// once and works, hashes never leave the server beyond a 16-digit prefix.
func TestKeyManagement(t *testing.T) {
	e := newEnv(t)
	sub, ownerKey := e.submission(t, map[string]any{"service_name": "Keyed Tool"})
	base := "/api/registry/admin/submissions/" + sub.Id + "/keys"

	res := e.do(t, http.MethodPost, base, map[string]any{"label": "  CI pipeline  ", "scope": "read"}, e.manager)
	if res.Status != 200 {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	var a keyAnswer
	res.JSON(t, &a)
	if len(a.Key) != apikeys.Length || a.Warning != adminui.KeyWarning || a.Message != "New API key issued — label: CI pipeline." {
		t.Fatalf("issue: %+v", a)
	}
	rec, err := apikeys.Authenticate(e.app, apikeys.SubmissionKeys, a.Key)
	if err != nil || rec.GetString("submission") != sub.Id || rec.GetString("scope") != "read" ||
		rec.GetString("created_by") != "admin:"+managerEmail || rec.GetString("label") != "CI pipeline" {
		t.Fatalf("the issued key does not work as described: %v %v", rec, err)
	}
	if a.Issued == nil || a.Issued.Prefix != rec.GetString("key_hash")[:16]+"…" || len(a.Keys) != 2 {
		t.Errorf("issued: %+v, keys %+v", a.Issued, a.Keys)
	}

	// the detail lists the keys without their hashes
	detail := e.do(t, http.MethodGet, "/api/registry/admin/submissions/"+sub.Id, nil, e.super)
	for _, h := range keyHashes(t, e, sub.Id) {
		if strings.Contains(string(detail.Body), h) || strings.Contains(string(res.Body), h) {
			t.Fatal("a full key hash reached the browser")
		}
		if !strings.Contains(string(detail.Body), h[:16]+"…") {
			t.Errorf("the detail does not show the prefix %s", h[:16])
		}
	}
	if strings.Contains(string(detail.Body), a.Key) || strings.Contains(string(detail.Body), ownerKey) {
		t.Fatal("a plaintext key is shown again")
	}

	// reset: every active key revoked, one new
	res = e.do(t, http.MethodPost, base+"/reset", map[string]any{}, e.super)
	var reset keyAnswer
	res.JSON(t, &reset)
	if res.Status != 200 || reset.Revoked != 2 || len(reset.Key) != apikeys.Length || reset.Key == a.Key ||
		!strings.HasPrefix(reset.Message, "All previous keys revoked.") {
		t.Fatalf("reset: %d %+v", res.Status, reset)
	}
	if _, err := apikeys.Authenticate(e.app, apikeys.SubmissionKeys, a.Key); err == nil {
		t.Error("a reset left an old key working")
	}
	if _, err := apikeys.Authenticate(e.app, apikeys.SubmissionKeys, ownerKey); err == nil {
		t.Error("a reset left the owner's key working")
	}
	fresh, err := apikeys.Authenticate(e.app, apikeys.SubmissionKeys, reset.Key)
	if err != nil || fresh.GetString("scope") != "write" || fresh.GetString("label") != "Issued by the office" {
		t.Fatalf("the new key: %v %v", fresh, err)
	}
	if activeKeys(t, e, sub.Id) != 1 {
		t.Errorf("active keys after reset: %d", activeKeys(t, e, sub.Id))
	}

	// revoke one, then all (nothing left)
	res = e.do(t, http.MethodPost, "/api/registry/admin/keys/"+fresh.Id+"/revoke", nil, e.manager)
	var one keyAnswer
	res.JSON(t, &one)
	if res.Status != 200 || one.Revoked != 1 || activeKeys(t, e, sub.Id) != 0 {
		t.Fatalf("revoke one: %d %+v", res.Status, one)
	}
	res = e.do(t, http.MethodPost, "/api/registry/admin/keys/"+fresh.Id+"/revoke", nil, e.manager)
	res.JSON(t, &one)
	if one.Revoked != 0 || !strings.Contains(one.Message, "already revoked") {
		t.Errorf("revoking twice: %+v", one)
	}
	res = e.do(t, http.MethodPost, base+"/revoke", nil, e.super)
	var all keyAnswer
	res.JSON(t, &all)
	if all.Revoked != 0 || all.Message != "Revoked 0 active key(s) for 'Keyed Tool'." || len(all.Keys) != 3 {
		t.Errorf("revoke all: %+v", all)
	}
	for _, k := range all.Keys {
		if k.Active {
			t.Errorf("still active: %+v", k)
		}
	}

	for _, bad := range []map[string]any{
		{"scope": "full"},
		{"label": strings.Repeat("k", 101)},
	} {
		res := e.do(t, http.MethodPost, base, bad, e.super)
		if res.Status != 400 || !strings.Contains(string(res.Body), "The key cannot be issued") {
			t.Errorf("%v: %d %s", bad, res.Status, res.Body)
		}
	}
	if n := len(keyHashes(t, e, sub.Id)); n != 3 {
		t.Errorf("refused requests created keys: %d keys", n)
	}
	if res := e.do(t, http.MethodPost, "/api/registry/admin/keys/missing/revoke", nil, e.super); res.Status != 404 {
		t.Errorf("unknown key: %d", res.Status)
	}
}

// TestDeleteKeepsAnAudit: deleting from the Registry page leaves a deletion
// audit naming the admin and counting the change log.
func TestDeleteKeepsAnAudit(t *testing.T) {
	e := newEnv(t)
	sub, _ := e.submission(t, map[string]any{"service_name": "Doomed Tool"})
	e.do(t, http.MethodPost, "/api/registry/admin/submissions/"+sub.Id+"/status", map[string]any{"action": "under_review"}, e.reviewer)
	e.do(t, http.MethodPost, "/api/registry/admin/submissions/"+sub.Id+"/status", map[string]any{"action": "approve"}, e.reviewer)

	res := e.do(t, http.MethodDelete, "/api/registry/admin/submissions/"+sub.Id, nil, e.manager)
	if res.Status != 200 {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	var a struct {
		Deleted        bool   `json:"deleted"`
		ChangelogCount int    `json:"changelog_count"`
		Message        string `json:"message"`
	}
	res.JSON(t, &a)
	if !a.Deleted || a.ChangelogCount != 2 || !strings.Contains(a.Message, "Doomed Tool") {
		t.Errorf("answer: %+v", a)
	}
	audit, err := e.app.FindFirstRecordByData("submission_deletions", "submission_id", sub.Id)
	if err != nil {
		t.Fatal("no deletion audit")
	}
	if audit.GetString("deleted_by") != "admin:"+managerEmail || audit.GetInt("changelog_count") != 2 {
		t.Errorf("audit: deleted_by %q, count %d", audit.GetString("deleted_by"), audit.GetInt("changelog_count"))
	}
}
