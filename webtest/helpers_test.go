package webtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/denbi/service-registry/internal/browsertest"
)

// registry is one running binary with demo reference data, a browser tab
// and an admin key for checking results through the API.
type registry struct {
	srv      *browsertest.Server
	page     *browsertest.Page
	adminKey string
}

// startRegistry runs the binary with env, loads the demo reference data
// (categories, centres, PIs, a small EDAM release and the SPDX list) and
// opens a tab. The reference data is loaded before any page asks for EDAM
// terms, so the server's term index is built from the full table.
func startRegistry(t *testing.T, env ...string) *registry {
	t.Helper()
	srv := browsertest.StartServer(t, append([]string{
		"REGISTRY_EDAM__SYNC_ON_START=false",
		"REGISTRY_LICENSES__SYNC_ON_START=false",
	}, env...))
	seed(t, srv)
	key := lastLine(srv.CLI(t, "adminkey", "create", "--label", "webtest", "--scope", "full"))
	return &registry{srv: srv, page: browsertest.NewPage(t), adminKey: key}
}

// seed runs "registry seed demo" against the running server's data (the
// command itself retries when it meets the server's writes) and checks
// that it loaded EDAM terms and licenses.
func seed(t *testing.T, srv *browsertest.Server) {
	t.Helper()
	out := srv.CLI(t, "seed", "demo")
	if !strings.Contains(out, "EDAM") || !strings.Contains(out, "SPDX") {
		t.Fatalf("seed demo did not load EDAM terms and licenses:\n%s", out)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// sharedData returns ../shared/data (next to the repository) or skips.
func sharedData(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(browsertest.RepoRoot(t), "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(dir, "biotools", "blast.json")); err != nil {
		t.Skipf("skipping: the shared test data (%s) is not there; it comes with the project's shared folder", dir)
	}
	return dir
}

// fakeBiotools serves the stored bio.tools records under /api/tool/<id>/
// and 404 for everything else, like bio.tools does for unknown tools.
func fakeBiotools(t *testing.T, dataDir string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := strings.Trim(strings.TrimPrefix(r.URL.Path, "/api/tool/"), "/")
		raw, err := os.ReadFile(filepath.Join(dataDir, "biotools", filepath.Base(id)+".json"))
		if err != nil || id == "" || strings.Contains(id, "/") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"detail":"Not found."}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(raw)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/api"
}

// ---- API checks -------------------------------------------------------------

// api sends a request with the admin key (or the given Authorization value)
// and decodes the JSON answer.
func (r *registry) api(t *testing.T, method, path string, body any, auth ...string) (int, map[string]any) {
	t.Helper()
	var reader io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, r.srv.URL+path, reader)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if len(auth) > 0 {
		req.Header.Set("Authorization", auth[0])
	} else {
		req.Header.Set("Authorization", "AdminKey "+r.adminKey)
	}
	client := &http.Client{Timeout: 20 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if len(raw) > 0 && json.Unmarshal(raw, &out) != nil {
		t.Fatalf("%s %s: not JSON: %s", method, path, raw)
	}
	return resp.StatusCode, out
}

// submission reads a submission through the compatibility API (nested
// relations) with the admin key.
func (r *registry) submission(t *testing.T, id string) map[string]any {
	t.Helper()
	status, body := r.api(t, http.MethodGet, "/api/v1/submissions/"+id+"/", nil)
	if status != http.StatusOK {
		t.Fatalf("GET submission %s: %d %v", id, status, body)
	}
	return body
}

// superuserToken creates a superuser and logs in, for what only the office
// may do (approving an entry).
func (r *registry) superuserToken(t *testing.T) string {
	t.Helper()
	r.srv.CLI(t, "superuser", "upsert", "office@example.org", "a-long-test-password-42")
	status, body := r.api(t, http.MethodPost, "/api/collections/_superusers/auth-with-password",
		map[string]any{"identity": "office@example.org", "password": "a-long-test-password-42"}, "")
	if status != http.StatusOK {
		t.Fatalf("superuser login: %d %v", status, body)
	}
	return body["token"].(string)
}

// names returns the values of key in a list of objects.
func names(list any, key string) []string {
	var out []string
	items, _ := list.([]any)
	for _, item := range items {
		if m, ok := item.(map[string]any); ok {
			out = append(out, fmt.Sprint(m[key]))
		}
	}
	return out
}

// ---- browser helpers ----------------------------------------------------------

func (r *registry) open(t *testing.T, path string) {
	t.Helper()
	r.page.Run(t, chromedp.Navigate(r.srv.URL+path))
}

// reload loads the current page again, as the browser's reload button does
// (location.reload keeps sessionStorage, like a person's reload).
func (r *registry) reload(t *testing.T) {
	t.Helper()
	r.eval(t, `(() => { window.__beforeReload = true; location.reload(); return 1 })()`)
	r.waitFor(t, "the page to load again", `!window.__beforeReload && document.readyState === "complete"`)
}

// waitFor polls a JavaScript expression until it is truthy. It survives
// navigations (an evaluation that fails while a new page loads is tried
// again).
func (r *registry) waitFor(t *testing.T, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var lastErr error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(r.page.Context(), 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("(() => { try { return !!("+expr+"); } catch (e) { return false; } })()"))
		cancel()
		if err == nil && ok {
			return
		}
		lastErr = err
		time.Sleep(100 * time.Millisecond)
	}
	body := r.eval(t, `document.body ? document.body.innerText.slice(0, 3000) : ""`)
	t.Fatalf("waiting for %s (%s): timed out (last error: %v)\nconsole: %v\npage text:\n%s", what, expr, lastErr, r.page.ConsoleErrors(), body)
}

