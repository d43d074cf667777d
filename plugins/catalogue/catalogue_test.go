package catalogue_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/denbi/service-registry/internal/testapp"
	"github.com/denbi/service-registry/plugins/catalogue"
	"github.com/pocketbase/pocketbase/tools/filesystem"
)

var approvedNames = []string{"Galaxy Europe", "metabolite finder", "Proteome Explorer"}

var hiddenNames = []string{"Hidden Submitted Tool", "Hidden Rejected Tool", "Hidden Deprecated Tool"}

func TestOnlyApprovedServicesAreListed(t *testing.T) {
	f := newFixture(t, nil)

	page := f.get(t, "/catalogue/", http.StatusOK)
	if got := names(page.Body); !slices.Equal(got, approvedNames) {
		t.Fatalf("listed %v, want %v (A→Z, case-insensitive)", got, approvedNames)
	}
	contains(t, page.Body, "<strong>3</strong> services registered")
	lacks(t, page.Body, hiddenNames...)

	for _, rec := range []string{f.submitted.Id, f.rejected.Id} {
		f.get(t, "/catalogue/"+rec+"/", http.StatusNotFound)
		f.get(t, "/ga4gh/service-registry/v1/services/"+rec, http.StatusNotFound)
		f.get(t, "/api/collections/catalogue_services/records/"+rec, http.StatusNotFound)
	}
	for _, url := range []string{"/ga4gh/service-registry/v1/services", "/catalogue/feed.atom", "/catalogue/grid/?sort=updated_desc&group_by=pi"} {
		body := f.get(t, url, http.StatusOK).Body
		contains(t, body, approvedNames...)
		lacks(t, body, hiddenNames...)
	}
}

func TestPublicReadModelHasPublicFieldsOnly(t *testing.T) {
	f := newFixture(t, nil)

	// no key, no token: the view is public
	res := f.get(t, "/api/collections/catalogue_services/records?perPage=100&sort=service_name", http.StatusOK)
	var list struct {
		TotalItems int              `json:"totalItems"`
		Items      []map[string]any `json:"items"`
	}
	res.JSON(t, &list)
	if list.TotalItems != 3 {
		t.Fatalf("the view lists %d services, want the 3 approved ones: %s", list.TotalItems, res.Body)
	}
	for _, item := range list.Items {
		for _, private := range []string{"internal_contact_name", "internal_contact_email", "submission_ip", "user_agent_hash",
			"data_protection_consent", "last_change_summary", "submitter_first_name", "submitter_last_name",
			"submitter_affiliation", "comments", "status", "kpi_monitoring", "survey_participation"} {
			if _, ok := item[private]; ok {
				t.Errorf("the public view exposes %s", private)
			}
		}
	}
	// neither the internal contact nor the PIs' addresses leak anywhere
	lacks(t, res.Body, "grace.internal@example.org", "josiah@example.org", "Grace Hopper")

	// relations are resolved: names, not just ids
	view := f.get(t, "/api/collections/catalogue_services/records/"+f.proteome.Id, http.StatusOK).Map(t)
	cats, _ := view["categories"].([]any)
	if len(cats) != 1 || cats[0].(map[string]any)["name"] != "Database" {
		t.Errorf("categories = %v", view["categories"])
	}
	if c, _ := view["service_center"].(map[string]any); c == nil || c["short_name"] != "BiGi" {
		t.Errorf("service_center = %v", view["service_center"])
	}
	topics, _ := view["edam_topics"].([]any)
	if len(topics) != 4 || topics[0].(map[string]any)["uri"] != "http://edamontology.org/topic_0121" {
		t.Errorf("edam_topics = %v (must keep the chosen order)", view["edam_topics"])
	}
	pis, _ := view["responsible_pis"].([]any)
	if len(pis) != 1 || pis[0].(map[string]any)["last_name"] != "Carberry" {
		t.Errorf("responsible_pis = %v", view["responsible_pis"])
	}
	if _, ok := pis[0].(map[string]any)["email"]; ok {
		t.Error("PI email addresses must not be public")
	}

	// filtering and sorting go through SQL
	res = f.get(t, `/api/collections/catalogue_services/records?filter=`+queryEscape(`edam_topics ~ "Genomics"`)+`&sort=-service_name`, http.StatusOK)
	res.JSON(t, &list)
	if list.TotalItems != 2 || list.Items[0]["service_name"] != "Proteome Explorer" {
		t.Errorf("filter on EDAM labels: %s", res.Body)
	}

	// nobody writes through the view
	for _, method := range []string{http.MethodPost, http.MethodPatch, http.MethodDelete} {
		url := "/api/collections/catalogue_services/records"
		if method != http.MethodPost {
			url += "/" + f.proteome.Id
		}
		if r := testapp.Do(t, f.srv, method, url, map[string]any{"service_name": "x"}); r.Status < 400 {
			t.Errorf("%s %s answered %d", method, url, r.Status)
		}
	}
	// the submissions themselves stay closed to anonymous callers
	var closed struct {
		TotalItems int `json:"totalItems"`
	}
	f.get(t, "/api/collections/submissions/records", http.StatusOK).JSON(t, &closed)
	if closed.TotalItems != 0 {
		t.Errorf("anonymous callers see %d submissions", closed.TotalItems)
	}
	f.get(t, "/api/collections/submissions/records/"+f.proteome.Id, http.StatusNotFound)
}

