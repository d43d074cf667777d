package apidocs_test

import (
	"bytes"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/denbi/service-registry/pb_public"
	"github.com/denbi/service-registry/plugins/apidocs"
)

var testConfig = apidocs.Config{
	Title: "Registry Test API", Version: "3.1.4", ContactEmail: "office@example.org", ServerURL: "http://127.0.0.1:8090",
}

// newServer is an app with the registry's hooks (headers, request ids) and
// this plugin.
func newServer(t testing.TB) http.Handler {
	t.Helper()
	app := apptest.NewCore(t)
	if err := apidocs.Register(app, testConfig); err != nil {
		t.Fatal(err)
	}
	return testapp.Server(t, app)
}

func TestSchemaRoute(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	want := render(t, testConfig)

	res := testapp.Do(t, srv, http.MethodGet, "/api/schema/", nil)
	if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/yaml") {
		t.Fatalf("GET /api/schema/: %d %s", res.Status, res.Header.Get("Content-Type"))
	}
	if !bytes.Equal(res.Body, want.YAML) {
		t.Error("the YAML served is not the rendered document")
	}
	if !bytes.Contains(res.Body, []byte("title: Registry Test API")) || !bytes.Contains(res.Body, []byte("version: 3.1.4")) {
		t.Error("the configured title and version are missing")
	}

	jsonRes := testapp.Do(t, srv, http.MethodGet, "/api/schema/?format=json", nil)
	if jsonRes.Status != http.StatusOK || jsonRes.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("?format=json: %d %s", jsonRes.Status, jsonRes.Header.Get("Content-Type"))
	}
	if !bytes.Equal(jsonRes.Body, want.JSON) {
		t.Error("the JSON served is not the rendered document")
	}
	if body := jsonRes.Map(t); body["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v", body["openapi"])
	}

	// revalidation with the ETag
	etag := res.Header.Get("ETag")
	if etag == "" || etag == jsonRes.Header.Get("ETag") {
		t.Fatalf("ETags: YAML %q, JSON %q (want two different ones)", etag, jsonRes.Header.Get("ETag"))
	}
	again := testapp.Do(t, srv, http.MethodGet, "/api/schema/", nil, "If-None-Match: "+etag)
	if again.Status != http.StatusNotModified || len(again.Body) != 0 {
		t.Errorf("If-None-Match with the current ETag: %d (%d bytes), want 304 without a body", again.Status, len(again.Body))
	}
	stale := testapp.Do(t, srv, http.MethodGet, "/api/schema/", nil, `If-None-Match: "stale"`)
	if stale.Status != http.StatusOK {
		t.Errorf("If-None-Match with another ETag: %d, want 200", stale.Status)
	}

	bad := testapp.Do(t, srv, http.MethodGet, "/api/schema/?format=xml", nil)
	if bad.Status != http.StatusBadRequest || !strings.Contains(string(bad.Body), "format=json") {
		t.Errorf("?format=xml: %d %s", bad.Status, bad.Body)
	}

	bare := testapp.Do(t, srv, http.MethodGet, "/api/schema?format=json", nil)
	if bare.Status != http.StatusMovedPermanently || bare.Header.Get("Location") != "/api/schema/?format=json" {
		t.Errorf("/api/schema: %d → %q", bare.Status, bare.Header.Get("Location"))
	}
	if bare.Header.Get("X-Request-ID") == "" {
		t.Error("the redirect must pass the registry's middleware (X-Request-ID)")
	}
}

var noncePattern = regexp.MustCompile(`'nonce-([A-Za-z0-9_-]{22})'`)

func TestRedocPageHasANonceOfItsOwn(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	nonces := map[string]bool{}
	for range 2 {
		res := testapp.Do(t, srv, http.MethodGet, "/api/redoc/", nil)
		if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET /api/redoc/: %d %s", res.Status, res.Header.Get("Content-Type"))
		}
		csp := res.Header.Get("Content-Security-Policy")
		m := noncePattern.FindStringSubmatch(csp)
		if m == nil {
			t.Fatalf("no nonce in the policy: %s", csp)
		}
		nonces[m[1]] = true
		if !strings.Contains(string(res.Body), `<script src="/js/api-redoc.js" nonce="`+m[1]+`"></script>`) {
			t.Errorf("the init script does not carry the policy's nonce:\n%s", res.Body)
		}
		for _, forbidden := range []string{"unsafe-inline", "unsafe-eval", "*"} {
			if strings.Contains(csp, forbidden) {
				t.Errorf("the ReDoc policy allows %s: %s", forbidden, csp)
			}
		}
		for _, kept := range []string{"script-src 'self';", "default-src 'self'", "frame-ancestors 'none'", "connect-src 'self'"} {
			if !strings.Contains(csp, kept) {
				t.Errorf("the ReDoc policy lost %q: %s", kept, csp)
			}
		}
		if res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control = %q: a page with a nonce must not be stored", res.Header.Get("Cache-Control"))
		}
		if strings.Contains(string(res.Body), "<style") || strings.Contains(string(res.Body), "style=") {
			t.Error("the page must not carry inline styles")
		}
		if !strings.Contains(string(res.Body), `<script src="/vendor/redoc/redoc.standalone.js"></script>`) {
			t.Error("ReDoc is not loaded from the vendored bundle")
		}
	}
	if len(nonces) != 2 {
		t.Error("two responses got the same nonce")
	}
}

