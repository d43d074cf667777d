package hooks

import (
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// getSlashed registers GET path (which ends in "/") and answers the same path
// without the slash with a redirect to it. Go's ServeMux would redirect on its
// own, but before any middleware runs, so that response would lack the
// request id and security headers.
func getSlashed(r *router.Router[*core.RequestEvent], path string, handler func(*core.RequestEvent) error) *router.Route[*core.RequestEvent] {
	bare := strings.TrimSuffix(path, "/")
	r.GET(bare, func(e *core.RequestEvent) error {
		target := path
		if q := e.Request.URL.RawQuery; q != "" {
			target += "?" + q
		}
		return e.Redirect(http.StatusMovedPermanently, target)
	})
	return r.GET(path+"{$}", handler)
}
