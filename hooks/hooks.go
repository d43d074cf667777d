// Package hooks binds the registry's HTTP middleware, routes and model hooks
// to a PocketBase app. One file per concern; Register wires them in a fixed
// order.
//
// Example usage:
//
//	hooks.MustRegister(app, cfg, hooks.Deps{Captcha: captchas})
package hooks

import (
	"fmt"
	"sync"

	"github.com/denbi/service-registry/config"
	"github.com/denbi/service-registry/internal/mail"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"
)

// Deps are the plugins the hooks use.
type Deps struct {
	// Captcha verifies proof-of-work solutions; edits from a browser session
	// need one (the web edit page), API clients with a key do not. Nil
	// disables that check.
	Captcha CaptchaVerifier
}

// CaptchaVerifier verifies the solution sent with a request and runs next
// with it spent (plugins/captcha implements it).
type CaptchaVerifier interface {
	Require(e *core.RequestEvent, next func() error) error
}

// registry carries what the hooks need; its methods are the handlers.
type registry struct {
	app    core.App
	cfg    *config.Config
	deps   Deps
	actors actors
	// exempt are the validated [submission] no_reset_fields.
	exempt map[string]bool
	// mail renders notifications; mailer delivers them (nil without SMTP).
	mail          *mail.Renderer
	mailer        mailer.Mailer
	outboxRunning sync.Mutex
	maintenance   maintenanceState
	recovery      recoveryWorker
}

// MustRegister is Register that panics on error.
func MustRegister(app core.App, cfg *config.Config, deps Deps) {
	if err := Register(app, cfg, deps); err != nil {
		panic(err)
	}
}

// Register binds every hook of the registry to app.
//
// Settings that live in the database are applied once the app is
// bootstrapped (at once when it already is, as in tests), because only then
// are the stored settings loaded; they are re-applied after every settings
// reload so the configuration file stays the source of truth.
func Register(app core.App, cfg *config.Config, deps Deps) error {
	r := &registry{app: app, cfg: cfg, deps: deps}
	renderer, err := mail.NewRenderer(cfg.Email.TemplatesDir)
	if err != nil {
		return fmt.Errorf("email templates (email.templates_dir): %w", err)
	}
	r.mail = renderer
	r.mailer = r.newMailer()
	r.exempt = r.exemptFields()

	r.bindSettings()
	r.bindRecordIDs()
	r.bindReferenceData()
	r.bindSubmissionValidation()
	r.bindSubmissionRequests()
	r.bindStrictJSONTypes()
	r.bindSessionEditCaptcha()
	r.bindActors()
	r.bindLifecycle()
	r.bindDeletionAudit()
	r.bindOutbox()
	r.bindPocketBaseMail()

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		r.registerMiddlewares(se)
		r.registerRoutes(se)
		return se.Next()
	})
	return nil
}

// registerMiddlewares installs the global middlewares. Their priorities
// place them around PocketBase's own (activity logger -1040, panic recover
// -1030, token auth -1020, rate limit -1000):
//
//	-1100 request id        every response, even early errors, carries X-Request-ID
//	-1095 security headers  and the http→https redirect
//	-1090 /api/v1 envelope  errors under /api/v1 get the compatibility shape
//	-1089 Retry-After       on 429 answers of PocketBase's rate limiter
//	-1039 request log       successful reads stay out of the request log (after PocketBase's logger, -1040)
//	-1025 key auth          ApiKey / AdminKey become @request.auth before token auth
//	-1019 key token check   tokens of revoked keys stop working at once
//	-1018 maintenance       503 for the public, superusers keep access
//	 -985 JSON UTF-8        JSON bodies that are not UTF-8 are refused (after the body limit, -990)
func (r *registry) registerMiddlewares(se *core.ServeEvent) {
	se.Router.Bind(r.requestIDMiddleware())
	se.Router.Bind(r.securityHeadersMiddleware())
	se.Router.Unbind(defaultSecurityHeadersID)
	se.Router.Bind(r.v1EnvelopeMiddleware())
	se.Router.Bind(r.retryAfterMiddleware())
	se.Router.Bind(r.requestLogMiddleware())
	se.Router.Bind(r.jsonUTF8Middleware())
	se.Router.Bind(r.keyAuthMiddleware())
	se.Router.Bind(r.keyTokenMiddleware())
	se.Router.Bind(r.maintenanceMiddleware())
}

// registerRoutes adds the registry's routes; the static site comes last so
// every more specific route wins.
func (r *registry) registerRoutes(se *core.ServeEvent) {
	r.bindHealthRoutes(se)
	r.bindV1RootRoute(se)
	r.bindV1Submissions(se)
	r.bindV1Reference(se)
	r.bindDeprecation(se)
	r.bindKeyRecovery(se)
	r.bindSubmissionKeys(se)
	r.bindAuthWithKey(se)
	r.bindSiteInfo(se)
	r.bindOpsRoutes(se)
	r.bindAdminRedirect(se)
	r.bindStaticSite(se)
}
