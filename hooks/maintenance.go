package hooks

import (
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/denbi/service-registry/pb_public"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// MaintenanceFile switches maintenance mode on while it exists in the data
// directory ("touch pb_data/maintenance"), without a restart.
const MaintenanceFile = "maintenance"

// maintenanceRetryAfter is what clients are told to wait, in seconds.
const maintenanceRetryAfter = "300"

// maintenanceMessage answers API clients during maintenance.
const maintenanceMessage = "The registry is down for maintenance. Please try again in a few minutes."

// maintenanceCheckInterval is how often the flag file is looked for.
const maintenanceCheckInterval = 2 * time.Second

// maintenanceState caches whether maintenance mode is on.
type maintenanceState struct {
	on      atomic.Bool
	checked atomic.Int64 // unix nanoseconds of the last file check
}

// inMaintenance reports whether the public is kept out: [maintenance] in the
// configuration, or the flag file in the data directory.
func (r *registry) inMaintenance() bool {
	if r.cfg.Maintenance {
		return true
	}
	now := time.Now().UnixNano()
	if last := r.maintenance.checked.Load(); now-last > int64(maintenanceCheckInterval) && r.maintenance.checked.CompareAndSwap(last, now) {
		_, err := os.Stat(filepath.Join(r.app.DataDir(), MaintenanceFile))
		r.maintenance.on.Store(err == nil)
	}
	return r.maintenance.on.Load()
}

// maintenanceMiddleware answers 503 to the public during maintenance while
// superusers keep full access (dashboard, API), so they can check the
// system before it reopens. Liveness keeps answering; readiness reports
// "maintenance" (see health.go).
func (r *registry) maintenanceMiddleware() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id:       "registryMaintenance",
		Priority: apis.DefaultLoadAuthTokenMiddlewarePriority + 2, // after the auth of keys and tokens
		Func: func(e *core.RequestEvent) error {
			if !r.inMaintenance() || maintenanceExempt(e) {
				return e.Next()
			}
			e.Response.Header().Set("Retry-After", maintenanceRetryAfter)
			path := e.Request.URL.Path
			if strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/captcha/") || strings.HasPrefix(path, "/biotools/") {
				return apis.NewApiError(http.StatusServiceUnavailable, maintenanceMessage, nil)
			}
			page, err := fs.ReadFile(pb_public.FS(), "maintenance.html")
			if err != nil {
				return apis.NewApiError(http.StatusServiceUnavailable, maintenanceMessage, nil)
			}
			e.Response.Header().Set("Content-Type", "text/html; charset=utf-8")
			e.Response.WriteHeader(http.StatusServiceUnavailable)
			_, err = e.Response.Write(page)
			return err
		},
	}
}

// maintenanceExempt lets through superusers, the dashboard and its login,
// and the health routes.
func maintenanceExempt(e *core.RequestEvent) bool {
	path := e.Request.URL.Path
	return e.HasSuperuserAuth() ||
		path == "/_" || strings.HasPrefix(path, "/_/") ||
		strings.HasPrefix(path, "/api/collections/_superusers/") ||
		strings.HasPrefix(path, "/health/") ||
		path == "/api/health" ||
		path == "/img/favicon.svg" || strings.HasPrefix(path, "/css/")
}
