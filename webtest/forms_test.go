package webtest_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/denbi/service-registry/internal/browsertest"
)

// freshRegisterPage opens an empty registration form: no draft, no session.
func (r *registry) freshRegisterPage(t *testing.T) {
	t.Helper()
	r.open(t, "/register/")
	r.eval(t, `(() => { localStorage.clear(); sessionStorage.clear(); return 1 })()`)
	r.open(t, "/register/")
	r.waitForForm(t, "registration-form")
}

// TestRegistrationFormHelpers covers what the form does besides sending:
// the bio.tools prefill, the server's messages next to the fields, drafts
// after a reload, and a clear message when the registry cannot be reached.
// The captcha is made easy here (max_number 1000); TestSubmitterJourney
// solves it at the default difficulty.
func TestRegistrationFormHelpers(t *testing.T) {
	env := []string{"REGISTRY_CAPTCHA__MAX_NUMBER=1000"}
	data := filepath.Join(browsertest.RepoRoot(t), "..", "shared", "data")
	haveData := fileExists(filepath.Join(data, "biotools", "blast.json"))
	if haveData {
		env = append(env, "REGISTRY_BIOTOOLS__API_URL="+fakeBiotools(t, data))
	}
	r := startRegistry(t, env...)
	// answers the pages expect to fail (4xx) are logged by the browser, so
	// those subtests run in a second tab with its own check
	failing := &registry{srv: r.srv, page: browsertest.NewPage(t), adminKey: r.adminKey}

	t.Run("bio.tools prefill fills only empty fields and adds EDAM terms", func(t *testing.T) {
		if !haveData {
			sharedData(t) // skips with the reason
		}
		r.freshRegisterPage(t)
		r.typeInto(t, "#f-service_name", "My own name")
		r.pick(t, "edam_topics", "prote", "Proteomics")

		r.typeInto(t, "#f-biotools_url", "https://bio.tools/blast")
		r.page.Run(t, chromedp.KeyEvent(kb.Tab)) // leaving the field starts the lookup
		r.waitFor(t, "the bio.tools banner", `document.getElementById("prefill-found")`)
		banner := r.text(t, "#prefill-found")
		for _, want := range []string{"Metadata found in bio.tools", "BLAST", "description", "publications", "EDAM topic"} {
			if !strings.Contains(banner, want) {
				t.Errorf("the banner must mention %q: %q", want, banner)
			}
		}
		r.screenshots(t, "register-prefill-found")
		r.click(t, "#apply-prefill")
		r.waitFor(t, "the prefill summary", `document.getElementById("prefill-applied")`)

		if got := r.value(t, "#f-service_name"); got != "My own name" {
			t.Errorf("a filled field must stay as it was: %q", got)
		}
		if got := r.value(t, "#f-service_description"); !strings.HasPrefix(got, "A tool that finds regions of similarity") {
			t.Errorf("the empty description must come from bio.tools: %q", got)
		}
		if got := r.value(t, "#f-website_url"); got != "https://blast.ncbi.nlm.nih.gov/Blast.cgi" {
			t.Errorf("website from the homepage: %q", got)
		}
		if got := r.value(t, "#f-publications_pmids"); !strings.Contains(got, "27256311") {
			t.Errorf("publications: %q", got)
		}
		topics := r.chosen(t, "edam_topics")
		for _, want := range []string{"Proteomics", "Sequence analysis", "Genomics"} {
			if !strings.Contains(topics, want) {
				t.Errorf("EDAM topics must keep Proteomics and add bio.tools' topics: %q lacks %q", topics, want)
			}
		}
		if ops := r.chosen(t, "edam_operations"); !strings.Contains(ops, "Sequence alignment") {
			t.Errorf("EDAM operations: %q", ops)
		}
		if got := r.text(t, "#prefill-applied"); !strings.Contains(got, "Service description") {
			t.Errorf("the summary must list what was filled in: %q", got)
		}
		if got := r.eval(t, `document.activeElement.id`); got != "prefill-applied" {
			t.Errorf("the summary must take the focus so screen readers read it, focus is on %q", got)
		}

	})

	t.Run("fields appear when they apply", func(t *testing.T) {
		r.freshRegisterPage(t)
		for _, f := range []string{"toolbox_name", "associated_partner_note", "kpi_start_year"} {
			if r.visible(t, "#field-"+f) {
				t.Errorf("%s must be hidden at first", f)
			}
		}
		r.checkLabel(t, "#field-is_toolbox", "Yes")
		r.pick(t, "responsible_pis", "Associated", "Associated partner")
		r.choose(t, "#f-kpi_monitoring", "Yes")
		for _, f := range []string{"toolbox_name", "associated_partner_note", "kpi_start_year"} {
			if !r.visible(t, "#field-"+f) {
				t.Errorf("%s must be shown now", f)
			}
		}
		r.choose(t, "#f-kpi_monitoring", "Planned")
		if r.visible(t, "#field-kpi_start_year") {
			t.Error("with KPI monitoring only planned there is no start year to give")
		}
		// at most six EDAM topics
		for _, q := range []string{"prote", "genom", "metabol", "transcript", "bioinf", "genetics"} {
			r.click(t, "#f-edam_topics-ts-control")
			r.typeInto(t, "#f-edam_topics-ts-control", q)
			r.waitFor(t, "a suggestion for "+q, `document.querySelector("#f-edam_topics-ts-dropdown .option.active")`)
			r.page.Run(t, chromedp.KeyEvent(kb.Enter), chromedp.KeyEvent(kb.Escape))
		}
		if got := r.eval(t, `document.querySelectorAll("#field-edam_topics .ts-control .item").length`); got != "6" {
			t.Fatalf("six topics chosen, got %s: %s", got, r.chosen(t, "edam_topics"))
		}
		if r.eval(t, `document.querySelector("#field-edam_topics .ts-wrapper").classList.contains("full")`) != "true" {
			t.Error("after six topics the picker must take no more")
		}
	})

	t.Run("an unknown bio.tools entry gets a warning", func(t *testing.T) {
		if !haveData {
			sharedData(t)
		}
		r := failing
		r.freshRegisterPage(t)
		r.typeInto(t, "#f-biotools_url", "https://bio.tools/no-such-tool")
		r.page.Run(t, chromedp.KeyEvent(kb.Tab))
		r.waitFor(t, "the warning banner", `document.getElementById("prefill-warning")`)
		if got := r.text(t, "#prefill-warning"); !strings.Contains(got, "No tool with ID 'no-such-tool'") {
			t.Errorf("the warning must carry the server's message: %q", got)
		}
	})

	t.Run("the server's messages appear next to the fields", func(t *testing.T) {
		r := failing
		r.freshRegisterPage(t)
		r.fillRegistration(t, service{name: "Checked Service", email: "check@example.org", skipEDAM: true})
		r.replace(t, "#f-year_established", "1850")
		r.replace(t, "#f-website_url", "http://insecure.example.org")
		r.replace(t, "#f-publications_pmids", "12345678, not-a-pmid")
		r.click(t, "#submit-button")
		r.waitFor(t, "the error summary", `!document.getElementById("error-summary").hidden`)

		for field, want := range map[string]string{
			"year_established":   "between 1900 and",
			"website_url":        "Use an https:// address",
			"publications_pmids": `Not a PubMed id or DOI: 'not-a-pmid'`,
		} {
			if got := r.text(t, "#error-"+field); !strings.Contains(got, want) {
				t.Errorf("%s: the server's message %q must be next to the field, got %q", field, want, got)
			}
			if got := r.eval(t, `document.getElementById(`+js("f-"+field)+`).getAttribute("aria-invalid")`); got != "true" {
				t.Errorf("%s must be marked invalid", field)
			}
			if got := r.eval(t, `document.getElementById(`+js("f-"+field)+`).getAttribute("aria-describedby")`); !strings.Contains(got, "error-"+field) {
				t.Errorf("%s must point at its message with aria-describedby: %q", field, got)
			}
		}
		summary := r.text(t, "#error-summary")
		if !strings.Contains(summary, "3 problems") || !strings.Contains(summary, "Year the service was established") {
			t.Errorf("the summary must list the problems with the field names: %q", summary)
		}
		if r.eval(t, `document.activeElement.id`) != "error-summary" || r.eval(t, `document.getElementById("error-summary").getAttribute("role")`) != "alert" {
			t.Error("the summary must take the focus and be announced (role=alert)")
		}
		r.screenshots(t, "register-errors")

		// the summary's links lead to the fields
		r.click(t, `#error-summary a[href="#field-website_url"]`)
		if got := r.eval(t, `document.activeElement.id`); got != "f-website_url" {
			t.Errorf("the link must move the focus to the field, not %q", got)
		}
		if status, body := r.api(t, http.MethodGet, "/api/v1/submissions/", nil); status != http.StatusOK || body["count"] != float64(0) {
			t.Fatalf("nothing may have been saved: %d %v", status, body)
		}

		// corrected, the same form goes through (the puzzle is solved again)
		r.replace(t, "#f-year_established", "2018")
		r.replace(t, "#f-website_url", "https://checked.example.org")
		r.replace(t, "#f-publications_pmids", "12345678")
		if got := r.text(t, "#error-website_url"); got != "" {
			t.Errorf("editing a field must clear its message: %q", got)
		}
		r.click(t, "#submit-button")
		r.waitFor(t, "the success page", `location.pathname === "/register/success/" && document.getElementById("api-key").textContent.length === 64`)
	})

	t.Run("a draft comes back after a reload", func(t *testing.T) {
		r.freshRegisterPage(t)
		r.typeInto(t, "#f-submitter_first_name", "Grace")
		r.typeInto(t, "#f-service_name", "Draft Service")
		r.checkLabel(t, "#field-service_categories", "Database")
		// keyboard only: type, take the first suggestion with Enter
		r.click(t, "#f-edam_topics-ts-control")
		r.typeInto(t, "#f-edam_topics-ts-control", "prote")
		r.waitFor(t, "suggestions", `document.querySelector("#f-edam_topics-ts-dropdown .option.active")?.textContent.includes("Proteomics")`)
		r.page.Run(t, chromedp.KeyEvent(kb.Enter), chromedp.KeyEvent(kb.Escape))
		r.click(t, "#f-data_protection_consent")
		r.waitFor(t, "the draft to be saved", `(JSON.parse(localStorage.getItem("denbi_draft_register") || "{}").service_name || "") === "Draft Service"`)

		r.reload(t)
		r.waitForForm(t, "registration-form")
		r.waitFor(t, "the draft banner", `!document.getElementById("draft-banner").hidden`)
		if got := r.text(t, "#draft-banner"); !strings.Contains(got, "Draft restored") {
			t.Errorf("banner: %q", got)
		}
		if r.value(t, "#f-submitter_first_name") != "Grace" || r.value(t, "#f-service_name") != "Draft Service" {
			t.Errorf("text fields not restored: %q %q", r.value(t, "#f-submitter_first_name"), r.value(t, "#f-service_name"))
		}
		if got := r.chosen(t, "edam_topics"); !strings.Contains(got, "Proteomics") {
			t.Errorf("EDAM topics not restored: %q", got)
		}
		if r.eval(t, `[...document.querySelectorAll("#field-service_categories input:checked")].map((i) => i.labels[0].textContent).join()`) != "Database" {
			t.Error("categories not restored")
		}
		if r.eval(t, `document.getElementById("f-data_protection_consent").checked`) != "false" {
			t.Error("the consent must never come from a draft")
		}
		if strings.Contains(r.eval(t, `localStorage.getItem("denbi_draft_register")`), "data_protection_consent") {
			t.Error("the consent must not be stored in the draft")
		}
		r.screenshots(t, "register-draft")

		r.click(t, "#clear-draft")
		if r.value(t, "#f-service_name") != "" || r.chosen(t, "edam_topics") != "" {
			t.Errorf("Clear draft must empty the form: %q / %q", r.value(t, "#f-service_name"), r.chosen(t, "edam_topics"))
		}
		if r.eval(t, `localStorage.getItem("denbi_draft_register")`) != "null" {
			t.Error("Clear draft must delete the stored draft")
		}
	})

	t.Run("drafts older than the time limit are dropped", func(t *testing.T) {
		r.freshRegisterPage(t)
		old := time.Now().Add(-8 * 24 * time.Hour).UnixMilli()
		r.eval(t, `(() => { localStorage.setItem("denbi_draft_register", JSON.stringify({ _savedAt: `+strconv.FormatInt(old, 10)+`, service_name: "Stale" }));
			localStorage.setItem("denbi_draft_edit_x_1", "not json"); return 1 })()`)
		r.reload(t)
		r.waitForForm(t, "registration-form")
		if r.value(t, "#f-service_name") != "" || r.visible(t, "#draft-banner") {
			t.Error("a draft older than 7 days must not be restored")
		}
		if got := r.eval(t, `Object.keys(localStorage).filter((k) => k.startsWith("denbi_draft_")).join()`); got != "" {
			t.Errorf("stale and unreadable drafts must be removed: %q", got)
		}
	})

	r.page.AssertClean(t, r.srv.URL)

	t.Run("a clear message when the registry cannot be reached", func(t *testing.T) {
		offline := failing
		offline.freshRegisterPage(t)
		offline.fillRegistration(t, service{name: "Offline Service", email: "off@example.org", skipEDAM: true})
		_, err := chromedp.Call(offline.page.Context(), network.SetBlockedURLs, network.SetBlockedURLsParams{
			URLPatterns: []*network.BlockPattern{{URLPattern: r.srv.URL + "/api/collections/submissions/records", Block: true}},
		})
		if err != nil {
			t.Fatal(err)
		}
		offline.click(t, "#submit-button")
		offline.waitFor(t, "the error message", `!document.getElementById("error-summary").hidden`)
		if got := offline.text(t, "#error-summary"); !strings.Contains(got, "could not be reached") || !strings.Contains(got, "nothing you entered is lost") {
			t.Errorf("message: %q", got)
		}
		if offline.value(t, "#f-service_name") != "Offline Service" || offline.eval(t, `document.getElementById("submit-button").disabled`) != "false" {
			t.Error("the entries must stay and the button must work again")
		}
		offline.screenshots(t, "register-unreachable")
	})

	expectOnlyFailedRequests(t, failing.page, r.srv.URL,
		"/biotools/prefill/?id=no-such-tool", "/api/collections/submissions/records")
}

