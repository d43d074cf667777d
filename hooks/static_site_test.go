package hooks_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/denbi/service-registry/config"
	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
)

func TestStaticSiteAndNotFound(t *testing.T) {
	srv := testapp.Server(t, apptest.New(t))

	res := testapp.Do(t, srv, http.MethodGet, "/", nil)
	if res.Status != 200 || !strings.Contains(string(res.Body), `href="/register/"`) || !strings.Contains(string(res.Body), `href="/update/"`) {
		t.Fatalf("home page: %d %.200s", res.Status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("home page content type %q", ct)
	}

	res = testapp.Do(t, srv, http.MethodGet, "/api/foo", nil)
	if res.Status != 404 || res.Map(t)["status"] != float64(404) {
		t.Fatalf("unknown /api/ paths must get a JSON 404: %d %s", res.Status, res.Body)
	}

	res = testapp.Do(t, srv, http.MethodGet, "/api/v1/nothing-here/", nil)
	if res.Status != 404 || !strings.Contains(string(res.Body), `"error":{"detail":`) {
		t.Fatalf("unknown /api/v1/ paths must get the v1 envelope: %d %s", res.Status, res.Body)
	}

	res = testapp.Do(t, srv, http.MethodGet, "/definitely/not/here", nil)
	if res.Status != 404 || !strings.Contains(string(res.Body), "Page not found") {
		t.Fatalf("unknown pages must get the HTML 404 page: %d %.200s", res.Status, res.Body)
	}

	res = testapp.Do(t, srv, http.MethodGet, "/css/site.css", nil)
	if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("stylesheet: %d %q", res.Status, res.Header.Get("Content-Type"))
	}
}

func TestAdminPrefixLeadsToDashboard(t *testing.T) {
	srv := testapp.Server(t, apptest.New(t, func(c *config.Config) { c.Admin.URLPrefix = "office" }))
	for _, path := range []string{"/office", "/office/", "/office/anything"} {
		res := testapp.Do(t, srv, http.MethodGet, path, nil)
		if res.Status != http.StatusFound || res.Header.Get("Location") != "/_/" {
			t.Errorf("%s: %d → %q", path, res.Status, res.Header.Get("Location"))
		}
	}
	if res := testapp.Do(t, srv, http.MethodGet, "/admin-denbi/", nil); res.Status != 404 {
		t.Errorf("the default prefix must not answer once changed: %d", res.Status)
	}
}
