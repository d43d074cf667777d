package captcha

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/denbi/service-registry/internal/jobruns"
	"strconv"
	"strings"
	"time"

	altcha "github.com/altcha-org/altcha-lib-go"
	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// FailedMessage is the message of every refused solution. The reason is in
// the error data under the "altcha" key, for forms and API clients.
const FailedMessage = "CAPTCHA verification failed. Please solve a new CAPTCHA and try again."

// maxPayloadLength bounds the work spent on a payload before it is known to
// be ours; the widget's payloads are about 300 bytes.
const maxPayloadLength = 4096

// Reasons a solution is refused; an *Error wraps exactly one of them.
var (
	ErrMissing   = errors.New("no captcha solution sent")
	ErrMalformed = errors.New("captcha solution unreadable")
	ErrInvalid   = errors.New("captcha solution wrong")
	ErrExpired   = errors.New("captcha challenge expired")
	ErrReplayed  = errors.New("captcha solution already used")
)

// Error is a refused solution: the client's doing, answered with 400.
// Failures of the server (the database) are plain errors instead.
type Error struct {
	// Reason is one of ErrMissing, ErrMalformed, ErrInvalid, ErrExpired, ErrReplayed.
	Reason error
	// Err is the detail for logs; it may be nil.
	Err error
}

// Error describes the refusal for logs.
func (e *Error) Error() string {
	if e.Err == nil {
		return e.Reason.Error()
	}
	return e.Reason.Error() + ": " + e.Err.Error()
}

// Unwrap makes errors.Is match the reason and the detail.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Reason}
	}
	return []error{e.Reason, e.Err}
}

// Code is the stable error code of the reason, as API clients see it.
func (e *Error) Code() string {
	switch e.Reason {
	case ErrMissing:
		return "captcha_missing"
	case ErrMalformed:
		return "captcha_malformed"
	case ErrExpired:
		return "captcha_expired"
	case ErrReplayed:
		return "captcha_replayed"
	default:
		return "captcha_invalid"
	}
}

// Message tells a person what went wrong and what to do.
func (e *Error) Message() string {
	switch e.Reason {
	case ErrMissing:
		return "No CAPTCHA solution was sent: solve a challenge from " + ChallengePath +
			" and send it in the \"" + BodyField + "\" field or the " + Header + " header."
	case ErrMalformed:
		return "The CAPTCHA solution could not be read: send the base64-encoded JSON unchanged."
	case ErrExpired:
		return "The CAPTCHA challenge has expired: solve a new one."
	case ErrReplayed:
		return "This CAPTCHA solution has already been used: solve a new one."
	default:
		return "The CAPTCHA solution is not correct: solve a new one."
	}
}

// solution is a verified, not yet spent solution.
type solution struct {
	signature string
	expiresAt time.Time
}

// Verify accepts payload, a solution as the widget sends it (standard
// base64 of its JSON), if it solves an unexpired challenge of ours that was
// not used before, and records it as spent with app, so use the app of a
// surrounding transaction to spend it only if that commits. A refusal is
// an *Error; any other error is a failure of the database.
func (c *Captcha) Verify(app core.App, payload string) error {
	s, err := c.check(payload)
	if err != nil {
		return err
	}
	return c.spend(app, s)
}