// expectOnlyFailedRequests is AssertClean for a tab that was meant to get
// error answers: the browser's own log lines about those requests are
// allowed, anything else (script errors, CSP violations, other origins) is not.
func expectOnlyFailedRequests(t *testing.T, page *browsertest.Page, origin string, urls ...string) {
	t.Helper()
	for _, e := range page.ConsoleErrors() {
		allowed := false
		for _, u := range urls {
			// the browser's log line for a request, or the record of the
			// request this tab blocked on purpose ("failed request: ...")
			if strings.Contains(e, u) || strings.HasPrefix(e, "failed request:") {
				allowed = true
			}
		}
		if !allowed {
			t.Errorf("the page logged an unexpected error: %s", e)
		}
	}
	if off := page.OffOrigin(origin); len(off) > 0 {
		t.Errorf("the page requested other origins: %v", off)
	}
}

// TestReadScopeKeyCannotSave opens an entry with a read-only key: the form
// is shown read-only without Save or Deprecate, and the token it got cannot
// change the entry either.
func TestReadScopeKeyCannotSave(t *testing.T) {
	r := startRegistry(t, "REGISTRY_CAPTCHA__MAX_NUMBER=1000")
	id := r.createSubmission(t, "Read Only Service")
	key := lastLine(r.srv.CLI(t, "apikey", "issue", id, "--scope", "read", "--label", "viewer"))

	r.open(t, "/update/")
	r.typeInto(t, "#api_key", key)
	r.click(t, "#key-submit")
	r.waitForForm(t, "edit-form")

	if got := r.value(t, "#f-service_name"); got != "Read Only Service" {
		t.Fatalf("the entry must be shown: %q", got)
	}
	if !r.visible(t, "#scope-notice") {
		t.Error("the page must say the key may only read")
	}
	for _, sel := range []string{"#submit-button", "#deprecate-button", "#danger-zone", "#f-altcha"} {
		if r.visible(t, sel) {
			t.Errorf("%s must not be offered to a read key", sel)
		}
	}
	if r.eval(t, `document.getElementById("form-fields").disabled`) != "true" ||
		r.eval(t, `document.querySelectorAll(".ts-wrapper:not(.disabled)").length`) != "0" {
		t.Error("every field and picker must be disabled")
	}
	r.screenshots(t, "update-edit-readonly")
	r.page.AssertClean(t, r.srv.URL)

	// the token the page holds is refused by the server, too
	status := r.eval(t, `(() => { const s = JSON.parse(sessionStorage.getItem("registry_edit_session"));
		const x = new XMLHttpRequest(); x.open("PATCH", "/api/collections/submissions/records/" + s.submission, false);
		x.setRequestHeader("Authorization", s.token); x.setRequestHeader("Content-Type", "application/json");
		x.send(JSON.stringify({ service_name: "Changed" })); return x.status; })()`)
	if status == "200" {
		t.Fatal("a read key's token must not save")
	}
	if entry := r.submission(t, id); entry["service_name"] != "Read Only Service" {
		t.Fatalf("the entry changed: %v", entry["service_name"])
	}
}