func queryEscape(s string) string {
	return strings.NewReplacer(" ", "%20", `"`, "%22", "~", "%7E").Replace(s)
}

func TestLogoIsServedFromTheSubmission(t *testing.T) {
	f := newFixture(t, nil)
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{92, 157, 37, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	file, err := filesystem.NewFileFromBytes(buf.Bytes(), "logo.png")
	if err != nil {
		t.Fatal(err)
	}
	f.galaxy.Set("logo", file)
	if err := f.app.Save(f.galaxy); err != nil {
		t.Fatal(err)
	}

	view := f.get(t, "/api/collections/catalogue_services/records/"+f.galaxy.Id, http.StatusOK).Map(t)
	logo, _ := view["logo_url"].(string)
	want := testSiteURL + "/api/files/" + f.galaxy.Collection().Id + "/" + f.galaxy.Id + "/" + f.galaxy.GetString("logo")
	if logo != want {
		t.Fatalf("logo_url %q, want %q", logo, want)
	}
	path := strings.TrimPrefix(logo, testSiteURL)
	if got := f.get(t, path, http.StatusOK); !bytes.Equal(got.Body, buf.Bytes()) {
		t.Error("the logo URL must serve the uploaded file to anonymous callers")
	}
	contains(t, f.get(t, "/catalogue/", http.StatusOK).Body, `<img class="avatar" src="`+path+`"`)
	contains(t, f.get(t, "/catalogue/"+f.galaxy.Id+"/", http.StatusOK).Body, `src="`+path+`" alt="Logo of Galaxy Europe"`)
	if other, _ := f.get(t, "/api/collections/catalogue_services/records/"+f.proteome.Id, http.StatusOK).Map(t)["logo_url"].(string); other != "" {
		t.Errorf("a service without a logo has logo_url %q", other)
	}
}

func TestChangesShowAtOnce(t *testing.T) {
	f := newFixture(t, nil)
	f.get(t, "/catalogue/", http.StatusOK) // build the index

	f.submitted.Set("status", "approved")
	if err := f.app.Save(f.submitted); err != nil {
		t.Fatal(err)
	}
	f.proteome.Set("status", "deprecated")
	f.proteome.Set("primary_maturity_tag", "") // as the deprecation route does
	if err := f.app.Save(f.proteome); err != nil {
		t.Fatal(err)
	}
	got := f.listed(t, "")
	if want := []string{"Galaxy Europe", "Hidden Submitted Tool", "metabolite finder"}; !slices.Equal(got, want) {
		t.Fatalf("after approving one and deprecating another: %v, want %v", got, want)
	}
	f.get(t, "/catalogue/"+f.submitted.Id+"/", http.StatusOK)
	gone := f.get(t, "/catalogue/"+f.proteome.Id+"/", http.StatusGone)
	contains(t, gone.Body, "Service deprecated", `<meta name="robots" content="noindex">`)
	lacks(t, gone.Body, "Proteome Explorer", "application/ld+json")

	// renaming reference data shows too
	cat, err := f.app.FindRecordById("categories", f.ref.Categories[1])
	if err != nil {
		t.Fatal(err)
	}
	cat.Set("name", "Web application")
	if err := f.app.Save(cat); err != nil {
		t.Fatal(err)
	}
	contains(t, f.get(t, "/catalogue/"+f.galaxy.Id+"/", http.StatusOK).Body, ">Web application</a>")
}

func TestSearch(t *testing.T) {
	f := newFixture(t, nil)
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"proteome", []string{"Proteome Explorer"}},                     // name
		{"PROTEOME explorer", []string{"Proteome Explorer"}},            // case, every word
		{"reproducible", []string{"Galaxy Europe"}},                     // description
		{"spectrometry", []string{"Proteome Explorer"}},                 // SEO keywords
		{"quantification", []string{"Proteome Explorer"}},               // uncited keywords
		{"freiburg", []string{"Galaxy Europe"}},                         // host institute
		{"web service", []string{"Galaxy Europe", "metabolite finder"}}, // category
		{"cibi", []string{"metabolite finder"}},                         // centre short name
		{"integrative", []string{"metabolite finder"}},                  // centre full name
		{"gießen", []string{"Galaxy Europe", "Proteome Explorer"}},      // centre full name, non-ASCII
		{"lovelace", []string{"Galaxy Europe", "metabolite finder"}},    // PI last name
		{"josiah", []string{"metabolite finder", "Proteome Explorer"}},  // PI first name
		{"metabolomics", []string{"metabolite finder"}},                 // EDAM topic label
		{"peptide identification", []string{"Proteome Explorer"}},       // EDAM operation label
		{"spectra", []string{"metabolite finder", "Proteome Explorer"}},
		{"genomics lovelace", []string{"Galaxy Europe"}}, // words are ANDed across fields
		{"GA", []string{"Galaxy Europe"}},                // short words are searched too
		{"e", approvedNames},
		{"europe ga", []string{"Galaxy Europe"}},
		{"hidden", nil}, // never the unapproved ones
		{"submitted", nil},
		{"nothing matches this", nil},
	} {
		if got := f.listed(t, "q="+queryEscape(tc.q)); !sameSet(got, tc.want) {
			t.Errorf("q=%q found %v, want %v", tc.q, got, tc.want)
		}
	}

	res := f.get(t, "/catalogue/grid/?q=freiburg", http.StatusOK)
	contains(t, res.Body, "<strong>1</strong> result found", `Search: “freiburg”`)
	empty := f.get(t, "/catalogue/?q=zzzz", http.StatusOK)
	contains(t, empty.Body, "No services found", "No services match your current filters or search.", `value="zzzz"`)

	long := strings.Repeat("a", 250)
	res = f.get(t, "/catalogue/?q="+long, http.StatusOK)
	contains(t, res.Body, `value="`+strings.Repeat("a", 200)+`"`)
	lacks(t, res.Body, strings.Repeat("a", 201))
}

