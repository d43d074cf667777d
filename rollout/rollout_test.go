// Package rollout_test exercises the release runbook with real binaries:
// upgrade with a migration, rollback with "migrate down" and the previous
// binary, restore from a backup, and scripts/deploy.sh rolling back a
// release that never becomes ready.
package rollout_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/denbi/service-registry/internal/browsertest"
)

// release is one built binary.
type release struct {
	version, path string
}

// build compiles the registry with a version and build tags into dir.
func build(t *testing.T, root, dir, version string, tags ...string) release {
	t.Helper()
	path := filepath.Join(dir, "registry-"+version)
	args := []string{"build", "-o", path,
		"-ldflags", "-X github.com/denbi/service-registry/internal/buildinfo.Version=" + version}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	cmd := exec.Command("go", append(args, ".")...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", version, err, out)
	}
	return release{version: version, path: path}
}

// site is one installation: a binary path, a data directory, a port.
type site struct {
	t       *testing.T
	dir     string
	install string
	data    string
	addr    string
	log     string
	pidFile string
}

func (s *site) url() string { return "http://" + s.addr }

// startCmd and stopCmd are the shell commands the deploy script uses.
func (s *site) startCmd() string {
	return fmt.Sprintf("REGISTRY_RATELIMIT__ENABLED=false REGISTRY_EDAM__SYNC_ON_START=false REGISTRY_LICENSES__SYNC_ON_START=false "+
		"REGISTRY_BIOTOOLS__API_URL=http://127.0.0.1:1/api REGISTRY_SITE__URL=%s nohup %s serve --http %s --dir %s >>%s 2>&1 & echo $! > %s",
		s.url(), s.install, s.addr, s.data, s.log, s.pidFile)
}

func (s *site) stopCmd() string {
	return fmt.Sprintf(`if [ -f %[1]s ]; then p=$(cat %[1]s); kill $p 2>/dev/null || true; while kill -0 $p 2>/dev/null; do sleep 0.1; done; rm -f %[1]s; fi`, s.pidFile)
}

func (s *site) sh(command string) {
	s.t.Helper()
	if out, err := exec.Command("sh", "-c", command).CombinedOutput(); err != nil {
		s.t.Fatalf("%s: %v\n%s", command, err, out)
	}
}

func (s *site) start() { s.t.Helper(); s.sh(s.startCmd()); s.waitReady() }
func (s *site) stop()  { s.t.Helper(); s.sh(s.stopCmd()) }

