package adminui_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/denbi/service-registry/config"
	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/denbi/service-registry/plugins/adminui"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// People of the tests.
const (
	superEmail    = "office@example.org"
	managerEmail  = "manager@example.org"
	reviewerEmail = "reviewer@example.org"
	staffPassword = "a-long-staff-password"
	siteURL       = "https://registry.example.org"
)

// env is a migrated app with the registry's hooks, this plugin, reference
// data and one caller of each kind.
type env struct {
	app *tests.TestApp
	srv http.Handler
	ref testapp.Reference

	super, manager, reviewer, inactive string // auth tokens
	adminKey                           string // AdminKey plaintext
	clock                              *fakeClock
}

// envOptions adjust the plugin's configuration and the app before the
// router is built.
type envOptions struct {
	config func(*adminui.Config)
	before func(app *tests.TestApp)
	cfg    []func(*config.Config)
}

func newEnv(t testing.TB, opts ...envOptions) *env {
	t.Helper()
	e := newEnvNoServer(t, opts...)
	e.srv = testapp.Server(t, e.app)
	return e
}

// newEnvNoServer is newEnv for tests that build their own server (the
// router can be built once per app).
func newEnvNoServer(t testing.TB, opts ...envOptions) *env {
	t.Helper()
	var cfgOpts []func(*config.Config)
	for _, o := range opts {
		cfgOpts = append(cfgOpts, o.cfg...)
	}
	app := apptest.NewCore(t, cfgOpts...)
	clock := &fakeClock{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	cfg := adminui.Config{SiteURL: siteURL, Now: clock.Now}
	for _, o := range opts {
		if o.config != nil {
			o.config(&cfg)
		}
	}
	if err := adminui.Register(app, cfg); err != nil {
		t.Fatal(err)
	}
	for _, o := range opts {
		if o.before != nil {
			o.before(app)
		}
	}
	e := &env{app: app, ref: testapp.Seed(t, app), clock: clock}
	e.super = testapp.Superuser(t, app, superEmail)
	e.manager = staffToken(t, app, managerEmail, "manager", true)
	e.reviewer = staffToken(t, app, reviewerEmail, "reviewer", true)
	e.inactive = staffToken(t, app, "gone@example.org", "manager", false)
	e.adminKey = testapp.AdminKey(t, app, "full")
	return e
}

// staffToken creates a staff member and returns an auth token.
func staffToken(t testing.TB, app core.App, email, role string, active bool) string {
	t.Helper()
	rec := testapp.Create(t, app, adminui.StaffCollection, map[string]any{
		"email": email, "password": staffPassword, "name": strings.Split(email, "@")[0], "role": role, "active": active,
	})
	token, err := rec.NewAuthToken()
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// do sends a request as a caller: a token, "ApiKey <key>", "AdminKey <key>" or "".
func (e *env) do(t testing.TB, method, url string, body any, auth string) *testapp.Response {
	t.Helper()
	var headers []string
	if auth != "" {
		headers = append(headers, "Authorization: "+auth)
	}
	return testapp.Do(t, e.srv, method, url, body, headers...)
}

// submission creates a valid submission with the given overrides and
// returns it with a write key.
func (e *env) submission(t testing.TB, overrides map[string]any) (*core.Record, string) {
	t.Helper()
	return testapp.CreateSubmission(t, e.app, e.ref, "write", overrides)
}

// setStatus moves a submission to a status directly (as the system), for
// fixtures; tags may be given for approved entries. It returns the saved
// record (a fresh copy: the one a fixture created still carries an empty
// original, which would log every field as changed).
func (e *env) setStatus(t testing.TB, rec *core.Record, status string, primary string, secondary ...string) *core.Record {
	t.Helper()
	fresh := e.reload(t, rec)
	fresh.Set("status", status)
	if primary != "" || len(secondary) > 0 {
		fresh.Set("primary_maturity_tag", primary)
		fresh.Set("secondary_maturity_tags", secondary)
	}
	if err := e.app.Save(fresh); err != nil {
		t.Fatal(err)
	}
	return fresh
}

// reload reads a record again.
func (e *env) reload(t testing.TB, rec *core.Record) *core.Record {
	t.Helper()
	fresh, err := e.app.FindRecordById(rec.Collection().Name, rec.Id)
	if err != nil {
		t.Fatal(err)
	}
	return fresh
}

// change is a change-log entry as stored.
type change struct {
	Field string `json:"field"`
	Label string `json:"label"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// changeRow is a change-log row.
type changeRow struct {
	ChangedBy string
	Changes   []change
}

// changeRows returns the change log of a submission, oldest first.
func (e *env) changeRows(t testing.TB, submissionID string) []changeRow {
	t.Helper()
	var rows []*core.Record
	err := e.app.RecordQuery("submission_changes").AndWhere(dbx.HashExp{"submission": submissionID}).
		OrderBy("created ASC", "rowid ASC").All(&rows)
	if err != nil {
		t.Fatal(err)
	}
	var out []changeRow
	for _, r := range rows {
		var cs []change
		if err := json.Unmarshal([]byte(r.GetString("changes")), &cs); err != nil {
			t.Fatal(err)
		}
		out = append(out, changeRow{ChangedBy: r.GetString("changed_by"), Changes: cs})
	}
	return out
}

// outbox returns the queued emails about a submission: recipient → event.
func (e *env) outbox(t testing.TB, submissionID string) []map[string]string {
	t.Helper()
	var rows []*core.Record
	err := e.app.RecordQuery("mail_outbox").AndWhere(dbx.HashExp{"submission": submissionID}).
		OrderBy("created ASC", "rowid ASC").All(&rows)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range rows {
		var to []string
		_ = json.Unmarshal([]byte(r.GetString("to")), &to)
		out = append(out, map[string]string{
			"to": strings.Join(to, ","), "event": r.GetString("event"), "subject": r.GetString("subject"),
			"text": r.GetString("text_body"),
		})
	}
	return out
}

// findChange returns the entry of a field in a list of changes.
func findChange(changes []change, field string) (change, bool) {
	for _, c := range changes {
		if c.Field == field {
			return c, true
		}
	}
	return change{}, false
}

// fakeClock is the login limiter's clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
