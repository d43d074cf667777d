package hooks

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/denbi/service-registry/internal/apikeys"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Routes of the owner's key management.
const (
	submissionKeysPath = "/api/registry/submissions/{id}/keys"
	rotateKeyPath      = "/api/registry/submissions/{id}/keys/rotate"
)

// rotatedKeyLabel names a rotated key when the owner gives no label.
const rotatedKeyLabel = "Rotated key"

// keyInfo describes one key to its owner: never the key or its hash.
type keyInfo struct {
	ID         string         `json:"id"`
	Label      string         `json:"label"`
	Scope      string         `json:"scope"`
	Active     bool           `json:"active"`
	Current    bool           `json:"current"`
	CreatedBy  string         `json:"created_by"`
	Created    types.DateTime `json:"created"`
	LastUsedAt types.DateTime `json:"last_used_at"`
}

// rotatedKey answers a rotation.
type rotatedKey struct {
	APIKey        string  `json:"api_key"`
	APIKeyWarning string  `json:"api_key_warning"`
	Key           keyInfo `json:"key"`
	RevokedKeyID  string  `json:"revoked_key_id"`
}

// bindSubmissionKeys adds the owner's key routes: the list of the
// submission's keys, and rotation of the key in use.
func (r *registry) bindSubmissionKeys(se *core.ServeEvent) {
	se.Router.GET(submissionKeysPath, r.handleListKeys)
	se.Router.POST(rotateKeyPath, r.handleRotateKey)
}

// ownerKey returns the submission key of the request when it belongs to the
// submission in the path and has scope write: 403 without a key or with a
// read key, 404 for another submission's key (its existence stays hidden).
func ownerKey(e *core.RequestEvent) (*core.Record, error) {
	if err := requireAuth(e); err != nil {
		return nil, err
	}
	if !apikeys.IsKey(e.Auth, apikeys.SubmissionKeys) {
		return nil, apis.NewForbiddenError("Only the submission's own key (Authorization: ApiKey <key>, scope write) manages its keys.", nil)
	}
	if e.Auth.GetString("submission") != e.Request.PathValue("id") {
		return nil, apis.NewNotFoundError("No submission with this id is visible to this key.", nil)
	}
	if e.Auth.GetString("scope") != apikeys.ScopeWrite {
		return nil, apis.NewForbiddenError("This key may read the submission but not manage its keys: use a key with scope \"write\".", nil)
	}
	return e.Auth, nil
}

func (r *registry) handleListKeys(e *core.RequestEvent) error {
	current, err := ownerKey(e)
	if err != nil {
		return err
	}
	var keys []*core.Record
	if err := e.App.RecordQuery(apikeys.SubmissionKeys).
		AndWhere(dbx.HashExp{"submission": current.GetString("submission")}).
		OrderBy("created DESC", "id DESC").All(&keys); err != nil {
		return err
	}
	items := make([]keyInfo, 0, len(keys))
	for _, k := range keys {
		items = append(items, describeKey(k, current.Id))
	}
	return e.JSON(http.StatusOK, map[string]any{"items": items})
}

func (r *registry) handleRotateKey(e *core.RequestEvent) error {
	current, err := ownerKey(e)
	if err != nil {
		return err
	}
	var in struct {
		Label string `json:"label" form:"label"`
	}
	if err := e.BindBody(&in); err != nil {
		return apis.NewBadRequestError("Send an optional label as JSON, e.g. {\"label\": \"CI pipeline\"}.", nil)
	}
	label := strings.TrimSpace(in.Label)
	if label == "" {
		label = rotatedKeyLabel
	}
	if len([]rune(label)) > 100 {
		return apis.NewBadRequestError("The label is too long: use at most 100 characters.", nil)
	}
	submissionID := current.GetString("submission")
	var out rotatedKey
	err = e.App.RunInTransaction(func(tx core.App) error {
		if _, err := revokeSubmissionKeys(tx, submissionID, current.Id); err != nil {
			return err
		}
		key, plaintext, err := apikeys.NewSubmissionKey(tx, submissionID, label, apikeys.ScopeWrite, actor(e))
		if err != nil {
			return err
		}
		if err := tx.Save(key); err != nil {
			return err
		}
		change := Change{Field: "api_keys", Label: "API keys", Old: fmt.Sprintf("key %q", current.GetString("label")),
			New: fmt.Sprintf("revoked; new write key %q issued", label)}
		if err := r.recordChange(tx, submissionID, actor(e), []Change{change}); err != nil {
			return err
		}
		out = rotatedKey{APIKey: plaintext, APIKeyWarning: APIKeyWarning, Key: describeKey(key, key.Id), RevokedKeyID: current.Id}
		return nil
	})
	if err != nil {
		return e.InternalServerError("The key could not be rotated; the current key still works.", err)
	}
	e.App.Logger().Info("API key rotated by its owner", "submission", submissionID, "revoked", current.Id)
	return e.JSON(http.StatusOK, out)
}

// describeKey is the owner's view of a key.
func describeKey(k *core.Record, currentID string) keyInfo {
	return keyInfo{
		ID: k.Id, Label: k.GetString("label"), Scope: k.GetString("scope"), Active: k.GetBool("active"),
		Current: k.Id == currentID, CreatedBy: k.GetString("created_by"),
		Created: k.GetDateTime("created"), LastUsedAt: k.GetDateTime("last_used_at"),
	}
}

// revokeSubmissionKeys deactivates the submission's active keys (only the
// one with id only, when only is set) and returns how many it revoked.
// Browser sessions of revoked keys end at once (see keyTokenMiddleware).
func revokeSubmissionKeys(tx core.App, submissionID, only string) (int, error) {
	query := tx.RecordQuery(apikeys.SubmissionKeys).
		AndWhere(dbx.HashExp{"submission": submissionID, "active": true})
	if only != "" {
		query.AndWhere(dbx.HashExp{"id": only})
	}
	var keys []*core.Record
	if err := query.All(&keys); err != nil {
		return 0, err
	}
	for _, k := range keys {
		k.Set("active", false)
		if err := tx.Save(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

// keysChange is the change-log entry of a key event.
func keysChange(revoked int, what string) Change {
	return Change{Field: "api_keys", Label: "API keys", Old: fmt.Sprintf("%d active", revoked), New: what}
}
