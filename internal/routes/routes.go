// Package routes holds routing helpers shared by the hooks and the plugins.
package routes

import (
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// GetSlashed registers GET path (which ends in "/") and answers the same
// path without the slash with a 301 to it. Go's ServeMux would redirect on
// its own, but before any middleware runs, so that answer would lack the
// request id and the security headers. Path parameters are allowed.
func GetSlashed(r *router.Router[*core.RequestEvent], path string, handler func(*core.RequestEvent) error) *router.Route[*core.RequestEvent] {
	r.GET(strings.TrimSuffix(path, "/"), func(e *core.RequestEvent) error {
		target := e.Request.URL.EscapedPath() + "/"
		if q := e.Request.URL.RawQuery; q != "" {
			target += "?" + q
		}
		return e.Redirect(http.StatusMovedPermanently, target)
	})
	return r.GET(path+"{$}", handler)
}
