package adminui_test

import (
	"bytes"
	"encoding/json"
	"github.com/denbi/service-registry/internal/testapp"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/denbi/service-registry/internal/browsertest"
	"github.com/denbi/service-registry/plugins/adminui"
	"github.com/pocketbase/pocketbase/core"
)

const browserPassword = "a-long-browser-password"

// TestBrowserDashboardRegistry runs the real binary: a superuser logs into
// /_/, opens the Registry page, finds a new submission in the review queue,
// approves it and sees its status change; the server agrees.
func TestBrowserDashboardRegistry(t *testing.T) {
	srv := browsertest.StartServer(t, []string{"REGISTRY_EDAM__SYNC_ON_START=false", "REGISTRY_LICENSES__SYNC_ON_START=false"})
	if res, err := http.Get(srv.URL + "/_/extensions/registry/registry.js"); err != nil || res.StatusCode != http.StatusOK {
		t.Fatal("the binary does not serve the Registry page: register plugins/adminui in internal/setup (adminui.Register)")
	}
	seedDemo(t, srv)
	srv.CLI(t, "superuser", "upsert", superEmail, browserPassword)
	token := superuserLogin(t, srv.URL, superEmail, browserPassword)
	id := createSubmissionOverAPI(t, srv.URL, token, "Browser Approved Tool")

	page := browsertest.NewPage(t)
	dashboardApprove(t, page, srv.URL, id, "Browser Approved Tool")

	var rec struct {
		Status string `json:"status"`
	}
	getJSON(t, srv.URL+"/api/collections/submissions/records/"+id, token, &rec)
	if rec.Status != "approved" {
		t.Errorf("the server says %q", rec.Status)
	}
	var log struct {
		Items []struct {
			ChangedBy string `json:"changed_by"`
		} `json:"items"`
	}
	getJSON(t, srv.URL+`/api/collections/submission_changes/records?filter=(submission="`+id+`")&sort=-created`, token, &log)
	if len(log.Items) == 0 || log.Items[0].ChangedBy != "admin:"+superEmail {
		t.Errorf("change log: %+v", log.Items)
	}

	// the record editor warns before deleting a submission with history
	page.Run(t,
		chromedp.Navigate(srv.URL+"/_/#/collections?collection=submissions&record="+id),
		chromedp.WaitVisible(chromedp.CSS(`button[title="More options"]`)),
		chromedp.Click(chromedp.CSS(`button[title="More options"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.modal-header-dropdown .dropdown-item.txt-danger`)),
		chromedp.Click(chromedp.CSS(`.modal-header-dropdown .dropdown-item.txt-danger`)),
		chromedp.WaitVisible(chromedp.CSS(`.modal.popup button.warning`)),
		chromedp.Click(chromedp.CSS(`.modal.popup button.warning`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog.rg-dialog .rg-warning`)),
	)
	warning := browsertest.Value(t, page, chromedp.Text(chromedp.CSS(`dialog.rg-dialog .rg-warning`)))
	if !strings.Contains(warning, "Permanent data loss: This submission has 1 change log entry") || !strings.Contains(warning, "Deprecated instead") {
		t.Errorf("warning %q", warning)
	}
	page.Screenshot(t, "admin-delete-warning")
	page.Run(t,
		chromedp.Click(chromedp.CSS(`dialog.rg-dialog .rg-actions button:not(.rg-danger)`)),
		chromedp.Poll[chromedp.Void](`!document.querySelector("dialog.rg-dialog")`, chromedp.WithPollingTimeout(10*time.Second)),
	)
	getJSON(t, srv.URL+"/api/collections/submissions/records/"+id, token, &rec)
	if rec.Status != "approved" {
		t.Errorf("after keeping it: %q", rec.Status)
	}
	page.AssertClean(t, srv.URL)
}

// dashboardApprove logs into the dashboard, opens the Registry page and
// approves the submission named name.
func dashboardApprove(t *testing.T, page *browsertest.Page, base, id, name string) {
	t.Helper()
	page.Run(t,
		chromedp.Navigate(base+"/_/#/login"),
		chromedp.WaitVisible(chromedp.CSS("#login_identity")),
		chromedp.SendKeys(chromedp.CSS("#login_identity"), superEmail),
		chromedp.SendKeys(chromedp.CSS("#login_pass"), browserPassword),
		chromedp.Click(chromedp.CSS(".auth-with-password-form button.next")),
		chromedp.WaitVisible(chromedp.CSS(`.app-main-nav a[href="#/registry"]`)),
		chromedp.Click(chromedp.CSS(`.app-main-nav a[href="#/registry"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.rg-queue tr[data-id="`+id+`"]`)),
	)
	status := browsertest.Value(t, page, chromedp.Text(chromedp.CSS(`.rg-queue tr[data-id="`+id+`"] .rg-status`)))
	if !strings.EqualFold(strings.TrimSpace(status), "submitted") {
		t.Errorf("queue status %q", status)
	}
	page.Run(t,
		chromedp.Click(chromedp.CSS(`.rg-queue tr[data-id="`+id+`"] .rg-name button`)),
		chromedp.WaitVisible(chromedp.CSS(`.rg-status-actions button[data-action="approve"]`)),
	)
	if title := browsertest.Value(t, page, chromedp.Text(chromedp.CSS(".rg-detail-title"))); title != name {
		t.Errorf("detail title %q", title)
	}
	page.Run(t,
		chromedp.Click(chromedp.CSS(`.rg-status-actions button[data-action="approve"]`)),
		chromedp.Poll[chromedp.Void](`document.querySelector(".rg-detail-status .rg-pill")?.textContent === "Approved"`,
			chromedp.WithPollingTimeout(15*time.Second)),
	)
	msg := browsertest.Value(t, page, chromedp.Text(chromedp.CSS(".rg-messages .rg-success")))
	if msg != "1 submission(s) marked as Approved." {
		t.Errorf("message %q", msg)
	}
	approveButton := browsertest.Value(t, page, chromedp.Text(chromedp.CSS(`.rg-status-actions button[data-action="approve"]`)))
	if approveButton != "✓ Approve" {
		t.Errorf("the current status's button reads %q", approveButton)
	}
	history := browsertest.Value(t, page, chromedp.Text(chromedp.CSS(".rg-history details summary")))
	if !strings.Contains(history, "Admin: "+superEmail) {
		t.Errorf("newest history entry %q", history)
	}
	page.Screenshot(t, "admin-registry")
}

// seedDemo loads the demo reference data, again when the server happened
// to hold the database at that moment.
func seedDemo(t *testing.T, srv *browsertest.Server) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		out, err := exec.Command(srv.Binary, "seed", "demo", "--dir", srv.DataDir).CombinedOutput()
		if err == nil {
			return
		}
		if attempt == 5 || !strings.Contains(string(out), "database is locked") {
			t.Fatalf("registry seed demo: %v\n%s", err, out)
		}
		time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
	}
}

func superuserLogin(t *testing.T, base, email, password string) string {
	t.Helper()
	var auth struct {
		Token string `json:"token"`
	}
	postJSON(t, base+"/api/collections/_superusers/auth-with-password", "", map[string]any{"identity": email, "password": password}, &auth)
	if auth.Token == "" {
		t.Fatal("no superuser token")
	}
	return auth.Token
}

// createSubmissionOverAPI registers a service with the first demo
// reference rows, as a superuser through the collection API.
func createSubmissionOverAPI(t *testing.T, base, token, name string) string {
	t.Helper()
	first := func(collection string) string {
		var list struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		getJSON(t, base+"/api/collections/"+collection+"/records?perPage=1&filter=(active=true)", token, &list)
		if len(list.Items) == 0 {
			t.Fatalf("no %s", collection)
		}
		return list.Items[0].ID
	}
	body := map[string]any{
		"date_of_entry": time.Now().UTC().Format("2006-01-02"), "submitter_first_name": "Grace", "submitter_last_name": "Hopper",
		"submitter_affiliation": "Bielefeld University", "service_name": name,
		"service_description": strings.Repeat("A browser-tested service that maps peptides to proteins. ", 2),
		"year_established":    2020, "service_categories": []string{first("categories")}, "publications_pmids": "12345678",
		"responsible_pis": []string{first("pis")}, "host_institute": "Bielefeld University", "service_center": first("service_centers"),
		"public_contact_email": "help@example.org", "internal_contact_name": "Grace Hopper",
		"internal_contact_email": "grace@example.org", "website_url": "https://tool.example.org",
		"terms_of_use_url": "https://tool.example.org/terms", "license_note": "Not applicable", "kpi_monitoring": "planned",
		"data_protection_consent": true,
	}
	var created struct {
		ID string `json:"id"`
	}
	postJSON(t, base+"/api/collections/submissions/records", token, body, &created)
	if created.ID == "" {
		t.Fatal("no submission created")
	}
	return created.ID
}

func postJSON(t *testing.T, url, token string, body, out any) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	sendJSON(t, req, out)
}

func getJSON(t *testing.T, url, token string, out any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", token)
	sendJSON(t, req, out)
}

func sendJSON(t *testing.T, req *http.Request, out any) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", req.Method, req.URL, res.StatusCode, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatalf("%s: %v %s", req.URL, err, data)
	}
}

// inProcessServer serves the test app over HTTP the way "serve" does.
func inProcessServer(t *testing.T, app core.App) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(testapp.Server(t, app))
	t.Cleanup(srv.Close)
	return srv
}

// TestBrowserReviewPage: a reviewer (staff, not a superuser) logs in at
// /review/, filters the queue, rejects a service with a reason and sees
// the status and the reason in its history; buttons the role may not use
// are not offered.
func TestBrowserReviewPage(t *testing.T) {
	e := newEnvNoServer(t)
	sub, _ := e.submission(t, map[string]any{"service_name": "Review Me Tool"})
	e.submission(t, map[string]any{"service_name": "Other Tool"})
	srv := inProcessServer(t, e.app)

	page := browsertest.NewPage(t)
	page.Run(t,
		chromedp.Navigate(srv.URL+"/review/"),
		chromedp.WaitVisible(chromedp.CSS("#rg-login")),
		chromedp.SendKeys(chromedp.CSS(`#rg-login input[name="email"]`), reviewerEmail),
		chromedp.SendKeys(chromedp.CSS(`#rg-login input[name="password"]`), staffPassword),
		chromedp.Click(chromedp.CSS(`#rg-login button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".rg-queue")),
		chromedp.SendKeys(chromedp.CSS(`.rg-filters input[name="q"]`), "review me"),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll(".rg-queue tbody tr").length === 1`, chromedp.WithPollingTimeout(10*time.Second)),
	)
	if n := browsertest.Value(t, page, chromedp.Evaluate[int](`document.querySelectorAll('.rg-toolbar button[data-action]').length`)); n != 5 {
		t.Errorf("a reviewer sees %d status buttons, want 5", n)
	}
	page.Run(t,
		chromedp.Click(chromedp.CSS(`.rg-queue tr[data-id="`+sub.Id+`"] .rg-name button`)),
		chromedp.WaitVisible(chromedp.CSS(`.rg-status-actions button[data-action="reject"]`)),
	)
	for _, absent := range []string{".rg-danger-zone", ".rg-keys .rg-actions"} {
		if n := browsertest.Value(t, page, chromedp.Evaluate[int](`document.querySelectorAll("`+absent+`").length`)); n != 0 {
			t.Errorf("a reviewer is offered %s", absent)
		}
	}
	page.Run(t,
		chromedp.Click(chromedp.CSS(`.rg-status-actions button[data-action="reject"]`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog.rg-dialog textarea[name="reason"]`)),
		chromedp.SendKeys(chromedp.CSS(`dialog.rg-dialog textarea[name="reason"]`), "Not a de.NBI service."),
		chromedp.Click(chromedp.CSS(`dialog.rg-dialog button[type="submit"]`)),
		chromedp.Poll[chromedp.Void](`document.querySelector(".rg-detail-status .rg-pill")?.textContent === "Rejected"`,
			chromedp.WithPollingTimeout(15*time.Second)),
		chromedp.Click(chromedp.CSS(".rg-history details summary")),
	)
	history := browsertest.Value(t, page, chromedp.Text(chromedp.CSS(".rg-history details")))
	for _, want := range []string{"Admin: " + reviewerEmail, "Submitted", "Rejected", "Reason", "Not a de.NBI service."} {
		if !strings.Contains(history, want) {
			t.Errorf("history lacks %q: %s", want, history)
		}
	}
	page.Screenshot(t, "review-page")
	if got := e.reload(t, sub).GetString("status"); got != "rejected" {
		t.Errorf("the server says %q", got)
	}
	page.AssertClean(t, srv.URL)
}

// TestBrowserReviewPageWithEmailCode: with SMTP configured, a member of
// staff gives the password, then the one-time code emailed to them (the
// test app's mailer keeps the message).
func TestBrowserReviewPageWithEmailCode(t *testing.T) {
	e := newEnvNoServer(t, envOptions{config: func(c *adminui.Config) { c.SMTPConfigured = true }})
	srv := inProcessServer(t, e.app)

	page := browsertest.NewPage(t)
	page.Run(t,
		chromedp.Navigate(srv.URL+"/review/"),
		chromedp.WaitVisible(chromedp.CSS("#rg-login")),
		chromedp.SendKeys(chromedp.CSS(`#rg-login input[name="email"]`), managerEmail),
		chromedp.SendKeys(chromedp.CSS(`#rg-login input[name="password"]`), staffPassword),
		chromedp.Click(chromedp.CSS(`#rg-login button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#rg-login input[name="otp"]`)),
	)
	code := ""
	for deadline := time.Now().Add(10 * time.Second); code == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		for _, m := range e.app.TestMailer.Messages() {
			if len(m.To) == 1 && m.To[0].Address == managerEmail {
				code = regexp.MustCompile(`\b\d{8}\b`).FindString(m.HTML)
			}
		}
	}
	if code == "" {
		t.Fatalf("no one-time code was emailed (%d messages)", e.app.TestMailer.TotalSend())
	}
	page.Run(t,
		chromedp.SendKeys(chromedp.CSS(`#rg-login input[name="otp"]`), code),
		chromedp.Click(chromedp.CSS(`#rg-login button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".rg-tabs .rg-hint")),
	)
	if who := browsertest.Value(t, page, chromedp.Text(chromedp.CSS(".rg-tabs .rg-hint"))); who != managerEmail+" · manager" {
		t.Errorf("logged in as %q", who)
	}
	// PocketBase asks for the second factor with a 401, which Chromium
	// logs as a failed resource; nothing else may go wrong
	time.Sleep(300 * time.Millisecond)
	for _, msg := range page.ConsoleErrors() {
		if !strings.Contains(msg, "401 (Unauthorized)") || !strings.Contains(msg, "/api/collections/staff/auth-with-password") {
			t.Errorf("the page logged: %s", msg)
		}
	}
	if off := page.OffOrigin(srv.URL); len(off) > 0 {
		t.Errorf("requests to other origins: %v", off)
	}
}
