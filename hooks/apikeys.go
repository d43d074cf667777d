package hooks

import (
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
			if !isKey {
				return e.Next()
			}
			record, err := apikeys.Authenticate(e.App, collection, strings.TrimSpace(key))
			if err != nil {
				// never log the key itself, not even a prefix
				e.App.Logger().Info("Key authentication failed", "scheme", scheme, "ip", e.RealIP(), "path", e.Request.URL.Path)
				return credentialsError()
			}
			e.Auth = record
			return e.Next()
		},
	}
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

// isKeyRecord reports whether an auth record is an API key of either kind.
func isKeyRecord(auth *core.Record) bool {
	return apikeys.IsKey(auth, apikeys.SubmissionKeys) || apikeys.IsKey(auth, apikeys.AdminKeys)
}