func TestFilters(t *testing.T) {
	f := newFixture(t, nil)
	db, web := f.ref.Categories[0], f.ref.Categories[1]
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"category=" + db, []string{"metabolite finder", "Proteome Explorer"}},
		{"category=" + web, []string{"Galaxy Europe", "metabolite finder"}},
		{"category=" + db + "&category=" + web, approvedNames}, // OR within a filter
		{"center=" + f.ref.Center, []string{"Galaxy Europe", "Proteome Explorer"}},
		{"center=" + f.centre2, []string{"metabolite finder"}},
		{"center=" + f.ref.Center + "&category=" + web, []string{"Galaxy Europe"}}, // AND across filters
		{"topic=topic_0622", []string{"Galaxy Europe", "Proteome Explorer"}},
		{"topic=topic_3172&topic=topic_0121", []string{"metabolite finder", "Proteome Explorer"}},
		{"maturity=mature", []string{"Proteome Explorer"}},
		{"maturity=unstable", []string{"Galaxy Europe"}}, // a secondary tag
		{"maturity=mature&maturity=emerging", []string{"Galaxy Europe", "Proteome Explorer"}},
		{"maturity=legacy", nil},
		{"topic=topic_0622&q=proteins", []string{"Proteome Explorer"}},
		{"category=999", nil}, // a valid id nobody has
		// unusable values are dropped, so they filter nothing
		{"category=abc&category=1;drop", approvedNames},
		{"center=not-a-uuid", approvedNames},
		{"topic=operation_3631&topic=topic_x", approvedNames},
		{"maturity=ripe", approvedNames},
	} {
		if got := f.listed(t, tc.query); !sameSet(got, tc.want) {
			t.Errorf("%s listed %v, want %v", tc.query, got, tc.want)
		}
	}

	page := f.get(t, "/catalogue/?category="+db+"&topic=topic_0622", http.StatusOK)
	contains(t, page.Body,
		`name="category" value="`+db+`" checked`, // checked state kept
		`name="topic" value="topic_0622" checked`,
		"Category: Database", "EDAM topic: Genomics", // pills with labels
		`href="/catalogue/?topic=topic_0622"`, // removing the category keeps the topic
		"2 selected",
	)
}

