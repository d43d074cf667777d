package adminui

import (
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/denbi/service-registry/internal/apikeys"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// KeyWarning accompanies a new key: the page shows it once.
const KeyWarning = "Copy this key now — it is shown once only and cannot be retrieved."

// defaultKeyLabel names keys issued without a label.
const defaultKeyLabel = "Issued by the office"

// keyRequest is the body of the issue and reset routes.
type keyRequest struct {
	Label string `json:"label"`
	Scope string `json:"scope"`
}

// normalize fills defaults and checks the values.
func (r *keyRequest) normalize() error {
	r.Label = strings.TrimSpace(r.Label)
	if r.Label == "" {
		r.Label = defaultKeyLabel
	}
	if utf8.RuneCountInString(r.Label) > 100 {
		return fmt.Errorf("the label may have at most 100 characters")
	}
	if r.Scope == "" {
		r.Scope = apikeys.ScopeWrite
	}
	if r.Scope != apikeys.ScopeRead && r.Scope != apikeys.ScopeWrite {
		return fmt.Errorf("the scope must be %q or %q", apikeys.ScopeRead, apikeys.ScopeWrite)
	}
	return nil
}

// keyResponse answers every key route: the key list after the change and,
// for issue and reset, the new key's plaintext (its only appearance).
type keyResponse struct {
	Message string    `json:"message"`
	Key     string    `json:"key,omitempty"`
	Warning string    `json:"warning,omitempty"`
	Issued  *keyInfo  `json:"issued,omitempty"`
	Revoked int       `json:"revoked"`
	Keys    []keyInfo `json:"keys"`
}

// handleIssueKey serves POST /api/registry/admin/submissions/{id}/keys.
func (p *plugin) handleIssueKey(e *core.RequestEvent) error {
	return p.issue(e, false)
}

// handleResetKeys serves POST /api/registry/admin/submissions/{id}/keys/reset:
// every active key is revoked and one new key issued, in one transaction.
func (p *plugin) handleResetKeys(e *core.RequestEvent) error {
	return p.issue(e, true)
}

func (p *plugin) issue(e *core.RequestEvent, reset bool) error {
	var req keyRequest
	if err := e.BindBody(&req); err != nil {
		return e.BadRequestError("The request body is not valid JSON.", err)
	}
	if err := req.normalize(); err != nil {
		return e.BadRequestError("The key cannot be issued: "+err.Error()+".", nil)
	}
	s, err := findSubmission(e)
	if err != nil {
		return err
	}
	c := callerOf(e)
	var issued *core.Record
	var plaintext string
	revoked := 0
	err = e.App.RunInTransaction(func(tx core.App) error {
		if reset {
			n, err := revokeAll(tx, s.Id)
			if err != nil {
				return err
			}
			revoked = n
		}
		key, plain, err := apikeys.NewSubmissionKey(tx, s.Id, req.Label, req.Scope, c.actor())
		if err != nil {
			return err
		}
		if err := tx.Save(key); err != nil {
			return err
		}
		issued, plaintext = key, plain
		return nil
	})
	if err != nil {
		return e.InternalServerError("The key could not be issued.", err)
	}
	info := keyInfoOf(issued)
	out := keyResponse{Key: plaintext, Warning: KeyWarning, Issued: &info, Revoked: revoked}
	if reset {
		out.Message = "All previous keys revoked. New API key issued — label: " + req.Label + "."
		e.App.Logger().Info("Submission keys reset", "submission", s.Id, "revoked", revoked, "prefix", info.Prefix, "by", c.actor())
	} else {
		out.Message = "New API key issued — label: " + req.Label + "."
		e.App.Logger().Info("Submission key issued", "submission", s.Id, "prefix", info.Prefix, "scope", req.Scope, "by", c.actor())
	}
	if out.Keys, err = keysOf(e.App, s.Id); err != nil {
		return err
	}
	return e.JSON(http.StatusOK, out)
}

// handleRevokeKeys serves POST /api/registry/admin/submissions/{id}/keys/revoke.
func (p *plugin) handleRevokeKeys(e *core.RequestEvent) error {
	s, err := findSubmission(e)
	if err != nil {
		return err
	}
	var n int
	err = e.App.RunInTransaction(func(tx core.App) error {
		var err error
		n, err = revokeAll(tx, s.Id)
		return err
	})
	if err != nil {
		return e.InternalServerError("The keys could not be revoked.", err)
	}
	c := callerOf(e)
	e.App.Logger().Info("Submission keys revoked", "submission", s.Id, "revoked", n, "by", c.actor())
	keys, err := keysOf(e.App, s.Id)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, keyResponse{
		Message: fmt.Sprintf("Revoked %d active key(s) for '%s'.", n, s.GetString("service_name")),
		Revoked: n, Keys: keys,
	})
}

// handleRevokeKey serves POST /api/registry/admin/keys/{keyId}/revoke.
func (p *plugin) handleRevokeKey(e *core.RequestEvent) error {
	key, err := e.App.FindRecordById(apikeys.SubmissionKeys, e.Request.PathValue("keyId"))
	if err != nil {
		return e.NotFoundError("There is no submission key with this id.", err)
	}
	n := 0
	if key.GetBool("active") {
		key.Set("active", false)
		if err := e.App.Save(key); err != nil {
			return e.InternalServerError("The key could not be revoked.", err)
		}
		n = 1
	}
	c := callerOf(e)
	info := keyInfoOf(key)
	e.App.Logger().Info("Submission key revoked", "submission", key.GetString("submission"), "prefix", info.Prefix, "by", c.actor())
	keys, err := keysOf(e.App, key.GetString("submission"))
	if err != nil {
		return err
	}
	msg := "The key " + info.Prefix + " is revoked."
	if n == 0 {
		msg = "The key " + info.Prefix + " was already revoked."
	}
	return e.JSON(http.StatusOK, keyResponse{Message: msg, Revoked: n, Keys: keys})
}

// revokeAll deactivates every active key of a submission and returns how
// many there were. Revoked keys stay for the audit trail.
func revokeAll(app core.App, submissionID string) (int, error) {
	var keys []*core.Record
	err := app.RecordQuery(apikeys.SubmissionKeys).
		AndWhere(dbx.HashExp{"submission": submissionID, "active": true}).All(&keys)
	if err != nil {
		return 0, err
	}
	for _, k := range keys {
		k.Set("active", false)
		if err := app.Save(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}
