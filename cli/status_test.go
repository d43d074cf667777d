package cli_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

// wired returns an app wired like the binary and the root command holding
// all its commands.
func wired(t *testing.T) (*cobra.Command, core.App) {
	t.Helper()
	app, root := apptest.NewWithCommands(t)
	return root, app
}

// runOn runs a command on the wired root and fails the test on error.
func runOn(t *testing.T, root *cobra.Command, args ...string) string {
	t.Helper()
	out, err := run(t, root, args...)
	if err != nil {
		t.Fatalf("registry %v: %v\n%s", args, err, out)
	}
	return out
}

func TestEDAMStatusReportsExactCounts(t *testing.T) {
	root, _ := wired(t)
	if out, err := run(t, root, "seed", "demo"); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	status := runOn(t, root, "edam", "status")
	for _, want := range []string{
		"EDAM release: 1.25",
		"Current terms: data 4, format 16, identifier 5, operation 18, topic 14",
		"Obsolete terms: 8",
	} {
		if !strings.Contains(status, want) {
			t.Errorf("edam status lacks %q:\n%s", want, status)
		}
	}
}

func TestBiotoolsStatusListsSyncErrors(t *testing.T) {
	root, app := wired(t)
	ref := testapp.Seed(t, app)
	for i, rec := range []map[string]any{
		{"biotools_id": "blast", "sync_error": ""},
		{"biotools_id": "ghost", "sync_error": "bio.tools has no tool \"ghost\" (HTTP 404)"},
		{"biotools_id": "flaky", "sync_error": "bio.tools did not answer within 15s"},
	} {
		sub, _ := testapp.CreateSubmission(t, app, ref, "write", map[string]any{"service_name": "Service " + string(rune('A'+i))})
		rec["submission"] = sub.Id
		rec["raw"] = map[string]any{}
		testapp.Create(t, app, "biotools_records", rec)
	}
	status := runOn(t, root, "biotools", "status")
	for _, want := range []string{
		"bio.tools records: 3, of which 2 failed their last sync",
		`✗ flaky`, "did not answer within 15s",
		`✗ ghost`, "(HTTP 404)",
		"Last biotools_sync run: none recorded",
	} {
		if !strings.Contains(status, want) {
			t.Errorf("biotools status lacks %q:\n%s", want, status)
		}
	}
	if strings.Contains(status, "✗ blast") {
		t.Error("a record that synced fine is not an error")
	}

	srv := testapp.Server(t, app)
	token := testapp.Superuser(t, app, "office@example.org")
	res := testapp.Do(t, srv, http.MethodGet, "/api/registry/status/biotools", nil, "Authorization: "+token)
	body := res.Map(t)
	if res.Status != 200 || body["records"] != float64(3) || body["failing"] != float64(2) {
		t.Fatalf("status route: %d %s", res.Status, res.Body)
	}
	for _, path := range []string{"/api/registry/status/biotools", "/api/registry/status/edam", "/api/registry/crons"} {
		if res := testapp.Do(t, srv, http.MethodGet, path, nil, "Authorization: AdminKey "+testapp.AdminKey(t, app, "full")); res.Status < 400 {
			t.Errorf("%s must be for superusers only, admin key got %d", path, res.Status)
		}
		if res := testapp.Do(t, srv, http.MethodGet, path, nil); res.Status < 400 {
			t.Errorf("%s must be for superusers only, anonymous got %d", path, res.Status)
		}
		if res := testapp.Do(t, srv, http.MethodGet, path, nil, "Authorization: "+token); res.Status != 200 {
			t.Errorf("%s for a superuser: %d %s", path, res.Status, res.Body)
		}
	}
}

func TestCronsShowScheduleAndLastRun(t *testing.T) {
	root, app := wired(t)
	for _, job := range app.Cron().Jobs() {
		if job.Id() == "mail_outbox_send" {
			job.Run()
		}
	}
	out := runOn(t, root, "crons")
	lines := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			lines[f[0]] = line
		}
	}
	for _, job := range []string{"edam_sync", "licenses_sync", "biotools_sync", "mail_outbox_send", "captcha_spent_prune"} {
		if _, ok := lines[job]; !ok {
			t.Errorf("crons lacks %s:\n%s", job, out)
		}
	}
	if l := lines["mail_outbox_send"]; !strings.Contains(l, "* * * * *") || !strings.Contains(l, "(cron, ok): 0 emails sent") {
		t.Errorf("outbox line: %q", l)
	}
	if l := lines["edam_sync"]; !strings.Contains(l, "0 0 1 * *") || !strings.Contains(l, "never") {
		t.Errorf("edam line: %q", l)
	}
}