func TestSortGroupAndView(t *testing.T) {
	f := newFixture(t, nil)
	// make Galaxy the most recently updated; metabolite was added last
	time.Sleep(5 * time.Millisecond)
	f.galaxy.Set("keywords_seo", "workflows")
	if err := f.app.Save(f.galaxy); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", approvedNames},
		{"sort=name_asc", approvedNames},
		{"sort=name_desc", []string{"Proteome Explorer", "metabolite finder", "Galaxy Europe"}},
		{"sort=updated_desc", []string{"Galaxy Europe", "metabolite finder", "Proteome Explorer"}},
		{"sort=added_desc", []string{"metabolite finder", "Galaxy Europe", "Proteome Explorer"}},
		{"sort=added_asc", []string{"Proteome Explorer", "Galaxy Europe", "metabolite finder"}},
		{"sort=bogus", approvedNames},
	} {
		if got := f.listed(t, tc.query); !slices.Equal(got, tc.want) {
			t.Errorf("%q listed %v, want %v", tc.query, got, tc.want)
		}
	}

	groups := regexp.MustCompile(`<span class="group-label">([^<]*)</span> <span class="badge badge-count">(\d+)</span>`)
	for _, tc := range []struct {
		by   string
		want string
	}{
		{"category", "Database:2 Web service:1"}, // first category by name
		{"service_center", "BiGi:2 CIBI:1"},
		{"pi", "Carberry, Josiah:2 Lovelace, Ada:1"},
	} {
		body := f.get(t, "/catalogue/grid/?group_by="+tc.by, http.StatusOK).Body
		var got []string
		for _, m := range groups.FindAllSubmatch(body, -1) {
			got = append(got, string(m[1])+":"+string(m[2]))
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("group_by=%s: %v, want %s", tc.by, got, tc.want)
		}
		lacks(t, body, `class="pagination"`)
	}

	contains(t, f.get(t, "/catalogue/grid/?view=list", http.StatusOK).Body, `class="services services-list"`)
	contains(t, f.get(t, "/catalogue/grid/?view=poster", http.StatusOK).Body, `class="services services-grid"`)
}

func TestPagination(t *testing.T) {
	f := newFixture(t, func(c *catalogue.Config) { c.PerPage = 2 })
	for _, tc := range []struct {
		query string
		want  []string
		info  string
	}{
		{"", []string{"Galaxy Europe", "metabolite finder"}, "Page 1 of 2 (3 services)"},
		{"page=2", []string{"Proteome Explorer"}, "Page 2 of 2 (3 services)"},
		{"page=9999", []string{"Proteome Explorer"}, "Page 2 of 2 (3 services)"}, // beyond the end: the last page
		{"page=0", []string{"Galaxy Europe", "metabolite finder"}, "Page 1 of 2"},
		{"page=-3", []string{"Galaxy Europe", "metabolite finder"}, "Page 1 of 2"},
		{"page=abc", []string{"Galaxy Europe", "metabolite finder"}, "Page 1 of 2"},
		{"page=99999999999999999999", []string{"Proteome Explorer"}, "Page 2 of 2"},
	} {
		res := f.get(t, "/catalogue/?"+tc.query, http.StatusOK)
		if got := names(res.Body); !slices.Equal(got, tc.want) {
			t.Errorf("%q listed %v, want %v", tc.query, got, tc.want)
		}
		contains(t, res.Body, tc.info)
	}
	// links keep the state; one page of results has no pagination
	res := f.get(t, "/catalogue/?sort=name_desc&category="+f.ref.Categories[0]+"&category="+f.ref.Categories[1], http.StatusOK)
	contains(t, res.Body, `href="/catalogue/?category=1&amp;category=2&amp;sort=name_desc&amp;page=2" rel="next"`)
	lacks(t, f.get(t, "/catalogue/?q=galaxy", http.StatusOK).Body, `class="pagination"`)

	grid := f.get(t, "/catalogue/grid/?page=7&sort=name_desc&q=e", http.StatusOK)
	if got := grid.Header.Get("X-Catalogue-Url"); got != "/catalogue/?q=e&sort=name_desc&page=2" {
		t.Errorf("X-Catalogue-Url %q", got)
	}
	lacks(t, grid.Body, "<html", "<head")
}

