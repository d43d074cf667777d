package catalogue_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/denbi/service-registry/internal/browsertest"
)

// registry is a running registry binary as the browser test needs it.
type registry struct {
	URL string
	CLI func(t testing.TB, args ...string) string
}

// startRegistry runs the real binary with the catalogue on and two
// services per page, so that pagination shows with a few services.
func startRegistry(t *testing.T) registry {
	srv := browsertest.StartServer(t, []string{"REGISTRY_FEATURES__CATALOGUE=true", "REGISTRY_CATALOGUE__PER_PAGE=2"})
	res, err := http.Get(srv.URL + "/catalogue/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the registry binary answers /catalogue/ with %d: is plugins/catalogue registered in internal/setup?", res.StatusCode)
	}
	return registry{URL: srv.URL, CLI: srv.CLI}
}

// apiClient talks to the collection API as a superuser.
type apiClient struct {
	base, token string
}

func (c apiClient) do(t *testing.T, method, path string, body any) map[string]any {
	t.Helper()
	var reader io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, reader)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", c.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if res.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return out
}

// firstID returns the id of the first record of collection matching filter.
func (c apiClient) firstID(t *testing.T, collection, filter string) string {
	t.Helper()
	list := c.do(t, http.MethodGet, "/api/collections/"+collection+"/records?perPage=1&filter="+url.QueryEscape(filter), nil)
	items, _ := list["items"].([]any)
	if len(items) == 0 {
		t.Fatalf("no %s matches %s", collection, filter)
	}
	return items[0].(map[string]any)["id"].(string)
}

// seedCatalogue loads the demo reference data with the CLI and registers
// and approves services through the collection API as a superuser.
func seedCatalogue(t *testing.T, srv registry) (ids map[string]string) {
	t.Helper()
	srv.CLI(t, "seed", "demo")
	srv.CLI(t, "superuser", "upsert", "browser@example.org", "a-long-browser-test-password")
	auth := apiClient{base: srv.URL}.do(t, http.MethodPost, "/api/collections/_superusers/auth-with-password",
		map[string]string{"identity": "browser@example.org", "password": "a-long-browser-test-password"})
	api := apiClient{base: srv.URL, token: auth["token"].(string)}

	category := func(name string) string { return api.firstID(t, "categories", `name="`+name+`"`) }
	centre := func(short string) string { return api.firstID(t, "service_centers", `short_name="`+short+`"`) }
	pi := func(last string) string { return api.firstID(t, "pis", `last_name="`+last+`"`) }
	term := func(acc string) string { return api.firstID(t, "edam_terms", `accession="`+acc+`"`) }

	ids = map[string]string{}
	for _, s := range []struct {
		name, description, centre, pi, maturity string
		categories, topics                      []string
	}{
		{"Proteome Explorer", "Maps peptides to proteins and quantifies them across mass spectrometry runs.", "BiGi", "Carberry", "mature",
			[]string{"Database", "Web service"}, []string{"topic_0121", "topic_0080", "topic_3172", "topic_0091"}},
		{"Galaxy Europe", "A workflow platform for reproducible data analysis in the life sciences, free for everyone.", "CIBI", "Lovelace", "emerging",
			[]string{"Workflow"}, []string{"topic_0622"}},
		{"RNA Structure Lab", "Predicts RNA secondary structures and compares them between species with a web interface.", "RBC", "Franklin", "",
			[]string{"Tool"}, []string{"topic_0080"}},
		{"Crop Genome Atlas", "Genome browser and variant database for crop plants, with downloads for every release.", "GCBN", "Lovelace", "legacy",
			[]string{"Database"}, []string{"topic_0622", "topic_3053"}},
		{"Cloud Notebook Service", "Hosted notebooks for bioinformatics training courses, with preinstalled tools and data.", "HD-HuB", "Franklin", "",
			[]string{"Cloud computing", "Training"}, nil},
	} {
		var cats, topics []string
		for _, c := range s.categories {
			cats = append(cats, category(c))
		}
		for _, acc := range s.topics {
			topics = append(topics, term(acc))
		}
		slug := strings.ToLower(strings.ReplaceAll(s.name, " ", "-"))
		rec := api.do(t, http.MethodPost, "/api/collections/submissions/records", map[string]any{
			"date_of_entry": time.Now().UTC().Format("2006-01-02"), "submitter_first_name": "Grace", "submitter_last_name": "Hopper",
			"submitter_affiliation": "Bielefeld University", "survey_participation": true,
			"service_name": s.name, "service_description": s.description, "year_established": 2019,
			"service_categories": cats, "publications_pmids": "12345678", "edam_topics": topics,
			"responsible_pis": []string{pi(s.pi)}, "host_institute": "Bielefeld University", "service_center": centre(s.centre),
			"public_contact_email": "help@example.org", "internal_contact_name": "Grace Hopper",
			"internal_contact_email": "grace@example.org", "website_url": "https://" + slug + ".example.org",
			"terms_of_use_url": "https://" + slug + ".example.org/terms", "kpi_monitoring": "yes", "kpi_start_year": "2020",
			"github_url": "https://github.com/example/" + slug, "data_protection_consent": true,
			"license_note": "Free to use",
		})
		id := rec["id"].(string)
		api.do(t, http.MethodPatch, "/api/collections/submissions/records/"+id, map[string]any{
			"status": "approved", "primary_maturity_tag": s.maturity,
		})
		ids[s.name] = id
	}
	// one that is not approved must stay invisible
	api.do(t, http.MethodPost, "/api/collections/submissions/records", map[string]any{
		"date_of_entry": time.Now().UTC().Format("2006-01-02"), "service_name": "Unapproved Secret Tool",
		"submitter_first_name": "Grace", "submitter_last_name": "Hopper", "submitter_affiliation": "Bielefeld University",
		"service_description": strings.Repeat("Not yet reviewed by the office. ", 3), "year_established": 2020,
		"service_categories": []string{category("Tool")}, "publications_pmids": "1", "responsible_pis": []string{pi("Carberry")},
		"host_institute": "X", "service_center": centre("BiGi"), "public_contact_email": "a@example.org",
		"internal_contact_name": "A", "internal_contact_email": "a@example.org", "website_url": "https://secret.example.org",
		"terms_of_use_url": "https://secret.example.org/terms", "kpi_monitoring": "planned", "data_protection_consent": true,
		"license_note": "None",
	})
	return ids
}

