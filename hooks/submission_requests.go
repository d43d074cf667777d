package hooks

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"

	"github.com/denbi/service-registry/internal/apikeys"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"
)

// APIKeyWarning accompanies a new key in the create response.
const APIKeyWarning = "This key is shown ONCE. Store it securely — it cannot be retrieved."

// initialKeyLabel names the key every new submission gets.
const initialKeyLabel = "Initial key"

// submissionCreateHookPriority puts the create handler last in the chain, so
// other create hooks (the captcha) run before the record is saved.
const submissionCreateHookPriority = 1000

// bindSubmissionRequests adapts the collection API to submissions: creates
// return the new API key, clients cannot set server-managed fields, and
// write-only fields never leave the server.
func (r *registry) bindSubmissionRequests() {
	r.app.OnRecordCreateRequest("submissions").Bind(&hook.Handler[*core.RecordRequestEvent]{
		Id:       "registrySubmissionCreate",
		Priority: submissionCreateHookPriority,
		Func: func(e *core.RecordRequestEvent) error {
			plaintext, err := r.createSubmission(e.RequestEvent, e.Record)
			if err != nil {
				return err
			}
			if err := apis.EnrichRecord(e.RequestEvent, e.Record); err != nil {
				return e.InternalServerError("The service was registered but could not be displayed.", err)
			}
			e.Record.WithCustomData(true)
			e.Record.Set("api_key", plaintext)
			e.Record.Set("api_key_warning", APIKeyWarning)
			respond := func() error { return e.JSON(http.StatusOK, e.Record) }
			if tx := e.App.TxInfo(); tx != nil {
				// an outer hook (the captcha) holds a transaction: answer only
				// once it has committed, never with a key that was rolled back
				tx.OnComplete(func(txErr error) error {
					if txErr != nil {
						return nil
					}
					return respond()
				})
				return nil
			}
			return respond()
		},
	})

	r.app.OnRecordUpdateRequest("submissions").BindFunc(func(e *core.RecordRequestEvent) error {
		if !e.HasSuperuserAuth() {
			keepServerManagedFields(e.Record)
		}
		return e.Next()
	})

	r.app.OnRecordEnrich("submissions").BindFunc(func(e *core.RecordEnrichEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		if e.RequestInfo == nil || !e.RequestInfo.HasSuperuserAuth() {
			e.Record.Hide(writeOnlyFields...)
		}
		return nil
	})
}

// bindSessionEditCaptcha requires a solved captcha for edits made from a
// browser session (the web edit page, which exchanged a key for a token), as
// the registration form does. Clients that send their key in the header are
// API clients and are rate limited instead.
func (r *registry) bindSessionEditCaptcha() {
	if r.deps.Captcha == nil {
		return
	}
	r.app.OnRecordUpdateRequest("submissions").Bind(&hook.Handler[*core.RecordRequestEvent]{
		Id:       "registrySessionEditCaptcha",
		Priority: -100,
		Func: func(e *core.RecordRequestEvent) error {
			if e.Auth == nil || !isKeyRecord(e.Auth) || authenticatedByHeader(e.RequestEvent) {
				return e.Next()
			}
			return r.deps.Captcha.Require(e.RequestEvent, e.Next)
		},
	})
}

// keepServerManagedFields drops client changes to status and maturity tags.
// They are ignored silently, as the Django registry did.
func keepServerManagedFields(record *core.Record) {
	original := record.Original()
	for _, field := range serverManagedFields {
		record.Set(field, original.Get(field))
	}
}

// createSubmission saves a new submission and its first API key in one
// transaction — never one without the other — and returns the key's
// plaintext. Server-managed fields are set here; clients' values for them
// are ignored (superusers in the dashboard may choose a status).
func (r *registry) createSubmission(e *core.RequestEvent, record *core.Record) (string, error) {
	if !e.HasSuperuserAuth() || record.GetString("status") == "" {
		record.Set("status", StatusSubmitted)
	}
	if !e.HasSuperuserAuth() {
		record.Set("primary_maturity_tag", "")
		record.Set("secondary_maturity_tags", []string{})
	}
	record.Set("submission_ip", e.RealIP())
	ua := sha256.Sum256([]byte(e.Request.UserAgent()))
	record.Set("user_agent_hash", hex.EncodeToString(ua[:]))

	var plaintext string
	err := e.App.RunInTransaction(func(tx core.App) error {
		if err := r.actors.saveAs(actor(e), record, func() error { return tx.Save(record) }); err != nil {
			return err
		}
		key, plain, err := apikeys.NewSubmissionKey(tx, record.Id, initialKeyLabel, apikeys.ScopeWrite, actor(e))
		if err != nil {
			return err
		}
		plaintext = plain
		return tx.Save(key)
	})
	if err != nil {
		return "", saveError(err, "Failed to create record.")
	}
	e.App.Logger().Info("Service registered", "submission", record.Id, "by", actor(e))
	return plaintext, nil
}

// actor names who makes a change, for key records and the change log:
// "admin:<email>" for superusers, "api:<key label>" for a key sent in the
// Authorization header, and "submitter" for the web pages (anonymous, or a
// key exchanged for a browser session).
func actor(e *core.RequestEvent) string {
	switch {
	case e.HasSuperuserAuth():
		return "admin:" + e.Auth.Email()
	case e.Auth != nil && isKeyRecord(e.Auth) && authenticatedByHeader(e):
		return "api:" + e.Auth.GetString("label")
	}
	return "submitter"
}

// saveError turns a failed save into a 400 that lists the field errors, or
// passes an API error through.
func saveError(err error, message string) error {
	var apiErr *router.ApiError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	var fields validation.Errors
	if errors.As(err, &fields) {
		return apis.NewBadRequestError(message, fields)
	}
	return apis.NewBadRequestError(message, err)
}
