package verify_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/denbi/service-registry/config"
	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/denbi/service-registry/internal/verify"
)

// deployment starts an in-process registry with reference data and the EDAM
// term the checks look for, optionally wrapped.
func deployment(t *testing.T, wrap func(http.Handler) http.Handler, options ...func(*config.Config)) (*httptest.Server, string) {
	t.Helper()
	app := apptest.New(t, options...)
	testapp.Seed(t, app)
	testapp.Create(t, app, "edam_terms", map[string]any{"id": "100121", "uri": "http://edamontology.org/topic_0121",
		"accession": "topic_0121", "branch": "topic", "label": "Proteomics", "sort_order": 121})
	admin := testapp.AdminKey(t, app, "full")
	var h http.Handler = testapp.Server(t, app)
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, admin
}

func find(t *testing.T, r verify.Report, prefix string) verify.Check {
	t.Helper()
	for _, c := range r.Checks {
		if strings.HasPrefix(c.Name, prefix) {
			return c
		}
	}
	t.Fatalf("no check %q in %v", prefix, r.Checks)
	return verify.Check{}
}

func TestMissingRouteFailsItsCheck(t *testing.T) {
	srv, _ := deployment(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/captcha/" {
				http.NotFound(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	report := verify.Run(context.Background(), verify.Options{URL: srv.URL})
	c := find(t, report, "captcha:")
	if c.Status != verify.Fail || !strings.Contains(c.Detail, "404") {
		t.Fatalf("captcha check: %v", c)
	}
	if report.OK() || !strings.Contains(report.Summary(), "failed") {
		t.Fatal("a failed check must fail the run")
	}
	if h := find(t, report, "health:"); h.Status != verify.Pass {
		t.Fatalf("the other checks still run: %v", h)
	}
}

func TestWrongAPIVersionFails(t *testing.T) {
	srv, _ := deployment(t, nil)
	report := verify.Run(context.Background(), verify.Options{URL: srv.URL, APIVersion: "9.9.9"})
	c := find(t, report, "schema:")
	if c.Status != verify.Fail {
		t.Fatalf("schema check with a wrong expected version: %v", c)
	}
}

func TestHTTPSWithoutHSTSFails(t *testing.T) {
	app := apptest.New(t) // security.https stays off: no HSTS
	srv := httptest.NewTLSServer(testapp.Server(t, app))
	t.Cleanup(srv.Close)
	report := verify.Run(context.Background(), verify.Options{URL: srv.URL, Client: srv.Client(), Retries: -1})
	c := find(t, report, "security: HSTS")
	if c.Status != verify.Fail || !strings.Contains(c.Detail, "security.https") {
		t.Fatalf("HSTS check: %v", c)
	}
}

func TestSecurityChecksCatchALeakyDeployment(t *testing.T) {
	// a proxy that answers unauthenticated list requests and drops the
	// frame protection
	srv, _ := deployment(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/v1/biotools/" {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"count":0,"results":[]}`))
				return
			}
			next.ServeHTTP(w, r)
			w.Header().Del("X-Frame-Options")
		})
	})
	report := verify.Run(context.Background(), verify.Options{URL: srv.URL})
	if c := find(t, report, "security: /api/v1/biotools/"); c.Status != verify.Fail {
		t.Errorf("an open bio.tools list must fail: %v", c)
	}
}

func TestWriteChecksRegisterChangeAndDeprecate(t *testing.T) {
	srv, admin := deployment(t, nil)
	report := verify.Run(context.Background(), verify.Options{URL: srv.URL, AdminKey: admin, Write: true})
	for _, prefix := range []string{"write: register", "write: read", "write: change", "write: deprecate", "admin:"} {
		if c := find(t, report, prefix); c.Status != verify.Pass {
			t.Errorf("%s: %v", prefix, c)
		}
	}

	none := verify.Run(context.Background(), verify.Options{URL: srv.URL})
	if c := find(t, none, "write: register"); c.Status != verify.Skip {
		t.Errorf("without --write nothing is created: %v", c)
	}
	noKey := verify.Run(context.Background(), verify.Options{URL: srv.URL, Write: true})
	if c := find(t, noKey, "write: register"); c.Status != verify.Fail || !strings.Contains(c.Detail, "--admin-key") {
		t.Errorf("--write without a key: %v", c)
	}
}

func TestUnreachableDeploymentFailsFast(t *testing.T) {
	report := verify.Run(context.Background(), verify.Options{URL: "http://127.0.0.1:1", Retries: -1})
	if report.OK() || report.Passed != 0 {
		t.Fatalf("nothing can pass against a closed port: %s", report.Summary())
	}
	bad := verify.Run(context.Background(), verify.Options{URL: "ftp://x"})
	if bad.OK() || !strings.Contains(bad.Checks[0].Detail, "http") {
		t.Fatalf("a bad URL: %v", bad.Checks)
	}
}