// eval runs JavaScript and returns its result as text.
func (r *registry) eval(t *testing.T, expr string) string {
	t.Helper()
	v, err := chromedp.Run(r.page.Context(), chromedp.Evaluate[string](`String((() => { return `+expr+` })())`))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// js quotes a Go string for JavaScript.
func js(s string) string {
	raw, _ := json.Marshal(s)
	return string(raw)
}

// waitForForm waits until a form page has loaded its lists and values.
func (r *registry) waitForForm(t *testing.T, formID string) {
	t.Helper()
	r.waitFor(t, "the form to be ready", `document.getElementById(`+js(formID)+`)?.dataset.ready === "true"`)
}

// typeInto types text at the end of a field, key by key. On a loaded
// machine a late timer of the page (a picker closing, a draft being saved)
// can take the focus halfway through; the field is then put back as it was
// and typed again, and the test fails only if that happens twice.
func (r *registry) typeInto(t *testing.T, selector, text string) {
	t.Helper()
	before := r.value(t, selector)
	for attempt := 1; ; attempt++ {
		r.page.Run(t, chromedp.SendKeys(chromedp.CSS(selector), text))
		got := r.value(t, selector)
		if got == before+text {
			return
		}
		if attempt == 2 {
			t.Fatalf("typing into %s: the field holds %q, want %q", selector, got, before+text)
		}
		t.Logf("typing into %s was interrupted (%q); typing again", selector, got)
		r.eval(t, `(() => { const el = document.querySelector(`+js(selector)+`); el.value = `+js(before)+`; el.dispatchEvent(new Event("input", { bubbles: true })); return 1 })()`)
	}
}

// replace clears a text field and types text into it.
func (r *registry) replace(t *testing.T, selector, text string) {
	t.Helper()
	// chromedp.SetValue cannot set "" (it reads the empty value back as an error)
	r.eval(t, `(() => { const el = document.querySelector(`+js(selector)+`); el.value = ""; el.dispatchEvent(new Event("input", { bubbles: true })); return 1 })()`)
	r.typeInto(t, selector, text)
}

func (r *registry) click(t *testing.T, selector string) {
	t.Helper()
	r.page.Run(t, chromedp.Click(chromedp.CSS(selector)))
}

// clickFresh clicks an element of a list that a script may redraw between
// finding it and clicking it; it tries again with the new node.
func (r *registry) clickFresh(t *testing.T, selector string) {
	t.Helper()
	var err error
	for range 5 {
		ctx, cancel := context.WithTimeout(r.page.Context(), 10*time.Second)
		err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(selector)))
		cancel()
		if err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("clicking %s: %v", selector, err)
}

// choose picks a value in a native <select> the way a keyboard would
// leave it: value set, change event fired.
func (r *registry) choose(t *testing.T, selector, optionText string) {
	t.Helper()
	ok := r.eval(t, `(() => {
		const el = document.querySelector(`+js(selector)+`);
		const opt = [...el.options].find((o) => o.textContent.includes(`+js(optionText)+`));
		if (!opt) return false;
		el.focus(); el.value = opt.value;
		el.dispatchEvent(new Event("change", { bubbles: true }));
		return true; })()`)
	if ok != "true" {
		t.Fatalf("no option %q in %s", optionText, selector)
	}
}

// checkLabel clicks the checkbox or radio whose label reads text, inside scope.
func (r *registry) checkLabel(t *testing.T, scope, text string) {
	t.Helper()
	id := r.eval(t, `[...document.querySelectorAll(`+js(scope+" label")+`)].find((l) => l.textContent.trim() === `+js(text)+`)?.htmlFor || ""`)
	if id == "" {
		t.Fatalf("no label %q in %s", text, scope)
	}
	r.click(t, "#"+id)
}

// pick types query into the Tom Select picker of field and chooses the
// option whose text contains want. It returns the texts of the options
// that were offered, in order.
func (r *registry) pick(t *testing.T, field, query, want string) []string {
	t.Helper()
	input := "#f-" + field + "-ts-control"
	dropdown := "#f-" + field + "-ts-dropdown"
	r.click(t, input)
	r.typeInto(t, input, query)
	r.waitFor(t, fmt.Sprintf("%q among the %s options", want, field),
		`[...document.querySelectorAll(`+js(dropdown+" .option")+`)].some((o) => o.textContent.includes(`+js(want)+`))`)
	offered := r.eval(t, `JSON.stringify([...document.querySelectorAll(`+js(dropdown+" .option")+`)].map((o) => o.textContent.trim()))`)
	var list []string
	_ = json.Unmarshal([]byte(offered), &list)
	value := r.eval(t, `[...document.querySelectorAll(`+js(dropdown+" .option")+`)].find((o) => o.textContent.includes(`+js(want)+`)).dataset.value`)
	// the list is drawn again when results arrive: click the fresh node
	r.clickFresh(t, dropdown+` .option[data-value=`+js(value)+`]`)
	r.waitFor(t, want+" to be chosen", `document.querySelector(`+js("#field-"+field+" .ts-control .item[data-value="+js(value)+"]")+`)`)
	// close the dropdown so it covers nothing else
	r.page.Run(t, chromedp.KeyEvent(kb.Escape))
	return list
}

