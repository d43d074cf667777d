package licenses_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/denbi/service-registry/plugins/licenses"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/spf13/cobra"
)

var no = false

// fixturePath is the hand-written list as an absolute path (the CLI and the
// cron job read it as a file source).
func fixturePath(t testing.TB) string {
	t.Helper()
	path, err := filepath.Abs("testdata/licenses_small.json")
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// register wires the plugin with a fresh root command and no sync at start.
func register(t testing.TB, app core.App, cfg licenses.Config) *cobra.Command {
	t.Helper()
	if cfg.SyncOnEmpty == nil {
		cfg.SyncOnEmpty = &no
	}
	root := &cobra.Command{Use: "registry"}
	if err := licenses.Register(app, root, cfg); err != nil {
		t.Fatal(err)
	}
	return root
}

func run(t testing.TB, root *cobra.Command, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

// writeCounter counts saves of license rows.
func writeCounter(app core.App) *atomic.Int64 {
	var n atomic.Int64
	count := func(e *core.RecordEvent) error { n.Add(1); return e.Next() }
	app.OnRecordAfterCreateSuccess(licenses.CollectionName).BindFunc(count)
	app.OnRecordAfterUpdateSuccess(licenses.CollectionName).BindFunc(count)
	return &n
}

// snapshot returns every license row as JSON, keyed by license_id.
func snapshot(t testing.TB, app core.App) map[string]string {
	t.Helper()
	records, err := app.FindAllRecords(licenses.CollectionName)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range records {
		raw, _ := r.MarshalJSON()
		out[r.GetString("license_id")] = string(raw)
	}
	return out
}

func mustParse(t testing.TB, doc string) *licenses.List {
	t.Helper()
	list, err := licenses.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestApplyAddsEveryLicenseThenWritesNothingOnARerun(t *testing.T) {
	app := testapp.NewBare(t)
	writes := writeCounter(app)
	list, err := licenses.Parse(readFixture(t))
	if err != nil {
		t.Fatal(err)
	}

	report, err := licenses.Apply(app, list, licenses.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if report.Added != 5 || report.Updated != 0 || report.Deprecated != 0 || report.Total != 5 || len(report.Skipped) != 5 {
		t.Fatalf("first run: %+v", report)
	}
	mit, err := licenses.ResolveLicense(app, "MIT")
	if err != nil {
		t.Fatal(err)
	}
	if mit.GetString("name") != "MIT License" || !mit.GetBool("osi_approved") || !mit.GetBool("fsf_libre") ||
		mit.GetBool("deprecated") || mit.GetString("spdx_version") != "3.99" ||
		mit.GetString("reference_url") != "https://spdx.org/licenses/MIT.html" {
		t.Fatalf("MIT stored as %v", mit)
	}
	var seeAlso []string
	if err := mit.UnmarshalJSONField("see_also", &seeAlso); err != nil || len(seeAlso) != 1 || seeAlso[0] != "https://opensource.org/licenses/MIT" {
		t.Fatalf("MIT see_also %v (%v)", seeAlso, err)
	}
	plus, _ := licenses.ResolveLicense(app, "GPL-2.0+")
	if err := plus.UnmarshalJSONField("see_also", &seeAlso); err != nil || seeAlso == nil || len(seeAlso) != 0 {
		t.Fatalf("an empty seeAlso must be stored as [], got %v (%v)", seeAlso, err)
	}
	gpl, _ := licenses.ResolveLicense(app, "GPL-3.0")
	if gpl == nil || !gpl.GetBool("deprecated") {
		t.Fatal("GPL-3.0 is deprecated upstream and must be flagged")
	}

	before := snapshot(t, app)
	writes.Store(0)
	again, err := licenses.Apply(app, list, licenses.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Changed() || again.Unchanged != 5 {
		t.Fatalf("second run must change nothing: %+v", again)
	}
	if writes.Load() != 0 {
		t.Fatalf("second run wrote %d rows", writes.Load())
	}
	after := snapshot(t, app)
	for id, row := range before {
		if after[id] != row {
			t.Errorf("%s changed on an identical re-run:\n%s\n%s", id, row, after[id])
		}
	}
}

func TestApplyUpdatesInPlaceAndDeprecatesLicensesNoLongerListed(t *testing.T) {
	app := apptest.NewCore(t)
	ref := testapp.Seed(t, app)
	if _, err := licenses.Apply(app, mustParse(t, `{"licenseListVersion":"3.1","licenses":[
		{"licenseId":"MIT","name":"MIT License"},
		{"licenseId":"Old-1.0","name":"An old license"}]}`), licenses.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	mit, _ := licenses.ResolveLicense(app, "MIT")
	old, _ := licenses.ResolveLicense(app, "Old-1.0")
	submission, _ := testapp.CreateSubmission(t, app, ref, "write", map[string]any{"licenses": []string{old.Id, mit.Id}})

	report, err := licenses.Apply(app, mustParse(t, `{"licenseListVersion":"3.2","licenses":[
		{"licenseId":"MIT","name":"The MIT License","isOsiApproved":true}]}`), licenses.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if report.Added != 0 || report.Updated != 1 || report.Deprecated != 1 || report.Version != "3.2" {
		t.Fatalf("report %+v", report)
	}
	mitNow, _ := licenses.ResolveLicense(app, "MIT")
	if mitNow.Id != mit.Id || mitNow.GetString("name") != "The MIT License" || !mitNow.GetBool("osi_approved") || mitNow.GetString("spdx_version") != "3.2" {
		t.Fatalf("MIT must be updated in place: %v", mitNow)
	}
	oldNow, err := licenses.ResolveLicense(app, "Old-1.0")
	if err != nil {
		t.Fatalf("a license absent upstream must be kept: %v", err)
	}
	if !oldNow.GetBool("deprecated") || oldNow.GetString("spdx_version") != "3.1" {
		t.Fatalf("Old-1.0 must be deprecated and keep the version it was last listed in: %v", oldNow)
	}
	fresh, err := app.FindRecordById("submissions", submission.Id)
	if err != nil {
		t.Fatal(err)
	}
	if got := fresh.GetStringSlice("licenses"); len(got) != 2 {
		t.Fatalf("the submission must keep both licenses, has %v", got)
	}

	// already deprecated: not counted again
	again, _ := licenses.Apply(app, mustParse(t, `{"licenseListVersion":"3.2","licenses":[
		{"licenseId":"MIT","name":"The MIT License","isOsiApproved":true}]}`), licenses.ApplyOptions{})
	if again.Changed() {
		t.Fatalf("re-run: %+v", again)
	}
	// listed again: reinstated
	back, _ := licenses.Apply(app, mustParse(t, `{"licenseListVersion":"3.2","licenses":[
		{"licenseId":"MIT","name":"The MIT License","isOsiApproved":true},
		{"licenseId":"Old-1.0","name":"An old license"}]}`), licenses.ApplyOptions{})
	oldNow, _ = licenses.ResolveLicense(app, "Old-1.0")
	if back.Updated != 1 || oldNow.GetBool("deprecated") {
		t.Fatalf("a license listed again must be active again: %+v %v", back, oldNow)
	}
}

func TestApplyDryRunWritesNothing(t *testing.T) {
	app := testapp.NewBare(t)
	writes := writeCounter(app)
	report, err := licenses.Apply(app, mustParse(t, string(readFixture(t))), licenses.ApplyOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if report.Added != 5 || !report.DryRun || !strings.HasPrefix(report.String(), "Dry run") {
		t.Fatalf("report %+v %q", report, report.String())
	}
	if n, _ := app.CountRecords(licenses.CollectionName); n != 0 || writes.Load() != 0 {
		t.Fatalf("dry run wrote %d rows", n)
	}
}

func TestResolveLicenseIsExactAndCaseSensitive(t *testing.T) {
	app := testapp.NewBare(t)
	if _, err := licenses.Apply(app, mustParse(t, string(readFixture(t))), licenses.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"MIT", "Apache-2.0", "GPL-2.0+", "GPL-3.0"} {
		rec, err := licenses.ResolveLicense(app, id)
		if err != nil || rec.GetString("license_id") != id {
			t.Errorf("%s: %v %v", id, rec, err)
		}
	}
	for _, id := range []string{"mit", "MIT ", "apache-2.0", "MIT%", "", "GPL-2.0"} {
		if rec, err := licenses.ResolveLicense(app, id); !errors.Is(err, licenses.ErrUnknownLicense) {
			t.Errorf("%q must not resolve, got %v %v", id, rec, err)
		}
	}
}

func TestCLISyncFromFileThenDryRun(t *testing.T) {
	app := testapp.NewBare(t)
	root := register(t, app, licenses.Config{SourceURL: fixturePath(t)})

	out, err := run(t, root, "licenses", "sync")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"Reading the SPDX license list from " + fixturePath(t), "Parsed 5 licenses (SPDX 3.99), 5 entries skipped.",
		`duplicate id "MIT"`, "saved 5/5", "added 5, updated 0, deprecated 0"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	dry := filepath.Join(t.TempDir(), "one.json")
	if err := os.WriteFile(dry, []byte(`{"licenses":[{"licenseId":"MIT","name":"MIT License","isOsiApproved":true,"isFsfLibre":true,
		"reference":"https://spdx.org/licenses/MIT.html","seeAlso":["https://opensource.org/licenses/MIT"]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, app)
	out, err = run(t, root, "licenses", "sync", "--source", dry, "--dry-run")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "Dry run, nothing written.") || !strings.Contains(out, "deprecated 2 (no longer listed)") || strings.Contains(out, "saved") {
		t.Fatalf("dry-run output:\n%s", out)
	}
	after := snapshot(t, app)
	for id, row := range before {
		if after[id] != row {
			t.Fatalf("dry run changed %s", id)
		}
	}
}

func TestCLISyncRejectsMalformedSourcesAndLeavesTheTableAlone(t *testing.T) {
	app := testapp.NewBare(t)
	root := register(t, app, licenses.Config{SourceURL: fixturePath(t)})
	if out, err := run(t, root, "licenses", "sync"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	before := snapshot(t, app)
	writes := writeCounter(app)

	dir := t.TempDir()
	for name, tc := range map[string]struct{ content, mention string }{
		"truncated.json": {`{"licenseListVersion":"4.0","licenses":[{"licenseId":"MIT"`, "invalid JSON"},
		"empty.json":     {`{"licenseListVersion":"4.0","licenses":[]}`, "no usable license"},
		"wrong.json":     {`{"MIT": {"name": "MIT License"}}`, `no top-level "licenses" array`},
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := run(t, root, "licenses", "sync", "--source", path)
		if err == nil || !strings.Contains(err.Error(), tc.mention) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: want an error naming the file and %q, got %v\n%s", name, tc.mention, err, out)
		}
	}
	if _, err := run(t, root, "licenses", "sync", "--source", filepath.Join(dir, "missing.json")); err == nil ||
		!strings.Contains(err.Error(), "no such file") {
		t.Errorf("a missing file must be reported: %v", err)
	}
	if writes.Load() != 0 {
		t.Fatalf("a failed sync wrote %d rows", writes.Load())
	}
	after := snapshot(t, app)
	if len(after) != len(before) {
		t.Fatalf("row count changed %d → %d", len(before), len(after))
	}
	for id, row := range before {
		if after[id] != row {
			t.Errorf("%s changed by a failed sync", id)
		}
	}
}

func TestSyncOverHTTP(t *testing.T) {
	fixture := readFixture(t)
	var userAgent, accept atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		userAgent.Store(r.Header.Get("User-Agent"))
		accept.Store(r.Header.Get("Accept"))
		switch r.URL.Path {
		case "/licenses.json":
			w.Write(fixture)
		case "/down":
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
		case "/huge":
			w.Write([]byte(`{"licenses":[`))
			chunk := bytes.Repeat([]byte(`{"licenseId":"X","name":"padding"},`), 1<<10)
			for written := 0; written < 17<<20; written += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}
	}))
	defer srv.Close()

	app := testapp.NewBare(t)
	root := register(t, app, licenses.Config{
		SourceURL:  srv.URL + "/licenses.json",
		HTTPClient: &http.Client{Timeout: 30 * time.Second},
	})
	out, err := run(t, root, "licenses", "sync")
	if err != nil || !strings.Contains(out, "added 5") {
		t.Fatalf("%v\n%s", err, out)
	}
	if ua, _ := userAgent.Load().(string); !strings.Contains(ua, "licenses_sync") || !strings.Contains(ua, "https://") {
		t.Errorf("User-Agent %q should name the job and a URL", ua)
	}
	if a, _ := accept.Load().(string); a != "application/json" {
		t.Errorf("Accept %q", a)
	}

	impatient := register(t, testapp.NewBare(t), licenses.Config{HTTPClient: &http.Client{Timeout: 300 * time.Millisecond}})
	for path, tc := range map[string]struct {
		root    *cobra.Command
		mention string
	}{
		"/down": {root, "HTTP 503"},
		"/huge": {root, "larger than 16 MiB"},
		"/slow": {impatient, "Client.Timeout"},
	} {
		_, err := run(t, tc.root, "licenses", "sync", "--source", srv.URL+path)
		if err == nil || !strings.Contains(err.Error(), tc.mention) || !strings.Contains(err.Error(), srv.URL+path) {
			t.Errorf("%s: want an error naming the URL and %q, got %v", path, tc.mention, err)
		}
	}
	if n, _ := app.CountRecords(licenses.CollectionName); n != 5 {
		t.Fatalf("failed downloads must not change the table, have %d rows", n)
	}
}

func TestRealSPDXList(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "data", "spdx", "licenses.json")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("real SPDX list not available (%s): %v", path, err)
	}
	app := testapp.NewBare(t)
	root := register(t, app, licenses.Config{SourceURL: path})
	out, err := run(t, root, "licenses", "sync")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "SPDX license list 3.19: 500 licenses; added 500, updated 0, deprecated 0") {
		t.Fatalf("output:\n%s", out)
	}
	if n, _ := app.CountRecords(licenses.CollectionName); n != 500 {
		t.Fatalf("want 500 rows, got %d", n)
	}
	for _, id := range []string{"MIT", "Apache-2.0", "GPL-3.0-only", "0BSD"} {
		rec, err := licenses.ResolveLicense(app, id)
		if err != nil || rec.GetBool("deprecated") || rec.GetString("spdx_version") != "3.19" {
			t.Errorf("%s: %v %v", id, rec, err)
		}
	}
	deprecated, err := app.FindAllRecords(licenses.CollectionName)
	if err != nil {
		t.Fatal(err)
	}
	flagged := map[string]bool{}
	for _, r := range deprecated {
		if r.GetBool("deprecated") {
			flagged[r.GetString("license_id")] = true
		}
	}
	if len(flagged) != 31 || !flagged["GPL-3.0"] || !flagged["GPL-2.0+"] || !flagged["AGPL-3.0"] || !flagged["wxWindows"] {
		t.Fatalf("want the 31 deprecated ids flagged, got %d: %v", len(flagged), flagged)
	}

	writes := writeCounter(app)
	out, err = run(t, root, "licenses", "sync")
	if err != nil || !strings.Contains(out, "added 0, updated 0, deprecated 0 (no longer listed), unchanged 500") || writes.Load() != 0 {
		t.Fatalf("re-run must write nothing (%d writes): %v\n%s", writes.Load(), err, out)
	}
}

func TestCronJobUsesTheConfiguredSchedule(t *testing.T) {
	app := testapp.NewBare(t)
	register(t, app, licenses.Config{SourceURL: fixturePath(t), Schedule: "0 4 1 * *"})
	var job interface {
		Expression() string
		Run()
	}
	for _, j := range app.Cron().Jobs() {
		if j.Id() == licenses.CronJobID {
			job = j
		}
	}
	if job == nil || job.Expression() != "0 4 1 * *" {
		t.Fatalf("licenses_sync job missing or wrong schedule: %v", job)
	}
	job.Run()
	if n, _ := app.CountRecords(licenses.CollectionName); n != 5 {
		t.Fatalf("the cron job must sync, have %d rows", n)
	}

	defaults := testapp.NewBare(t)
	register(t, defaults, licenses.Config{})
	found := false
	for _, j := range defaults.Cron().Jobs() {
		found = found || (j.Id() == licenses.CronJobID && j.Expression() == "0 0 1 * *") // @monthly, as the cron package expands it
	}
	if !found {
		t.Fatal("the default schedule must be @monthly")
	}

	err := licenses.Register(testapp.NewBare(t), nil, licenses.Config{Schedule: "every tuesday"})
	if err == nil || !strings.Contains(err.Error(), "licenses.schedule") {
		t.Fatalf("an invalid schedule must name the setting: %v", err)
	}
}

// terminate runs the app's termination hooks, which wait for background syncs.
func terminate(app *tests.TestApp) {
	_ = app.OnTerminate().Trigger(&core.TerminateEvent{App: app}, func(e *core.TerminateEvent) error { return nil })
}

func TestServeSyncsInTheBackgroundOnlyWhenTheTableIsEmpty(t *testing.T) {
	fixture := readFixture(t)
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write(fixture)
	}))
	defer srv.Close()

	t.Run("empty table", func(t *testing.T) {
		app := testapp.NewBare(t)
		yes := true
		register(t, app, licenses.Config{SourceURL: srv.URL, SyncOnEmpty: &yes})
		testapp.Server(t, app)
		deadline := time.Now().Add(10 * time.Second)
		for {
			n, _ := app.CountRecords(licenses.CollectionName)
			if n == 5 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no background sync after serve (rows: %d)", n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})

	hits.Store(0)
	t.Run("table already filled", func(t *testing.T) {
		app := testapp.NewBare(t)
		if _, err := licenses.Apply(app, mustParse(t, `{"licenses":[{"licenseId":"Zlib"}]}`), licenses.ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
		register(t, app, licenses.Config{SourceURL: srv.URL}) // SyncOnEmpty defaults to true
		testapp.Server(t, app)
		terminate(app)
		if hits.Load() != 0 {
			t.Fatal("a filled table must not be synced at start")
		}
	})

	t.Run("switched off", func(t *testing.T) {
		app := testapp.NewBare(t)
		register(t, app, licenses.Config{SourceURL: srv.URL, SyncOnEmpty: &no})
		testapp.Server(t, app)
		terminate(app)
		if n, _ := app.CountRecords(licenses.CollectionName); n != 0 || hits.Load() != 0 {
			t.Fatalf("SyncOnEmpty=false must not sync (rows %d, hits %d)", n, hits.Load())
		}
	})
}

func TestCollectionAPIServesThePickerPublicly(t *testing.T) {
	app := apptest.NewCore(t)
	register(t, app, licenses.Config{})
	if _, err := licenses.Apply(app, mustParse(t, string(readFixture(t))), licenses.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	srv := testapp.Server(t, app)

	type page struct {
		TotalItems int `json:"totalItems"`
		Items      []struct {
			ID         string `json:"id"`
			LicenseID  string `json:"license_id"`
			Name       string `json:"name"`
			Deprecated bool   `json:"deprecated"`
		} `json:"items"`
	}
	list := func(filter string) page {
		t.Helper()
		res := testapp.Do(t, srv, http.MethodGet, "/api/collections/licenses/records?sort=license_id&filter="+url.QueryEscape(filter), nil)
		if res.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", filter, res.Status, res.Body)
		}
		var p page
		res.JSON(t, &p)
		return p
	}
	ids := func(p page) string {
		var out []string
		for _, item := range p.Items {
			out = append(out, item.LicenseID)
		}
		return strings.Join(out, ",")
	}

	for filter, want := range map[string]string{
		"(license_id~'mit'||name~'mit')&&deprecated=false":       "MIT",
		"(license_id~'APACHE'||name~'APACHE')&&deprecated=false": "Apache-2.0",
		"(license_id~'gpl'||name~'gpl')&&deprecated=false":       "",
		"(license_id~'gpl'||name~'gpl')":                         "GPL-2.0+,GPL-3.0",
		"(license_id~'general public'||name~'general public')":   "GPL-2.0+,GPL-3.0",
		"deprecated=false": "Apache-2.0,Beerware,MIT",
	} {
		if got := ids(list(filter)); got != want {
			t.Errorf("filter %s: got %q, want %q", filter, got, want)
		}
	}

	mit, _ := licenses.ResolveLicense(app, "MIT")
	view := testapp.Do(t, srv, http.MethodGet, "/api/collections/licenses/records/"+mit.Id, nil)
	if view.Status != http.StatusOK || !strings.Contains(string(view.Body), `"license_id":"MIT"`) {
		t.Fatalf("anonymous view: %d %s", view.Status, view.Body)
	}

	adminKey := testapp.AdminKey(t, app, "full")
	for _, auth := range []string{"", "Authorization: AdminKey " + adminKey} {
		create := testapp.Do(t, srv, http.MethodPost, "/api/collections/licenses/records",
			map[string]any{"license_id": "Evil-1.0", "name": "Evil"}, auth)
		update := testapp.Do(t, srv, http.MethodPatch, "/api/collections/licenses/records/"+mit.Id,
			map[string]any{"name": "Changed"}, auth)
		del := testapp.Do(t, srv, http.MethodDelete, "/api/collections/licenses/records/"+mit.Id, nil, auth)
		for name, res := range map[string]*testapp.Response{"create": create, "update": update, "delete": del} {
			if res.Status != http.StatusForbidden {
				t.Errorf("%q %s: want 403, got %d %s", auth, name, res.Status, res.Body)
			}
		}
	}
	if _, err := licenses.ResolveLicense(app, "Evil-1.0"); err == nil {
		t.Fatal("a license was created through the API")
	}
	if again, _ := licenses.ResolveLicense(app, "MIT"); again == nil || again.GetString("name") != "MIT License" {
		t.Fatal("MIT was changed or deleted through the API")
	}
}
