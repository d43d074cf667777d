package adminui_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/denbi/service-registry/internal/jobruns"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/denbi/service-registry/plugins/adminui"
	"github.com/pocketbase/pocketbase/tests"
)

type syncAnswer struct {
	CanRun bool `json:"can_run"`
	EDAM   struct {
		Job        string        `json:"job"`
		Registered bool          `json:"registered"`
		Schedule   string        `json:"schedule"`
		LastRun    *jobruns.Last `json:"last_run"`
		Terms      int           `json:"terms"`
		Topics     int           `json:"topics"`
		Operations int           `json:"operations"`
		Obsolete   int           `json:"obsolete"`
		Version    string        `json:"version"`
	} `json:"edam"`
	Licenses struct {
		Registered bool          `json:"registered"`
		LastRun    *jobruns.Last `json:"last_run"`
		Licenses   int           `json:"licenses"`
		Deprecated int           `json:"deprecated"`
		Version    string        `json:"version"`
	} `json:"licenses"`
	Biotools struct {
		Records  int `json:"records"`
		Failing  int `json:"failing"`
		Pending  int `json:"pending"`
		Problems []struct {
			BiotoolsID  string `json:"biotools_id"`
			ServiceName string `json:"service_name"`
			Error       string `json:"sync_error"`
		} `json:"problems"`
	} `json:"biotools"`
	Outbox struct {
		Registered bool `json:"registered"`
		Pending    int  `json:"pending"`
		Failed     int  `json:"failed"`
	} `json:"outbox"`
}

func TestSyncStatus(t *testing.T) {
	e := newEnv(t, envOptions{before: func(app *tests.TestApp) {
		app.Cron().MustAdd(adminui.JobEDAM, "0 3 1 * *", func() {})
	}})
	for _, term := range []map[string]any{
		{"id": "1", "accession": "topic_0001", "branch": "topic", "edam_version": "1.25"},
		{"id": "2", "accession": "topic_0002", "branch": "topic", "edam_version": "1.25", "obsolete": true},
		{"id": "3", "accession": "operation_0003", "branch": "operation", "edam_version": "1.25"},
	} {
		term["uri"] = "http://edamontology.org/" + term["accession"].(string)
		term["label"] = "Term " + term["id"].(string)
		testapp.Create(t, e.app, "edam_terms", term)
	}
	testapp.Create(t, e.app, "licenses", map[string]any{"license_id": "MIT", "name": "MIT License", "spdx_version": "3.27"})
	testapp.Create(t, e.app, "licenses", map[string]any{"license_id": "GPL-2.0", "name": "GPL 2", "deprecated": true, "spdx_version": "3.27"})
	broken, _ := e.submission(t, map[string]any{"service_name": "Broken Link", "biotools_url": "https://bio.tools/broken"})
	waiting, _ := e.submission(t, map[string]any{"service_name": "Waiting", "biotools_url": "https://bio.tools/waiting"})
	_ = waiting
	testapp.Create(t, e.app, "biotools_records", map[string]any{"submission": broken.Id, "biotools_id": "broken", "sync_error": "bio.tools answered 404"})
	_ = jobruns.Run(e.app, adminui.JobLicenses, "cli", func() (string, error) { return "", errors.New("network unreachable") })
	_ = jobruns.Run(e.app, adminui.JobEDAM, "cron", func() (string, error) { return "3 terms", nil })

	res := e.do(t, http.MethodGet, "/api/registry/admin/sync", nil, e.reviewer)
	if res.Status != 200 {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	var s syncAnswer
	res.JSON(t, &s)
	if s.CanRun {
		t.Error("a reviewer may start syncs")
	}
	if s.EDAM.Terms != 3 || s.EDAM.Topics != 1 || s.EDAM.Operations != 1 || s.EDAM.Obsolete != 1 || s.EDAM.Version != "1.25" ||
		!s.EDAM.Registered || s.EDAM.Schedule != "0 3 1 * *" || s.EDAM.LastRun == nil || !s.EDAM.LastRun.OK || s.EDAM.LastRun.Message != "3 terms" {
		t.Errorf("EDAM: %+v", s.EDAM)
	}
	if s.Licenses.Licenses != 2 || s.Licenses.Deprecated != 1 || s.Licenses.Version != "3.27" || s.Licenses.Registered ||
		s.Licenses.LastRun == nil || s.Licenses.LastRun.OK || s.Licenses.LastRun.Message != "network unreachable" {
		t.Errorf("licences: %+v", s.Licenses)
	}
	if s.Biotools.Records != 1 || s.Biotools.Failing != 1 || s.Biotools.Pending != 1 || len(s.Biotools.Problems) != 1 ||
		s.Biotools.Problems[0].ServiceName != "Broken Link" || s.Biotools.Problems[0].Error != "bio.tools answered 404" {
		t.Errorf("bio.tools: %+v", s.Biotools)
	}
	// the hooks schedule the outbox; the registration queued two emails
	if !s.Outbox.Registered || s.Outbox.Pending < 2 {
		t.Errorf("outbox: %+v", s.Outbox)
	}
	res = e.do(t, http.MethodGet, "/api/registry/admin/sync", nil, e.super)
	res.JSON(t, &s)
	if !s.CanRun {
		t.Error("a superuser may not start syncs")
	}
}

func TestSyncNow(t *testing.T) {
	started := make(chan struct{}, 10)
	release := make(chan struct{})
	e := newEnv(t, envOptions{before: func(app *tests.TestApp) {
		app.Cron().MustAdd(adminui.JobEDAM, "@monthly", func() {
			_ = jobruns.Run(app, adminui.JobEDAM, "cron", func() (string, error) {
				started <- struct{}{}
				<-release
				return "done", nil
			})
		})
	}})
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})

	res := e.do(t, http.MethodPost, "/api/registry/admin/sync/edam_sync", nil, e.super)
	if res.Status != http.StatusAccepted || !strings.Contains(string(res.Body), `"started":true`) {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the job did not start")
	}
	res = e.do(t, http.MethodPost, "/api/registry/admin/sync/edam_sync", nil, e.super)
	if res.Status != http.StatusConflict || !strings.Contains(string(res.Body), "already running") {
		t.Errorf("second start while running: %d %s", res.Status, res.Body)
	}
	close(release)
	deadline := time.Now().Add(5 * time.Second)
	for {
		last, ok, _ := jobruns.Get(e.app, adminui.JobEDAM)
		if ok && !last.Running && last.OK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job did not finish: %+v", last)
		}
		time.Sleep(20 * time.Millisecond)
	}

	for _, tc := range []struct {
		job  string
		want int
		text string
	}{
		{"licenses_sync", 404, "not scheduled on this installation"},
		{"__pbDBOptimize__", 404, "Unknown job"},
		{"rm -rf", 404, ""},
	} {
		res := e.do(t, http.MethodPost, "/api/registry/admin/sync/"+strings.ReplaceAll(tc.job, " ", "%20"), nil, e.super)
		if res.Status != tc.want || !strings.Contains(string(res.Body), tc.text) {
			t.Errorf("%s: %d %s", tc.job, res.Status, res.Body)
		}
	}
}
