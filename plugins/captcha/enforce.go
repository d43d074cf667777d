package captcha

import (
	"errors"
	"fmt"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// CreateHookID identifies the create hook, for callers that need to order
// their own hooks around it.
const CreateHookID = "captchaRequireSolution"

// createHookPriority runs the check before other create hooks of the same
// collections, so a refused request costs nothing else, and makes its
// transaction the one they join.
const createHookPriority = -100

// bindCreateHook requires a solved challenge for anonymous record creates
// in the configured collections.
//
// PocketBase checks the collection's create rule before this hook runs, so
// the rule must let anonymous callers through for the hook to matter.
func (c *Captcha) bindCreateHook(app core.App) {
	if len(c.cfg.Collections) == 0 {
		return
	}
	app.OnRecordCreateRequest(c.cfg.Collections...).Bind(&hook.Handler[*core.RecordRequestEvent]{
		Id:       CreateHookID,
		Priority: createHookPriority,
		Func:     c.requireSolution,
	})
}

// requireSolution verifies the solution of an anonymous create and spends
// it in the same transaction as the create: a create that fails validation
// leaves the solution unspent, so the person can fix the form and send it
// again without solving another challenge, and no record is ever created
// without spending one.
func (c *Captcha) requireSolution(e *core.RecordRequestEvent) error {
	if e.Auth != nil {
		// Superusers and keys are known callers; the collection's rules
		// decide whether they may create at all.
		return e.Next()
	}

	return c.Require(e.RequestEvent, e.Next)
}

// Require verifies the solution sent with a request and runs next with the
// solution spent in the same transaction (e.App is that transaction while
// next runs): if next fails, the spend is rolled back and the person may
// send the same solution again. Refusals are 400s that name the reason.
func (c *Captcha) Require(e *core.RequestEvent, next func() error) error {
	payload, err := PayloadFromRequest(e)
	var s solution
	if err == nil {
		s, err = c.check(payload)
	}
	if err != nil {
		return refusal(e, err)
	}

	original := e.App
	defer func() { e.App = original }()
	return original.RunInTransaction(func(txApp core.App) error {
		if err := c.spend(txApp, s); err != nil {
			return refusal(e, err)
		}
		e.App = txApp
		return next()
	})
}

// PayloadFromRequest returns the solution sent with a request: the "altcha"
// body field (JSON, form or multipart, as the widget's hidden input sends
// it) or else the X-Altcha header. A missing solution is an empty string;
// a body field that is not a string is an *Error.
func PayloadFromRequest(e *core.RequestEvent) (string, error) {
	info, err := e.RequestInfo()
	if err != nil {
		return "", &Error{Reason: ErrMalformed, Err: fmt.Errorf("reading the request body: %w", err)}
	}
	switch v := info.Body[BodyField].(type) {
	case nil:
	case string:
		if strings.TrimSpace(v) != "" {
			return v, nil
		}
	default:
		return "", &Error{Reason: ErrMalformed, Err: fmt.Errorf("the %q field holds a %T, not a string", BodyField, v)}
	}
	return e.Request.Header.Get(Header), nil
}

// refusal turns a verification error into the response: 400 with the
// reason under the "altcha" key for a refused solution, 500 otherwise.
func refusal(e *core.RequestEvent, err error) error {
	var refused *Error
	if errors.As(err, &refused) {
		return e.BadRequestError(FailedMessage, validation.Errors{
			BodyField: validation.NewError(refused.Code(), refused.Message()),
		})
	}
	return e.InternalServerError("", err)
}