func (s *site) waitReady() {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(s.url() + "/health/ready/"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	log, _ := os.ReadFile(s.log)
	s.t.Fatalf("not ready:\n%s", log)
}

// cli runs the installed binary against the site's data.
func (s *site) cli(stdin string, args ...string) string {
	s.t.Helper()
	cmd := exec.Command(s.install, append(args, "--dir", s.data)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.t.Fatalf("registry %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (s *site) install1(r release) {
	s.t.Helper()
	raw, err := os.ReadFile(r.path)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(s.install, raw, 0o755); err != nil {
		s.t.Fatal(err)
	}
}

// request sends one API request and decodes a JSON answer.
func (s *site) request(method, path, auth string, body any) (int, map[string]any) {
	s.t.Helper()
	var reader io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		reader = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, s.url()+path, reader)
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (s *site) liveVersion() string {
	_, body := s.request(http.MethodGet, "/health/live/", "", nil)
	v, _ := body["version"].(string)
	return v
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func TestUpgradeRollbackRestoreAndAutomaticRollback(t *testing.T) {
	if testing.Short() {
		t.Skip("builds three binaries; skipped with -short")
	}
	root := browsertest.RepoRoot(t)
	work := filepath.Join(root, "test-output", "rollout")
	_ = os.RemoveAll(work)
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	browsertest.UnsetRegistrySettings(t)
	v1 := build(t, root, work, "1.0.0")
	v2 := build(t, root, work, "2.0.0", "rollouttest")
	broken := build(t, root, work, "2.0.1", "rollouttest_broken")

	s := &site{t: t, dir: work, install: filepath.Join(work, "registry"), data: filepath.Join(work, "pb_data"),
		addr: freeAddr(t), log: filepath.Join(work, "server.log"), pidFile: filepath.Join(work, "server.pid")}
	t.Cleanup(func() { _ = exec.Command("sh", "-c", s.stopCmd()).Run() })

	// v1 with data: demo reference data, an admin key, a registration and its key
	s.install1(v1)
	s.cli("", "seed", "demo")
	adminKey := lastLine(s.cli("", "adminkey", "create", "--label", "rollout", "--scope", "full"))
	s.cli("", "superuser", "upsert", "ops@example.org", "a-long-rollout-password")
	s.start()
	if v := s.liveVersion(); v != "1.0.0" {
		t.Fatalf("v1 reports %q", v)
	}
	status, created := s.request(http.MethodPost, "/api/v1/submissions/", "", rolloutSubmission(t, s, adminKey))
	if status != 201 {
		t.Fatalf("registration on v1: %d %v", status, created)
	}
	subID, subKey := created["id"].(string), created["api_key"].(string)
	countOn := func(label string) int {
		t.Helper()
		status, page := s.request(http.MethodGet, "/api/v1/submissions/", "AdminKey "+adminKey, nil)
		if status != 200 {
			t.Fatalf("%s: list %d %v", label, status, page)
		}
		return int(page["count"].(float64))
	}
	keyWorks := func(label string) {
		t.Helper()
		if status, body := s.request(http.MethodGet, "/api/v1/submissions/"+subID+"/", "ApiKey "+subKey, nil); status != 200 || body["id"] != subID {
			t.Fatalf("%s: the key issued on v1 stopped working: %d %v", label, status, body)
		}
	}
	superuserSees := func(collection string) int {
		t.Helper()
		_, auth := s.request(http.MethodPost, "/api/collections/_superusers/auth-with-password", "",
			map[string]any{"identity": "ops@example.org", "password": "a-long-rollout-password"})
		status, _ := s.request(http.MethodGet, "/api/collections/"+collection+"/records", auth["token"].(string), nil)
		return status
	}
	before := countOn("v1")

	// upgrade to v2 with the deploy script: its migration applies, data stays
	deploy := func(r release) ([]byte, error) {
		cmd := exec.Command(filepath.Join(root, "scripts", "deploy.sh"),
			"--binary", r.path, "--install", s.install, "--data", s.data, "--url", s.url(),
			"--attempts", "40", "--interval", "0.25", "--stop-cmd", s.stopCmd(), "--start-cmd", s.startCmd())
		return cmd.CombinedOutput()
	}
	if out, err := deploy(v2); err != nil {
		t.Fatalf("deploying v2: %v\n%s", err, out)
	}
	if v := s.liveVersion(); v != "2.0.0" {
		t.Fatalf("after the upgrade the live version is %q", v)
	}
	if superuserSees("rollout_checks") != 200 {
		t.Fatal("v2's migration was not applied")
	}
	if got := countOn("v2"); got != before {
		t.Fatalf("records after the upgrade: %d, want %d", got, before)
	}
	keyWorks("v2")

	// roll back by hand: revert v2's migration with v2, then start v1
	s.stop()
	s.cli("y\n", "migrate", "down", "1")
	s.install1(v1)
	s.start()
	if v := s.liveVersion(); v != "1.0.0" {
		t.Fatalf("after the rollback the live version is %q", v)
	}
	if superuserSees("rollout_checks") != 404 {
		t.Fatal("migrate down did not revert v2's collection")
	}
	if got := countOn("rollback"); got != before {
		t.Fatalf("records after the rollback: %d, want %d", got, before)
	}
	keyWorks("rollback")

	// restore: a backup, a later change, then the backup again
	s.cli("", "backup", "create", "known-good.zip")
	if status, _ := s.request(http.MethodPost, "/api/v1/submissions/", "", rolloutSubmission(t, s, adminKey)); status != 201 {
		t.Fatal("second registration failed")
	}
	if countOn("after a new registration") != before+1 {
		t.Fatal("the new registration is missing")
	}
	s.stop()
	s.cli("", "backup", "restore", "known-good.zip", "--yes")
	s.start()
	if got := countOn("restored"); got != before {
		t.Fatalf("records after the restore: %d, want %d", got, before)
	}
	keyWorks("restored")

	// a broken release: the deploy script must roll back to v1 on its own
	out, err := deploy(broken)
	if err == nil {
		t.Fatalf("deploying a broken release must fail:\n%s", out)
	}
	if !strings.Contains(string(out), "ROLLING BACK") || !strings.Contains(string(out), "rolled back to 1.0.0") {
		t.Fatalf("deploy output:\n%s", out)
	}
	if v := s.liveVersion(); v != "1.0.0" {
		t.Fatalf("after the automatic rollback the live version is %q\n%s", v, out)
	}
	if got := countOn("automatic rollback"); got != before {
		t.Fatalf("records after the automatic rollback: %d, want %d", got, before)
	}
	keyWorks("automatic rollback")
}

// rolloutSubmission is a valid /api/v1 registration using the site's demo
// reference data.
func rolloutSubmission(t *testing.T, s *site, adminKey string) map[string]any {
	t.Helper()
	first := func(path string) any {
		req, _ := http.NewRequest(http.MethodGet, s.url()+path, nil)
		req.Header.Set("Authorization", "AdminKey "+adminKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var items []map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&items); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, item := range items {
			if item["is_associated_partner"] != true {
				return item["id"]
			}
		}
		t.Fatalf("%s: no usable entry", path)
		return nil
	}
	return map[string]any{
		"date_of_entry": time.Now().UTC().Format("2006-01-02"), "submitter_first_name": "Roll", "submitter_last_name": "Out",
		"submitter_affiliation": "Operations", "service_name": "Rollout service " + time.Now().Format("150405.000"),
		"service_description": "A service registered by the rollout test to check that data survives upgrades and rollbacks.",
		"year_established":    2020, "service_category_ids": []any{first("/api/v1/categories/")},
		"responsible_pi_ids": []any{first("/api/v1/pis/")}, "service_center_id": first("/api/v1/service-centers/"),
		"publications_pmids": "1234567", "host_institute": "Operations", "public_contact_email": "ops@example.org",
		"internal_contact_name": "Ops", "internal_contact_email": "ops@example.org", "website_url": "https://example.org",
		"terms_of_use_url": "https://example.org/terms", "license_note": "Not applicable", "kpi_monitoring": "planned",
		"data_protection_consent": true,
	}
}