// check verifies a solution without spending it.
func (c *Captcha) check(payload string) (solution, error) {
	payload = strings.TrimSpace(payload)
	if payload == "" {
		return solution{}, &Error{Reason: ErrMissing}
	}
	if len(payload) > maxPayloadLength {
		return solution{}, &Error{Reason: ErrMalformed, Err: fmt.Errorf("%d bytes, at most %d allowed", len(payload), maxPayloadLength)}
	}
	raw, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		return solution{}, &Error{Reason: ErrMalformed, Err: err}
	}
	var p altcha.Payload
	if err := json.Unmarshal(raw, &p); err != nil {
		return solution{}, &Error{Reason: ErrMalformed, Err: err}
	}
	if p.Challenge == "" || p.Salt == "" || p.Signature == "" {
		return solution{}, &Error{Reason: ErrMalformed, Err: errors.New("challenge, salt or signature missing")}
	}
	if p.Algorithm != string(algorithm) {
		return solution{}, &Error{Reason: ErrInvalid, Err: fmt.Errorf("algorithm %q, only %s is issued", p.Algorithm, algorithm)}
	}

	// Expiry is checked below with our clock, not by the library: it reads
	// the wall clock and skips the check when a salt has no expiry at all.
	ok, err := altcha.VerifySolutionSafe(p, c.cfg.HMACKey, false)
	if err != nil {
		return solution{}, &Error{Reason: ErrInvalid, Err: err}
	}
	if !ok {
		return solution{}, &Error{Reason: ErrInvalid}
	}

	// The salt is signed, so from here on its expiry is ours.
	unix, err := strconv.ParseInt(altcha.ExtractParams(p).Get("expires"), 10, 64)
	if err != nil {
		return solution{}, &Error{Reason: ErrInvalid, Err: fmt.Errorf("challenge without a valid expiry: %w", err)}
	}
	expiresAt := time.Unix(unix, 0)
	// "Not before" rather than "after": the prune job deletes rows whose
	// expiry lies in the past, and a solution must never outlive its row.
	if !c.cfg.Now().Before(expiresAt) {
		return solution{}, &Error{Reason: ErrExpired, Err: fmt.Errorf("expired at %s", expiresAt.UTC().Format(time.RFC3339))}
	}
	return solution{signature: p.Signature, expiresAt: expiresAt}, nil
}

// spend records a verified solution. The unique index on the signature
// makes this the replay check, atomic even between concurrent requests.
func (c *Captcha) spend(app core.App, s solution) error {
	collection, err := app.FindCachedCollectionByNameOrId(SpentCollection)
	if err != nil {
		return fmt.Errorf("captcha: finding the %s collection: %w", SpentCollection, err)
	}
	record := core.NewRecord(collection)
	record.Set("signature", s.signature)
	record.Set("expires_at", s.expiresAt.UTC())
	if err := app.Save(record); err != nil {
		if isDuplicate(err, "signature") {
			return &Error{Reason: ErrReplayed}
		}
		return fmt.Errorf("captcha: recording a spent solution: %w", err)
	}
	return nil
}

// isDuplicate reports whether err is PocketBase's unique-index violation
// of field.
func isDuplicate(err error, field string) bool {
	var fieldErrors validation.Errors
	if !errors.As(err, &fieldErrors) {
		return false
	}
	fieldErr, ok := fieldErrors[field].(validation.Error)
	return ok && fieldErr.Code() == "validation_not_unique"
}

// Prune deletes the spent signatures of expired challenges (a solution of
// an expired challenge is refused anyway) and returns how many went.
// It deletes in SQL rather than record by record: nobody hooks into this
// collection and an attack can fill it quickly.
func (c *Captcha) Prune(app core.App) (int64, error) {
	now, err := types.ParseDateTime(c.cfg.Now())
	if err != nil {
		return 0, fmt.Errorf("captcha: reading the clock: %w", err)
	}
	result, err := app.DB().Delete(SpentCollection, dbx.NewExp("[[expires_at]] < {:now}", dbx.Params{"now": now.String()})).Execute()
	if err != nil {
		return 0, fmt.Errorf("captcha: pruning %s: %w", SpentCollection, err)
	}
	return result.RowsAffected()
}

// runPrune is the body of the prune job.
func (c *Captcha) runPrune(app core.App) {
	_ = jobruns.Run(app, PruneJobID, "cron", func() (string, error) {
		deleted, err := c.Prune(app)
		if err != nil {
			app.Logger().Error("Pruning spent captcha solutions failed", "job", PruneJobID, "error", err)
			return "", err
		}
		if deleted > 0 {
			app.Logger().Debug("Pruned spent captcha solutions", "job", PruneJobID, "deleted", deleted)
		}
		return fmt.Sprintf("%d expired solutions removed", deleted), nil
	})
}
