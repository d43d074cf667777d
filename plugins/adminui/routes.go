package adminui

import (
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// bindRoutes adds the JSON routes of the Registry page. Every route knows
// its caller (authenticate) and checks the permission its action needs, so
// a crafted request can do no more than the buttons offer.
func (p *plugin) bindRoutes(se *core.ServeEvent) {
	g := se.Router.Group(APIPrefix)
	g.Bind(authenticate())

	g.GET("/meta", p.handleMeta).Bind(require(PermView))
	g.GET("/submissions", p.handleQueue).Bind(require(PermView))
	g.GET("/submissions/{id}", p.handleDetail).Bind(require(PermView))
	g.GET("/export", p.handleExport).Bind(require(PermView))
	g.GET("/sync", p.handleSyncStatus).Bind(require(PermView))

	g.POST("/submissions/{id}/status", p.handleStatus).Bind(require(PermStatus))
	g.POST("/status", p.handleBulkStatus).Bind(require(PermStatus))
	g.POST("/maturity", p.handleTags).Bind(require(PermStatus))

	g.POST("/submissions/{id}/keys", p.handleIssueKey).Bind(require(PermKeys))
	g.POST("/submissions/{id}/keys/reset", p.handleResetKeys).Bind(require(PermKeys))
	g.POST("/submissions/{id}/keys/revoke", p.handleRevokeKeys).Bind(require(PermKeys))
	g.POST("/keys/{keyId}/revoke", p.handleRevokeKey).Bind(require(PermKeys))

	g.DELETE("/submissions/{id}", p.handleDelete).Bind(require(PermDelete))

	g.POST("/sync/{job}", p.handleSyncNow).Bind(require(PermSync))
}

// reviewFiles are the files of the staff page; the dashboard's entry
// (main.js) is not among them.
var reviewFiles = map[string]bool{"review.html": true, "review.js": true, "registry.js": true, "registry.css": true}

// bindReviewPage serves the page of office staff at ReviewPath. It is the
// dashboard's Registry page without the dashboard, which only superusers
// may enter; staff log in against the staff collection.
func (p *plugin) bindReviewPage(se *core.ServeEvent) {
	base := strings.TrimSuffix(ReviewPath, "/")
	se.Router.GET(base, func(e *core.RequestEvent) error {
		return e.Redirect(http.StatusMovedPermanently, ReviewPath)
	})
	se.Router.GET(ReviewPath+"{path...}", func(e *core.RequestEvent) error {
		name := e.Request.PathValue("path")
		if name == "" {
			name = "review.html"
		}
		if !reviewFiles[name] {
			return e.NotFoundError("", nil)
		}
		// a new release must reach the staff at once
		e.Response.Header().Set("Cache-Control", "no-cache")
		return e.FileFS(p.ui, name)
	})
}

// bindExtensionCaching stops browsers from keeping the extension for two
// weeks: PocketBase gives /_/ files a long max-age unless a Cache-Control
// is already set, which suits its hashed assets but not extension files
// whose names never change between releases.
func (p *plugin) bindExtensionCaching(se *core.ServeEvent) {
	se.Router.Bind(&hook.Handler[*core.RequestEvent]{
		Id: "adminuiExtensionCaching",
		Func: func(e *core.RequestEvent) error {
			path := e.Request.URL.Path
			if path == "/_/extensions.js" || strings.HasPrefix(path, "/_/extensions/"+ExtensionName+"/") {
				e.Response.Header().Set("Cache-Control", "no-cache")
			}
			return e.Next()
		},
	})
}
