package hooks

import (
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// requestLogMiddleware keeps successful reads out of the request log unless
// [logs] successful_reads is on. Writing a log row for every page view, API
// list and typeahead keystroke cost a fifth of the throughput of a list
// request; writes and every failed request are still logged.
func (r *registry) requestLogMiddleware() *hook.Handler[*core.RequestEvent] {
	skip := apis.SkipSuccessActivityLog()
	return &hook.Handler[*core.RequestEvent]{
		Id:       "registryRequestLog",
		Priority: apis.DefaultActivityLoggerMiddlewarePriority + 1,
		Func: func(e *core.RequestEvent) error {
			if r.cfg.Logs.SuccessfulReads || (e.Request.Method != http.MethodGet && e.Request.Method != http.MethodHead) {
				return e.Next()
			}
			return skip.Func(e)
		},
	}
}
