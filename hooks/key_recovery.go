package hooks

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/denbi/service-registry/internal/apikeys"
	"github.com/denbi/service-registry/internal/mail"
	"github.com/google/uuid"
	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Routes of the self-service key recovery.
const (
	RecoveryRequestPath = "/api/registry/keys/recover"
	RecoveryConfirmPath = "/api/registry/keys/recover/confirm"
	// RecoveryPagePath is the page the emailed link opens.
	RecoveryPagePath = "/update/recover/"
)

const (
	// RecoveryLinkTTL is how long an emailed link works.
	RecoveryLinkTTL = 30 * time.Minute
	// recoveryLinksPerHour caps the links sent for one submission, so the
	// form cannot be used to flood an internal contact with email.
	recoveryLinksPerHour = 3
	// recoveryQueueSize bounds the requests waiting to be matched.
	recoveryQueueSize = 256
	// recoveryActor is who the change log names for a recovery.
	recoveryActor = "submitter (recovery)"
	// recoveredKeyLabel names the key a recovery issues.
	recoveredKeyLabel = "Recovered key"
	// recoveryEvent marks the outbox rows of recoveries.
	recoveryEvent = "key_recovery"
)

// RecoveryRequestedMessage answers every well-formed recovery request, whether
// or not it matched a registration, so the form reveals nothing.
const RecoveryRequestedMessage = "If the service and the address match a registration, a link to get a new key " +
	"is on its way to that address. The link works once, within 30 minutes. Nothing arrived after a few " +
	"minutes? Check the spelling and your spam folder, or write to the coordination office."

// recoveryLinkInvalid answers every refused link alike.
const recoveryLinkInvalid = "This recovery link does not work: it has expired (links work for 30 minutes), " +
	"was used already, or was copied incompletely. Ask for a new one on the key recovery page."

// recoveryRequest is what the recovery form sends.
type recoveryRequest struct {
	Service string `json:"service" form:"service"`
	Email   string `json:"email" form:"email"`
	ip      string
}

// recoveryConfirmation is what the page sends when the link was opened.
type recoveryConfirmation struct {
	Submission string `json:"submission" form:"submission"`
	Token      string `json:"token" form:"token"`
}

// recoveredKey answers a successful recovery.
type recoveredKey struct {
	SubmissionID  string `json:"submission_id"`
	ServiceName   string `json:"service_name"`
	APIKey        string `json:"api_key"`
	APIKeyWarning string `json:"api_key_warning"`
	RevokedKeys   int    `json:"revoked_keys"`
}

// recoveryWorker matches recovery requests in the background, one at a
// time, so the answer to the form takes as long for a match as for a miss.
type recoveryWorker struct {
	once  sync.Once
	queue chan recoveryRequest
}

// bindKeyRecovery adds the recovery routes.
func (r *registry) bindKeyRecovery(se *core.ServeEvent) {
	se.Router.POST(RecoveryRequestPath, r.handleRecoveryRequest)
	se.Router.POST(RecoveryConfirmPath, r.handleRecoveryConfirm)
}

// handleRecoveryRequest checks the form and the captcha, queues the request
// and answers with the same neutral message in every case.
func (r *registry) handleRecoveryRequest(e *core.RequestEvent) error {
	var in recoveryRequest
	if err := e.BindBody(&in); err != nil {
		return apis.NewBadRequestError("Send the service name (or its id) and the internal contact email as JSON or a form.", nil)
	}
	in.Service = strings.TrimSpace(in.Service)
	in.Email = strings.TrimSpace(in.Email)
	errs := validation.Errors{}
	if in.Service == "" || len(in.Service) > 300 {
		errs["service"] = validation.NewError("validation_required", "Enter the service name as registered, or the submission id.")
	}
	if in.Email == "" || len(in.Email) > 254 || !strings.Contains(in.Email, "@") {
		errs["email"] = validation.NewError("validation_required", "Enter the internal contact email address given in the registration.")
	}
	if len(errs) > 0 {
		return apis.NewBadRequestError("Check the form.", errs)
	}
	in.ip = e.RealIP()
	queue := func() error {
		select {
		case r.recoveries().queue <- in:
		default:
			r.app.Logger().Warn("Key recovery requests arrive faster than they are handled; one was dropped")
		}
		return e.JSON(http.StatusAccepted, map[string]string{"message": RecoveryRequestedMessage})
	}
	if r.deps.Captcha == nil {
		return queue()
	}
	return r.deps.Captcha.Require(e, queue)
}

