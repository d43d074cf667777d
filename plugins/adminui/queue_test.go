package adminui_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/denbi/service-registry/internal/testapp"
	"github.com/pocketbase/pocketbase/core"
)

// queueAnswer is a page of the review queue.
type queueAnswer struct {
	Page       int `json:"page"`
	PerPage    int `json:"perPage"`
	TotalItems int `json:"totalItems"`
	Items      []struct {
		ID            string   `json:"id"`
		ServiceName   string   `json:"service_name"`
		Submitter     string   `json:"submitter"`
		Status        string   `json:"status"`
		StatusLabel   string   `json:"status_label"`
		Maturity      string   `json:"maturity"`
		SecondaryTags []string `json:"secondary_maturity_tags"`
		ServiceCenter string   `json:"service_center"`
		Licenses      string   `json:"licenses"`
		Elixir        bool     `json:"register_as_elixir"`
		SubmittedAt   string   `json:"submitted_at"`
		KeysActive    int      `json:"keys_active"`
		KeysTotal     int      `json:"keys_total"`
		BiotoolsID    string   `json:"biotools_id"`
		BiotoolsState string   `json:"biotools_state"`
	} `json:"items"`
}

func (q queueAnswer) names() []string {
	var out []string
	for _, it := range q.Items {
		out = append(out, it.ServiceName)
	}
	slices.Sort(out)
	return out
}

// queueFixture is a small registry covering every filter.
type queueFixture struct {
	e                                  *env
	alpha, beta, gamma, delta, epsilon *core.Record
	otherCentre, otherCategory, mit    string
}

func newQueueFixture(t *testing.T) *queueFixture {
	e := newEnv(t)
	f := &queueFixture{e: e}
	f.otherCentre = testapp.Create(t, e.app, "service_centers", map[string]any{"short_name": "RBC", "full_name": "RNA Bioinformatics Center", "active": true}).Id
	f.otherCategory = e.ref.Categories[1]
	f.mit = testapp.Create(t, e.app, "licenses", map[string]any{"license_id": "MIT", "name": "MIT License"}).Id
	apache := testapp.Create(t, e.app, "licenses", map[string]any{"license_id": "Apache-2.0", "name": "Apache License 2.0"}).Id
	gpl := testapp.Create(t, e.app, "licenses", map[string]any{"license_id": "GPL-3.0-only", "name": "GNU General Public License v3.0 only"}).Id
	bsd := testapp.Create(t, e.app, "licenses", map[string]any{"license_id": "BSD-3-Clause", "name": "BSD 3-Clause"}).Id

	f.alpha, _ = e.submission(t, map[string]any{"service_name": "Alpha Aligner", "licenses": []string{f.mit, apache, gpl, bsd}, "license_note": ""})
	f.alpha = e.setStatus(t, f.alpha, "approved", "mature", "unstable")
	f.beta, _ = e.submission(t, map[string]any{"service_name": "Beta Browser", "service_center": f.otherCentre,
		"responsible_pis": []string{e.ref.PIs[1]}, "register_as_elixir": true, "biotools_url": "https://bio.tools/beta"})
	f.gamma, _ = e.submission(t, map[string]any{"service_name": "Gamma Genome DB", "service_categories": []string{f.otherCategory},
		"biotools_url": "https://bio.tools/gamma", "license_note": strings.Repeat("Custom academic licence ", 3)})
	f.gamma = e.setStatus(t, f.gamma, "rejected", "")
	f.delta, _ = e.submission(t, map[string]any{"service_name": "Delta Dashboard", "submitter_last_name": "Zuse", "submitter_first_name": "Konrad",
		"biotools_url": "https://bio.tools/delta"})
	f.epsilon, _ = e.submission(t, map[string]any{"service_name": "Epsilon Explorer"})

	now := time.Now().UTC()
	testapp.Create(t, e.app, "biotools_records", map[string]any{"submission": f.beta.Id, "biotools_id": "beta", "last_synced_at": now})
	testapp.Create(t, e.app, "biotools_records", map[string]any{"submission": f.gamma.Id, "biotools_id": "gamma", "sync_error": "bio.tools answered 404"})
	return f
}

func (f *queueFixture) get(t *testing.T, query string) queueAnswer {
	t.Helper()
	res := f.e.do(t, http.MethodGet, "/api/registry/admin/submissions?"+query, nil, f.e.reviewer)
	if res.Status != 200 {
		t.Fatalf("%s: %d %s", query, res.Status, res.Body)
	}
	var q queueAnswer
	res.JSON(t, &q)
	return q
}

