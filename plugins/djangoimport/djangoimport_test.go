package djangoimport_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/denbi/service-registry/config"
	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/denbi/service-registry/plugins/djangoimport"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/spf13/cobra"
)

// collections the import writes to.
var importedCollections = []string{
	"categories", "service_centers", "pis", "edam_terms", "licenses", "submissions",
	"submission_keys", "admin_keys", "submission_changes", "submission_deletions", "biotools_records",
}

// notFoundBiotools answers every bio.tools request with 404, so the sync the
// registry starts after importing a linked service fails fast and visibly.
func notFoundBiotools(t *testing.T) func(*config.Config) {
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	return func(cfg *config.Config) { cfg.BioTools.APIURL = srv.URL + "/api" }
}

// newApp returns an app wired like the binary plus the import command.
func newApp(t *testing.T) (*tests.TestApp, *cobra.Command) {
	t.Helper()
	app := apptest.New(t, notFoundBiotools(t))
	root := &cobra.Command{Use: "registry"}
	if err := djangoimport.Register(app, root); err != nil {
		t.Fatal(err)
	}
	return app, root
}

// runCLI executes the root command with args and returns its output.
func runCLI(t *testing.T, root *cobra.Command, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

// state is every imported record's id and "updated" time, and the number
// of change-log rows and queued emails.
type state struct {
	updated map[string]string
	changes int
	emails  int
}

func snapshot(t *testing.T, app core.App) state {
	t.Helper()
	s := state{updated: map[string]string{}}
	for _, name := range importedCollections {
		records, err := app.FindAllRecords(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range records {
			s.updated[name+"/"+r.Id] = r.GetString("updated")
		}
	}
	s.changes = count(t, app, "submission_changes")
	s.emails = count(t, app, "mail_outbox")
	return s
}

func count(t *testing.T, app core.App, collection string) int {
	t.Helper()
	n, err := app.CountRecords(collection)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// waitForBiotoolsSync waits until the background sync the import started
// has stored its (failed) result, so later snapshots are stable.
func waitForBiotoolsSync(t *testing.T, app core.App) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		rec, err := app.FindRecordById("biotools_records", biotoolsRecord)
		if err == nil && strings.Contains(rec.GetString("sync_error"), "404") {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the bio.tools sync after the import did not finish within 20s")
}

func TestImportKeepsKeysURLsAndData(t *testing.T) {
	app, root := newApp(t)
	dir := t.TempDir()
	dump := writeDump(t, dir, fixtureRows())
	media := writeMedia(t, dir)

	out, err := runCLI(t, root, "import", "django", dump, "--media", media)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	for _, want := range []string{
		"registry.servicecategory → categories: 4 rows: created 4, updated 0, unchanged 0, skipped 0",
		"registry.servicecenter → service_centers: 2 rows: created 2, updated 0, unchanged 0, skipped 0",
		"registry.principalinvestigator → pis: 4 rows: created 4, updated 0, unchanged 0, skipped 0",
		"edam.edamterm → edam_terms: 4 rows: created 4, updated 0, unchanged 0, skipped 0",
		"licenses.spdxlicense → licenses: 3 rows: created 3, updated 0, unchanged 0, skipped 0",
		"submissions.servicesubmission → submissions: 6 rows: created 6, updated 0, unchanged 0, skipped 0",
		"submissions.submissionapikey → submission_keys: 4 rows: created 4, updated 0, unchanged 0, skipped 0",
		"api.adminapikey → admin_keys: 2 rows: created 2, updated 0, unchanged 0, skipped 0",
		"submissions.submissionchangelog → submission_changes: 4 rows: created 4, updated 0, unchanged 0, skipped 0",
		"submissions.submissiondeletionaudit → submission_deletions: 1 rows: created 1, updated 0, unchanged 0, skipped 0",
		"biotools.biotoolsrecord → biotools_records: 1 rows: created 1, updated 0, unchanged 0, skipped 0",
		"biotools.biotoolsfunction → biotools_records (functions): 2 rows: created 2, updated 0, unchanged 0, skipped 0",
		"Not registry data, not imported: auth.user (1), django_celery_beat.periodictask (1), sessions.session (1).",
		"Total: created 37, updated 0, unchanged 0, skipped 0.",
		// logo problems are warnings: the services are imported without them
		"submissions.servicesubmission " + subUnderReview + ": logo logos/broken.png was refused",
		"submissions.servicesubmission " + subRejected + ": logo logos/lost.png: no such file in the media folder; imported without a logo",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Skipped rows") {
		t.Errorf("rows were skipped:\n%s", out)
	}
	for collection, want := range map[string]int{
		"categories": 4, "service_centers": 2, "pis": 4, "edam_terms": 4, "licenses": 3, "submissions": 6,
		"submission_keys": 4, "admin_keys": 2, "submission_changes": 4, "submission_deletions": 1,
		"biotools_records": 1, "mail_outbox": 0,
	} {
		if got := count(t, app, collection); got != want {
			t.Errorf("%s: %d records, want %d", collection, got, want)
		}
	}

	srv := testapp.Server(t, app)
	apiKey := func(id string) string { return "Authorization: ApiKey " + plaintexts[id] }
	url := "/api/v1/submissions/" + subApproved + "/"

	// the submitter's key from Django works for its service's old URL
	res := testapp.Do(t, srv, http.MethodGet, url, nil, apiKey(keyApprovedWrite))
	if res.Status != http.StatusOK {
		t.Fatalf("GET with the imported write key: %d %s", res.Status, res.Body)
	}
	var got struct {
		ID                    string   `json:"id"`
		Status                string   `json:"status"`
		SubmittedAt           string   `json:"submitted_at"`
		UpdatedAt             string   `json:"updated_at"`
		ServiceName           string   `json:"service_name"`
		Comments              string   `json:"comments"`
		Licenses              []string `json:"licenses"`
		SecondaryMaturityTags []string `json:"secondary_maturity_tags"`
		PrimaryMaturityTag    string   `json:"primary_maturity_tag"`
		ServiceCategories     []struct {
			ID   int    `json:"id"`
			Name string `json:"name"`
		} `json:"service_categories"`
		EDAMTopics []struct {
			Accession string `json:"accession"`
		} `json:"edam_topics"`
		ResponsiblePIs []struct {
			ID string `json:"id"`
		} `json:"responsible_pis"`
		ServiceCenter struct {
			ID string `json:"id"`
		} `json:"service_center"`
		LogoURL        *string        `json:"logo_url"`
		BiotoolsRecord map[string]any `json:"biotoolsrecord"`
	}
	res.JSON(t, &got)
	if got.ID != subApproved || got.Status != "approved" || got.PrimaryMaturityTag != "mature" ||
		!slices.Equal(got.SecondaryMaturityTags, []string{"unstable"}) {
		t.Errorf("identity and lifecycle: %+v", got)
	}
	if got.ServiceName != "Prot\u00e9ine Explorer" {
		t.Errorf("service_name %q: want the NFC form without NUL and padding", got.ServiceName)
	}
	if got.Comments != "日本語のコメント 🧬 and a tab\tinside" {
		t.Errorf("comments %q", got.Comments)
	}
	if !strings.HasPrefix(got.SubmittedAt, "2023-02-01T09:30:00.123") || !strings.HasPrefix(got.UpdatedAt, "2024-05-06T12:00:00") {
		t.Errorf("timestamps not kept: submitted_at %s, updated_at %s", got.SubmittedAt, got.UpdatedAt)
	}
	slices.Sort(got.Licenses)
	if !slices.Equal(got.Licenses, []string{"Apache-2.0", "MIT"}) {
		t.Errorf("licenses %v", got.Licenses)
	}
	var categoryIDs []int
	for _, c := range got.ServiceCategories {
		categoryIDs = append(categoryIDs, c.ID)
	}
	slices.Sort(categoryIDs)
	if !slices.Equal(categoryIDs, []int{1, 2}) {
		t.Errorf("category ids %v, want the Django ids [1 2]", categoryIDs)
	}
	var topics []string
	for _, e := range got.EDAMTopics {
		topics = append(topics, e.Accession)
	}
	slices.Sort(topics)
	if !slices.Equal(topics, []string{"topic_0091", "topic_0121"}) {
		t.Errorf("EDAM topics %v", topics)
	}
	if len(got.ResponsiblePIs) != 2 || got.ServiceCenter.ID != centreBiGi {
		t.Errorf("PIs %v, centre %v", got.ResponsiblePIs, got.ServiceCenter)
	}
	if got.LogoURL == nil || !strings.Contains(*got.LogoURL, "/api/files/") {
		t.Errorf("logo_url %v", got.LogoURL)
	}
	if got.BiotoolsRecord == nil || got.BiotoolsRecord["biotools_id"] != "proteine_explorer" {
		t.Errorf("biotoolsrecord %v", got.BiotoolsRecord)
	}

	// every key keeps its scope and revocation
	for name, tc := range map[string]struct {
		method, url, header string
		status              int
	}{
		"read key reads":               {http.MethodGet, url, apiKey(keyApprovedRead), http.StatusOK},
		"read key cannot write":        {http.MethodPatch, url, apiKey(keyApprovedRead), http.StatusForbidden},
		"revoked key":                  {http.MethodGet, url, apiKey(keyRevoked), http.StatusForbidden},
		"key of another service":       {http.MethodGet, url, apiKey(keySubmitted), http.StatusNotFound},
		"other key on its own service": {http.MethodGet, "/api/v1/submissions/" + subSubmitted + "/", apiKey(keySubmitted), http.StatusOK},
		"revoked admin key":            {http.MethodGet, "/api/v1/submissions/", "Authorization: AdminKey " + plaintexts[adminRevoked], http.StatusForbidden},
		"submission key is no admin":   {http.MethodGet, "/api/v1/submissions/", apiKey(keyApprovedWrite), http.StatusForbidden},
	} {
		var body any
		if tc.method == http.MethodPatch {
			body = map[string]any{"comments": "changed"}
		}
		if res := testapp.Do(t, srv, tc.method, tc.url, body, tc.header); res.Status != tc.status {
			t.Errorf("%s: %d, want %d: %s", name, res.Status, tc.status, res.Body)
		}
	}
	res = testapp.Do(t, srv, http.MethodGet, "/api/v1/submissions/?ordering=submitted_at", nil, "Authorization: AdminKey "+plaintexts[adminFull])
	page := res.Map(t)
	if res.Status != http.StatusOK || page["count"] != float64(6) {
		t.Fatalf("admin list: %d %s", res.Status, res.Body)
	}
	first := page["results"].([]any)[0].(map[string]any)
	if first["id"] != subApproved {
		t.Errorf("oldest submission first: got %v", first["id"])
	}
	admin, err := app.FindRecordById("admin_keys", adminFull)
	if err != nil || admin.GetString("created_by") != "office" || admin.GetString("scope") != "full" {
		t.Errorf("admin key created_by %q (want the Django user name), err %v", admin.GetString("created_by"), err)
	}

	// records as stored
	retired, _ := app.FindRecordById("service_centers", centreRetired)
	rejected, _ := app.FindRecordById("submissions", subRejected)
	if retired == nil || retired.GetBool("active") || rejected == nil || rejected.GetString("service_center") != centreRetired {
		t.Errorf("retired centre (lowercased id, inactive) linked to the rejected service: %v %v", retired, rejected)
	}
	under, _ := app.FindRecordById("submissions", subUnderReview)
	if under.GetString("logo") != "" || under.GetString("secondary_maturity_tags") != "null" {
		t.Errorf("under review: logo %q (want none: refused), tags %s (want null)", under.GetString("logo"), under.GetString("secondary_maturity_tags"))
	}
	approved, _ := app.FindRecordById("submissions", subApproved)
	var summary map[string]any
	if err := approved.UnmarshalJSONField("last_change_summary", &summary); err != nil || summary["changed_by"] != "admin:office" {
		t.Errorf("last_change_summary %v %v", summary, err)
	}
	png := storedLogo(t, app, approved)
	if !bytes.HasPrefix(png, []byte("\x89PNG")) || bytes.Contains(png, []byte("tEXt")) || bytes.Contains(png, []byte("secret camera data")) {
		t.Errorf("stored PNG logo was not cleaned (%d bytes)", len(png))
	}
	partner, _ := app.FindRecordById("submissions", subSubmitted)
	svg := storedLogo(t, app, partner)
	if !bytes.Contains(svg, []byte("<rect")) || bytes.Contains(svg, []byte("script")) || bytes.Contains(svg, []byte("onclick")) {
		t.Errorf("stored SVG logo was not sanitised: %s", svg)
	}
	change, err := app.FindRecordById("submission_changes", "dj0000000000102")
	if err != nil || change.GetString("changed_by") != "api:Initial key" || change.GetString("created") != "2023-04-01 10:00:00.250Z" {
		t.Errorf("change-log row 102: %v %v", change, err)
	}
	audit, err := app.FindRecordById("submission_deletions", "dj0000000000005")
	if err != nil || audit.GetString("submission_id") != subDeleted || audit.GetInt("changelog_count") != 1 ||
		audit.GetString("created") != "2024-04-01 12:00:00.000Z" {
		t.Errorf("deletion audit: %v %v", audit, err)
	}
	record, _ := app.FindRecordById("biotools_records", biotoolsRecord)
	var functions []struct {
		Position int    `json:"position"`
		Note     string `json:"note"`
	}
	if err := record.UnmarshalJSONField("functions", &functions); err != nil || len(functions) != 2 ||
		functions[0].Note != "first" || functions[1].Note != "second" {
		t.Errorf("functions %+v (want ordered by position) %v", functions, err)
	}
	if !strings.Contains(record.GetString("raw"), "12345678901234567890") {
		t.Errorf("raw lost the big number: %s", record.GetString("raw"))
	}
	term, err := app.FindFirstRecordByData("edam_terms", "accession", "operation_0292")
	if err != nil || term.Id != "200292" || term.GetString("parent") != "202945" {
		t.Errorf("EDAM term: id %s parent %s (want the EDAM plugin's ids) %v", term.Id, term.GetString("parent"), err)
	}

	// a second import of the same dump writes nothing at all
	waitForBiotoolsSync(t, app)
	before := snapshot(t, app)
	out, err = runCLI(t, root, "import", "django", dump, "--media", media)
	if err != nil {
		t.Fatalf("second import: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Total: created 0, updated 0, unchanged 37, skipped 0.") {
		t.Errorf("second import changed something:\n%s", out)
	}
	after := snapshot(t, app)
	if after.changes != before.changes || after.emails != 0 || len(after.updated) != len(before.updated) {
		t.Errorf("second import: change rows %d → %d, emails %d, records %d → %d",
			before.changes, after.changes, after.emails, len(before.updated), len(after.updated))
	}
	for key, stamp := range before.updated {
		if after.updated[key] != stamp {
			t.Errorf("%s: updated %s → %s", key, stamp, after.updated[key])
		}
	}
}

// storedLogo reads a submission's logo from the registry's storage.
func storedLogo(t *testing.T, app core.App, rec *core.Record) []byte {
	t.Helper()
	name := rec.GetString("logo")
	if name == "" {
		t.Fatalf("%s has no logo", rec.Id)
	}
	fsys, err := app.NewFilesystem()
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	r, err := fsys.GetReader(rec.BaseFilesPath() + "/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDryRunWritesNothing(t *testing.T) {
	app, root := newApp(t)
	dir := t.TempDir()
	out, err := runCLI(t, root, "import", "django", writeDump(t, dir, fixtureRows()), "--dry-run", "--media", writeMedia(t, dir))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		"Dry run: nothing was written.",
		"submissions.servicesubmission → submissions: 6 rows: created 6, updated 0, unchanged 0, skipped 0",
		"Total: created 37, updated 0, unchanged 0, skipped 0.",
		"logo logos/broken.png was refused",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, name := range append(importedCollections, "mail_outbox") {
		if n := count(t, app, name); n != 0 {
			t.Errorf("dry run left %d records in %s", n, name)
		}
	}
	storage := filepath.Join(app.DataDir(), "storage")
	_ = filepath.WalkDir(storage, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("dry run stored a file: %s", path)
		}
		return nil
	})
}

func TestInvalidRowsAreSkippedWithTheirReason(t *testing.T) {
	app, root := newApp(t)
	dump := writeDump(t, t.TempDir(), append(fixtureRows(), invalidRows()...))

	out, err := runCLI(t, root, "import", "django", dump)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		"submissions.servicesubmission → submissions: 7 rows: created 6, updated 0, unchanged 0, skipped 1",
		"Skipped rows (2):",
		"submissions.servicesubmission " + subInvalid + ": website_url: Use an https:// address",
		"submissions.submissionapikey " + keyInvalid + ": submission: refers to submission " + subInvalid + ", which was skipped",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, err := app.FindRecordById("submissions", subInvalid); err == nil {
		t.Error("the invalid submission was stored")
	}
	if n := count(t, app, "submissions"); n != 6 {
		t.Errorf("%d submissions, want the 6 valid ones", n)
	}
}

func TestStrictImportsNothingWhenARowIsSkipped(t *testing.T) {
	app, root := newApp(t)
	dump := writeDump(t, t.TempDir(), append(fixtureRows(), invalidRows()...))

	out, err := runCLI(t, root, "import", "django", dump, "--strict")
	if !errors.Is(err, djangoimport.ErrAborted) {
		t.Fatalf("want ErrAborted, got %v\n%s", err, out)
	}
	if !strings.Contains(out, "Import aborted (--strict)") || !strings.Contains(out, subInvalid+": website_url:") {
		t.Errorf("output:\n%s", out)
	}
	for _, name := range importedCollections {
		if n := count(t, app, name); n != 0 {
			t.Errorf("--strict left %d records in %s", n, name)
		}
	}

	// the valid part alone imports under --strict
	dump = writeDump(t, t.TempDir(), fixtureRows())
	if out, err := runCLI(t, root, "import", "django", dump, "--strict"); err != nil {
		t.Fatalf("strict import of a clean dump: %v\n%s", err, out)
	}
	if n := count(t, app, "submissions"); n != 6 {
		t.Errorf("%d submissions after the clean strict import", n)
	}
}

func TestUnreadableDumpFails(t *testing.T) {
	_, root := newApp(t)
	dir := t.TempDir()
	for name, content := range map[string]string{
		"not json":    "this is not JSON",
		"an object":   `{"model": "registry.servicecategory"}`,
		"no model":    `[{"pk": 1, "fields": {}}]`,
		"truncated":   `[{"model": "registry.servicecategory", "pk": 1, "fields": {}}`,
		"extra data":  `[] []`,
		"empty input": ``,
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".json")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := runCLI(t, root, "import", "django", path)
		if !errors.Is(err, djangoimport.ErrNotADump) {
			t.Errorf("%s: want ErrNotADump, got %v\n%s", name, err, out)
		}
	}
	if _, err := runCLI(t, root, "import", "django", filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "opening the dump") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := runCLI(t, root, "import", "django", filepath.Join(dir, "not_json.json"), "--media", filepath.Join(dir, "nowhere")); err == nil ||
		!strings.Contains(err.Error(), "--media") {
		t.Errorf("missing media folder: %v", err)
	}
}

func TestReimportUpdatesChangedRows(t *testing.T) {
	app, root := newApp(t)
	rows := fixtureRows()
	dir := t.TempDir()
	if out, err := runCLI(t, root, "import", "django", writeDump(t, dir, rows)); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	changesBefore := count(t, app, "submission_changes")

	// a key revoked here after the first import stays revoked
	local, _ := app.FindRecordById("submission_keys", keySubmitted)
	local.Set("active", false)
	if err := app.Save(local); err != nil {
		t.Fatal(err)
	}
	// the dump changes a service and revokes a key
	for i := range rows {
		switch rows[i].PK {
		case subDraft:
			rows[i].Fields["service_name"] = "Draft Service, renamed"
			rows[i].Fields["updated_at"] = "2025-01-02T03:04:05Z"
		case keyApprovedRead:
			rows[i].Fields["is_active"] = false
		}
	}
	out, err := runCLI(t, root, "import", "django", writeDump(t, dir, rows))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		"submissions.servicesubmission → submissions: 6 rows: created 0, updated 1, unchanged 5, skipped 0",
		"submissions.submissionapikey → submission_keys: 4 rows: created 0, updated 1, unchanged 3, skipped 0",
		"submissions.submissionapikey " + keySubmitted + ": the key is revoked in this registry but active in the dump; it stays revoked",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	draft, _ := app.FindRecordById("submissions", subDraft)
	if draft.GetString("service_name") != "Draft Service, renamed" || draft.GetString("updated") != "2025-01-02 03:04:05.000Z" {
		t.Errorf("draft: %q updated %s", draft.GetString("service_name"), draft.GetString("updated"))
	}
	if got := count(t, app, "submission_changes"); got != changesBefore+1 {
		t.Errorf("change rows %d → %d, want one for the renamed draft", changesBefore, got)
	}
	row, err := app.FindFirstRecordByFilter("submission_changes", "submission = {:s} && changed_by = 'system:import'", map[string]any{"s": subDraft})
	if err != nil || !strings.Contains(row.GetString("changes"), "Draft Service, renamed") {
		t.Errorf("change row of the import: %v %v", row, err)
	}
	for id, active := range map[string]bool{keyApprovedRead: false, keySubmitted: false, keyApprovedWrite: true} {
		if k, _ := app.FindRecordById("submission_keys", id); k.GetBool("active") != active {
			t.Errorf("key %s active %v, want %v", id, k.GetBool("active"), active)
		}
	}
	if n := count(t, app, "mail_outbox"); n != 0 {
		t.Errorf("the import queued %d emails", n)
	}
}

func TestLegacyLicenseSlugs(t *testing.T) {
	app, root := newApp(t)
	testapp.Create(t, app, "licenses", map[string]any{"license_id": "Apache-2.0", "name": "Apache License 2.0"})
	apache, _ := app.FindFirstRecordByData("licenses", "license_id", "Apache-2.0")

	legacy := func(id, slug, note string) djangoRow {
		f := submissionFields(map[string]any{"service_name": "Legacy " + slug, "license_note": note})
		delete(f, "licenses")
		f["license"] = slug
		return djangoRow{"submissions.servicesubmission", id, f}
	}
	var rows []djangoRow
	for _, r := range fixtureRows() {
		if strings.HasPrefix(r.Model, "registry.") {
			rows = append(rows, r)
		}
	}
	rows = append(rows,
		legacy(subApproved, "apache2", ""),
		legacy(subSubmitted, "na", ""),
		legacy(subUnderReview, "cecill", "Dual licensed"),
		legacy(subRejected, "gpl3", ""), // GPL-3.0-only is not in this registry's list
	)
	out, err := runCLI(t, root, "import", "django", writeDump(t, t.TempDir(), rows))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, subRejected+`: license: the legacy license "gpl3" means GPL-3.0-only, which is not in the license list`) {
		t.Errorf("unknown SPDX target not reported:\n%s", out)
	}
	for id, want := range map[string][2]string{
		subApproved:    {apache.Id, ""},
		subSubmitted:   {"", "Not applicable"},
		subUnderReview: {"", "Dual licensed; Legacy: cecill"},
	} {
		rec, err := app.FindRecordById("submissions", id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if got := strings.Join(rec.GetStringSlice("licenses"), ","); got != want[0] || rec.GetString("license_note") != want[1] {
			t.Errorf("%s: licenses %q note %q, want %q %q", id, got, rec.GetString("license_note"), want[0], want[1])
		}
	}
}

func TestEDAMTermsAndLicensesMatchTheSyncedLists(t *testing.T) {
	app, root := newApp(t)
	// already synced: the registry's copies win, under their own ids
	synced := testapp.Create(t, app, "edam_terms", map[string]any{"id": "100091", "uri": "http://edamontology.org/topic_0091",
		"accession": "topic_0091", "branch": "topic", "label": "Bioinformatics (EDAM 1.26)", "sort_order": 91, "edam_version": "1.26"})
	mit := testapp.Create(t, app, "licenses", map[string]any{"license_id": "MIT", "name": "MIT License (synced)"})

	out, err := runCLI(t, root, "import", "django", writeDump(t, t.TempDir(), fixtureRows()))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		"edam.edamterm → edam_terms: 4 rows: created 3, updated 0, unchanged 1, skipped 0",
		"licenses.spdxlicense → licenses: 3 rows: created 2, updated 0, unchanged 1, skipped 0",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	term, _ := app.FindRecordById("edam_terms", synced.Id)
	if term.GetString("label") != "Bioinformatics (EDAM 1.26)" {
		t.Errorf("the synced term was overwritten: %q", term.GetString("label"))
	}
	proteomics, _ := app.FindFirstRecordByData("edam_terms", "accession", "topic_0121")
	if proteomics.GetString("parent") != synced.Id {
		t.Errorf("created term's parent %q, want the synced term %s", proteomics.GetString("parent"), synced.Id)
	}
	approved, _ := app.FindRecordById("submissions", subApproved)
	if !slices.Contains(approved.GetStringSlice("licenses"), mit.Id) || !slices.Contains(approved.GetStringSlice("edam_topics"), synced.Id) {
		t.Errorf("submission links: licenses %v topics %v", approved.GetStringSlice("licenses"), approved.GetStringSlice("edam_topics"))
	}
}

func TestOddRowsAreReportedOneByOne(t *testing.T) {
	app, root := newApp(t)
	dir := t.TempDir()
	media := writeMedia(t, dir)
	if err := os.WriteFile(filepath.Join(dir, "secret.png"), pngWithText(t, "a", "b"), 0o600); err != nil {
		t.Fatal(err)
	}
	rows := fixtureRows()
	for i := range rows {
		if rows[i].PK == subDraft {
			rows[i].Fields["logo"] = "../secret.png"
		}
	}
	const unknownSubmission = "00000000-0000-4000-8000-00000000dead"
	rows = append(rows,
		djangoRow{"registry.servicecategory", 1, map[string]any{"name": "Database again"}},
		djangoRow{"registry.servicecategory", 8, map[string]any{"name": "DATABASE", "is_active": true}},
		djangoRow{"registry.servicecategory", "abc", map[string]any{"name": "Bad id"}},
		djangoRow{"registry.principalinvestigator", "8a7e6b2c-0000-4000-8000-000000000001", map[string]any{"last_name": "Wrong", "first_name": "Orcid", "orcid": "0000-0002-1825-0098"}},
		djangoRow{"submissions.submissionapikey", "b1000000-0000-4000-8000-0000000000ff",
			keyFields(subDraft, keyApprovedWrite, "Copy of another key's hash", "write", true, "office", nil)},
		djangoRow{"submissions.submissionchangelog", 900, map[string]any{"submission": unknownSubmission, "changed_by": "submitter",
			"changed_at": "2024-01-01T00:00:00Z", "changes": []any{}}},
		djangoRow{"submissions.submissionchangelog", 901, map[string]any{"submission": subDraft, "changed_by": "submitter",
			"changed_at": "yesterday", "changes": []any{}}},
		djangoRow{"biotools.biotoolsfunction", 77, map[string]any{"record": "d1000000-0000-4000-8000-0000000000ff", "position": 0,
			"operations": []any{}, "inputs": []any{}, "outputs": []any{}, "cmd": "", "note": ""}},
	)
	out, err := runCLI(t, root, "import", "django", writeDump(t, dir, rows), "--media", media)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		"Skipped rows (8):",
		"registry.servicecategory 1: the dump has this primary key twice; only the first row is imported",
		`registry.servicecategory 8: name: A category named "DATABASE" already exists.`,
		"registry.servicecategory abc: the primary key is not a positive whole number",
		"registry.principalinvestigator 8a7e6b2c-0000-4000-8000-000000000001: orcid:",
		"submissions.submissionapikey b1000000-0000-4000-8000-0000000000ff: key_hash: Value must be unique",
		"submissions.submissionchangelog 900: submission: refers to submission " + unknownSubmission + ", which is neither in the dump nor in the registry",
		`submissions.submissionchangelog 901: changed_at: "yesterday" is not an ISO 8601 date or time`,
		"biotools.biotoolsfunction 77: its bio.tools record is not in the dump",
		"submissions.servicesubmission " + subDraft + ": logo ../secret.png: the path leaves the media folder; imported without a logo",
		"submissions.servicesubmission → submissions: 6 rows: created 6, updated 0, unchanged 0, skipped 0",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// the refused rows leave the rest of the import alone
	if n := count(t, app, "submission_keys"); n != 4 {
		t.Errorf("%d keys, want the 4 good ones", n)
	}
	if draft, _ := app.FindRecordById("submissions", subDraft); draft == nil || draft.GetString("logo") != "" {
		t.Errorf("draft: %v", draft)
	}
}