// recoveries starts the worker on first use.
func (r *registry) recoveries() *recoveryWorker {
	w := &r.recovery
	w.once.Do(func() {
		w.queue = make(chan recoveryRequest, recoveryQueueSize)
		go func() {
			for req := range w.queue {
				if err := r.sendRecoveryLinks(req); err != nil {
					r.app.Logger().Error("A key recovery request could not be handled", "error", err.Error())
				}
			}
		}()
	})
	return w
}

// sendRecoveryLinks emails a link for every submission whose name (or id)
// and internal contact email match the request.
func (r *registry) sendRecoveryLinks(req recoveryRequest) error {
	matches, err := r.recoveryMatches(req)
	if err != nil {
		return err
	}
	for _, submission := range matches {
		recent, err := r.app.CountRecords("key_recoveries", dbx.HashExp{"submission": submission.Id},
			dbx.NewExp("created > {:since}", dbx.Params{"since": types.NowDateTime().Add(-time.Hour).String()}))
		if err != nil {
			return err
		}
		if recent >= recoveryLinksPerHour {
			r.app.Logger().Info("Key recovery link not sent: the hourly limit for this service is reached", "submission", submission.Id)
			continue
		}
		if err := r.app.RunInTransaction(func(tx core.App) error {
			return r.issueRecoveryLink(tx, submission, req.ip)
		}); err != nil {
			return err
		}
		r.app.Logger().Info("Key recovery link sent", "submission", submission.Id)
	}
	return nil
}

// recoveryMatches finds the submissions a request names, by id or by
// service name (case and surrounding spaces ignored), whose internal contact
// email is the one given.
func (r *registry) recoveryMatches(req recoveryRequest) ([]*core.Record, error) {
	var candidates []*core.Record
	if _, err := uuid.Parse(req.Service); err == nil {
		if rec, err := r.app.FindRecordById("submissions", strings.ToLower(req.Service)); err == nil {
			candidates = append(candidates, rec)
		}
	} else {
		err := r.app.RecordQuery("submissions").
			AndWhere(dbx.NewExp("LOWER(TRIM(service_name)) = LOWER({:name})", dbx.Params{"name": req.Service})).
			Limit(20).All(&candidates)
		if err != nil {
			return nil, err
		}
	}
	var out []*core.Record
	for _, rec := range candidates {
		if strings.EqualFold(strings.TrimSpace(rec.GetString("internal_contact_email")), req.Email) {
			out = append(out, rec)
		}
	}
	return out, nil
}

// issueRecoveryLink stores a new link for submission and queues the email
// that carries it.
func (r *registry) issueRecoveryLink(tx core.App, submission *core.Record, ip string) error {
	collection, err := tx.FindCachedCollectionByNameOrId("key_recoveries")
	if err != nil {
		return err
	}
	secret := apikeys.Generate()
	expires := time.Now().UTC().Add(RecoveryLinkTTL)
	row := core.NewRecord(collection)
	row.Set("submission", submission.Id)
	row.Set("token_hash", apikeys.Hash(secret))
	row.Set("expires_at", expires)
	row.Set("requested_ip", ip)
	if err := tx.Save(row); err != nil {
		return err
	}

	n := notification{event: recoveryEvent, submission: submission}
	data := r.mailData(tx, n)
	data.Link = r.recoveryLink(submission.Id, row.Id+"."+secret)
	data.LinkExpires = expires.Format("2 January 2006, 15:04 UTC")
	to := submission.GetString("internal_contact_email")
	if override := r.cfg.Email.NotifyOverride; override != "" {
		to = override
	}
	return r.enqueue(tx, mail.SubmitterKeyRecovery, data, []string{to}, nil, n)
}

// recoveryLink is the page URL the email links to. The submission and the
// token travel in the fragment, which browsers never send to a server: the
// token stays out of request logs and proxies until the page posts it.
func (r *registry) recoveryLink(submissionID, token string) string {
	q := url.Values{"submission": {submissionID}, "token": {token}}
	return strings.TrimRight(r.cfg.Site.URL, "/") + RecoveryPagePath + "#" + q.Encode()
}