func TestQueueFiltersAndSearch(t *testing.T) {
	f := newQueueFixture(t)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"Alpha Aligner", "Beta Browser", "Delta Dashboard", "Epsilon Explorer", "Gamma Genome DB"}},
		{"status=approved", []string{"Alpha Aligner"}},
		{"status=submitted", []string{"Beta Browser", "Delta Dashboard", "Epsilon Explorer"}},
		{"center=" + f.otherCentre, []string{"Beta Browser"}},
		{"category=" + f.otherCategory, []string{"Gamma Genome DB"}},
		{"maturity=mature", []string{"Alpha Aligner"}},
		{"maturity=unstable", []string{"Alpha Aligner"}},
		{"maturity=none", []string{"Beta Browser", "Delta Dashboard", "Epsilon Explorer", "Gamma Genome DB"}},
		{"biotools=ok", []string{"Beta Browser"}},
		{"biotools=error", []string{"Gamma Genome DB"}},
		{"biotools=pending", []string{"Delta Dashboard"}},
		{"biotools=none", []string{"Alpha Aligner", "Epsilon Explorer"}},
		{"elixir=yes", []string{"Beta Browser"}},
		{"q=gamma", []string{"Gamma Genome DB"}},
		{"q=zuse", []string{"Delta Dashboard"}},      // submitter
		{"q=lovelace", []string{"Beta Browser"}},     // PI last name
		{"q=Apache-2.0", []string{"Alpha Aligner"}},  // licence id
		{"q=academic", []string{"Gamma Genome DB"}},  // licence note
		{"q=" + url.QueryEscape("%"), nil},           // LIKE wildcards are text
		{"q=" + url.QueryEscape("' OR 1=1 --"), nil}, // no injection
		{"q=_", nil},
		{"q=" + url.QueryEscape(`" || id != "`), nil},
		{"q=" + url.QueryEscape(`\`), nil},
		{"q=Genome%20DB", []string{"Gamma Genome DB"}},
		{"status=submitted&q=explorer", []string{"Epsilon Explorer"}},
		{"ids=" + f.alpha.Id + "," + f.gamma.Id, []string{"Alpha Aligner", "Gamma Genome DB"}},
	} {
		q := f.get(t, tc.query)
		if got := q.names(); strings.Join(got, "|") != strings.Join(tc.want, "|") || q.TotalItems != len(tc.want) {
			t.Errorf("%s: got %v (total %d), want %v", tc.query, got, q.TotalItems, tc.want)
		}
	}
}

func TestQueueRowsAndPaging(t *testing.T) {
	f := newQueueFixture(t)
	q := f.get(t, "sort=service_name")
	if len(q.Items) != 5 || q.Items[0].ServiceName != "Alpha Aligner" || q.Items[4].ServiceName != "Gamma Genome DB" {
		t.Fatalf("sorted by name: %v", q.names())
	}
	alpha := q.Items[0]
	if alpha.Status != "approved" || alpha.StatusLabel != "Approved" || alpha.Maturity != "Mature (Unstable)" ||
		alpha.Submitter != "Hopper, Grace — Bielefeld University" ||
		alpha.ServiceCenter != "BiGi — Bielefeld-Gießen Center for Microbial Bioinformatics" ||
		alpha.Licenses != "Apache-2.0, BSD-3-Clause, GPL-3.0-only, +1" || alpha.KeysActive != 1 || alpha.KeysTotal != 1 ||
		alpha.BiotoolsState != "none" || alpha.SubmittedAt == "" {
		t.Errorf("alpha row: %+v", alpha)
	}
	gamma := q.Items[4]
	if gamma.Licenses != "Custom academic licence Custom academ…" || gamma.BiotoolsState != "error" || gamma.BiotoolsID != "gamma" {
		t.Errorf("gamma row: %+v", gamma)
	}
	if beta := q.Items[1]; !beta.Elixir || beta.BiotoolsState != "ok" || beta.ServiceCenter != "RBC — RNA Bioinformatics Center" {
		t.Errorf("beta row: %+v", beta)
	}

	desc := f.get(t, "sort=-service_name&perPage=2&page=2")
	if desc.TotalItems != 5 || desc.Page != 2 || desc.PerPage != 2 || len(desc.Items) != 2 ||
		desc.Items[0].ServiceName != "Delta Dashboard" || desc.Items[1].ServiceName != "Beta Browser" {
		t.Errorf("page 2 of 2 by name descending: %+v", desc)
	}

	for _, bad := range []struct{ query, param string }{
		{"status=published", "status"}, {"maturity=ancient", "maturity"}, {"biotools=maybe", "biotools"},
		{"sort=submission_ip", "sort"}, {"elixir=perhaps", "elixir"}, {"q=" + strings.Repeat("x", 201), "q"},
	} {
		res := f.e.do(t, http.MethodGet, "/api/registry/admin/submissions?"+bad.query, nil, f.e.super)
		if res.Status != 400 || !strings.Contains(string(res.Body), `"`+bad.param+`"`) {
			t.Errorf("%s: %d %s", bad.query, res.Status, res.Body)
		}
	}
}

// detailAnswer is the detail of one submission.
type detailAnswer struct {
	ID           string  `json:"id"`
	Status       string  `json:"status"`
	SubmissionIP *string `json:"submission_ip"`
	Sections     []struct {
		Title  string `json:"title"`
		Fields []struct {
			Field string `json:"field"`
			Label string `json:"label"`
			Value any    `json:"value"`
			Link  string `json:"link"`
		} `json:"fields"`
	} `json:"sections"`
	LastChangeSummary *struct {
		ChangedBy string   `json:"changed_by"`
		Changes   []change `json:"changes"`
	} `json:"last_change_summary"`
	History struct {
		Total   int `json:"total"`
		Entries []struct {
			ChangedBy string   `json:"changed_by"`
			ChangedAt string   `json:"changed_at"`
			Changes   []change `json:"changes"`
		} `json:"entries"`
	} `json:"history"`
	Keys     []map[string]any `json:"keys"`
	Biotools map[string]any   `json:"biotools"`
}

func (d detailAnswer) field(name string) any {
	for _, s := range d.Sections {
		for _, f := range s.Fields {
			if f.Field == name {
				return f.Value
			}
		}
	}
	return "<missing>"
}

func TestDetailShowsHistoryAndHidesIPsFromStaff(t *testing.T) {
	f := newQueueFixture(t)
	e := f.e
	f.gamma = e.reload(t, f.gamma)
	f.gamma.Set("submission_ip", "192.0.2.77")
	if err := e.app.Save(f.gamma); err != nil {
		t.Fatal(err)
	}
	e.do(t, http.MethodPost, "/api/registry/admin/submissions/"+f.gamma.Id+"/status", map[string]any{"action": "approve"}, e.super)
	e.do(t, http.MethodPost, "/api/registry/admin/submissions/"+f.gamma.Id+"/status", map[string]any{"action": "deprecate"}, e.reviewer)

	var d detailAnswer
	res := e.do(t, http.MethodGet, "/api/registry/admin/submissions/"+f.gamma.Id, nil, e.super)
	res.JSON(t, &d)
	if d.SubmissionIP == nil || *d.SubmissionIP != "192.0.2.77" {
		t.Errorf("superuser sees no IP: %v", d.SubmissionIP)
	}
	if len(d.Sections) != 7 || d.Sections[0].Title != "A — General" || d.Sections[6].Title != "G — Consent" {
		t.Errorf("sections: %+v", d.Sections)
	}
	if got := d.field("service_categories"); !slices.Equal(toStrings(got), []string{"Web service"}) {
		t.Errorf("categories: %v", got)
	}
	if got := d.field("responsible_pis"); !slices.Equal(toStrings(got), []string{"Carberry, Josiah"}) {
		t.Errorf("PIs: %v", got)
	}
	if d.field("register_as_elixir") != "No" || d.field("kpi_monitoring") != "Yes" || d.field("internal_contact_email") != "grace.internal@example.org" {
		t.Errorf("fields: %v %v %v", d.field("register_as_elixir"), d.field("kpi_monitoring"), d.field("internal_contact_email"))
	}
	// the rows from before (status set as system) plus the two admin changes, newest first
	if d.History.Total != 3 || len(d.History.Entries) != 3 || d.History.Entries[0].ChangedBy != "admin:"+reviewerEmail ||
		d.History.Entries[1].ChangedBy != "admin:"+superEmail {
		t.Errorf("history: %+v", d.History)
	}
	if d.LastChangeSummary == nil || d.LastChangeSummary.ChangedBy != "admin:"+reviewerEmail {
		t.Errorf("summary: %+v", d.LastChangeSummary)
	}
	if d.Biotools["biotools_id"] != "gamma" || d.Biotools["state"] != "error" || d.Biotools["sync_error"] != "bio.tools answered 404" {
		t.Errorf("bio.tools: %v", d.Biotools)
	}

	for _, token := range []string{e.manager, e.reviewer} {
		res := e.do(t, http.MethodGet, "/api/registry/admin/submissions/"+f.gamma.Id, nil, token)
		if res.Status != 200 || strings.Contains(string(res.Body), "submission_ip") || strings.Contains(string(res.Body), "192.0.2.77") {
			t.Errorf("staff see the submission IP: %d %s", res.Status, res.Body)
		}
	}
	// a service without bio.tools record or recorded IP
	res = e.do(t, http.MethodGet, "/api/registry/admin/submissions/"+f.epsilon.Id, nil, e.super)
	if !strings.Contains(string(res.Body), `"biotools":null`) || !strings.Contains(string(res.Body), `"submission_ip":""`) {
		t.Errorf("epsilon: %s", res.Body)
	}
	if res := e.do(t, http.MethodGet, "/api/registry/admin/submissions/unknown", nil, e.super); res.Status != 404 {
		t.Errorf("unknown id: %d", res.Status)
	}
}

func toStrings(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