func TestSwaggerPageKeepsThePagePolicy(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	res := testapp.Do(t, srv, http.MethodGet, "/api/docs/", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("GET /api/docs/: %d", res.Status)
	}
	body := string(res.Body)
	for _, want := range []string{
		`<title>Registry Test API: Swagger UI</title>`,
		`<script src="/vendor/swagger-ui/swagger-ui-bundle.js"></script>`,
		`<link rel="stylesheet" href="/vendor/swagger-ui/swagger-ui.css">`,
		`data-spec-url="/api/schema/?format=json"`,
		`<script src="/js/api-docs.js"></script>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	pagePolicy := testapp.Do(t, srv, http.MethodGet, "/health/live/", nil).Header.Get("Content-Security-Policy")
	if csp := res.Header.Get("Content-Security-Policy"); csp == "" || csp != pagePolicy {
		t.Errorf("the Swagger UI page must keep the registry's page policy %q, got %q", pagePolicy, csp)
	}
	if strings.Contains(body, "<style") || strings.Contains(body, "style=") || strings.Contains(body, "<script>") {
		t.Error("the page must not carry inline scripts or styles")
	}
	if res := testapp.Do(t, srv, http.MethodGet, "/api/docs", nil); res.Status != http.StatusMovedPermanently || res.Header.Get("Location") != "/api/docs/" {
		t.Errorf("/api/docs: %d → %q", res.Status, res.Header.Get("Location"))
	}
}

func TestRedocCSP(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct{ policy, want string }{
		"extends style-src": {
			"default-src 'self'; style-src 'self'; img-src 'self' data:",
			"default-src 'self'; style-src 'self' 'nonce-N' HASHES; img-src 'self' data:",
		},
		"adds style-src": {
			"default-src 'self'; img-src 'self'",
			"default-src 'self'; img-src 'self'; style-src 'self' 'nonce-N' HASHES",
		},
		"leaves style-src-elem alone": {
			"style-src-elem 'self'; style-src 'self' https://fonts.example",
			"style-src-elem 'self'; style-src 'self' https://fonts.example 'nonce-N' HASHES",
		},
		"default policy": {"", strings.Replace(apidocs.DefaultCSP, "style-src 'self'", "style-src 'self' 'nonce-N' HASHES", 1)},
	} {
		got := apidocs.RedocCSP(c.policy, "N")
		want := strings.Replace(c.want, "HASHES", "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' 'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='", 1)
		if got != want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
}

func TestRegisterChecksTheDocument(t *testing.T) {
	t.Parallel()
	if _, err := apidocs.RenderSource([]byte("openapi: 3.1.0\ninfo: [1, 2]\n"), apidocs.Config{}); err == nil {
		t.Error("a document without an info section rendered")
	}
	if _, err := apidocs.RenderSource([]byte("a: &x\n  b: *x\n"), apidocs.Config{}); err == nil {
		t.Error("a self-referencing alias rendered")
	}
	if _, err := apidocs.RenderSource([]byte("openapi: 3.1.0\ninfo:\n  title: x\n  title: y\n"), apidocs.Config{}); err == nil {
		t.Error("a duplicate key rendered")
	}
	if _, err := apidocs.RenderSource([]byte("x: 2026-01-01\n"), apidocs.Config{}); err == nil {
		t.Error("an unquoted timestamp rendered (JSON has no such type)")
	}
	// aliases of aliases: 10^9 nodes once resolved
	laughs := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i, prev := 1, "a"; i < 9; i++ {
		name := string(rune('a' + i))
		laughs += name + ": &" + name + " [" + strings.Repeat("*"+prev+", ", 9) + "*" + prev + "]\n"
		prev = name
	}
	if _, err := apidocs.RenderSource([]byte(laughs), apidocs.Config{}); err == nil || !strings.Contains(err.Error(), "nodes") {
		t.Errorf("aliases of aliases were not stopped: %v", err)
	}
	n, err := apidocs.CountNodes()
	if err != nil || n > 50_000 {
		t.Errorf("the document resolves to %d nodes (%v); keep maxNodes well above that", n, err)
	}
	t.Logf("the document resolves to %d YAML nodes", n)
}

// TestPagesLoadOnlyShippedFiles checks every file the two pages load is in
// the embedded site, and the vendored bundles name no other origin that a
// browser would fetch from.
func TestPagesLoadOnlyShippedFiles(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	site := pb_public.FS()
	ref := regexp.MustCompile(`(?:src|href)="(/[^"?]*)"`)
	for _, page := range []string{"/api/docs/", "/api/redoc/"} {
		res := testapp.Do(t, srv, http.MethodGet, page, nil)
		for _, m := range ref.FindAllStringSubmatch(string(res.Body), -1) {
			path := m[1]
			if strings.HasPrefix(path, "/api/") || path == "/" {
				continue // the document, the other page, the home page
			}
			if _, err := fs.Stat(site, strings.TrimPrefix(path, "/")); err != nil {
				t.Errorf("%s loads %s, which pb_public does not have", page, path)
			}
		}
	}
	redoc, err := fs.ReadFile(site, "vendor/redoc/redoc.standalone.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"cdn.redoc.ly", "fonts.googleapis.com", "fonts.gstatic.com"} {
		if bytes.Contains(redoc, []byte(host)) {
			t.Errorf("the ReDoc bundle still loads from %s (see vendor/redoc/README.md)", host)
		}
	}
	script, err := fs.ReadFile(site, "js/api-docs.js")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(script, []byte("validatorUrl: null")) {
		t.Error("Swagger UI must not send the document to validator.swagger.io")
	}
}