func TestParseQuery(t *testing.T) {
	d := catalogue.ParseQuery("")
	if d.Q != "" || d.Sort != "name_asc" || d.GroupBy != "" || d.View != "grid" || d.Page != 1 || d.Canonical != "" {
		t.Fatalf("defaults: %+v", d)
	}
	q := catalogue.ParseQuery("q=%20%20x%20&category=7&category=abc&category=7&center=0f8fad5b-d9cb-469f-a165-70867728950e" +
		"&center=12&center=0F8FAD5B-D9CB-469F-A165-70867728950E&topic=topic_0121&topic=operation_1&maturity=legacy" +
		"&maturity=old&sort=added_desc&group_by=pi&view=list&page=3")
	if q.Q != "x" || !slices.Equal(q.Categories, []string{"7"}) ||
		!slices.Equal(q.Centres, []string{"0f8fad5b-d9cb-469f-a165-70867728950e", "12"}) ||
		!slices.Equal(q.Topics, []string{"topic_0121"}) || !slices.Equal(q.Maturity, []string{"legacy"}) ||
		q.Sort != "added_desc" || q.GroupBy != "pi" || q.View != "list" || q.Page != 3 {
		t.Fatalf("parsed %+v", q)
	}
	want := "q=x&category=7&center=0f8fad5b-d9cb-469f-a165-70867728950e&center=12&topic=topic_0121&maturity=legacy&sort=added_desc&group_by=pi&view=list&page=3"
	if q.Canonical != want {
		t.Errorf("canonical\n got %s\nwant %s", q.Canonical, want)
	}
	bad := catalogue.ParseQuery("sort=random&group_by=colour&view=3d&page=x")
	if bad.Sort != "name_asc" || bad.GroupBy != "" || bad.View != "grid" || bad.Page != 1 || bad.Canonical != "" {
		t.Errorf("invalid values must fall back to the defaults: %+v", bad)
	}
	if got := catalogue.ParseQuery("q=" + strings.Repeat("ü", 300)).Q; got != strings.Repeat("ü", 200) {
		t.Errorf("q must be cut to 200 characters, got %d", len([]rune(got)))
	}
}

func TestServicePage(t *testing.T) {
	f := newFixture(t, nil)
	res := f.get(t, "/catalogue/"+f.proteome.Id+"/", http.StatusOK)
	contains(t, res.Body,
		"<h1 id=\"service-name\">Proteome Explorer</h1>",
		"Maps peptides to proteins.\nWorks with mass spectra", // line breaks kept (CSS pre-line)
		`href="https://edamontology.org/topic_0121" title="EDAM topic topic_0121">Proteomics</a>`,
		`href="https://edamontology.org/operation_3631"`,
		`<a href="https://proteome.example.org" rel="noopener">Website</a>`,
		`<a href="https://github.com/example/proteome" rel="noopener">GitHub</a>`,
		`<a href="https://bio.tools/proteome" rel="noopener">bio.tools</a>`,
		`<a href="https://fairsharing.org/1234" rel="noopener">FAIRsharing</a>`,
		`<a href="https://proteome.example.org/terms" rel="noopener">Terms of use</a>`,
		`title="Service maturity">Mature</span>`,
		`<a href="https://pubmed.ncbi.nlm.nih.gov/12345678/" rel="noopener">PMID 12345678</a>`,
		`<a href="https://doi.org/10.1000/xyz123" rel="noopener">DOI 10.1000/xyz123</a>`,
		`<a href="mailto:help@example.org">help@example.org</a>`,
		`Josiah Carberry, Brown University <a href="https://orcid.org/0000-0002-1825-0097"`,
		`>MIT</a>`, "Last updated", `<time datetime="`,
		`<link rel="canonical" href="`+testSiteURL+`/catalogue/`+f.proteome.Id+`/">`,
		`<link rel="icon" href="/img/favicon.svg"`,
	)
	lacks(t, res.Body, "josiah@example.org", "grace.internal@example.org", "Grace Hopper")

	ld := jsonLDOf(t, res.Body)
	for key, want := range map[string]any{
		"@context": "https://schema.org", "@type": "SoftwareApplication", "name": "Proteome Explorer",
		"description": "Maps peptides to proteins.\nWorks with mass spectra from any instrument.",
		"url":         "https://proteome.example.org",
	} {
		if ld[key] != want {
			t.Errorf("JSON-LD %s = %v, want %v", key, ld[key], want)
		}
	}
	if cats, _ := ld["applicationCategory"].([]any); len(cats) != 1 || cats[0] != "Database" {
		t.Errorf("applicationCategory = %v", ld["applicationCategory"])
	}
	topics, _ := ld["applicationSubCategory"].([]any)
	if len(topics) != 4 {
		t.Fatalf("applicationSubCategory = %v", ld["applicationSubCategory"])
	}
	first := topics[0].(map[string]any)
	if first["@id"] != "http://edamontology.org/topic_0121" || first["name"] != "Proteomics" || first["@type"] != "DefinedTerm" {
		t.Errorf("EDAM topic = %v", first)
	}
	if about, _ := ld["about"].([]any); len(about) != 4 {
		t.Errorf("about = %v", ld["about"])
	}
	if ops, _ := ld["featureList"].([]any); len(ops) != 1 || ops[0].(map[string]any)["@id"] != "http://edamontology.org/operation_3631" {
		t.Errorf("featureList = %v", ld["featureList"])
	}
	if provider, _ := ld["provider"].(map[string]any); provider["name"] != "Bielefeld-Gießen Center for Microbial Bioinformatics" {
		t.Errorf("provider = %v", ld["provider"])
	}
	if _, err := time.Parse(time.RFC3339, fmt.Sprint(ld["dateModified"])); err != nil {
		t.Errorf("dateModified %v: %v", ld["dateModified"], err)
	}
	if kw, _ := ld["keywords"].(string); !strings.Contains(kw, "mass spectrometry") || !strings.Contains(kw, "Proteomics") {
		t.Errorf("keywords = %q", kw)
	}
	if conforms, _ := ld["http://purl.org/dc/terms/conformsTo"].(map[string]any); conforms["@id"] != "https://bioschemas.org/profiles/ComputationalTool/1.0-RELEASE" {
		t.Errorf("conformsTo = %v", conforms)
	}

	// the associated partner placeholder shows the note instead
	partner := f.service(t, map[string]any{"service_name": "Partner Service", "status": "approved",
		"responsible_pis": []string{f.ref.PartnerPI}, "associated_partner_note": "Dr. Ruth Partner, Example Lab"})
	contains(t, f.get(t, "/catalogue/"+partner.Id+"/", http.StatusOK).Body, "Associated partner: Dr. Ruth Partner, Example Lab")

	f.get(t, "/catalogue/not-a-uuid/", http.StatusNotFound)
	missing := f.get(t, "/catalogue/0f8fad5b-d9cb-469f-a165-70867728950e/", http.StatusNotFound)
	contains(t, missing.Body, "Service not found")
	redirect := f.get(t, "/catalogue/"+f.proteome.Id, http.StatusMovedPermanently)
	if loc := redirect.Header.Get("Location"); loc != "/catalogue/"+f.proteome.Id+"/" {
		t.Errorf("redirect to %q", loc)
	}
}