// chosen returns the texts of the items chosen in a Tom Select picker.
func (r *registry) chosen(t *testing.T, field string) string {
	t.Helper()
	return r.eval(t, `[...document.querySelectorAll(`+js("#field-"+field+" .ts-control .item")+`)].map((i) => i.textContent.trim()).join(" | ")`)
}

func (r *registry) value(t *testing.T, selector string) string {
	t.Helper()
	return r.eval(t, `document.querySelector(`+js(selector)+`)?.value ?? "<missing>"`)
}

func (r *registry) text(t *testing.T, selector string) string {
	t.Helper()
	return r.eval(t, `document.querySelector(`+js(selector)+`)?.textContent.trim() ?? "<missing>"`)
}

func (r *registry) visible(t *testing.T, selector string) bool {
	t.Helper()
	return r.eval(t, `(() => { const el = document.querySelector(`+js(selector)+`); if (!el) return false;
		const box = el.getBoundingClientRect(); return !el.closest("[hidden]") && box.width > 0 && box.height > 0; })()`) == "true"
}

// screenshots saves the current page at desktop and phone width.
func (r *registry) screenshots(t *testing.T, name string) {
	t.Helper()
	r.page.SetViewport(t, 1280, 900)
	r.page.Screenshot(t, name+"-desktop")
	r.page.SetViewport(t, 375, 812)
	r.page.Screenshot(t, name+"-375")
	r.page.SetViewport(t, 1280, 900)
}

// ---- a complete registration ----------------------------------------------------

// service is what fillRegistration enters.
type service struct {
	name, email string
	logo        string // path of a logo file, or ""
	skipEDAM    bool
}

// fillRegistration fills every required field of /register/ (and a few
// optional ones) as a person would: typing, clicking and picking. It
// returns the EDAM topics offered for "prote", in order.
func (r *registry) fillRegistration(t *testing.T, s service) []string {
	t.Helper()
	r.typeInto(t, "#f-submitter_first_name", "Ada")
	r.typeInto(t, "#f-submitter_last_name", "Lovelace")
	r.pick(t, "submitter_affiliation", "Bielef", "Bielefeld University")
	r.checkLabel(t, "#field-register_as_elixir", "Yes")

	r.typeInto(t, "#f-service_name", s.name)
	r.typeInto(t, "#f-service_description", "Maps peptides to proteins and explains the evidence behind every single match it reports.")
	r.typeInto(t, "#f-year_established", "2019")
	r.checkLabel(t, "#field-service_categories", "Tool")
	r.checkLabel(t, "#field-service_categories", "Web service")
	var offered []string
	if !s.skipEDAM {
		offered = r.pick(t, "edam_topics", "prote", "Proteomics")
		r.pick(t, "edam_operations", "sequence align", "Sequence alignment")
	}
	r.typeInto(t, "#f-publications_pmids", "12345678, 10.1000/xyz123")
	if s.logo != "" {
		r.page.Run(t, chromedp.SetUploadFiles(chromedp.CSS("#f-logo"), []string{s.logo}))
	}

	r.pick(t, "responsible_pis", "Love", "Lovelace")
	r.pick(t, "host_institute", "Bielefeld", "Bielefeld University")
	r.choose(t, "#f-service_center", "BiGi")
	r.typeInto(t, "#f-public_contact_email", "help@proteome.example.org")
	r.typeInto(t, "#f-internal_contact_name", "Ada Lovelace, Bielefeld University")
	r.typeInto(t, "#f-internal_contact_email", s.email)
	r.typeInto(t, "#f-internal_contact_email_confirm", s.email)

	r.typeInto(t, "#f-website_url", "https://proteome.example.org")
	r.typeInto(t, "#f-terms_of_use_url", "https://proteome.example.org/terms")
	r.pick(t, "licenses", "MIT", "MIT License MIT")

	r.choose(t, "#f-kpi_monitoring", "Yes")
	r.typeInto(t, "#f-kpi_start_year", "2021")
	r.typeInto(t, "#f-keywords_seo", "proteomics, peptides")
	r.click(t, "#f-data_protection_consent")
	return offered
}

// writePNG writes a small PNG logo and returns its path.
func writePNG(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 48, 48))
	for x := range 48 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{R: 92, G: 157, B: 37, A: 255})
		}
	}
	path := filepath.Join(t.TempDir(), "logo.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return path
}