// handleRecoveryConfirm redeems a link: it revokes every key of the
// submission, issues a new write key and shows it once.
func (r *registry) handleRecoveryConfirm(e *core.RequestEvent) error {
	var in recoveryConfirmation
	if err := e.BindBody(&in); err != nil {
		return apis.NewBadRequestError(recoveryLinkInvalid, nil)
	}
	var out recoveredKey
	err := e.App.RunInTransaction(func(tx core.App) error {
		submission, err := redeemRecoveryLink(tx, in)
		if err != nil {
			return err
		}
		revoked, err := revokeSubmissionKeys(tx, submission.Id, "")
		if err != nil {
			return err
		}
		key, plaintext, err := apikeys.NewSubmissionKey(tx, submission.Id, recoveredKeyLabel, apikeys.ScopeWrite, "recovery")
		if err != nil {
			return err
		}
		if err := tx.Save(key); err != nil {
			return err
		}
		if err := r.recordChange(tx, submission.Id, recoveryActor, []Change{keysChange(revoked, "all revoked; a new write key was issued through the emailed link")}); err != nil {
			return err
		}
		if err := r.notifyOffice(tx, mail.AdminKeyRecovered, submission); err != nil {
			return err
		}
		out = recoveredKey{SubmissionID: submission.Id, ServiceName: submission.GetString("service_name"),
			APIKey: plaintext, APIKeyWarning: APIKeyWarning, RevokedKeys: revoked}
		return nil
	})
	if errors.Is(err, errRecoveryLink) {
		return apis.NewBadRequestError(recoveryLinkInvalid, nil)
	}
	if err != nil {
		return e.InternalServerError("The new key could not be issued; the link still works, try again.", err)
	}
	e.App.Logger().Info("API key recovered through an emailed link", "submission", out.SubmissionID, "revoked", out.RevokedKeys)
	return e.JSON(http.StatusOK, out)
}

// errRecoveryLink is every reason a link is refused.
var errRecoveryLink = errors.New("invalid recovery link")

// redeemRecoveryLink checks a link (right submission, right secret, not
// expired, not used) and marks it used, all inside tx: of two concurrent
// uses only one marks it.
func redeemRecoveryLink(tx core.App, in recoveryConfirmation) (*core.Record, error) {
	id, secret, ok := strings.Cut(strings.TrimSpace(in.Token), ".")
	if !ok || id == "" || secret == "" || len(secret) > 200 {
		return nil, errRecoveryLink
	}
	row, err := tx.FindRecordById("key_recoveries", id)
	if err != nil {
		apikeys.Hash(secret) // the same work as for a known id
		return nil, errRecoveryLink
	}
	hashOK := subtle.ConstantTimeCompare([]byte(apikeys.Hash(secret)), []byte(row.GetString("token_hash"))) == 1
	if !hashOK || row.GetString("submission") != in.Submission || !row.GetDateTime("used_at").IsZero() ||
		row.GetDateTime("expires_at").Time().Before(time.Now()) {
		return nil, errRecoveryLink
	}
	res, err := tx.DB().Update("key_recoveries", dbx.Params{"used_at": types.NowDateTime().String()},
		dbx.NewExp("id = {:id} AND (used_at = '' OR used_at IS NULL)", dbx.Params{"id": id})).Execute()
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, errRecoveryLink
	}
	submission, err := tx.FindRecordById("submissions", in.Submission)
	if err != nil {
		return nil, errRecoveryLink
	}
	return submission, nil
}

// notifyOffice queues an email about submission to the office (or the
// staging override address).
func (r *registry) notifyOffice(tx core.App, kind mail.Kind, submission *core.Record) error {
	n := notification{event: string(kind), submission: submission}
	data := r.mailData(tx, n)
	admins, cc := r.cfg.AdminRecipients(), r.cfg.Email.NotifyCC
	if override := r.cfg.Email.NotifyOverride; override != "" {
		admins, cc = []string{override}, nil
		data.AdminURL = ""
	}
	if len(admins) == 0 {
		return nil
	}
	return r.enqueue(tx, kind, data, admins, cc, n)
}
