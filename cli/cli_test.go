package cli_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/denbi/service-registry/cli"
	"github.com/denbi/service-registry/internal/apikeys"
	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/spf13/cobra"
)

var keyPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{64}$`)

func run(t *testing.T, root *cobra.Command, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestAdminKeyCreatePrintsAWorkingKeyLast(t *testing.T) {
	app := apptest.New(t)
	root := &cobra.Command{Use: "registry"}
	cli.Register(app, root)
	srv := testapp.Server(t, app)

	out, err := run(t, root, "adminkey", "create", "--label", "x", "--scope", "read")
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	key := lastLine(out)
	if !keyPattern.MatchString(key) {
		t.Fatalf("last line is not a 64-character key: %q", key)
	}

	res := testapp.Do(t, srv, http.MethodGet, "/api/v1/", nil, "Authorization: AdminKey "+key)
	if res.Status != http.StatusOK {
		t.Fatalf("the printed key does not work: %d %s", res.Status, res.Body)
	}

	record, err := app.FindFirstRecordByData(apikeys.AdminKeys, "key_hash", apikeys.Hash(key))
	if err != nil {
		t.Fatal(err)
	}
	if record.GetString("scope") != "read" || record.GetString("label") != "x" || strings.Contains(out, record.GetString("key_hash")) {
		t.Fatalf("unexpected record or hash printed: %v", record)
	}
	record.Set("active", false)
	if err := app.Save(record); err != nil {
		t.Fatal(err)
	}

	deactivated := testapp.Do(t, srv, http.MethodGet, "/api/v1/", nil, "Authorization: AdminKey "+key)
	random := testapp.Do(t, srv, http.MethodGet, "/api/v1/", nil, "Authorization: AdminKey "+apikeys.Generate())
	if deactivated.Status != http.StatusForbidden || random.Status != http.StatusForbidden {
		t.Fatalf("statuses %d / %d, want 403", deactivated.Status, random.Status)
	}
	strip := regexp.MustCompile(`"request_id":"[^"]*"`)
	if strip.ReplaceAllString(string(deactivated.Body), "") != strip.ReplaceAllString(string(random.Body), "") {
		t.Fatalf("a deactivated key must look like a random one:\n%s\n%s", deactivated.Body, random.Body)
	}
}

func TestAdminKeyCreateRejectsBadInput(t *testing.T) {
	app := apptest.New(t)
	root := &cobra.Command{Use: "registry"}
	cli.Register(app, root)

	if out, err := run(t, root, "adminkey", "create", "--label", "x", "--scope", "write"); err == nil || !strings.Contains(err.Error(), `"full"`) {
		t.Fatalf("scope write is not an admin scope: %v %s", err, out)
	}
	root = &cobra.Command{Use: "registry"}
	cli.Register(app, root)
	if _, err := run(t, root, "adminkey", "create"); err == nil || !strings.Contains(err.Error(), "label") {
		t.Fatalf("the label is required: %v", err)
	}
	if n, _ := app.CountRecords(apikeys.AdminKeys); n != 0 {
		t.Fatalf("no key may be created on bad input, found %d", n)
	}
}

func TestAPIKeyIssue(t *testing.T) {
	app := apptest.New(t)
	ref := testapp.Seed(t, app)
	sub, _ := testapp.CreateSubmission(t, app, ref, apikeys.ScopeWrite, nil)
	root := &cobra.Command{Use: "registry"}
	cli.Register(app, root)
	srv := testapp.Server(t, app)

	out, err := run(t, root, "apikey", "issue", sub.Id, "--label", "recovered", "--scope", "read")
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	key := lastLine(out)
	if !keyPattern.MatchString(key) {
		t.Fatalf("last line is not a key: %q", key)
	}
	res := testapp.Do(t, srv, http.MethodGet, "/api/collections/submissions/records/"+sub.Id, nil, "Authorization: ApiKey "+key)
	if res.Status != http.StatusOK || res.Map(t)["id"] != sub.Id {
		t.Fatalf("issued key does not read its submission: %d %s", res.Status, res.Body)
	}

	root = &cobra.Command{Use: "registry"}
	cli.Register(app, root)
	if _, err := run(t, root, "apikey", "issue", "00000000-0000-4000-8000-000000000000"); err == nil || !strings.Contains(err.Error(), "no submission") {
		t.Fatalf("unknown submission must fail clearly: %v", err)
	}
}

