package hooks

import (
	"net/http"

	"github.com/denbi/service-registry/internal/jobruns"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// CronsPath lists the scheduled jobs and their last runs to superusers.
const CronsPath = "/api/registry/crons"

// bindOpsRoutes serves the operator reports to superusers (the dashboard's
// registry page); the EDAM and bio.tools plugins add their own status routes.
func (r *registry) bindOpsRoutes(se *core.ServeEvent) {
	se.Router.GET(CronsPath, func(e *core.RequestEvent) error {
		entries, err := jobruns.Overview(e.App)
		if err != nil {
			return err
		}
		if entries == nil {
			entries = []jobruns.Entry{}
		}
		return e.JSON(http.StatusOK, entries)
	}).Bind(apis.RequireSuperuserAuth())
}
