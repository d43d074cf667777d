package webtest_test

import (
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/denbi/service-registry/internal/browsertest"
	"github.com/denbi/service-registry/internal/testapp"
)

// recoverySubject is how the recovery email's subject starts after the
// site name ("[de.NBI Service Registry] Get a new API key for …").
const recoverySubject = "Get a new API key for "

// TestKeyRecoveryJourney is a lost key, recovered in the browser through a
// real SMTP server: a request that names the wrong address gets the same
// answer as a right one and sends nothing; the right one sends a link; the
// link, confirmed on the page, revokes the old key and shows a new one once;
// the same link does not work a second time.
func TestKeyRecoveryJourney(t *testing.T) {
	sink := testapp.NewSMTPSink(t)
	r := startRegistry(t, "REGISTRY_CAPTCHA__MAX_NUMBER=1000",
		"REGISTRY_SMTP__HOST="+sink.Host, "REGISTRY_SMTP__PORT="+strconv.Itoa(sink.Port))
	id := r.createSubmission(t, "Recovery Test Service")
	oldKey := lastLine(r.srv.CLI(t, "apikey", "issue", id, "--scope", "write", "--label", "lost laptop"))
	r.expectKey(t, id, oldKey, http.StatusOK)

	// ---- the request form: the browser's own checks ----
	r.open(t, "/update/recover/")
	r.waitFor(t, "the request form", `document.getElementById("recover-form").dataset.ready === "true" && !document.getElementById("request-view").hidden`)
	if got := r.text(t, "h1"); got != "Lost your API key?" {
		t.Errorf("h1 %q", got)
	}
	r.waitFor(t, "the captcha widget", `!document.getElementById("field-altcha").hidden && document.querySelector("#f-altcha input[type=checkbox]")`)
	if got := r.eval(t, a11yProblems); got != "[]" {
		t.Errorf("accessibility problems on the request form: %s", got)
	}
	r.screenshots(t, "recover-request")
	r.noSideways(t, "the request form")

	r.typeInto(t, "#email", "not-an-address")
	r.click(t, "#request-submit")
	r.waitFor(t, "the field errors", `document.getElementById("error-service").textContent !== "" && document.getElementById("error-email").textContent !== ""`)
	if got := r.text(t, "#error-email"); !strings.Contains(got, "not an email address") {
		t.Errorf("the email field must say what is wrong: %q", got)
	}
	if r.eval(t, `document.getElementById("service").getAttribute("aria-invalid")`) != "true" || r.eval(t, `document.activeElement.id`) != "service" {
		t.Error("the first field with a problem must be marked invalid and take the focus")
	}

	// ---- a wrong address: the neutral answer, and no email ----
	r.typeInto(t, "#service", "Recovery Test Service")
	r.replace(t, "#email", "someone.else@example.org")
	r.click(t, "#request-submit")
	r.waitFor(t, "the neutral answer", `!document.getElementById("sent-view").hidden`)
	neutral := r.text(t, "#sent-message")
	if !strings.HasPrefix(neutral, "If the service and the address match a registration") {
		t.Fatalf("the page must show the server's neutral message: %q", neutral)
	}
	if r.value(t, "#service") != "" || r.value(t, "#email") != "" || r.eval(t, `sessionStorage.length + localStorage.length`) != "0" {
		t.Error("the page must keep nothing of the request")
	}
	r.screenshots(t, "recover-sent")

	// ---- the right pair (the name in other letters): the same answer, and a link ----
	r.click(t, "#request-again")
	r.waitFor(t, "the request form again", `!document.getElementById("request-view").hidden && document.activeElement.id === "service"`)
	r.typeInto(t, "#service", "  recovery TEST service ")
	r.typeInto(t, "#email", "RF@example.org")
	r.click(t, "#request-submit")
	r.waitFor(t, "the answer", `!document.getElementById("sent-view").hidden`)
	if got := r.text(t, "#sent-message"); got != neutral {
		t.Errorf("a matching request must get the very same answer:\n %q\n %q", got, neutral)
	}

	mails := waitForMails(t, sink, recoverySubject, 1)
	// requests are handled in order: the wrong one's turn came first, and it sent nothing
	time.Sleep(500 * time.Millisecond)
	if mails = recoveryMails(sink); len(mails) != 1 {
		t.Fatalf("exactly one recovery email expected (none for the wrong address), got %d", len(mails))
	}
	if got := strings.Join(mails[0].Recipients, ","); got != "rf@example.org" {
		t.Fatalf("the link must go to the internal contact only, went to %q", got)
	}
	link := recoveryLinkIn(t, mails[0], r.srv.URL)
	if strings.Contains(mailText(t, mails[0]), oldKey) {
		t.Fatal("the email must not carry a key")
	}
	r.expectKey(t, id, oldKey, http.StatusOK) // asking changes nothing yet

	// ---- the link: confirm, then the new key once ----
	r.open(t, strings.TrimPrefix(link, r.srv.URL))
	r.waitFor(t, "the confirmation", `!document.getElementById("confirm-view").hidden`)
	if got := r.eval(t, `location.search + location.hash`); got != "" {
		t.Errorf("the token must leave the address bar at once, address still has %q", got)
	}
	if explained := r.text(t, "#confirm-view"); !strings.Contains(explained, "Every key the entry has now stops working at once") || !strings.Contains(explained, "only once") {
		t.Errorf("the page must explain what confirming does: %q", explained)
	}
	if got := r.eval(t, a11yProblems); got != "[]" {
		t.Errorf("accessibility problems on the confirmation: %s", got)
	}
	r.screenshots(t, "recover-confirm")
	r.noSideways(t, "the confirmation")
	r.expectKey(t, id, oldKey, http.StatusOK) // opening the link changes nothing yet

	r.click(t, "#confirm-button")
	r.waitFor(t, "the new key", `document.getElementById("api-key")?.textContent.length === 64`)
	newKey := r.text(t, "#api-key")
	if newKey == oldKey {
		t.Fatal("the key must be new")
	}
	if panel := r.text(t, "#key-view"); !strings.Contains(panel, "only this once") || !strings.Contains(panel, "Recovery Test Service") ||
		!strings.Contains(panel, "2 earlier keys") || !strings.Contains(panel, id) {
		t.Errorf("the panel must name the entry, the revoked keys and the warning: %q", panel)
	}
	if !r.visible(t, "#copy-key") || !r.visible(t, "#open-entry") {
		t.Error("the key needs its copy button and a way into the entry")
	}
	r.click(t, "#copy-key")
	r.waitFor(t, "the copy feedback", `document.getElementById("copy-status").textContent !== ""`)
	if storage := r.eval(t, `JSON.stringify(sessionStorage) + JSON.stringify(localStorage)`); strings.Contains(storage, newKey) || storage != "{}{}" {
		t.Fatalf("the new key must not be stored in the browser: %s", storage)
	}
	if got := r.eval(t, a11yProblems); got != "[]" {
		t.Errorf("accessibility problems on the key page: %s", got)
	}
	r.screenshots(t, "recover-key")
	r.noSideways(t, "the key page")

	// the API agrees: the old key is gone, the new one works
	r.expectKey(t, id, oldKey, http.StatusForbidden)
	r.expectKey(t, id, newKey, http.StatusOK)
	status, keys := r.api(t, http.MethodGet, "/api/registry/submissions/"+id+"/keys", nil, "ApiKey "+newKey)
	if status != http.StatusOK {
		t.Fatalf("keys: %d %v", status, keys)
	}
	active := map[string]bool{}
	for _, item := range keys["items"].([]any) {
		k := item.(map[string]any)
		active[k["label"].(string)] = k["active"].(bool)
	}
	if len(active) != 3 || active["Initial key"] || active["lost laptop"] || !active["Recovered key"] {
		t.Errorf("after the recovery every old key must be revoked and only the recovered one active: %v", active)
	}

	// ---- back and reload never show the key again ----
	r.open(t, "/update/")
	r.eval(t, `(() => { history.back(); return 1 })()`) // may come from the back-forward cache
	r.waitFor(t, "the recovery page after going back", `location.pathname === "/update/recover/" && (!document.getElementById("gone-view").hidden || !document.getElementById("request-view").hidden)`)
	if strings.Contains(r.eval(t, `document.body.innerText`), newKey) {
		t.Fatal("going back must not show the key again")
	}
	r.reload(t)
	r.waitFor(t, "the request form after a reload", `!document.getElementById("request-view").hidden && document.getElementById("recover-form").dataset.ready === "true"`)
	if strings.Contains(r.eval(t, `document.body.innerText`), newKey) {
		t.Fatal("a reload must not show the key again")
	}

	// ---- a second recovery, straight into the entry ----
	r.typeInto(t, "#service", id) // by its id this time
	r.typeInto(t, "#email", "rf@example.org")
	r.click(t, "#request-submit")
	r.waitFor(t, "the answer", `!document.getElementById("sent-view").hidden`)
	second := recoveryLinkIn(t, waitForMails(t, sink, recoverySubject, 2)[1], r.srv.URL)
	r.open(t, strings.TrimPrefix(second, r.srv.URL))
	r.waitFor(t, "the confirmation", `!document.getElementById("confirm-view").hidden`)
	r.click(t, "#confirm-button")
	r.waitFor(t, "the next key", `document.getElementById("api-key")?.textContent.length === 64`)
	nextKey := r.text(t, "#api-key")
	if !strings.Contains(r.text(t, "#recovered-message"), "The 1 earlier key") {
		t.Errorf("one key was active before: %q", r.text(t, "#recovered-message"))
	}
	r.click(t, "#open-entry")
	r.waitForForm(t, "edit-form")
	if got := r.value(t, "#f-service_name"); got != "Recovery Test Service" {
		t.Fatalf("the new key must open the entry: %q", got)
	}
	r.waitFor(t, "the keys", `document.querySelector("#keys-body .key-this")`)
	if got := r.eval(t, `document.querySelector("#keys-body .key-this").closest("tr").innerText`); !strings.Contains(got, "Recovered key") {
		t.Errorf("the edit session must use the recovered key: %q", got)
	}
	if strings.Contains(r.eval(t, `JSON.stringify(sessionStorage) + JSON.stringify(localStorage)`), nextKey) {
		t.Fatal("only the session token may be stored, never the key")
	}
	r.expectKey(t, id, newKey, http.StatusForbidden)
	r.expectKey(t, id, nextKey, http.StatusOK)
	r.page.AssertClean(t, r.srv.URL)

	// ---- the same link again: refused (the browser logs the 400, so a tab of its own) ----
	used := &registry{srv: r.srv, page: browsertest.NewPage(t), adminKey: r.adminKey}
	used.open(t, strings.TrimPrefix(link, r.srv.URL))
	used.waitFor(t, "the confirmation", `!document.getElementById("confirm-view").hidden`)
	used.click(t, "#confirm-button")
	used.waitFor(t, "the failure", `!document.getElementById("failed-view").hidden`)
	if got := used.text(t, "#failed-message"); !strings.HasPrefix(got, "This recovery link does not work") {
		t.Errorf("the page must show the server's message: %q", got)
	}
	if got := used.eval(t, `document.getElementById("ask-new-link").getAttribute("href")`); got != "/update/recover/" || !used.visible(t, "#ask-new-link") {
		t.Errorf("the failure needs a link back to the request form: %q", got)
	}
	if used.eval(t, `document.getElementById("api-key") === null`) != "true" {
		t.Error("no key may be shown for a used link")
	}
	used.screenshots(t, "recover-used")
	used.noSideways(t, "the failure")

	// the server's field errors land next to their field (a name of 300
	// characters passes the browser's limit but is too long in bytes)
	used.click(t, "#ask-new-link")
	used.waitFor(t, "the request form", `!document.getElementById("request-view").hidden && document.getElementById("recover-form").dataset.ready === "true"`)
	used.typeInto(t, "#service", strings.Repeat("ö", 300))
	used.typeInto(t, "#email", "rf@example.org")
	used.click(t, "#request-submit")
	used.waitFor(t, "the server's field error", `document.getElementById("error-service").textContent !== ""`)
	if got := used.text(t, "#error-service"); !strings.Contains(got, "Enter the service name as registered") {
		t.Errorf("the server's message must be shown next to the field: %q", got)
	}
	if !used.visible(t, "#request-view") || used.visible(t, "#sent-view") {
		t.Error("a refused request must keep the form")
	}
	expectOnlyFailedRequests(t, used.page, r.srv.URL, "/api/registry/keys/recover")
	r.expectKey(t, id, nextKey, http.StatusOK) // a refused link changes nothing
}

