package hooks

import (
	"github.com/google/uuid"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// RequestIDHeader is set on every response.
const RequestIDHeader = "X-Request-ID"

// requestIDKey stores the id on the request event for error envelopes and logs.
const requestIDKey = "registryRequestId"

// requestIDMiddleware gives every request a fresh UUIDv4, returned in
// X-Request-ID and attached to the request's activity log entry. An incoming
// X-Request-ID is not trusted: clients could otherwise forge log ids.
func (r *registry) requestIDMiddleware() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id:       "registryRequestId",
		Priority: -1100,
		Func: func(e *core.RequestEvent) error {
			id := uuid.NewString()
			e.Set(requestIDKey, id)
			e.Response.Header().Set(RequestIDHeader, id)
			if meta, ok := e.Get(apis.RequestEventKeyLogMeta).(map[string]any); ok {
				meta["requestId"] = id
			} else {
				e.Set(apis.RequestEventKeyLogMeta, map[string]any{"requestId": id})
			}
			return e.Next()
		},
	}
}

// requestID returns the id of the current request ("" outside the middleware).
func requestID(e *core.RequestEvent) string {
	id, _ := e.Get(requestIDKey).(string)
	return id
}