var ldScript = regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`)

// jsonLDOf parses the page's only JSON-LD block.
func jsonLDOf(t *testing.T, body []byte) map[string]any {
	t.Helper()
	blocks := ldScript.FindAllSubmatch(body, -1)
	if len(blocks) != 1 {
		t.Fatalf("want one JSON-LD block, found %d", len(blocks))
	}
	var ld map[string]any
	if err := json.Unmarshal(blocks[0][1], &ld); err != nil {
		t.Fatalf("JSON-LD does not parse: %v\n%s", err, blocks[0][1])
	}
	return ld
}

func TestHostileTextIsEscaped(t *testing.T) {
	f := newFixture(t, nil)
	name := `</script><script>alert(1)</script> & "quotes" <b>`
	rec := f.service(t, map[string]any{"service_name": name, "status": "approved",
		"keywords_seo": `"><img src=x onerror=alert(2)>`})
	res := f.get(t, "/catalogue/"+rec.Id+"/", http.StatusOK)
	lacks(t, res.Body, "<script>alert(1)", "</script><script>", "<b>", "<img src=x")
	if ld := jsonLDOf(t, res.Body); ld["name"] != name {
		t.Errorf("the JSON-LD name %q must round-trip to %q", ld["name"], name)
	}
	contains(t, res.Body, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34; &lt;b&gt;")

	list := f.get(t, "/catalogue/?q="+queryEscape(`<script>`), http.StatusOK)
	lacks(t, list.Body, "<script>alert(1)", `"><img`)
	if got := names(list.Body); !slices.Equal(got, []string{name}) {
		t.Errorf("search for markup found %v", got)
	}
	feed := f.get(t, "/catalogue/feed.atom", http.StatusOK)
	if err := xml.Unmarshal(feed.Body, new(any)); err != nil {
		t.Errorf("the feed is not well-formed with markup in a name: %v", err)
	}
}

func TestPagesNeedNoInlineCode(t *testing.T) {
	f := newFixture(t, nil)
	inlineScript := regexp.MustCompile(`<script(?:\s+type="module")?>`)
	for _, url := range []string{"/catalogue/", "/catalogue/?group_by=category", "/catalogue/" + f.proteome.Id + "/", "/catalogue/" + f.withdrawn.Id + "/"} {
		res := testapp.Do(t, f.srv, http.MethodGet, url, nil)
		body := string(res.Body)
		for _, bad := range []string{" style=", "<style", " onclick=", " onerror=", " onload="} {
			if strings.Contains(body, bad) {
				t.Errorf("%s contains %q, which the CSP would block", url, bad)
			}
		}
		if inlineScript.MatchString(body) {
			t.Errorf("%s has an inline script", url)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("%s: CSP %q", url, csp)
		}
	}
	page := string(f.get(t, "/catalogue/", http.StatusOK).Body)
	for _, asset := range []struct{ pattern, contentType string }{
		{`<script type="module" src="(/catalogue/static/catalogue\.js\?v=[0-9a-f]{12})">`, "text/javascript"},
		{`<link rel="stylesheet" href="(/catalogue/static/catalogue\.css\?v=[0-9a-f]{12})">`, "text/css"},
	} {
		m := regexp.MustCompile(asset.pattern).FindStringSubmatch(page)
		if m == nil {
			t.Errorf("the page does not load %s", asset.pattern)
			continue
		}
		res := f.get(t, m[1], http.StatusOK)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, asset.contentType) {
			t.Errorf("%s served as %q", m[1], ct)
		}
		if len(res.Body) < 500 {
			t.Errorf("%s is nearly empty", m[1])
		}
	}
	contains(t, []byte(page), `<p id="catalogue-count" class="result-count catalogue-result-count" role="status" aria-live="polite"`,
		`<label for="catalogue-q">`, `<label for="catalogue-sort">`, `<legend>Category</legend>`)
}

