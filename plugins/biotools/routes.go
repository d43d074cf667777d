package biotools

import (
	"net/http"

	"github.com/denbi/service-registry/internal/routes"

	"github.com/pocketbase/pocketbase/core"
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
	routes.GetSlashed(se.Router, PrefillPath, p.handlePrefill)
	// One route per method: a method-less pattern would conflict with the
	// static site's "GET /{path...}".
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		se.Router.Route(method, PrefillPath+"{$}", p.handlePrefillMethodNotAllowed)
	}
	routes.GetSlashed(se.Router, v1ListPath, p.handleV1List)
	routes.GetSlashed(se.Router, v1DetailPath, p.handleV1Detail)
}
