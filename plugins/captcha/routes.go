package captcha

import (
	"net/http"
	"strings"

	"github.com/denbi/service-registry/internal/routes"

	"github.com/pocketbase/pocketbase/core"
)

// cacheControl keeps every cache from storing a challenge: each one is
// meant for one visitor and one form.
const cacheControl = "no-store, no-cache, must-revalidate"

// bindRoutes serves GET /captcha/ (and HEAD, which Go's mux routes to GET)
// and answers the methods that change things with a JSON 405.
func (c *Captcha) bindRoutes(se *core.ServeEvent) {
	routes.GetSlashed(se.Router, ChallengePath, c.serveChallenge)

	// Named methods, not Any: a method-less pattern for /captcha/ would
	// conflict with the static site's "GET /{path...}" in Go's mux.
	bare := strings.TrimSuffix(ChallengePath, "/")
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		se.Router.Route(method, ChallengePath+"{$}", methodNotAllowed)
		se.Router.Route(method, bare, methodNotAllowed)
	}
}

// serveChallenge answers with a fresh challenge: algorithm, challenge,
// maxNumber, salt (with expires=) and signature.
func (c *Captcha) serveChallenge(e *core.RequestEvent) error {
	challenge, err := c.NewChallenge()
	if err != nil {
		return e.InternalServerError("", err)
	}
	e.Response.Header().Set("Cache-Control", cacheControl)
	return e.JSON(http.StatusOK, challenge)
}

// methodNotAllowed is the answer to anything but GET on the challenge route.
func methodNotAllowed(e *core.RequestEvent) error {
	e.Response.Header().Set("Allow", "GET, HEAD")
	return e.Error(http.StatusMethodNotAllowed, "Challenges are fetched with GET "+ChallengePath+".", nil)
}
