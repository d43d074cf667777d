package biotools

import (
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// Paths of the plugin's routes. PrefillPath is also the label of its rate
// limit rule (hooks/settings.go), so it must not change.
const (
	PrefillPath   = "/biotools/prefill/"
	v1ListPath    = "/api/v1/biotools/"
	v1DetailPath  = "/api/v1/biotools/{biotools_id}/"
	adminKeysName = "admin_keys"
)

// bindRoutes adds the prefill route and the compatibility API routes.
func (p *Plugin) bindRoutes(se *core.ServeEvent) {
	getSlashed(se.Router, PrefillPath, p.handlePrefill)
	// One route per method: a method-less pattern would conflict with the
	// static site's "GET /{path...}".
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		se.Router.Route(method, PrefillPath+"{$}", p.handlePrefillMethodNotAllowed)
	}
	getSlashed(se.Router, v1ListPath, p.handleV1List)
	getSlashed(se.Router, v1DetailPath, p.handleV1Detail)
}

// getSlashed registers GET path (which ends in "/") and answers the same
// path without the slash with a redirect to it, through the middleware
// chain (Go's ServeMux would redirect before any middleware runs, without
// the request id and security headers). Path parameters are allowed.
func getSlashed(r *router.Router[*core.RequestEvent], path string, handler func(*core.RequestEvent) error) *router.Route[*core.RequestEvent] {
	r.GET(strings.TrimSuffix(path, "/"), func(e *core.RequestEvent) error {
		target := e.Request.URL.EscapedPath() + "/"
		if q := e.Request.URL.RawQuery; q != "" {
			target += "?" + q
		}
		return e.Redirect(http.StatusMovedPermanently, target)
	})
	return r.GET(path+"{$}", handler)
}