// text reads the text of the first element matching css.
func text(t *testing.T, page *browsertest.Page, css string) string {
	t.Helper()
	return browsertest.Value(t, page, chromedp.Text(chromedp.CSS(css)))
}

// cardNames lists the service names on the page.
func cardNames(t *testing.T, page *browsertest.Page) []string {
	t.Helper()
	raw := browsertest.Value(t, page, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('.card-title a')).map(a => a.textContent.trim())`))
	return raw
}

// waitCount waits until the result count reads want.
func waitCount(t *testing.T, page *browsertest.Page, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(page.Context(), 10*time.Second)
	defer cancel()
	err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](
		fmt.Sprintf(`document.querySelector('#catalogue-count').textContent.replace(/\s+/g, ' ').trim() === %q && !document.querySelector('#catalogue-list').hasAttribute('aria-busy')`, want),
		chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil {
		got := browsertest.Value(t, page, chromedp.Evaluate[string](`document.querySelector('#catalogue-count').textContent + ' @ ' + location.href`))
		t.Fatalf("waiting for the count %q: %v; the page shows %q (console: %v)", want, err, got, page.ConsoleErrors())
	}
}

func TestCatalogueInChromium(t *testing.T) {
	srv := startRegistry(t)
	ids := seedCatalogue(t, srv)

	page := browsertest.NewPage(t)
	page.Run(t, chromedp.Navigate(srv.URL+"/catalogue/"))
	if h1 := text(t, page, "h1"); h1 != "Registry Catalogue" {
		t.Fatalf("heading %q", h1)
	}
	if got := text(t, page, "#catalogue-count"); got != "5 services registered" {
		t.Fatalf("count %q", got)
	}
	if got := cardNames(t, page); strings.Join(got, "|") != "Cloud Notebook Service|Crop Genome Atlas" {
		t.Fatalf("first page %v", got)
	}
	if got := text(t, page, ".page-info"); got != "Page 1 of 3 (5 services)" {
		t.Fatalf("pagination %q", got)
	}
	// the script hides the apply buttons: results follow every change
	if shown := browsertest.Value(t, page, chromedp.Evaluate[int](`Array.from(document.querySelectorAll('[data-apply]')).filter(b => b.offsetParent !== null).length`)); shown != 0 {
		t.Errorf("%d apply buttons still shown: the script did not take over the form", shown)
	}
	page.Screenshot(t, "catalogue-desktop")

	// instant search: no page load, the address follows
	page.Run(t, chromedp.Evaluate[chromedp.Void](`window.__samePage = true`))
	page.Run(t, chromedp.SendKeys(chromedp.CSS("#catalogue-q"), "genome"))
	waitCount(t, page, "1 result found")
	if got := cardNames(t, page); strings.Join(got, "|") != "Crop Genome Atlas" {
		t.Fatalf("search found %v", got)
	}
	loc := browsertest.Value(t, page, chromedp.Location())
	if !strings.HasSuffix(loc, "/catalogue/?q=genome") {
		t.Errorf("address %q does not hold the search", loc)
	}
	if same := browsertest.Value(t, page, chromedp.Evaluate[bool](`window.__samePage === true`)); !same {
		t.Error("searching reloaded the page")
	}

	// filters: clear the search, tick a category, pick a sort order
	page.Run(t, chromedp.Evaluate[chromedp.Void](`(() => { const q = document.querySelector('#catalogue-q'); q.value = ''; q.dispatchEvent(new Event('input', {bubbles: true})); })()`))
	waitCount(t, page, "5 services registered")
	page.Run(t, chromedp.Click(chromedp.Search(`//label[starts-with(normalize-space(.), "Database")]`)))
	waitCount(t, page, "2 results found")
	page.Run(t, chromedp.SetValue(chromedp.CSS("#catalogue-sort"), "name_desc"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#catalogue-sort').dispatchEvent(new Event('change', {bubbles: true}))`))
	page.Run(t, chromedp.Poll[chromedp.Void](`location.search.includes('sort=name_desc')`, chromedp.WithPollingTimeout(10*time.Second)))
	if got := cardNames(t, page); strings.Join(got, "|") != "Proteome Explorer|Crop Genome Atlas" {
		t.Fatalf("filtered and sorted: %v", got)
	}
	// Back restores the previous state, ticks included
	page.Run(t, chromedp.NavigateBack())
	page.Run(t, chromedp.Poll[chromedp.Void](`!location.search.includes('sort=') && document.querySelector('#catalogue-sort').value === 'name_asc'`,
		chromedp.WithPollingTimeout(10*time.Second)))
	waitCount(t, page, "2 results found")
	if got := cardNames(t, page); strings.Join(got, "|") != "Crop Genome Atlas|Proteome Explorer" {
		t.Fatalf("after Back: %v", got)
	}
	// a filter pill removes its filter
	page.Run(t, chromedp.Click(chromedp.CSS(".active-filters .pill:not(.pill-clear)")))
	waitCount(t, page, "5 services registered")
	if checked := browsertest.Value(t, page, chromedp.Evaluate[int](`document.querySelectorAll('#catalogue-form input[type=checkbox]:checked').length`)); checked != 0 {
		t.Errorf("%d boxes still ticked after removing the filter", checked)
	}
	// pagination through the script
	page.Run(t, chromedp.Click(chromedp.CSS(`.pagination a[rel=next]`)))
	page.Run(t, chromedp.Poll[chromedp.Void](`location.search.includes('page=2')`, chromedp.WithPollingTimeout(10*time.Second)))
	if got := cardNames(t, page); strings.Join(got, "|") != "Galaxy Europe|Proteome Explorer" {
		t.Fatalf("page 2: %v", got)
	}
	if body := text(t, page, "main"); strings.Contains(body, "Unapproved Secret Tool") {
		t.Error("an unapproved service is listed")
	}
	// grouping and the list view, chosen from the selects
	for _, choose := range []struct{ sel, value string }{{"#catalogue-group", "category"}, {"#catalogue-view", "list"}} {
		page.Run(t, chromedp.SetValue(chromedp.CSS(choose.sel), choose.value),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('`+choose.sel+`').dispatchEvent(new Event('change', {bubbles: true}))`))
	}
	page.Run(t, chromedp.Poll[chromedp.Void](`location.search === '?group_by=category&view=list'`, chromedp.WithPollingTimeout(10*time.Second)))
	page.Run(t, chromedp.WaitVisible(chromedp.CSS(".services-list")))
	groups := browsertest.Value(t, page, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('.group-label')).map(g => g.textContent)`))
	if strings.Join(groups, "|") != "Cloud computing|Database|Tool|Workflow" {
		t.Errorf("groups %v", groups)
	}
	page.Screenshot(t, "catalogue-grouped-list-desktop")
	page.AssertClean(t, srv.URL)

	// a phone: filters folded, no sideways scrolling
	page.SetViewport(t, 375, 812)
	page.Run(t, chromedp.Navigate(srv.URL+"/catalogue/"))
	page.Run(t, chromedp.WaitVisible(chromedp.CSS(".service-card")))
	if open := browsertest.Value(t, page, chromedp.Evaluate[bool](`document.querySelector('#catalogue-facets').open`)); open {
		t.Error("on a phone the filters start folded")
	}
	if w := browsertest.Value(t, page, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 375 {
		t.Errorf("the page is %d px wide on a 375 px screen", w)
	}
	// nothing sticks out of the content column into the page margin
	if right := browsertest.Value(t, page, chromedp.Evaluate[float64](
		`Math.max(...Array.from(document.querySelectorAll('.catalogue-filters, .service-card, .results-toolbar')).map(e => e.getBoundingClientRect().right))`)); right > 375-15 {
		t.Errorf("content reaches %.0f px on a 375 px screen (the margin is 16 px)", right)
	}
	page.Screenshot(t, "catalogue-375")

	// a service page with its structured data
	page.SetViewport(t, 1280, 900)
	page.Run(t, chromedp.Navigate(srv.URL+"/catalogue/"+ids["Proteome Explorer"]+"/"))
	if h1 := text(t, page, "h1"); h1 != "Proteome Explorer" {
		t.Fatalf("service page heading %q", h1)
	}
	ld := browsertest.Value(t, page, chromedp.Evaluate[map[string]any](
		`JSON.parse(document.querySelector('script[type="application/ld+json"]').textContent)`))
	if ld["name"] != "Proteome Explorer" || ld["@type"] != "SoftwareApplication" || ld["url"] != "https://proteome-explorer.example.org" {
		t.Errorf("JSON-LD %v", ld)
	}
	if topics := browsertest.Value(t, page, chromedp.Evaluate[int](`document.querySelectorAll('.badge-edam[href^="https://edamontology.org/topic_"]').length`)); topics != 4 {
		t.Errorf("%d EDAM topic badges, want 4", topics)
	}
	page.Screenshot(t, "catalogue-service-desktop")
	page.SetViewport(t, 375, 812)
	if w := browsertest.Value(t, page, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 375 {
		t.Errorf("the service page is %d px wide on a 375 px screen", w)
	}
	page.Screenshot(t, "catalogue-service-375")
	page.AssertClean(t, srv.URL)
}

func TestCatalogueWithoutJavaScript(t *testing.T) {
	srv := startRegistry(t)
	ids := seedCatalogue(t, srv)

	page := browsertest.NewPage(t)
	if _, err := chromedp.Call(page.Context(), emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	page.Run(t, chromedp.Navigate(srv.URL+"/catalogue/"))
	if got := text(t, page, "#catalogue-count"); got != "5 services registered" {
		t.Fatalf("count %q", got)
	}
	if hidden := browsertest.Value(t, page, chromedp.AttributeValue(chromedp.CSS("[data-apply]"), "hidden")); hidden.Exists {
		t.Fatal("scripts ran although they are off")
	}
	page.Screenshot(t, "catalogue-nojs-desktop")

	// the form submits as a plain GET
	page.Run(t,
		chromedp.SendKeys(chromedp.CSS("#catalogue-q"), "structure"),
		chromedp.Click(chromedp.CSS(".search-row button")),
		chromedp.WaitVisible(chromedp.CSS(".active-filters")),
	)
	if got := text(t, page, "#catalogue-count"); got != "1 result found" {
		t.Fatalf("after searching: %q", got)
	}
	if got := text(t, page, ".card-title"); got != "RNA Structure Lab" {
		t.Fatalf("found %q", got)
	}
	// filters and sort with the apply buttons
	page.Run(t,
		chromedp.Navigate(srv.URL+"/catalogue/"),
		chromedp.Click(chromedp.Search(`//label[starts-with(normalize-space(.), "CIBI")]`)),
		chromedp.Click(chromedp.Search(`//label[starts-with(normalize-space(.), "GCBN")]`)),
		chromedp.Click(chromedp.CSS(".facet-actions button")),
		chromedp.WaitVisible(chromedp.CSS(".active-filters")),
	)
	if got := text(t, page, "#catalogue-count"); got != "2 results found" {
		t.Fatalf("two centres: %q", got)
	}
	page.Run(t, chromedp.Click(chromedp.CSS(`.pill-clear`)), chromedp.WaitNotPresent(chromedp.CSS(".active-filters")))
	if got := text(t, page, "#catalogue-count"); got != "5 services registered" {
		t.Fatalf("after clearing: %q", got)
	}
	page.SetViewport(t, 375, 812)
	page.Screenshot(t, "catalogue-nojs-375")

	page.Run(t, chromedp.Navigate(srv.URL+"/catalogue/"+ids["Galaxy Europe"]+"/"))
	if h1 := text(t, page, "h1"); h1 != "Galaxy Europe" {
		t.Fatalf("service page heading %q", h1)
	}
	page.Screenshot(t, "catalogue-service-nojs-375")
	page.AssertClean(t, srv.URL)
}
