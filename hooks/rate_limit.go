package hooks

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"
)

// retryAfterMiddleware adds Retry-After to PocketBase's 429 answers, so
// clients know how long to wait: the window of the rule that was hit.
func (r *registry) retryAfterMiddleware() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id:       "registryRetryAfter",
		Priority: -1089,
		Func: func(e *core.RequestEvent) error {
			err := e.Next()
			var apiErr *router.ApiError
			if err != nil && errors.As(err, &apiErr) && apiErr.Status == http.StatusTooManyRequests {
				e.Response.Header().Set("Retry-After", strconv.FormatInt(retryAfterSeconds(e), 10))
			}
			return err
		},
	}
}

// retryAfterSeconds finds the rate limit rule the request matched, the way
// PocketBase's limiter looks it up, and returns its window.
func retryAfterSeconds(e *core.RequestEvent) int64 {
	path := e.Request.URL.Path
	labels := []string{e.Request.Method + " " + path, path}
	if rest, ok := strings.CutPrefix(path, "/api/collections/"); ok && e.Request.Method == http.MethodPost {
		if name, tail, _ := strings.Cut(rest, "/"); tail == "records" {
			labels = append([]string{name + ":create", "*:create"}, labels...)
		}
	}
	audience := []string{core.RateLimitRuleAudienceAll, core.RateLimitRuleAudienceGuest}
	if e.Auth != nil {
		audience = []string{core.RateLimitRuleAudienceAll, core.RateLimitRuleAudienceAuth}
	}
	if rule, ok := e.App.Settings().RateLimits.FindRateLimitRule(labels, audience...); ok && rule.Duration > 0 {
		return rule.Duration
	}
	return 60
}
