package adminui

import (
	"context"
	"net/http"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// Roles of the people using the Registry page. Superusers are PocketBase's
// own; managers and reviewers are records of the staff collection.
const (
	RoleSuperuser = "superuser"
	RoleManager   = "manager"
	RoleReviewer  = "reviewer"
)

// Permission is something a role may do on the Registry page.
type Permission string

// The permissions, modelled on the Django registry's groups (Viewer,
// Editor, Manager): reviewers review, managers also manage keys and delete,
// superusers also see submitters' IP addresses and start syncs.
const (
	PermView   Permission = "view"   // queue, details, history, key list, exports, sync status
	PermStatus Permission = "status" // status actions and maturity tags
	PermKeys   Permission = "keys"   // issue, reset and revoke submission keys
	PermDelete Permission = "delete" // delete submissions
	PermIP     Permission = "ip"     // see submission_ip
	PermSync   Permission = "sync"   // run a sync job now
)

// allPermissions lists the permissions in a stable order for /meta.
var allPermissions = []Permission{PermView, PermStatus, PermKeys, PermDelete, PermIP, PermSync}

// Can reports whether role has permission perm.
func Can(role string, perm Permission) bool {
	switch role {
	case RoleSuperuser:
		return true
	case RoleManager:
		return perm != PermIP && perm != PermSync
	case RoleReviewer:
		return perm == PermView || perm == PermStatus
	}
	return false
}

// permissionText names what a permission allows, for refusals.
func permissionText(perm Permission) string {
	switch perm {
	case PermStatus:
		return "change the status or maturity tags of services"
	case PermKeys:
		return "issue, reset or revoke API keys"
	case PermDelete:
		return "delete services"
	case PermIP:
		return "see the IP addresses of submitters"
	case PermSync:
		return "start a sync"
	}
	return "use the Registry page"
}

// caller is who calls a route of this plugin.
type caller struct {
	Role  string
	Email string
}

// actor names the caller in the change log, as the dashboard's own edits
// are named.
func (c *caller) actor() string { return "admin:" + c.Email }

// callerKey stores the caller on the request event.
const callerKey = "adminuiCaller"

// callerOf returns the authenticated caller of e; authenticate has run.
func callerOf(e *core.RequestEvent) *caller {
	c, _ := e.Get(callerKey).(*caller)
	return c
}

// identify works out the role of the request's auth record: superusers,
// active staff members with a known role, nobody else (API keys included).
func identify(e *core.RequestEvent) (*caller, error) {
	if e.Auth == nil {
		return nil, e.UnauthorizedError("Log in as a superuser or as a member of the office staff.", nil)
	}
	if e.HasSuperuserAuth() {
		return &caller{Role: RoleSuperuser, Email: e.Auth.Email()}, nil
	}
	if e.Auth.Collection().Name != StaffCollection {
		return nil, e.ForbiddenError("Only the coordination office may use these routes.", nil)
	}
	// the auth rule stops inactive staff from logging in; this stops the
	// tokens they already hold
	if !e.Auth.GetBool("active") {
		return nil, e.ForbiddenError("This staff account is deactivated.", nil)
	}
	role := e.Auth.GetString("role")
	if role != RoleManager && role != RoleReviewer {
		return nil, e.ForbiddenError("This staff account has no role.", nil)
	}
	return &caller{Role: role, Email: e.Auth.Email()}, nil
}

// authenticate lets the office through and refuses everyone else; every
// answer is private and must not be cached.
func authenticate() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id: "adminuiAuthenticate",
		Func: func(e *core.RequestEvent) error {
			e.Response.Header().Set("Cache-Control", "no-store")
			c, err := identify(e)
			if err != nil {
				return err
			}
			e.Set(callerKey, c)
			return e.Next()
		},
	}
}

// require refuses callers whose role lacks perm. It runs after authenticate.
func require(perm Permission) *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Func: func(e *core.RequestEvent) error {
			c := callerOf(e)
			if c == nil {
				return e.UnauthorizedError("Log in as a superuser or as a member of the office staff.", nil)
			}
			if !Can(c.Role, perm) {
				return denied(e, c, perm)
			}
			return e.Next()
		},
	}
}

// denied refuses an action the caller's role does not allow.
func denied(e *core.RequestEvent, c *caller, perm Permission) error {
	return e.Error(http.StatusForbidden, "Permission denied: the role "+c.Role+" may not "+permissionText(perm)+".", nil)
}

// saveContext is the context of the saves a request makes: a selection
// that was started is finished even when the browser goes away, so a bulk
// action never stops halfway for that reason.
func saveContext(e *core.RequestEvent) context.Context {
	return context.WithoutCancel(e.Request.Context())
}