// TestKeyRotationFromTheEditPage replaces the key in use from the edit
// page's keys section: the new key is shown once, the old key and its
// session stop working, the entry's other keys keep working, and editing
// goes on with the new key (unsaved changes come back as a draft). A read
// key's session sees no keys section.
func TestKeyRotationFromTheEditPage(t *testing.T) {
	r := startRegistry(t, "REGISTRY_CAPTCHA__MAX_NUMBER=1000")
	id := r.createSubmission(t, "Rotation Test Service")
	key := lastLine(r.srv.CLI(t, "apikey", "issue", id, "--scope", "write", "--label", "office laptop"))
	readKey := lastLine(r.srv.CLI(t, "apikey", "issue", id, "--scope", "read", "--label", "partner dashboard"))

	// ---- a read key: no keys section, and no call to the keys API ----
	r.openEntry(t, readKey)
	if r.visible(t, "#keys-section") || r.visible(t, "#keys-link-line") {
		t.Error("a read key must not see the keys section")
	}
	for _, u := range r.page.Requests() {
		if strings.Contains(u, id+"/keys") {
			t.Errorf("a read key's page must not ask for the keys: %s", u)
		}
	}

	// ---- a write key: the list ----
	r.openEntry(t, key)
	r.waitFor(t, "the keys", `document.querySelectorAll("#keys-body tr").length === 3`)
	rows := r.eval(t, `[...document.querySelectorAll("#keys-body tr")].map((tr) => tr.innerText.replace(/\s+/g, " ").trim()).join(" | ")`)
	for _, want := range []string{"office laptop this key view and edit", "partner dashboard view only", "Initial key view and edit"} {
		if !strings.Contains(rows, want) {
			t.Errorf("the list must show %q: %s", want, rows)
		}
	}
	if got := r.eval(t, `document.querySelectorAll("#keys-body .key-this").length`); got != "1" {
		t.Errorf("exactly one key is marked as the one in use, got %s", got)
	}
	if got := r.eval(t, a11yProblems); got != "[]" {
		t.Errorf("accessibility problems on the edit page with keys: %s", got)
	}
	r.eval(t, `(() => { document.getElementById("keys-section").scrollIntoView(); return 1 })()`)
	r.screenshots(t, "update-keys")
	r.noSideways(t, "the keys section")

	// the page's session token (not only the key itself) manages the keys
	session := r.eval(t, `JSON.parse(sessionStorage.getItem("registry_edit_session")).token`)
	if status, body := r.api(t, http.MethodGet, "/api/registry/submissions/"+id+"/keys", nil, session); status != http.StatusOK {
		t.Fatalf("the session token must list the keys: %d %v", status, body)
	}

	// ---- rotate, with an unsaved change in the form ----
	r.replace(t, "#f-comments", "Not saved before the rotation.")
	r.click(t, "#rotate-button")
	r.waitFor(t, "the rotation dialog", `document.getElementById("rotate-modal").classList.contains("show") && document.activeElement.id === "rotate-label"`)
	if !r.visible(t, "#rotate-unsaved") || !strings.Contains(r.text(t, "#rotate-modal"), "“office laptop”, stops working at once") {
		t.Errorf("the dialog must name the key that stops working and mention the unsaved changes: %q", r.text(t, "#rotate-modal"))
	}
	r.typeInto(t, "#rotate-label", "CI pipeline")
	r.page.Screenshot(t, "update-rotate-dialog-desktop")
	r.click(t, "#confirm-rotate")
	r.waitFor(t, "the new key", `document.getElementById("api-key")?.textContent.length === 64 && !document.querySelector(".modal-backdrop, .modal.show")`)
	newKey := r.text(t, "#api-key")
	if msg := r.text(t, "#rotated-message"); !strings.Contains(msg, "“office laptop” no longer works") || !strings.Contains(msg, "“CI pipeline”") {
		t.Errorf("the page must say which key stopped working: %q", msg)
	}
	if !strings.Contains(r.text(t, "#new-key-card"), "only this once") || !r.visible(t, "#copy-key") || !r.visible(t, "#continue-editing") {
		t.Error("the new key needs the warning, the copy button and a way to go on")
	}
	if !r.visible(t, "#session-ended") || r.eval(t, `document.getElementById("form-fields").disabled`) != "true" || r.visible(t, "#submit-button") {
		t.Error("with the old key gone the form must be read-only and say why")
	}
	rows = r.eval(t, `[...document.querySelectorAll("#keys-body tr")].map((tr) => tr.innerText.replace(/\s+/g, " ").trim()).join(" | ")`)
	if !strings.HasPrefix(rows, "CI pipeline new") || !strings.Contains(rows, "office laptop") || !strings.Contains(rows, "revoked") {
		t.Errorf("the list must show the new key and the revoked one: %s", rows)
	}
	if storage := r.eval(t, `JSON.stringify(sessionStorage) + JSON.stringify(localStorage)`); strings.Contains(storage, newKey) || strings.Contains(storage, "registry_edit_session") {
		t.Fatalf("neither the key nor the ended session may stay in the browser: %s", storage)
	}
	r.screenshots(t, "update-key-rotated")
	r.noSideways(t, "the rotated key")

	// the API agrees: the old key and its session are refused, the others work
	r.expectKey(t, id, key, http.StatusForbidden)
	r.expectKey(t, id, newKey, http.StatusOK)
	r.expectKey(t, id, readKey, http.StatusOK)
	if status, _ := r.api(t, http.MethodGet, "/api/registry/submissions/"+id+"/keys", nil, session); status != http.StatusForbidden {
		t.Errorf("the old key's session must end with the rotation, got %d", status)
	}

	// ---- go on editing with the new key: the unsaved change is back ----
	r.eval(t, `(() => { window.__beforeContinue = true; return 1 })()`)
	r.click(t, "#continue-editing")
	r.waitFor(t, "the edit page with the new key", `!window.__beforeContinue && document.getElementById("edit-form")?.dataset.ready === "true" && document.querySelectorAll("#keys-body tr").length === 4`)
	if got := r.value(t, "#f-comments"); got != "Not saved before the rotation." || !r.visible(t, "#draft-banner") {
		t.Errorf("the unsaved change must come back as a draft: %q", got)
	}
	if got := r.eval(t, `document.querySelector("#keys-body .key-this")?.closest("tr").innerText`); !strings.Contains(got, "CI pipeline") {
		t.Errorf("the new key must be the one in use now: %q", got)
	}
	if strings.Contains(r.eval(t, `JSON.stringify(sessionStorage) + JSON.stringify(localStorage)`), newKey) {
		t.Fatal("the new key itself must not be stored; only the session token is")
	}
	r.page.AssertClean(t, r.srv.URL)
}

