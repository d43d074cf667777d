package adminui_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestDashboardExtensionIsServed: PocketBase concatenates main.js into
// /_/extensions.js and serves the other files below /_/extensions/registry/;
// neither may stay in browsers' caches across a release.
func TestDashboardExtensionIsServed(t *testing.T) {
	e := newEnv(t)
	res := e.do(t, http.MethodGet, "/_/extensions.js", nil, "")
	if res.Status != 200 || !strings.Contains(string(res.Body), `app.routes.superuserOnly("#/registry"`) ||
		!strings.HasPrefix(string(res.Body), "await (async function(){") {
		t.Fatalf("extensions.js: %d %.200s", res.Status, res.Body)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("extensions.js Cache-Control %q", cc)
	}
	for _, file := range []struct{ name, contentType, contains string }{
		{"registry.js", "text/javascript", "export function mountRegistry"},
		{"registry.css", "text/css", ".rg-root"},
	} {
		res := e.do(t, http.MethodGet, "/_/extensions/registry/"+file.name, nil, "")
		if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), file.contentType) ||
			!strings.Contains(string(res.Body), file.contains) {
			t.Errorf("%s: %d %q", file.name, res.Status, res.Header.Get("Content-Type"))
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s Cache-Control %q", file.name, cc)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("%s CSP %q", file.name, csp)
		}
	}
}

// TestReviewPage: the staff page and its scripts are served under the
// site's strict CSP; the dashboard's entry script is not.
func TestReviewPage(t *testing.T) {
	e := newEnv(t)
	res := e.do(t, http.MethodGet, "/review", nil, "")
	if res.Status != http.StatusMovedPermanently || res.Header.Get("Location") != "/review/" {
		t.Errorf("/review: %d %q", res.Status, res.Header.Get("Location"))
	}
	res = e.do(t, http.MethodGet, "/review/", nil, "")
	if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(res.Body), `<script type="module" src="/review/review.js">`) {
		t.Fatalf("/review/: %d %s", res.Status, res.Body)
	}
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	if strings.Contains(string(res.Body), "style=") || strings.Contains(string(res.Body), "<script>") {
		t.Error("inline styles or scripts would break the CSP")
	}
	for _, name := range []string{"review.js", "registry.js", "registry.css"} {
		if res := e.do(t, http.MethodGet, "/review/"+name, nil, ""); res.Status != 200 || res.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: %d %q", name, res.Status, res.Header.Get("Cache-Control"))
		}
	}
	for _, name := range []string{"main.js", "adminui.go", "review.html/x"} {
		if res := e.do(t, http.MethodGet, "/review/"+name, nil, ""); res.Status != 404 {
			t.Errorf("%s: %d", name, res.Status)
		}
	}
	// the page imports the SDK another part of the site serves
	if !strings.Contains(mustGet(t, e, "/review/review.js"), `from "/vendor/pocketbase/pocketbase.es.js"`) {
		t.Error("review.js does not use the vendored SDK")
	}
}

func mustGet(t *testing.T, e *env, path string) string {
	t.Helper()
	res := e.do(t, http.MethodGet, path, nil, "")
	if res.Status != 200 {
		t.Fatalf("%s: %d", path, res.Status)
	}
	return string(res.Body)
}
