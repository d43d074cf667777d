package hooks

import (
	"strings"

	"github.com/denbi/service-registry/internal/apikeys"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// AuthWithKeyPath exchanges a submission key for a short-lived PocketBase
// auth token. It is also the label of its rate limit rule (with the method).
const AuthWithKeyPath = "/api/collections/" + apikeys.SubmissionKeys + "/auth-with-key"

// authWithKeyRequest is the body of POST AuthWithKeyPath.
type authWithKeyRequest struct {
	Key string `json:"key" form:"key"`
}

// bindAuthWithKey serves POST /api/collections/submission_keys/auth-with-key:
// the web edit page trades the owner's key for a token of its
// submission_keys record, so the key itself is sent once and never kept in
// the browser. The answer is PocketBase's usual {token, record}; the token
// lives as long as the collection's auth token setting (one hour) and stops
// working at once when the key is revoked (keyTokenMiddleware). Every
// failure, whatever its cause, is the same 403 as for a bad key header.
func (r *registry) bindAuthWithKey(se *core.ServeEvent) {
	se.Router.POST(AuthWithKeyPath, func(e *core.RequestEvent) error {
		var body authWithKeyRequest
		if err := e.BindBody(&body); err != nil {
			return credentialsError()
		}
		record, err := apikeys.Authenticate(e.App, apikeys.SubmissionKeys, strings.TrimSpace(body.Key))
		if err != nil {
			// never log the key itself, not even a prefix
			e.App.Logger().Info("Key exchange refused", "ip", e.RealIP())
			return credentialsError()
		}
		return apis.RecordAuthResponse(e, record, "key", nil)
	})
}
