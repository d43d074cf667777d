package hooks

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// defaultSecurityHeadersID is PocketBase's own security header middleware,
// which sends X-Frame-Options: SAMEORIGIN; ours replaces it.
const defaultSecurityHeadersID = apis.DefaultSecurityHeadersMiddlewareId

// PageCSP is the Content-Security-Policy of the registry's own pages and API
// responses: every asset comes from this origin. Workers may start from
// blob: URLs because the captcha widget solves its puzzle in one.
const PageCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; worker-src 'self' blob:; frame-src 'none'; frame-ancestors 'none'; " +
	"form-action 'self'; base-uri 'self'; object-src 'none'"

// UploadCSP is sent with uploaded files (logos): nothing in them may run,
// even when a browser opens an SVG directly.
const UploadCSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"

// securityHeadersMiddleware sets the security headers of every response and,
// with [security] https on, sends HSTS and redirects plain HTTP to HTTPS.
//
// The dashboard (/_/) sets its own Content-Security-Policy when none is
// present, so it gets none from here.
func (r *registry) securityHeadersMiddleware() *hook.Handler[*core.RequestEvent] {
	hsts := "max-age=" + strconv.Itoa(r.cfg.Security.HSTSSeconds) + "; includeSubDomains"
	return &hook.Handler[*core.RequestEvent]{
		Id:       "registrySecurityHeaders",
		Priority: -1095,
		Func: func(e *core.RequestEvent) error {
			h := e.Response.Header()
			h.Set("X-Frame-Options", "DENY")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Permissions-Policy", "geolocation=(), microphone=(), camera=()")

			path := e.Request.URL.Path
			switch {
			case strings.HasPrefix(path, "/_/"):
				// the dashboard brings its own policy
			case strings.HasPrefix(path, "/api/files/"):
				h.Set("Content-Security-Policy", UploadCSP)
			default:
				h.Set("Content-Security-Policy", PageCSP)
			}

			if r.cfg.Security.HTTPS {
				h.Set("Strict-Transport-Security", hsts)
				if !isHTTPS(e.Request) && !strings.HasPrefix(path, "/health/") {
					target := "https://" + e.Request.Host + e.Request.URL.RequestURI()
					return e.Redirect(http.StatusMovedPermanently, target)
				}
			}
			return e.Next()
		},
	}
}

// isHTTPS reports whether the client reached us over TLS, directly or
// through a proxy that says so. Trusting X-Forwarded-Proto here is harmless:
// a forged header only spares its sender a redirect.
func isHTTPS(req *http.Request) bool {
	return req.TLS != nil || strings.EqualFold(req.Header.Get("X-Forwarded-Proto"), "https")
}
