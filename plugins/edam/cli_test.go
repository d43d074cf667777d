package edam_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/denbi/service-registry/plugins/edam"
	"github.com/spf13/cobra"
)

// runCLI executes the root command with args and returns its output.
func runCLI(t *testing.T, root *cobra.Command, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func TestSyncCommand(t *testing.T) {
	app := apptest.NewCore(t)
	root := &cobra.Command{Use: "registry"}
	if err := edam.Register(app, root, edam.Config{Schedule: edam.ScheduleOff, SkipSyncOnEmpty: true}); err != nil {
		t.Fatal(err)
	}
	srv := testapp.Server(t, app)

	out, err := runCLI(t, root, "edam", "sync", "--source", "testdata/minimal.owl", "--dry-run")
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, want := range []string{"Reading EDAM from testdata/minimal.owl", "parsed 13 terms (EDAM 1.99)",
		"Current terms per branch: topic 3, operation 3, data 1, identifier 2, format 2.",
		"Dry run, nothing was written: the sync would add 13, update 0, obsolete 0 (0 no longer listed), leave 0 unchanged."} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if n, _ := app.CountRecords("edam_terms"); n != 0 {
		t.Fatalf("--dry-run stored %d terms", n)
	}

	out, err = runCLI(t, root, "edam", "sync", "--source", "testdata/minimal.owl")
	if err != nil || !strings.Contains(out, "EDAM 1.99 synced in") || !strings.Contains(out, "added 13, updated 0, obsoleted 0 (0 no longer listed), unchanged 0.") {
		t.Fatalf("sync: %v\n%s", err, out)
	}
	// the running server's list reflects the CLI sync at once
	res := testapp.Do(t, srv, http.MethodGet, "/api/v1/edam/?branch=topic", nil)
	if !strings.Contains(string(res.Body), `"accession":"topic_0121"`) {
		t.Errorf("list after the sync: %s", res.Body)
	}

	out, err = runCLI(t, root, "edam", "sync", "--source", "testdata/minimal.owl")
	if err != nil || !strings.Contains(out, "added 0, updated 0, obsoleted 0 (0 no longer listed), unchanged 13.") {
		t.Fatalf("re-sync: %v\n%s", err, out)
	}

	out, err = runCLI(t, root, "edam", "status")
	for _, want := range []string{"EDAM release: 1.99", "Current terms: data 1, format 2, identifier 2, operation 3, topic 3", "Obsolete terms: 2",
		"Source: " + edam.DefaultSourceURL, "Schedule (edam_sync): off"} {
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("status lacks %q (%v):\n%s", want, err, out)
		}
	}

	out, err = runCLI(t, root, "edam", "sync", "--source", "testdata/nope.owl")
	if err == nil || !strings.Contains(err.Error(), "testdata/nope.owl") {
		t.Errorf("a missing source must fail with its name: %v\n%s", err, out)
	}
}

func TestStatusOfAnEmptyTable(t *testing.T) {
	app := apptest.NewCore(t)
	root := &cobra.Command{Use: "registry"}
	if err := edam.Register(app, root, edam.Config{SourceURL: "/srv/EDAM.owl", Schedule: "@weekly"}); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, root, "edam", "status")
	if err != nil || !strings.Contains(out, "No EDAM terms are stored yet") || !strings.Contains(out, "Source: /srv/EDAM.owl") || !strings.Contains(out, "Schedule (edam_sync): @weekly") {
		t.Errorf("status: %v\n%s", err, out)
	}
}
