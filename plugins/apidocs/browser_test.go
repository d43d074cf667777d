package apidocs_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/denbi/service-registry/internal/browsertest"
)

// startBinary runs the real registry and fails with what to do when the
// plugin is not wired into it yet.
func startBinary(t *testing.T) *browsertest.Server {
	t.Helper()
	srv := browsertest.StartServer(t, nil)
	client := &http.Client{Timeout: 10 * time.Second}
	res, err := client.Get(srv.URL + "/api/schema/?format=json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		t.Fatal("the binary does not serve /api/schema/: register plugins/apidocs in internal/setup (apidocs.Register)")
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"openapi": "3.1.0"`) {
		t.Fatalf("GET /api/schema/?format=json: %d %.200s", res.StatusCode, body)
	}
	return srv
}

// TestSwaggerUIInTheBrowser loads /api/docs/ in Chromium: the operations
// are listed, an operation and the key dialog open, and nothing breaks the
// page policy or leaves the origin.
func TestSwaggerUIInTheBrowser(t *testing.T) {
	srv := startBinary(t)
	page := browsertest.NewPage(t)
	page.Run(t,
		chromedp.Navigate(srv.URL+"/api/docs/"),
		chromedp.WaitVisible(chromedp.CSS(".opblock-summary-path")),
	)
	title := browsertest.Value(t, page, chromedp.Text(chromedp.CSS(".information-container .title")))
	if !strings.Contains(title, "de.NBI Service Registry API") {
		t.Errorf("title %q", title)
	}
	operations := browsertest.Value(t, page, chromedp.Evaluate[int](`document.querySelectorAll(".opblock").length`))
	if operations < 40 {
		t.Errorf("Swagger UI lists %d operations, want every documented one (40+)", operations)
	}
	paths := browsertest.Value(t, page, chromedp.Evaluate[string](
		`Array.from(document.querySelectorAll(".opblock-summary-path")).map(e => e.dataset.path).join(" ")`))
	for _, want := range []string{"/api/v1/submissions/", "/api/v1/edam/", "/captcha/", "/health/ready/", "/api/collections/submissions/records"} {
		if !strings.Contains(paths, want) {
			t.Errorf("%s is not listed", want)
		}
	}

	// open the registration operation: parameters, body schema and responses render
	page.Run(t,
		chromedp.Click(chromedp.CSS(`#operations-Submissions-v1CreateSubmission .opblock-summary-control`)),
		chromedp.WaitVisible(chromedp.CSS(`#operations-Submissions-v1CreateSubmission .responses-table`)),
	)
	opened := browsertest.Value(t, page, chromedp.Text(chromedp.CSS(`#operations-Submissions-v1CreateSubmission`)))
	if !strings.Contains(opened, "201") || !strings.Contains(opened, "api_key") {
		t.Errorf("the opened operation lacks its 201 answer with api_key:\n%.500s", opened)
	}
	// the key dialog lists both schemes
	page.Run(t,
		chromedp.Click(chromedp.CSS(`.auth-wrapper .authorize`)),
		chromedp.WaitVisible(chromedp.CSS(`.modal-ux`)),
	)
	dialog := browsertest.Value(t, page, chromedp.Text(chromedp.CSS(`.modal-ux`)))
	if !strings.Contains(dialog, "ApiKey") || !strings.Contains(dialog, "AdminKey") {
		t.Errorf("the Authorize dialog lacks a scheme:\n%.500s", dialog)
	}
	page.Run(t, chromedp.Click(chromedp.CSS(`.modal-ux .close-modal`)))

	page.Screenshot(t, "api-docs")
	page.AssertClean(t, srv.URL)
}

// TestRedocInTheBrowser loads /api/redoc/ in Chromium: the title and the
// operations render, the search (a worker) answers, and nothing breaks the
// page policy or leaves the origin.
func TestRedocInTheBrowser(t *testing.T) {
	srv := startBinary(t)
	page := browsertest.NewPage(t)
	page.Run(t,
		chromedp.Navigate(srv.URL+"/api/redoc/"),
		chromedp.WaitVisible(chromedp.CSS(".api-content h1")),
	)
	title := browsertest.Value(t, page, chromedp.Text(chromedp.CSS(".api-content h1")))
	if !strings.Contains(title, "de.NBI Service Registry API") {
		t.Errorf("title %q", title)
	}
	operations := browsertest.Value(t, page, chromedp.Evaluate[int](`document.querySelectorAll('[data-section-id^="operation/"]').length`))
	if operations < 40 {
		t.Errorf("ReDoc shows %d operations, want every documented one (40+)", operations)
	}
	// ReDoc's styles arrived: a style sheet of its own is in effect
	styled := browsertest.Value(t, page, chromedp.Evaluate[bool](
		`Array.from(document.querySelectorAll("style[data-styled]")).some(s => s.sheet && s.sheet.cssRules.length > 0)`))
	if !styled {
		t.Error("ReDoc's run-time styles were not applied")
	}
	page.Run(t,
		chromedp.SendKeys(chromedp.CSS(`input[role="search"], .search-input`), "deprecate"),
		chromedp.WaitVisible(chromedp.CSS(`[data-role="search:results"]`)),
	)
	viewportScreenshot(t, page, "api-redoc")
	page.AssertClean(t, srv.URL)
}

// viewportScreenshot saves what the window shows as
// test-output/screenshots/<name>.png. ReDoc renders the whole document
// into one page, so a full-page shot would be some 80,000 pixels tall.
func viewportScreenshot(t *testing.T, page *browsertest.Page, name string) {
	t.Helper()
	png := browsertest.Value(t, page, chromedp.CaptureScreenshot())
	dir := filepath.Join(browsertest.RepoRoot(t), "test-output", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}
