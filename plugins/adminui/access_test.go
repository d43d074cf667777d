package adminui_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/denbi/service-registry/internal/apikeys"
	"github.com/denbi/service-registry/plugins/adminui"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// fixture is what one request of the access matrix works on.
type fixture struct {
	sub      *core.Record
	ownerKey string // plaintext write key of sub
	keyID    string
}

// route is one custom route, with what it needs and how to tell that it
// did something.
type route struct {
	name   string
	method string
	path   func(fx fixture) string
	body   func(fx fixture) any
	perm   adminui.Permission
	status int // answer when allowed
	// effect reports whether the route changed anything (nil: read-only).
	effect func(t *testing.T, e *env, fx fixture) bool
}

func statusIs(status string) func(t *testing.T, e *env, fx fixture) bool {
	return func(t *testing.T, e *env, fx fixture) bool {
		return e.reload(t, fx.sub).GetString("status") == status
	}
}

func activeKeys(t *testing.T, e *env, submissionID string) int {
	t.Helper()
	n, err := e.app.CountRecords(apikeys.SubmissionKeys, dbx.HashExp{"submission": submissionID, "active": true})
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

var routes = []route{
	{name: "meta", method: http.MethodGet, path: func(fixture) string { return "/api/registry/admin/meta" }, perm: adminui.PermView, status: 200},
	{name: "queue", method: http.MethodGet, path: func(fixture) string { return "/api/registry/admin/submissions" }, perm: adminui.PermView, status: 200},
	{name: "detail", method: http.MethodGet, path: func(fx fixture) string { return "/api/registry/admin/submissions/" + fx.sub.Id }, perm: adminui.PermView, status: 200},
	{name: "export csv", method: http.MethodGet, path: func(fixture) string { return "/api/registry/admin/export?format=csv" }, perm: adminui.PermView, status: 200},
	{name: "export with IPs", method: http.MethodGet, path: func(fixture) string { return "/api/registry/admin/export?format=json&include_ip=1" }, perm: adminui.PermIP, status: 200},
	{name: "sync status", method: http.MethodGet, path: func(fixture) string { return "/api/registry/admin/sync" }, perm: adminui.PermView, status: 200},
	{
		name: "status", method: http.MethodPost, perm: adminui.PermStatus, status: 200,
		path:   func(fx fixture) string { return "/api/registry/admin/submissions/" + fx.sub.Id + "/status" },
		body:   func(fixture) any { return map[string]any{"action": "under_review"} },
		effect: statusIs("under_review"),
	},
	{
		name: "bulk status", method: http.MethodPost, perm: adminui.PermStatus, status: 200,
		path:   func(fixture) string { return "/api/registry/admin/status" },
		body:   func(fx fixture) any { return map[string]any{"ids": []string{fx.sub.Id}, "action": "approve"} },
		effect: statusIs("approved"),
	},
	{
		name: "maturity", method: http.MethodPost, perm: adminui.PermStatus, status: 200,
		path: func(fixture) string { return "/api/registry/admin/maturity" },
		body: func(fx fixture) any {
			return map[string]any{"ids": []string{fx.sub.Id}, "primary_maturity_tag": "mature"}
		},
		effect: func(t *testing.T, e *env, fx fixture) bool {
			return e.reload(t, fx.sub).GetString("primary_maturity_tag") == "mature"
		},
	},
	{
		name: "issue key", method: http.MethodPost, perm: adminui.PermKeys, status: 200,
		path:   func(fx fixture) string { return "/api/registry/admin/submissions/" + fx.sub.Id + "/keys" },
		body:   func(fixture) any { return map[string]any{"label": "matrix"} },
		effect: func(t *testing.T, e *env, fx fixture) bool { return activeKeys(t, e, fx.sub.Id) == 3 },
	},
	{
		name: "reset keys", method: http.MethodPost, perm: adminui.PermKeys, status: 200,
		path:   func(fx fixture) string { return "/api/registry/admin/submissions/" + fx.sub.Id + "/keys/reset" },
		body:   func(fixture) any { return map[string]any{} },
		effect: func(t *testing.T, e *env, fx fixture) bool { return activeKeys(t, e, fx.sub.Id) == 1 },
	},
	{
		name: "revoke keys", method: http.MethodPost, perm: adminui.PermKeys, status: 200,
		path:   func(fx fixture) string { return "/api/registry/admin/submissions/" + fx.sub.Id + "/keys/revoke" },
		effect: func(t *testing.T, e *env, fx fixture) bool { return activeKeys(t, e, fx.sub.Id) == 0 },
	},
	{
		name: "revoke one key", method: http.MethodPost, perm: adminui.PermKeys, status: 200,
		path:   func(fx fixture) string { return "/api/registry/admin/keys/" + fx.keyID + "/revoke" },
		effect: func(t *testing.T, e *env, fx fixture) bool { return activeKeys(t, e, fx.sub.Id) == 1 },
	},
	{
		name: "delete", method: http.MethodDelete, perm: adminui.PermDelete, status: 200,
		path: func(fx fixture) string { return "/api/registry/admin/submissions/" + fx.sub.Id },
		effect: func(t *testing.T, e *env, fx fixture) bool {
			_, err := e.app.FindRecordById("submissions", fx.sub.Id)
			return err != nil
		},
	},
	{name: "sync now", method: http.MethodPost, path: func(fixture) string { return "/api/registry/admin/sync/edam_sync" }, perm: adminui.PermSync, status: 202},
}

// callers of the matrix: the role whose permissions apply, or "" for those
// refused outright (with the status they get).
var callers = []struct {
	name   string
	role   string
	denied int
	auth   func(e *env, fx fixture) string
}{
	{"anonymous", "", http.StatusUnauthorized, func(*env, fixture) string { return "" }},
	{"owner's submission key", "", http.StatusForbidden, func(_ *env, fx fixture) string { return "ApiKey " + fx.ownerKey }},
	{"full admin key", "", http.StatusForbidden, func(e *env, _ fixture) string { return "AdminKey " + e.adminKey }},
	{"deactivated staff", "", http.StatusForbidden, func(e *env, _ fixture) string { return e.inactive }},
	{"reviewer", adminui.RoleReviewer, http.StatusForbidden, func(e *env, _ fixture) string { return e.reviewer }},
	{"manager", adminui.RoleManager, http.StatusForbidden, func(e *env, _ fixture) string { return e.manager }},
	{"superuser", adminui.RoleSuperuser, 0, func(e *env, _ fixture) string { return e.super }},
}

// TestEveryRouteChecksTheCaller sends every custom route as every kind of
// caller: superusers may do everything, staff what their role allows, key
// holders and anonymous callers nothing, and a refused request changes
// nothing.
func TestEveryRouteChecksTheCaller(t *testing.T) {
	jobRuns := make(chan struct{}, 100)
	e := newEnv(t, envOptions{before: func(app *tests.TestApp) {
		app.Cron().MustAdd(adminui.JobEDAM, "@monthly", func() { jobRuns <- struct{}{} })
	}})

	for _, r := range routes {
		for _, c := range callers {
			t.Run(r.name+"/"+c.name, func(t *testing.T) {
				sub, ownerKey := e.submission(t, map[string]any{"service_name": "Matrix " + r.name + " " + c.name})
				key, _, err := apikeys.IssueSubmissionKey(e.app, sub.Id, "second", apikeys.ScopeRead, "test")
				if err != nil {
					t.Fatal(err)
				}
				if r.name == "maturity" {
					e.setStatus(t, sub, "approved", "")
				}
				fx := fixture{sub: sub, ownerKey: ownerKey, keyID: key.Id}
				var body any
				if r.body != nil {
					body = r.body(fx)
				}
				res := e.do(t, r.method, r.path(fx), body, c.auth(e, fx))

				allowed := c.role != "" && adminui.Can(c.role, r.perm)
				want := c.denied
				if allowed {
					want = r.status
				}
				if res.Status != want {
					t.Fatalf("status %d, want %d: %s", res.Status, want, res.Body)
				}
				switch {
				case !allowed && c.role == "":
					if !strings.Contains(string(res.Body), "coordination office") && !strings.Contains(string(res.Body), "office staff") &&
						!strings.Contains(string(res.Body), "deactivated") {
						t.Errorf("refusal does not say who may: %s", res.Body)
					}
				case !allowed:
					if !strings.Contains(string(res.Body), "Permission denied: the role "+c.role+" may not") {
						t.Errorf("refusal does not name the role: %s", res.Body)
					}
				case r.method == http.MethodGet:
					if !strings.HasPrefix(string(res.Body), "{") && !strings.HasPrefix(string(res.Body), "[") &&
						!strings.HasPrefix(string(res.Body), "id,status,") {
						t.Errorf("unexpected body: %.200s", res.Body)
					}
				}
				if res.Header.Get("Cache-Control") != "no-store" && c.role != "" {
					t.Errorf("Cache-Control %q, want no-store", res.Header.Get("Cache-Control"))
				}
				if r.effect != nil {
					if got := r.effect(t, e, fx); got != allowed {
						t.Errorf("effect happened: %v, want %v", got, allowed)
					}
				}
				if r.name == "sync now" && allowed {
					select {
					case <-jobRuns:
					case <-time.After(5 * time.Second):
						t.Error("the job did not run")
					}
				}
			})
		}
	}
	if len(jobRuns) != 0 {
		t.Errorf("%d job runs from refused requests", len(jobRuns))
	}
}

func TestRolesArePermissionSets(t *testing.T) {
	for _, tc := range []struct {
		role string
		want []adminui.Permission
	}{
		{adminui.RoleReviewer, []adminui.Permission{adminui.PermView, adminui.PermStatus}},
		{adminui.RoleManager, []adminui.Permission{adminui.PermView, adminui.PermStatus, adminui.PermKeys, adminui.PermDelete}},
		{adminui.RoleSuperuser, []adminui.Permission{adminui.PermView, adminui.PermStatus, adminui.PermKeys, adminui.PermDelete, adminui.PermIP, adminui.PermSync}},
		{"", nil},
		{"admin", nil},
	} {
		var got []adminui.Permission
		for _, p := range []adminui.Permission{adminui.PermView, adminui.PermStatus, adminui.PermKeys, adminui.PermDelete, adminui.PermIP, adminui.PermSync} {
			if adminui.Can(tc.role, p) {
				got = append(got, p)
			}
		}
		if strings.Join(perms(got), ",") != strings.Join(perms(tc.want), ",") {
			t.Errorf("%q may %v, want %v", tc.role, got, tc.want)
		}
	}
}

func perms(ps []adminui.Permission) []string {
	var out []string
	for _, p := range ps {
		out = append(out, string(p))
	}
	return out
}

func TestMetaDescribesTheCaller(t *testing.T) {
	e := newEnv(t)
	e.submission(t, nil)
	res := e.do(t, http.MethodGet, "/api/registry/admin/meta", nil, e.reviewer)
	if res.Status != 200 {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	var m struct {
		Role        string          `json:"role"`
		Email       string          `json:"email"`
		Permissions map[string]bool `json:"permissions"`
		Statuses    []struct {
			Value string `json:"value"`
			Label string `json:"label"`
			Count int    `json:"count"`
		} `json:"statuses"`
		Centers    []struct{ Value, Label string } `json:"centers"`
		Categories []struct{ Value, Label string } `json:"categories"`
	}
	res.JSON(t, &m)
	if m.Role != "reviewer" || m.Email != reviewerEmail || !m.Permissions["status"] || m.Permissions["keys"] || m.Permissions["ip"] {
		t.Errorf("caller: %+v", m)
	}
	if len(m.Statuses) != 6 || m.Statuses[0].Value != "submitted" || m.Statuses[0].Count != 1 || m.Statuses[1].Label != "Under Review" {
		t.Errorf("statuses: %+v", m.Statuses)
	}
	if len(m.Centers) != 1 || m.Centers[0].Label != "BiGi — Bielefeld-Gießen Center for Microbial Bioinformatics" {
		t.Errorf("centres: %+v", m.Centers)
	}
	if len(m.Categories) != 2 || m.Categories[0].Label != "Database" {
		t.Errorf("categories: %+v", m.Categories)
	}
}
