package hooks_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/denbi/service-registry/config"
	"github.com/denbi/service-registry/hooks"
	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestEveryResponseCarriesRequestIDAndSecurityHeaders(t *testing.T) {
	app := apptest.New(t)
	srv := testapp.Server(t, app)

	requests := []struct {
		method, path string
		headers      []string
		status       int
	}{
		{http.MethodGet, "/", nil, 200},
		{http.MethodGet, "/health/live/", nil, 200},
		{http.MethodGet, "/health/ready", nil, http.StatusMovedPermanently},
		{http.MethodGet, "/api/foo", nil, 404},
		{http.MethodGet, "/no-such-page/", nil, 404},
		{http.MethodGet, "/api/v1/", nil, 403},
		{http.MethodGet, "/api/v1/", []string{"Authorization: AdminKey nope-nope-nope-nope-nope"}, 403},
		{http.MethodGet, "/admin-denbi/", nil, 302},
		{http.MethodPost, "/api/collections/submissions/records", nil, 400},
		{http.MethodGet, "/api/health", nil, 200},
	}
	seen := map[string]bool{}
	for _, r := range requests {
		res := testapp.Do(t, srv, r.method, r.path, nil, r.headers...)
		if res.Status != r.status {
			t.Errorf("%s %s: status %d, want %d (%s)", r.method, r.path, res.Status, r.status, res.Body)
		}
		id := res.Header.Get(hooks.RequestIDHeader)
		if !uuidPattern.MatchString(id) {
			t.Errorf("%s %s: X-Request-ID %q is not a UUIDv4", r.method, r.path, id)
		}
		if seen[id] {
			t.Errorf("%s %s: request id %s reused", r.method, r.path, id)
		}
		seen[id] = true
		for header, want := range map[string]string{
			"X-Frame-Options":         "DENY",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "strict-origin-when-cross-origin",
			"Content-Security-Policy": hooks.PageCSP,
		} {
			if got := res.Header.Get(header); got != want {
				t.Errorf("%s %s: %s = %q, want %q", r.method, r.path, header, got, want)
			}
		}
		if res.Header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s %s: HSTS must be off without https", r.method, r.path)
		}
	}
}

func TestIncomingRequestIDIsNotTrusted(t *testing.T) {
	srv := testapp.Server(t, apptest.New(t))
	res := testapp.Do(t, srv, http.MethodGet, "/health/live/", nil, "X-Request-ID: forged-id")
	if got := res.Header.Get(hooks.RequestIDHeader); got == "forged-id" || !uuidPattern.MatchString(got) {
		t.Fatalf("request id %q", got)
	}
}

func TestDashboardAndUploadsKeepTheirOwnPolicy(t *testing.T) {
	srv := testapp.Server(t, apptest.New(t))
	res := testapp.Do(t, srv, http.MethodGet, "/_/", nil)
	if csp := res.Header.Get("Content-Security-Policy"); csp == hooks.PageCSP {
		t.Fatalf("the dashboard must keep its own CSP, got ours")
	}
	if res.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("X-Frame-Options must be DENY on the dashboard too")
	}
	res = testapp.Do(t, srv, http.MethodGet, "/api/files/submissions/x/logo.svg", nil)
	if csp := res.Header.Get("Content-Security-Policy"); csp != hooks.UploadCSP || !strings.Contains(csp, "sandbox") {
		t.Fatalf("uploads need the sandboxing CSP, got %q", csp)
	}
}

func TestHTTPSModeRedirectsAndSendsHSTS(t *testing.T) {
	app := apptest.New(t, func(c *config.Config) { c.Security.HTTPS = true })
	srv := testapp.Server(t, app)

	res := testapp.Do(t, srv, http.MethodGet, "/register/?a=1", nil)
	if res.Status != http.StatusMovedPermanently {
		t.Fatalf("plain http must be redirected, got %d", res.Status)
	}
	if loc := res.Header.Get("Location"); loc != "https://example.com/register/?a=1" {
		t.Fatalf("redirect target %q", loc)
	}
	if !strings.HasPrefix(res.Header.Get("Strict-Transport-Security"), "max-age=31536000") {
		t.Fatalf("HSTS missing: %q", res.Header.Get("Strict-Transport-Security"))
	}
	if res.Header.Get(hooks.RequestIDHeader) == "" {
		t.Fatal("the redirect must carry X-Request-ID")
	}

	res = testapp.Do(t, srv, http.MethodGet, "/", nil, "X-Forwarded-Proto: https")
	if res.Status != http.StatusOK || res.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("a request that arrived over https must be served with HSTS: %d", res.Status)
	}

	res = testapp.Do(t, srv, http.MethodGet, "/health/ready/", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("health checks from inside must not be redirected: %d", res.Status)
	}
}