func TestGA4GHServiceRegistry(t *testing.T) {
	f := newFixture(t, nil)
	res := f.get(t, "/ga4gh/service-registry/v1/services", http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("content type %q", ct)
	}
	var services []map[string]any
	res.JSON(t, &services)
	var ids []string
	for _, s := range services {
		checkServiceInfo(t, s, true)
		ids = append(ids, s["id"].(string))
	}
	if !sameSet(ids, []string{f.proteome.Id, f.galaxy.Id, f.metabolite.Id}) {
		t.Fatalf("GA4GH lists %v", ids)
	}

	one := f.get(t, "/ga4gh/service-registry/v1/services/"+f.metabolite.Id, http.StatusOK).Map(t)
	checkServiceInfo(t, one, true)
	org := one["organization"].(map[string]any)
	if one["name"] != "metabolite finder" || org["name"] != "Center for Integrative Bioinformatics" || org["url"] != "https://cibi.example.org" ||
		one["url"] != "https://metabolite.example.org" || one["contactUrl"] != "mailto:help@example.org" ||
		one["documentationUrl"] != testSiteURL+"/catalogue/"+f.metabolite.Id+"/" {
		t.Errorf("service: %v", one)
	}

	missing := f.get(t, "/ga4gh/service-registry/v1/services/"+f.withdrawn.Id, http.StatusNotFound).Map(t)
	if missing["status"] != float64(404) || missing["title"] != "Not Found" {
		t.Errorf("error object %v", missing)
	}

	info := f.get(t, "/ga4gh/service-registry/v1/service-info", http.StatusOK).Map(t)
	checkServiceInfo(t, info, false)
	typ := info["type"].(map[string]any)
	if typ["group"] != "org.ga4gh" || typ["artifact"] != "service-registry" || typ["version"] != "1.0.0" ||
		info["id"] != "org.example.registry" || info["name"] != "Test Registry" || info["contactUrl"] != "mailto:office@example.org" {
		t.Errorf("service-info %v", info)
	}

	var types []map[string]any
	f.get(t, "/ga4gh/service-registry/v1/services/types", http.StatusOK).JSON(t, &types)
	if len(types) != 1 || types[0]["group"] != "org.example.registry" || types[0]["artifact"] != "bioinformatics-service" {
		t.Errorf("types %v", types)
	}
}

// checkServiceInfo checks the required fields of a GA4GH Service (and the
// url of an ExternalService).
func checkServiceInfo(t *testing.T, s map[string]any, external bool) {
	t.Helper()
	for _, key := range []string{"id", "name", "version"} {
		if v, _ := s[key].(string); v == "" {
			t.Errorf("%s missing in %v", key, s)
		}
	}
	typ, _ := s["type"].(map[string]any)
	for _, key := range []string{"group", "artifact", "version"} {
		if v, _ := typ[key].(string); v == "" {
			t.Errorf("type.%s missing in %v", key, s)
		}
	}
	org, _ := s["organization"].(map[string]any)
	for _, key := range []string{"name", "url"} {
		if v, _ := org[key].(string); v == "" {
			t.Errorf("organization.%s missing in %v", key, s)
		}
	}
	for _, key := range []string{"createdAt", "updatedAt"} {
		if v, ok := s[key].(string); ok {
			if _, err := time.Parse(time.RFC3339, v); err != nil {
				t.Errorf("%s: %v", key, err)
			}
		}
	}
	if u, _ := s["url"].(string); external && !strings.HasPrefix(u, "https://") {
		t.Errorf("url %q", u)
	}
}

