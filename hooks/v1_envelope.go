package hooks

import (
	"sort"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"
)

// v1Prefix is the path of the compatibility API.
const v1Prefix = "/api/v1/"

// isV1Path reports whether a request belongs to the compatibility API.
func isV1Path(path string) bool {
	return strings.HasPrefix(path, v1Prefix) || path == "/api/v1"
}

// v1Error is the error body of the compatibility API:
// {"error": {...}, "request_id": "..."}.
type v1Error struct {
	Error     map[string]any `json:"error"`
	RequestID string         `json:"request_id"`
}

// v1EnvelopeMiddleware renders every error under /api/v1 in the shape the
// Django registry's clients expect: field errors as {"field": ["message"]},
// anything else as {"detail": "message"}.
func (r *registry) v1EnvelopeMiddleware() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id:       "registryV1Envelope",
		Priority: -1090,
		Func: func(e *core.RequestEvent) error {
			if !isV1Path(e.Request.URL.Path) {
				return e.Next()
			}
			err := e.Next()
			if err == nil || e.Written() {
				return err
			}
			apiErr := router.ToApiError(err)
			return e.JSON(apiErr.Status, v1Error{Error: v1ErrorBody(apiErr), RequestID: requestID(e)})
		},
	}
}

// v1ErrorBody converts a PocketBase error into the compatibility shape.
func v1ErrorBody(apiErr *router.ApiError) map[string]any {
	if len(apiErr.Data) == 0 {
		return map[string]any{"detail": apiErr.Message}
	}
	body := make(map[string]any, len(apiErr.Data))
	for field, item := range apiErr.Data {
		body[field] = fieldMessages(item)
	}
	return body
}

// fieldMessages flattens one field's error data into a list of messages.
func fieldMessages(item any) []string {
	switch v := item.(type) {
	case map[string]any:
		if msg, ok := v["message"].(string); ok {
			return []string{msg}
		}
		// nested errors (e.g. per list item): collect their messages
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var out []string
		for _, k := range keys {
			out = append(out, fieldMessages(v[k])...)
		}
		return out
	case []string:
		return v
	case string:
		return []string{v}
	case error:
		return []string{v.Error()}
	}
	return []string{"Invalid value."}
}