func TestSeedDemoIsIdempotent(t *testing.T) {
	app := apptest.New(t)
	var out bytes.Buffer
	if err := cli.SeedDemo(app, &out); err != nil {
		t.Fatal(err)
	}
	first, _ := app.CountRecords("categories")
	if first == 0 {
		t.Fatal("no categories seeded")
	}
	if err := cli.SeedDemo(app, &out); err != nil {
		t.Fatal(err)
	}
	again, _ := app.CountRecords("categories")
	if again != first || !strings.Contains(out.String(), "nothing to do") {
		t.Fatalf("second seed must change nothing: %d → %d, %s", first, again, out.String())
	}
	cat, err := app.FindRecordById("categories", "1")
	if err != nil || cat.GetString("name") != "Database" {
		t.Fatalf("categories must get integer ids from 1: %v %v", cat, err)
	}
}

func TestHealthcheck(t *testing.T) {
	ready := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`{"status":"ok"}`)) }))
	defer ready.Close()
	degraded := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) }))
	defer degraded.Close()

	if out, err := run(t, cli.NewHealthcheckCommand(), "--url", ready.URL); err != nil || !strings.Contains(out, "ready") {
		t.Fatalf("ready server: %v %s", err, out)
	}
	if _, err := run(t, cli.NewHealthcheckCommand(), "--url", degraded.URL); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("degraded server must fail with its status: %v", err)
	}
	if _, err := run(t, cli.NewHealthcheckCommand(), "--url", "http://127.0.0.1:1/", "--timeout", "1s"); err == nil {
		t.Fatal("unreachable server must fail")
	}
}

func TestSeedDemoLoadsOntologiesOffline(t *testing.T) {
	app := apptest.New(t)
	root := &cobra.Command{Use: "registry"}
	cli.Register(app, root)
	out, err := run(t, root, "seed", "demo")
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if n, _ := app.CountRecords("edam_terms"); n < 60 {
		t.Fatalf("demo EDAM terms: %d", n)
	}
	if _, err := app.FindFirstRecordByData("edam_terms", "accession", "topic_0121"); err != nil {
		t.Fatal("Proteomics must be among the demo terms")
	}
	if _, err := app.FindFirstRecordByData("licenses", "license_id", "MIT"); err != nil {
		t.Fatal("the SPDX list must be loaded")
	}
	if !strings.Contains(out, "EDAM terms") || !strings.Contains(out, "SPDX licenses") {
		t.Fatalf("output: %s", out)
	}
	root = &cobra.Command{Use: "registry"}
	cli.Register(app, root)
	again, _ := run(t, root, "seed", "demo")
	if strings.Contains(again, "EDAM terms") || strings.Contains(again, "SPDX") {
		t.Fatalf("tables with data are left alone: %s", again)
	}
}

func TestBackupCreateListAndRestore(t *testing.T) {
	app, root := apptest.NewWithCommands(t)
	testapp.Create(t, app, "categories", map[string]any{"name": "Before the backup", "active": true})
	out, err := run(t, root, "backup", "create", "before.zip")
	if err != nil || lastLine(out) != "before.zip" {
		t.Fatalf("create: %v %s", err, out)
	}
	listing, err := run(t, root, "backup", "list")
	if err != nil || !strings.Contains(listing, "before.zip") {
		t.Fatalf("list: %v %s", err, listing)
	}
	if _, err := run(t, root, "backup", "restore", "before.zip"); err == nil {
		t.Fatal("restore must ask for --yes")
	}
	if _, err := run(t, root, "backup", "create", "../escape.zip"); err == nil {
		t.Fatal("backup names are plain file names")
	}
	if _, err := run(t, root, "backup", "restore", "missing.zip", "--yes"); err == nil {
		t.Fatal("an unknown backup must fail")
	}
}

func TestDBCheckReportsBothDatabases(t *testing.T) {
	_, root := apptest.NewWithCommands(t)
	out, err := run(t, root, "db", "check")
	if err != nil || !strings.Contains(out, "data.db: ok") || !strings.Contains(out, "auxiliary.db: ok") {
		t.Fatalf("db check: %v\n%s", err, out)
	}
}
