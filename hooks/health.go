package hooks

import (
	"context"
	"github.com/denbi/service-registry/internal/buildinfo"
	"github.com/denbi/service-registry/internal/routes"
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// readinessTimeout bounds the database checks of /health/ready/.
const readinessTimeout = 2 * time.Second

// healthStatus is the only body the health routes return: never a
// per-dependency breakdown, which would describe the deployment to anyone.
// Liveness names the running version, so a deploy can tell the new binary
// answers.
type healthStatus struct {
	Status  string `json:"status"`
	Version string `json:"version,omitempty"`
}

// bindHealthRoutes serves /health/live/ (the process answers) and
// /health/ready/ (the databases answer queries).
func (r *registry) bindHealthRoutes(se *core.ServeEvent) {
	routes.GetSlashed(se.Router, "/health/live/", func(e *core.RequestEvent) error {
		return e.JSON(http.StatusOK, healthStatus{Status: "ok", Version: buildinfo.Version})
	}).Bind(apis.SkipSuccessActivityLog())

	routes.GetSlashed(se.Router, "/health/ready/", func(e *core.RequestEvent) error {
		if r.inMaintenance() {
			return e.JSON(http.StatusServiceUnavailable, healthStatus{Status: "maintenance"})
		}
		if failing := checkReadiness(e.Request.Context(), e.App); len(failing) > 0 {
			e.App.Logger().Error("Readiness check failed", "failing", failing)
			return e.JSON(http.StatusServiceUnavailable, healthStatus{Status: "degraded"})
		}
		return e.JSON(http.StatusOK, healthStatus{Status: "ok"})
	}).Bind(apis.SkipSuccessActivityLog())
}

// checkReadiness queries both databases and returns the names of those that
// did not answer, with the reason.
func checkReadiness(ctx context.Context, app core.App) map[string]string {
	ctx, cancel := context.WithTimeout(ctx, readinessTimeout)
	defer cancel()

	failing := map[string]string{}
	var one int
	if err := app.DB().NewQuery("SELECT 1").WithContext(ctx).Row(&one); err != nil {
		failing["data.db"] = err.Error()
	}
	if err := app.AuxDB().NewQuery("SELECT 1").WithContext(ctx).Row(&one); err != nil {
		failing["auxiliary.db"] = err.Error()
	}
	return failing
}
