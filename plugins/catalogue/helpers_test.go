package catalogue_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/denbi/service-registry/plugins/catalogue"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// testSiteURL is the site address the tests configure.
const testSiteURL = "https://registry.example.org"

// fixture is a test app with the catalogue and a small registry: three
// approved services and one each submitted, rejected and deprecated.
type fixture struct {
	app *tests.TestApp
	srv http.Handler
	ref testapp.Reference

	centre2 string
	topics  map[string]string // label → record id
	ops     map[string]string
	mit     string

	proteome, galaxy, metabolite   *core.Record // approved
	submitted, rejected, withdrawn *core.Record
}

// newFixture builds the fixture; change adjusts the plugin's configuration.
func newFixture(t *testing.T, change func(*catalogue.Config)) *fixture {
	t.Helper()
	cfg := catalogue.Config{Enabled: true, SiteName: "Test Registry", SiteURL: testSiteURL + "/", ContactEmail: "office@example.org"}
	if change != nil {
		change(&cfg)
	}
	app := apptest.NewCore(t)
	if err := catalogue.Register(app, cfg); err != nil {
		t.Fatal(err)
	}
	f := &fixture{app: app, ref: testapp.Seed(t, app), topics: map[string]string{}, ops: map[string]string{}}
	f.centre2 = testapp.Create(t, app, "service_centers", map[string]any{
		"short_name": "CIBI", "full_name": "Center for Integrative Bioinformatics", "website": "https://cibi.example.org", "active": true,
	}).Id
	for i, t2 := range []struct{ id, acc, label, branch string }{
		{"100121", "topic_0121", "Proteomics", "topic"},
		{"100622", "topic_0622", "Genomics", "topic"},
		{"103172", "topic_3172", "Metabolomics", "topic"},
		{"100080", "topic_0080", "Sequence analysis", "topic"},
		{"100091", "topic_0091", "Bioinformatics", "topic"},
		{"203631", "operation_3631", "Peptide identification", "operation"},
	} {
		testapp.Create(t, app, "edam_terms", map[string]any{
			"id": t2.id, "uri": "http://edamontology.org/" + t2.acc, "accession": t2.acc, "branch": t2.branch,
			"label": t2.label, "sort_order": i,
		})
		if t2.branch == "topic" {
			f.topics[t2.label] = t2.id
		} else {
			f.ops[t2.label] = t2.id
		}
	}
	f.mit = testapp.Create(t, app, "licenses", map[string]any{
		"license_id": "MIT", "name": "MIT License", "reference_url": "https://spdx.org/licenses/MIT.html",
	}).Id

	f.proteome = f.service(t, map[string]any{
		"service_name": "Proteome Explorer", "status": "approved", "primary_maturity_tag": "mature",
		"service_description": "Maps peptides to proteins.\nWorks with mass spectra from any instrument.",
		"keywords_seo":        "mass spectrometry, peptides", "keywords_uncited": "quantification",
		"edam_topics":     []string{f.topics["Proteomics"], f.topics["Sequence analysis"], f.topics["Bioinformatics"], f.topics["Genomics"]},
		"edam_operations": []string{f.ops["Peptide identification"]}, "licenses": []string{f.mit},
		"github_url": "https://github.com/example/proteome", "biotools_url": "https://bio.tools/proteome",
		"fairsharing_url": "https://fairsharing.org/1234", "publications_pmids": "12345678, 10.1000/xyz123",
	})
	f.galaxy = f.service(t, map[string]any{
		"service_name": "Galaxy Europe", "status": "approved", "primary_maturity_tag": "emerging",
		"secondary_maturity_tags": []string{"unstable"},
		"service_description":     "A workflow platform for reproducible data analysis in the life sciences.", "host_institute": "University of Freiburg",
		"service_categories": []string{f.ref.Categories[1]}, "responsible_pis": []string{f.ref.PIs[1]},
		"edam_topics": []string{f.topics["Genomics"]}, "website_url": "https://galaxy.example.org",
	})
	f.metabolite = f.service(t, map[string]any{
		"service_name": "metabolite finder", "status": "approved",
		"service_description": "Finds metabolites in mass spectra and annotates them with pathways.", "host_institute": "Bielefeld University",
		"service_categories": f.ref.Categories, "service_center": f.centre2,
		"responsible_pis": []string{f.ref.PIs[0], f.ref.PIs[1]}, "edam_topics": []string{f.topics["Metabolomics"]},
		"website_url": "https://metabolite.example.org",
	})
	f.submitted = f.service(t, map[string]any{"service_name": "Hidden Submitted Tool", "status": "submitted"})
	f.rejected = f.service(t, map[string]any{"service_name": "Hidden Rejected Tool", "status": "rejected"})
	f.withdrawn = f.service(t, map[string]any{"service_name": "Hidden Deprecated Tool", "status": "deprecated"})
	f.srv = testapp.Server(t, app)
	return f
}

// service creates a submission with the given fields.
func (f *fixture) service(t *testing.T, fields map[string]any) *core.Record {
	t.Helper()
	time.Sleep(2 * time.Millisecond) // distinct creation times (milliseconds) keep the date orders defined
	rec, _ := testapp.CreateSubmission(t, f.app, f.ref, "write", fields)
	return rec
}

// get sends a GET and fails unless the status is want.
func (f *fixture) get(t *testing.T, url string, want int, headers ...string) *testapp.Response {
	t.Helper()
	res := testapp.Do(t, f.srv, http.MethodGet, url, nil, headers...)
	if res.Status != want {
		t.Fatalf("GET %s: status %d, want %d: %.600s", url, res.Status, want, res.Body)
	}
	return res
}

var cardTitle = regexp.MustCompile(`<h3 class="card-title" id="s-[^"]+"><a href="[^"]+">([^<]*)</a></h3>`)

// names returns the service names of the cards in a page, in order.
func names(body []byte) []string {
	var out []string
	for _, m := range cardTitle.FindAllSubmatch(body, -1) {
		out = append(out, html.UnescapeString(string(m[1])))
	}
	return out
}

// listed returns the card names of /catalogue/grid/?query.
func (f *fixture) listed(t *testing.T, query string) []string {
	t.Helper()
	return names(f.get(t, "/catalogue/grid/?"+query, http.StatusOK).Body)
}

// sameSet reports whether a and b hold the same names, in any order.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		seen[s]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

// contains fails the test unless body contains every part.
func contains(t *testing.T, body []byte, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(string(body), p) {
			t.Errorf("body lacks %q:\n%.3000s", p, body)
		}
	}
}

// lacks fails the test if body contains any part.
func lacks(t *testing.T, body []byte, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if strings.Contains(string(body), p) {
			t.Errorf("body must not contain %q", p)
		}
	}
}
