package hooks

import (
	"errors"
	"io/fs"
	"net/http"
	"strings"

	"github.com/denbi/service-registry/pb_public"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// bindAdminRedirect makes /<admin prefix>/ lead to the dashboard.
func (r *registry) bindAdminRedirect(se *core.ServeEvent) {
	prefix := "/" + r.cfg.Admin.URLPrefix
	toDashboard := func(e *core.RequestEvent) error {
		return e.Redirect(http.StatusFound, "/_/")
	}
	se.Router.GET(prefix+"/{path...}", toDashboard)
	se.Router.GET(prefix, toDashboard)
}

// bindStaticSite serves the embedded pages of pb_public. Unknown paths under
// /api/ keep PocketBase's JSON 404; other unknown paths get the site's 404 page.
func (r *registry) bindStaticSite(se *core.ServeEvent) {
	site := pb_public.FS()
	static := apis.Static(site, false)
	se.Router.GET("/{path...}", func(e *core.RequestEvent) error {
		if strings.HasPrefix(e.Request.URL.Path, "/api/") {
			return e.NotFoundError("", nil)
		}
		err := static(e)
		if errors.Is(err, router.ErrFileNotFound) {
			return notFoundPage(e, site)
		}
		return err
	})
}

// notFoundPage answers 404 with the site's own page.
func notFoundPage(e *core.RequestEvent, site fs.FS) error {
	page, err := fs.ReadFile(site, "404.html")
	if err != nil {
		return e.NotFoundError("", nil)
	}
	e.Response.Header().Set("Content-Type", "text/html; charset=utf-8")
	e.Response.WriteHeader(http.StatusNotFound)
	_, err = e.Response.Write(page)
	return err
}