// atom is what TestAtomFeed reads back.
type atom struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Author  struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Links []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Summary string `xml:"summary"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
	} `xml:"entry"`
}

func TestAtomFeed(t *testing.T) {
	f := newFixture(t, nil)
	time.Sleep(1100 * time.Millisecond) // Atom dates have whole seconds
	f.proteome.Set("keywords_seo", "proteomics")
	if err := f.app.Save(f.proteome); err != nil {
		t.Fatal(err)
	}

	res := f.get(t, "/catalogue/feed.atom", http.StatusOK)
	if ct := res.Header.Get("Content-Type"); ct != "application/atom+xml; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	var feed atom
	if err := xml.Unmarshal(res.Body, &feed); err != nil {
		t.Fatalf("not an Atom document: %v\n%s", err, res.Body)
	}
	if feed.ID == "" || feed.Title == "" || feed.Author.Name != "Test Registry" {
		t.Errorf("feed metadata: %+v", feed)
	}
	self := false
	for _, l := range feed.Links {
		self = self || (l.Rel == "self" && l.Href == testSiteURL+"/catalogue/feed.atom")
	}
	if !self {
		t.Errorf("no self link: %+v", feed.Links)
	}
	if len(feed.Entries) != 3 {
		t.Fatalf("%d entries, want the 3 approved services", len(feed.Entries))
	}
	if feed.Entries[0].Title != "Proteome Explorer" || feed.Updated != feed.Entries[0].Updated {
		t.Errorf("the last change comes first and dates the feed: %+v", feed)
	}
	prev := ""
	for i, e := range feed.Entries {
		if !regexp.MustCompile(`^urn:uuid:[0-9a-f-]{36}$`).MatchString(e.ID) {
			t.Errorf("entry id %q", e.ID)
		}
		if _, err := time.Parse(time.RFC3339, e.Updated); err != nil {
			t.Errorf("entry updated %q: %v", e.Updated, err)
		}
		if i > 0 && e.Updated > prev {
			t.Errorf("entries are not newest first: %s after %s", e.Updated, prev)
		}
		prev = e.Updated
		if e.Link.Href != testSiteURL+"/catalogue/"+strings.TrimPrefix(e.ID, "urn:uuid:")+"/" || e.Summary == "" {
			t.Errorf("entry %+v", e)
		}
	}
}

func TestFeedKeepsTheLatestFifty(t *testing.T) {
	f := newFixture(t, nil)
	for i := range 55 {
		f.service(t, map[string]any{"service_name": fmt.Sprintf("Bulk service %02d", i), "status": "approved"})
	}
	var feed atom
	if err := xml.Unmarshal(f.get(t, "/catalogue/feed.atom", http.StatusOK).Body, &feed); err != nil {
		t.Fatal(err)
	}
	if len(feed.Entries) != 50 {
		t.Fatalf("%d entries, want 50", len(feed.Entries))
	}
	for _, e := range feed.Entries {
		if e.Title == "Proteome Explorer" {
			t.Error("the oldest services must drop out of the feed")
		}
	}
}

func TestSwitchedOff(t *testing.T) {
	f := newFixture(t, func(c *catalogue.Config) { c.Enabled = false })
	for _, url := range []string{
		"/catalogue/", "/catalogue/?q=proteome", "/catalogue/grid/", "/catalogue/" + f.proteome.Id + "/",
		"/catalogue/" + f.withdrawn.Id + "/", "/catalogue/feed.atom", "/catalogue/static/catalogue.js",
		"/ga4gh/service-registry/v1/services", "/ga4gh/service-registry/v1/services/" + f.proteome.Id,
		"/ga4gh/service-registry/v1/service-info",
	} {
		res := f.get(t, url, http.StatusNotFound)
		contains(t, res.Body, "Page not found") // the site's own 404 page
		lacks(t, res.Body, "Proteome Explorer")
	}
	for _, url := range []string{"/api/collections/catalogue_services/records", "/api/collections/catalogue_services/records/" + f.proteome.Id} {
		lacks(t, f.get(t, url, http.StatusNotFound).Body, "Proteome Explorer")
	}
}

func TestReadsDuringWrites(t *testing.T) {
	f := newFixture(t, nil)
	urls := []string{"/catalogue/?q=e", "/catalogue/?group_by=pi", "/catalogue/" + f.galaxy.Id + "/",
		"/catalogue/feed.atom", "/ga4gh/service-registry/v1/services"}
	done := make(chan struct{})
	errs := make(chan string, 64)
	var readers sync.WaitGroup
	for i := range 4 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for n := 0; ; n++ {
				select {
				case <-done:
					return
				default:
				}
				url := urls[(i+n)%len(urls)]
				rec := httptest.NewRecorder()
				f.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
				if rec.Code != http.StatusOK {
					errs <- fmt.Sprintf("%s: %d", url, rec.Code)
					return
				}
			}
		}()
	}
	for i := range 10 {
		f.galaxy.Set("keywords_seo", fmt.Sprintf("round %d", i))
		if err := f.app.Save(f.galaxy); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	readers.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	contains(t, f.get(t, "/catalogue/?q=round+9", http.StatusOK).Body, "Galaxy Europe")
}
