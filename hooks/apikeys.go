package hooks

import (
	"net/http"
	"strings"

	"github.com/denbi/service-registry/internal/apikeys"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"
)

// CredentialsMessage is the one answer to every missing, malformed, unknown
// or revoked credential, so that a caller learns nothing about which it was.
const CredentialsMessage = "Authentication failed: send a valid key as \"Authorization: ApiKey <key>\" or \"Authorization: AdminKey <key>\"."

// credentialsError is the 403 for any unusable credential.
func credentialsError() *router.ApiError {
	return apis.NewForbiddenError(CredentialsMessage, nil)
}

// keySchemes maps the Authorization schemes to their key collections.
var keySchemes = map[string]string{
	"ApiKey":   apikeys.SubmissionKeys,
	"AdminKey": apikeys.AdminKeys,
}

// keyAuthMiddleware turns "Authorization: ApiKey <key>" and
// "Authorization: AdminKey <key>" into @request.auth, so that the collection
// rules decide what the key may do. Any key that does not authenticate ends
// the request with the same 403. Other schemes (PocketBase's own tokens) are
// left to PocketBase.
func (r *registry) keyAuthMiddleware() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id:       "registryKeyAuth",
		Priority: apis.DefaultLoadAuthTokenMiddlewarePriority - 5,
		Func: func(e *core.RequestEvent) error {
			scheme, key, _ := strings.Cut(e.Request.Header.Get("Authorization"), " ")
			collection, isKey := keySchemes[scheme]
			if !isKey || isPublicRegistration(e.Request) {
				return e.Next()
			}
			record, err := apikeys.Authenticate(e.App, collection, strings.TrimSpace(key))
			if err != nil {
				// never log the key itself, not even a prefix
				e.App.Logger().Info("Key authentication failed", "scheme", scheme, "ip", e.RealIP(), "path", e.Request.URL.Path)
				return credentialsError()
			}
			e.Auth = record
			e.Set(keyHeaderAuthKey, true)
			return e.Next()
		},
	}
}

// isPublicRegistration reports whether the request registers a service through
// the compatibility API, which ignores credentials (as the Django registry
// did): a stale key in a client's configuration must not block a registration.
func isPublicRegistration(req *http.Request) bool {
	return req.Method == http.MethodPost && req.URL.Path == "/api/v1/submissions/"
}

// keyTokenMiddleware drops PocketBase auth tokens that belong to keys which
// were revoked after the token was issued (the browser edit page exchanges
// a key for a short-lived token).
func (r *registry) keyTokenMiddleware() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id:       "registryKeyTokenCheck",
		Priority: apis.DefaultLoadAuthTokenMiddlewarePriority + 1,
		Func: func(e *core.RequestEvent) error {
			if e.Auth != nil && isKeyRecord(e.Auth) && !e.Auth.GetBool("active") {
				e.Auth = nil
				return credentialsError()
			}
			return e.Next()
		},
	}
}

// keyHeaderAuthKey marks requests authenticated by an Authorization key
// header (API clients), as opposed to a browser session token.
const keyHeaderAuthKey = "registryKeyHeaderAuth"

// authenticatedByHeader reports whether the request's key came in the header.
func authenticatedByHeader(e *core.RequestEvent) bool {
	v, _ := e.Get(keyHeaderAuthKey).(bool)
	return v
}

// isAdminKey reports whether an auth record is an admin key.
func isAdminKey(auth *core.Record) bool {
	return apikeys.IsKey(auth, apikeys.AdminKeys)
}

// isKeyRecord reports whether an auth record is an API key of either kind.
func isKeyRecord(auth *core.Record) bool {
	return apikeys.IsKey(auth, apikeys.SubmissionKeys) || apikeys.IsKey(auth, apikeys.AdminKeys)
}