// openEntry opens the edit page with key, as a person does on /update/.
func (r *registry) openEntry(t *testing.T, key string) {
	t.Helper()
	r.open(t, "/update/")
	r.typeInto(t, "#api_key", key)
	r.click(t, "#key-submit")
	r.waitForForm(t, "edit-form")
}

// expectKey checks what the API answers key for the entry id.
func (r *registry) expectKey(t *testing.T, id, key string, want int) {
	t.Helper()
	status, body := r.api(t, http.MethodGet, "/api/v1/submissions/"+id+"/", nil, "ApiKey "+key)
	if status != want {
		t.Fatalf("GET the entry with a key: %d, want %d (%v)", status, want, body)
	}
	if want == http.StatusOK && body["id"] != id {
		t.Fatalf("GET the entry with a key: another entry came back: %v", body["id"])
	}
}

// recoveryMails returns the recovery emails the sink received.
func recoveryMails(sink *testapp.SMTPSink) []testapp.SinkMessage {
	var out []testapp.SinkMessage
	for _, m := range sink.Messages() {
		if strings.Contains(m.Subject(), recoverySubject) {
			out = append(out, m)
		}
	}
	return out
}

// waitForMails waits until the sink holds n recovery emails.
func waitForMails(t *testing.T, sink *testapp.SMTPSink, what string, n int) []testapp.SinkMessage {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if got := recoveryMails(sink); len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			var subjects []string
			for _, m := range sink.Messages() {
				subjects = append(subjects, m.Subject())
			}
			t.Fatalf("waiting for %d email(s) %q: the sink has %q", n, what, subjects)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// recoveryLinkIn returns the recovery link of a message; it must point at
// the registry's own recovery page.
func recoveryLinkIn(t *testing.T, m testapp.SinkMessage, base string) string {
	t.Helper()
	text := mailText(t, m)
	link := regexp.MustCompile(regexp.QuoteMeta(base) + `/update/recover/#\S+`).FindString(text)
	if link == "" || !strings.Contains(link, "token=") || !strings.Contains(link, "submission=") {
		t.Fatalf("no recovery link to %s in the email:\n%s", base, text)
	}
	return link
}

// mailText is the decoded text of every text part of a message.
func mailText(t *testing.T, m testapp.SinkMessage) string {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(m.Raw))
	if err != nil {
		t.Fatalf("reading the email: %v", err)
	}
	var b strings.Builder
	if err := decodePart(&b, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body); err != nil {
		t.Fatalf("decoding the email: %v", err)
	}
	return b.String()
}

// decodePart appends the text/plain content of a MIME part (recursing into
// multipart parts) to b.
func decodePart(b *strings.Builder, contentType, encoding string, body io.Reader) error {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		mediaType = "text/plain"
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := decodePart(b, part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part); err != nil {
				return err
			}
		}
	}
	if mediaType != "text/plain" {
		return nil
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	raw, err := io.ReadAll(body)
	b.Write(raw)
	return err
}
