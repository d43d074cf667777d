package webtest_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestSubmitterJourney is the whole life of an entry in the browser, with
// the captcha at its default difficulty: register with the full form (the
// widget solves the puzzle), see the key once, open the entry with the key,
// find everything pre-filled, change it, and deprecate it.
func TestSubmitterJourney(t *testing.T) {
	r := startRegistry(t)
	logo := writePNG(t)

	// ---- register ----
	r.open(t, "/register/")
	r.waitForForm(t, "registration-form")
	if got := r.value(t, "#f-date_of_entry"); len(got) != 10 {
		t.Fatalf("the date of entry must default to today, got %q", got)
	}

	offered := r.fillRegistration(t, service{name: "Proteome Explorer", email: "ada@example.org", logo: logo})
	// typing "prote" offered Proteomics among the first results, with its accession
	if i := slices.IndexFunc(offered, func(o string) bool { return strings.Contains(o, "Proteomics") && strings.Contains(o, "topic_0121") }); i < 0 || i > 2 {
		t.Fatalf("Proteomics (topic_0121) must be among the first EDAM topics offered for \"prote\": %q", offered)
	}
	if got := r.chosen(t, "edam_topics"); !strings.Contains(got, "Proteomics") || !strings.Contains(got, "topic_0121") {
		t.Fatalf("Proteomics must be chosen, shown with its accession: %q", got)
	}
	if got := r.eval(t, `document.querySelector("#form-progress .progress").getAttribute("aria-valuenow")`); got != "100" {
		t.Errorf("every required field is filled in, the progress must say 100, got %s (%s; missing: %s)", got, r.text(t, "#progress-text"),
			r.eval(t, `document.querySelector("#form-progress .progress").dataset.missing`))
	}
	r.screenshots(t, "register-filled")

	r.click(t, "#submit-button")
	r.waitFor(t, "the success page with the key", `location.pathname === "/register/success/" && document.getElementById("api-key")?.textContent.length === 64`)
	key := r.text(t, "#api-key")
	id := r.text(t, "#submission-id")
	if !r.visible(t, "#copy-key") || !strings.Contains(r.text(t, "#key-panel"), "only this once") {
		t.Fatalf("the key needs its copy button and the warning: %s", r.text(t, "#key-panel"))
	}
	r.click(t, "#copy-key")
	r.waitFor(t, "the copy feedback", `document.getElementById("copy-status").textContent !== ""`)
	if got := r.text(t, "#copy-status"); !strings.Contains(got, "Copied") && !strings.Contains(got, "Ctrl+C") {
		t.Errorf("copy feedback %q", got)
	}
	r.screenshots(t, "register-success")
	if got := r.eval(t, `sessionStorage.length + localStorage.length`); got != "0" {
		t.Fatalf("neither the key nor a draft may stay in the browser's storage (%s items)", got)
	}

	// the entry arrived as entered, through the API
	entry := r.submission(t, id)
	if entry["service_name"] != "Proteome Explorer" || entry["status"] != "submitted" || entry["register_as_elixir"] != true {
		t.Fatalf("stored entry: %v", entry)
	}
	if got := names(entry["edam_topics"], "accession"); !slices.Equal(got, []string{"topic_0121"}) {
		t.Fatalf("EDAM topics %v", got)
	}
	if got := names(entry["edam_operations"], "label"); !slices.Equal(got, []string{"Sequence alignment"}) {
		t.Fatalf("EDAM operations %v", got)
	}
	if lic, _ := entry["licenses"].([]any); len(lic) != 1 || lic[0] != "MIT" {
		t.Fatalf("licenses %v", entry["licenses"])
	}
	if got := names(entry["service_categories"], "name"); !slices.Equal(got, []string{"Tool", "Web service"}) {
		t.Fatalf("categories %v", got)
	}
	if entry["submitter_affiliation"] != "Bielefeld University" || entry["host_institute"] != "Bielefeld University" {
		t.Fatalf("institutions: %v / %v", entry["submitter_affiliation"], entry["host_institute"])
	}
	if logoURL, _ := entry["logo_url"].(string); !strings.Contains(logoURL, ".png") {
		t.Fatalf("the logo must have been uploaded: %v", entry["logo_url"])
	}

	// ---- the key is never shown again: reload, and back ----
	r.reload(t)
	r.waitFor(t, "the no-key message", `!document.getElementById("no-key").hidden`)
	if r.text(t, "#api-key") != "" || strings.Contains(r.eval(t, `document.body.innerText`), key) {
		t.Fatal("a reload must not show the key again")
	}
	r.open(t, "/update/")
	r.eval(t, `(() => { history.back(); return 1 })()`) // may come from the back-forward cache: no load event
	r.waitFor(t, "the success page after going back", `location.pathname === "/register/success/" && !document.getElementById("no-key").hidden`)
	if strings.Contains(r.eval(t, `document.body.innerText`), key) {
		t.Fatal("going back must not show the key again")
	}
	r.screenshots(t, "register-success-again")

	// ---- open the entry with the key ----
	r.open(t, "/update/")
	r.screenshots(t, "update")
	r.typeInto(t, "#api_key", key)
	r.click(t, "#key-submit")
	r.waitForForm(t, "edit-form")
	if got := r.eval(t, `location.pathname`); got != "/update/edit/" {
		t.Fatalf("landed on %s", got)
	}
	if strings.Contains(r.eval(t, `JSON.stringify(sessionStorage) + JSON.stringify(localStorage)`), key) {
		t.Fatal("the key itself must not be stored in the browser; only the short-lived token is")
	}
	for sel, want := range map[string]string{
		"#f-service_name":          "Proteome Explorer",
		"#f-submitter_first_name":  "Ada",
		"#f-year_established":      "2019",
		"#f-publications_pmids":    "12345678, 10.1000/xyz123",
		"#f-website_url":           "https://proteome.example.org",
		"#f-kpi_start_year":        "2021",
		"#f-internal_contact_name": "", // write-only: never sent to the browser
	} {
		if got := r.value(t, sel); got != want {
			t.Errorf("%s pre-filled with %q, want %q", sel, got, want)
		}
	}
	if got := r.chosen(t, "edam_topics"); !strings.Contains(got, "Proteomics") {
		t.Errorf("EDAM topics pre-filled with %q", got)
	}
	if got := r.chosen(t, "edam_operations"); !strings.Contains(got, "Sequence alignment") {
		t.Errorf("EDAM operations pre-filled with %q", got)
	}
	if got := r.chosen(t, "licenses"); !strings.Contains(got, "MIT") {
		t.Errorf("licenses pre-filled with %q", got)
	}
	if got := r.chosen(t, "responsible_pis"); !strings.Contains(got, "Lovelace") {
		t.Errorf("PIs pre-filled with %q", got)
	}
	if r.eval(t, `document.querySelectorAll("#field-service_categories input:checked").length`) != "2" {
		t.Error("both categories must be checked")
	}
	if r.eval(t, `document.querySelector("#f-register_as_elixir-yes").checked`) != "true" {
		t.Error("the ELIXIR answer must be pre-filled")
	}
	if !r.visible(t, "#current-logo img") || !r.visible(t, "#deprecate-button") {
		t.Error("the current logo and the danger zone must be shown")
	}
	if got := r.eval(t, a11yProblems); got != "[]" {
		t.Errorf("accessibility problems on the edit page: %s", got)
	}
	r.screenshots(t, "update-edit")
	r.noSideways(t, "the edit page")

	// ---- the office approves it; a change of the name sends it back to review ----
	token := r.superuserToken(t)
	if status, body := r.api(t, http.MethodPatch, "/api/collections/submissions/records/"+id, map[string]any{"status": "approved"}, token); status != http.StatusOK {
		t.Fatalf("approving: %d %v", status, body)
	}
	r.reload(t)
	r.waitForForm(t, "edit-form")
	r.replace(t, "#f-service_name", "Proteome Explorer 2")
	r.replace(t, "#f-comments", "Version 2 is out.")
	r.waitFor(t, "the review notice", `!document.getElementById("review-notice").hidden`)
	if notice := r.text(t, "#review-notice"); !strings.Contains(notice, "Name of the service") || strings.Contains(notice, "Comments") {
		t.Errorf("the notice must name the field that needs a review (and not comments): %q", notice)
	}
	r.click(t, "#submit-button")
	r.waitFor(t, "the saved page", `location.pathname === "/update/success/" && !document.getElementById("review-result").hidden`)
	if !r.visible(t, "#back-to-review") {
		t.Errorf("the page must say that the entry went back to review: %s", r.text(t, "main"))
	}
	changes := r.text(t, "#changes-body")
	for _, want := range []string{"Name of the service", "Proteome Explorer", "Proteome Explorer 2", "Comments", "Version 2 is out."} {
		if !strings.Contains(changes, want) {
			t.Errorf("the change list must show %q: %q", want, changes)
		}
	}
	r.screenshots(t, "update-success")
	r.noSideways(t, "the saved page")

	entry = r.submission(t, id)
	if entry["service_name"] != "Proteome Explorer 2" || entry["comments"] != "Version 2 is out." || entry["status"] != "submitted" {
		t.Fatalf("after the edit: name %v, comments %v, status %v", entry["service_name"], entry["comments"], entry["status"])
	}
	if got := names(entry["edam_topics"], "accession"); !slices.Equal(got, []string{"topic_0121"}) {
		t.Fatalf("unchanged fields must stay: EDAM topics %v", got)
	}

	// the editing session ended with the save
	r.open(t, "/update/edit/")
	r.waitFor(t, "the key page", `location.pathname === "/update/" && document.getElementById("flash").textContent.includes("session")`)

	// ---- deprecate ----
	r.typeInto(t, "#api_key", key)
	r.click(t, "#key-submit")
	r.waitForForm(t, "edit-form")
	r.click(t, "#deprecate-button")
	r.waitFor(t, "the confirmation dialog", `document.getElementById("deprecate-modal").classList.contains("show")`)
	r.waitFor(t, "the focus on the dialog's Cancel button", `document.activeElement.matches("#deprecate-modal .modal-footer [data-bs-dismiss]")`)
	r.page.Screenshot(t, "update-edit-deprecate-dialog-desktop")
	r.click(t, "#confirm-deprecate")
	r.waitFor(t, "the deprecation message", `document.getElementById("deprecated-message") && !document.getElementById("danger-done").hidden`)
	if entry = r.submission(t, id); entry["status"] != "deprecated" {
		t.Fatalf("status after deprecating: %v", entry["status"])
	}
	if got := r.text(t, "#entry-status"); got != "Deprecated" {
		t.Errorf("status badge %q", got)
	}

	r.page.AssertClean(t, r.srv.URL)
}
