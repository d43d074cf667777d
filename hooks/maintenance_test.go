package hooks_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/denbi/service-registry/config"
	"github.com/denbi/service-registry/hooks"
	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
)

func TestMaintenanceModeKeepsThePublicOutButNotAdmins(t *testing.T) {
	app := apptest.New(t, func(c *config.Config) { c.Maintenance = true })
	srv := testapp.Server(t, app)
	token := testapp.Superuser(t, app, "office@example.org")

	home := testapp.Do(t, srv, http.MethodGet, "/", nil)
	if home.Status != 503 || !strings.Contains(string(home.Body), "Back in a few minutes") || home.Header.Get("Retry-After") == "" {
		t.Fatalf("public page: %d %.120s", home.Status, home.Body)
	}
	api := testapp.Do(t, srv, http.MethodGet, "/api/v1/edam/", nil)
	if api.Status != 503 || !strings.Contains(string(api.Body), `"request_id"`) || !strings.Contains(string(api.Body), "maintenance") {
		t.Fatalf("API during maintenance: %d %s", api.Status, api.Body)
	}
	if res := testapp.Do(t, srv, http.MethodPost, "/api/v1/submissions/", "{}"); res.Status != 503 {
		t.Fatalf("writes are refused too: %d", res.Status)
	}
	ready := testapp.Do(t, srv, http.MethodGet, "/health/ready/", nil)
	if ready.Status != 503 || string(ready.Body) != `{"status":"maintenance"}` {
		t.Fatalf("readiness: %d %s", ready.Status, ready.Body)
	}
	if live := testapp.Do(t, srv, http.MethodGet, "/health/live/", nil); live.Status != 200 {
		t.Fatalf("liveness: %d", live.Status)
	}
	if res := testapp.Do(t, srv, http.MethodGet, "/api/v1/edam/", nil, "Authorization: "+token); res.Status != 200 {
		t.Fatalf("superusers keep API access: %d %s", res.Status, res.Body)
	}
	login := testapp.Do(t, srv, http.MethodPost, "/api/collections/_superusers/auth-with-password",
		map[string]any{"identity": "office@example.org", "password": "a-long-test-password"})
	if login.Status != 200 {
		t.Fatalf("superusers can still log in: %d %s", login.Status, login.Body)
	}
}

func TestMaintenanceFlagFileNeedsNoRestart(t *testing.T) {
	app := apptest.New(t)
	srv := testapp.Server(t, app)
	if res := testapp.Do(t, srv, http.MethodGet, "/", nil); res.Status != 200 {
		t.Fatalf("before: %d", res.Status)
	}
	flag := filepath.Join(app.DataDir(), hooks.MaintenanceFile)
	if err := os.WriteFile(flag, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, srv, "/", 503)
	if err := os.Remove(flag); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, srv, "/", 200)
}

func waitStatus(t *testing.T, srv http.Handler, path string, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		res := testapp.Do(t, srv, http.MethodGet, path, nil)
		if res.Status == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s stayed %d, want %d", path, res.Status, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