// createSubmission registers a service through the API with the admin key.
func (r *registry) createSubmission(t *testing.T, name string) string {
	t.Helper()
	first := func(collection string) string {
		filter := "(active=true)"
		if collection == "pis" {
			filter = "(active=true%26%26is_associated_partner=false)"
		}
		status, body := r.api(t, http.MethodGet, "/api/collections/"+collection+"/records?perPage=1&filter="+filter, nil)
		items, _ := body["items"].([]any)
		if status != http.StatusOK || len(items) == 0 {
			t.Fatalf("no %s: %d %v", collection, status, body)
		}
		return items[0].(map[string]any)["id"].(string)
	}
	status, body := r.api(t, http.MethodPost, "/api/collections/submissions/records", map[string]any{
		"date_of_entry": time.Now().Format("2006-01-02"), "submitter_first_name": "Rosalind", "submitter_last_name": "Franklin",
		"submitter_affiliation": "University of Freiburg", "service_name": name,
		"service_description": strings.Repeat("A service that is only looked at in this test. ", 2),
		"year_established":    2015, "service_categories": []string{first("categories")}, "publications_pmids": "1234567",
		"responsible_pis": []string{first("pis")}, "host_institute": "University of Freiburg", "service_center": first("service_centers"),
		"public_contact_email": "help@example.org", "internal_contact_name": "Rosalind Franklin",
		"internal_contact_email": "rf@example.org", "website_url": "https://readonly.example.org",
		"terms_of_use_url": "https://readonly.example.org/terms", "license_note": "Not applicable",
		"kpi_monitoring": "planned", "data_protection_consent": true,
	})
	if status != http.StatusOK {
		t.Fatalf("creating a submission: %d %v", status, body)
	}
	return body["id"].(string)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
