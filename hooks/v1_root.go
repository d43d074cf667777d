package hooks

import (
	"github.com/denbi/service-registry/internal/routes"
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/core"
)

// v1Resources are the collections of the compatibility API, as listed by
// its root document.
var v1Resources = []string{"submissions", "categories", "service-centers", "pis", "edam", "biotools"}

// bindV1RootRoute serves GET /api/v1/: the list of resources, for key holders.
func (r *registry) bindV1RootRoute(se *core.ServeEvent) {
	routes.GetSlashed(se.Router, "/api/v1/", func(e *core.RequestEvent) error {
		if e.Auth == nil || !isKeyRecord(e.Auth) {
			return credentialsError()
		}
		out := make(map[string]string, len(v1Resources))
		for _, name := range v1Resources {
			out[name] = r.absoluteURL("/api/v1/" + name + "/")
		}
		return e.JSON(http.StatusOK, out)
	})
}

// absoluteURL joins the configured public base URL and a path.
func (r *registry) absoluteURL(path string) string {
	return strings.TrimRight(r.cfg.Site.URL, "/") + path
}
