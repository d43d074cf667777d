package adminui_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/denbi/service-registry/internal/testapp"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// specCSVHeader is the CSV header of reference §12.2, written out here on
// purpose (not taken from the package), so a change to either shows.
const specCSVHeader = "id,status,primary_maturity_tag,secondary_maturity_tags,date_of_entry,service_name,service_description," +
	"year_established,submitter_first_name,submitter_last_name,submitter_affiliation,host_institute,service_center," +
	"public_contact_email,internal_contact_name,internal_contact_email,service_categories,responsible_pis,edam_topics," +
	"edam_operations,is_toolbox,toolbox_name,user_knowledge_required,publications_pmids,website_url,terms_of_use_url," +
	"licenses,license_note,github_url,biotools_url,fairsharing_url,other_registry_url,kpi_monitoring,kpi_start_year," +
	"associated_partner_note,keywords_uncited,keywords_seo,register_as_elixir,survey_participation,comments,logo_url," +
	"biotools_id,biotools_name,biotools_description,biotools_homepage,biotools_version,biotools_license,biotools_maturity," +
	"biotools_cost,biotools_tool_type,biotools_operating_system,biotools_edam_topic_uris,biotools_edam_operation_uris," +
	"biotools_functions,biotools_publications,biotools_documentation,biotools_download,biotools_links," +
	"biotools_last_synced_at,submitted_at,updated_at"

// specJSONKeys are the keys of one JSON export object (§12.2), in order.
var specJSONKeys = []string{
	"id", "status", "primary_maturity_tag", "secondary_maturity_tags", "date_of_entry", "service_name",
	"service_description", "year_established", "submitter", "host_institute", "service_center", "public_contact_email",
	"internal_contact_name", "internal_contact_email", "service_categories", "responsible_pis", "edam_topics",
	"edam_operations", "is_toolbox", "toolbox_name", "user_knowledge_required", "publications_pmids", "website_url",
	"terms_of_use_url", "licenses", "license_note", "github_url", "biotools_url", "fairsharing_url", "other_registry_url",
	"kpi_monitoring", "kpi_start_year", "associated_partner_note", "keywords_uncited", "keywords_seo",
	"register_as_elixir", "survey_participation", "comments", "logo_url", "biotools", "submitted_at", "updated_at",
}

var specBiotoolsKeys = []string{
	"biotools_id", "biotools_name", "biotools_description", "biotools_homepage", "biotools_version", "biotools_license",
	"biotools_maturity", "biotools_cost", "biotools_tool_type", "biotools_operating_system", "biotools_edam_topic_uris",
	"biotools_edam_operation_uris", "biotools_functions", "biotools_publications", "biotools_documentation",
	"biotools_download", "biotools_links", "biotools_last_synced_at",
}

// exportFixture: one approved, tagged, fully linked service with a
// bio.tools record, and one plain service without.
type exportFixture struct {
	e             *env
	linked, plain *core.Record
	synced        time.Time
}

func newExportFixture(t *testing.T) *exportFixture {
	e := newEnv(t)
	for _, term := range []map[string]any{
		{"id": "3474", "uri": "http://edamontology.org/topic_3474", "accession": "topic_3474", "branch": "topic", "label": "Machine learning", "sort_order": 3474},
		{"id": "121", "uri": "http://edamontology.org/topic_0121", "accession": "topic_0121", "branch": "topic", "label": "Proteomics", "sort_order": 121},
		{"id": "2421", "uri": "http://edamontology.org/operation_2421", "accession": "operation_2421", "branch": "operation", "label": "Database search", "sort_order": 2421},
	} {
		testapp.Create(t, e.app, "edam_terms", term)
	}
	mit := testapp.Create(t, e.app, "licenses", map[string]any{"license_id": "MIT", "name": "MIT License"}).Id
	apache := testapp.Create(t, e.app, "licenses", map[string]any{"license_id": "Apache-2.0", "name": "Apache License 2.0"}).Id

	f := &exportFixture{e: e, synced: time.Date(2026, 2, 1, 8, 30, 0, 0, time.UTC)}
	f.linked, _ = e.submission(t, map[string]any{
		"service_name": "Linked Tool", "service_categories": e.ref.Categories, "responsible_pis": e.ref.PIs,
		"edam_topics": []string{"3474", "121"}, "edam_operations": []string{"2421"}, "licenses": []string{mit, apache},
		"license_note": "", "is_toolbox": true, "toolbox_name": "Omics box", "register_as_elixir": true,
		"biotools_url": "https://bio.tools/linkedtool", "comments": "line one\nline \"two\", with comma",
		"submission_ip": "192.0.2.10",
	})
	f.linked = e.setStatus(t, f.linked, "approved", "emerging", "unstable")
	f.plain, _ = e.submission(t, map[string]any{"service_name": "Plain Tool", "service_categories": []string{e.ref.Categories[1]}})
	// a legacy row without PIs (the form requires one now), written past validation
	if _, err := e.app.DB().Update("submissions", dbx.Params{"responsible_pis": "[]", "submission_ip": "198.51.100.20"},
		dbx.HashExp{"id": f.plain.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	f.plain = e.reload(t, f.plain)

	testapp.Create(t, e.app, "biotools_records", map[string]any{
		"submission": f.linked.Id, "biotools_id": "linkedtool", "name": "LinkedTool", "description": "Finds links.",
		"homepage": "https://linked.example.org", "version": "1.0", "license": "MIT", "maturity": "Mature", "cost": "Free of charge",
		"tool_type":        []string{"Web application", "Command-line tool"},
		"operating_system": []string{"Linux", "Mac"},
		"edam_topic_uris":  []string{"http://edamontology.org/topic_0121"},
		"functions": []map[string]any{
			{"position": 0, "operations": []map[string]any{{"uri": "http://edamontology.org/operation_0292", "term": "Sequence alignment"}},
				"inputs":  []map[string]any{{"data": map[string]any{"uri": "http://edamontology.org/data_2044", "term": "Sequence"}, "formats": []any{}}},
				"outputs": []any{}, "cmd": "linktool run", "note": "main"},
			{"position": 1, "operations": []map[string]any{
				{"uri": "http://edamontology.org/operation_0292", "term": "Sequence alignment"},
				{"uri": "http://edamontology.org/operation_2421", "term": "Database search"}},
				"inputs": []any{}, "outputs": []any{}, "cmd": "", "note": ""},
		},
		"publications":   []map[string]any{{"pmid": "12345678", "doi": "", "pmcid": "", "type": []string{"Primary"}, "note": ""}},
		"documentation":  []map[string]any{{"url": "https://linked.example.org/docs", "type": []string{"General"}}},
		"download":       []any{},
		"links":          []map[string]any{{"url": "https://github.com/example/linked", "type": []string{"Repository"}}},
		"last_synced_at": f.synced,
	})
	return f
}

func (f *exportFixture) export(t *testing.T, query, token string) *testapp.Response {
	t.Helper()
	res := f.e.do(t, http.MethodGet, "/api/registry/admin/export?"+query, nil, token)
	if res.Status != 200 {
		t.Fatalf("%s: %d %s", query, res.Status, res.Body)
	}
	return res
}

// csvRows parses an export and returns rows by service name.
func csvRows(t *testing.T, body []byte) ([]string, map[string]map[string]string) {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := records[0]
	rows := map[string]map[string]string{}
	for _, rec := range records[1:] {
		row := map[string]string{}
		for i, v := range rec {
			row[header[i]] = v
		}
		rows[row["service_name"]] = row
	}
	return header, rows
}

// TestCSVExport is acceptance 37 for CSV.
func TestCSVExport(t *testing.T) {
	f := newExportFixture(t)
	res := f.export(t, "format=csv", f.e.reviewer)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="submissions.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	header, rows := csvRows(t, res.Body)
	if strings.Join(header, ",") != specCSVHeader {
		t.Fatalf("header:\n%s\nwant:\n%s", strings.Join(header, ","), specCSVHeader)
	}
	if len(rows) != 2 {
		t.Fatalf("rows: %d", len(rows))
	}
	l := rows["Linked Tool"]
	want := map[string]string{
		"id": f.linked.Id, "status": "approved", "primary_maturity_tag": "Emerging", "secondary_maturity_tags": "Unstable",
		"year_established": "2020", "service_center": "BiGi — Bielefeld-Gießen Center for Microbial Bioinformatics",
		"service_categories": "Database; Web service", "responsible_pis": "Josiah Carberry; Ada Lovelace",
		"edam_topics":     "Proteomics (http://edamontology.org/topic_0121); Machine learning (http://edamontology.org/topic_3474)",
		"edam_operations": "Database search (http://edamontology.org/operation_2421)",
		"is_toolbox":      "True", "toolbox_name": "Omics box", "licenses": "Apache-2.0; MIT", "license_note": "",
		"kpi_monitoring": "yes", "register_as_elixir": "True", "survey_participation": "True",
		"comments": "line one\nline \"two\", with comma", "logo_url": "", "internal_contact_email": "grace.internal@example.org",
		"biotools_id": "linkedtool", "biotools_name": "LinkedTool", "biotools_description": "Finds links.",
		"biotools_homepage": "https://linked.example.org", "biotools_version": "1.0", "biotools_license": "MIT",
		"biotools_maturity": "Mature", "biotools_cost": "Free of charge",
		"biotools_tool_type": "Web application; Command-line tool", "biotools_operating_system": "Linux; Mac",
		"biotools_edam_topic_uris":     "http://edamontology.org/topic_0121",
		"biotools_edam_operation_uris": "http://edamontology.org/operation_0292; http://edamontology.org/operation_2421",
		"biotools_last_synced_at":      "2026-02-01T08:30:00.000000Z",
		"biotools_download":            "[]",
	}
	for k, v := range want {
		if l[k] != v {
			t.Errorf("linked %s = %q, want %q", k, l[k], v)
		}
	}
	var functions []map[string]any
	if err := json.Unmarshal([]byte(l["biotools_functions"]), &functions); err != nil || len(functions) != 2 {
		t.Fatalf("functions: %v %q", err, l["biotools_functions"])
	}
	if _, hasPosition := functions[0]["position"]; hasPosition || functions[0]["cmd"] != "linktool run" || functions[0]["note"] != "main" {
		t.Errorf("function 0: %v", functions[0])
	}
	for _, field := range []string{"biotools_publications", "biotools_documentation", "biotools_links"} {
		var list []any
		if err := json.Unmarshal([]byte(l[field]), &list); err != nil || len(list) != 1 {
			t.Errorf("%s: %q", field, l[field])
		}
	}
	if !strings.HasPrefix(l["submitted_at"], "20") || !strings.HasSuffix(l["updated_at"], "Z") || l["date_of_entry"] == "" {
		t.Errorf("dates: %q %q %q", l["submitted_at"], l["updated_at"], l["date_of_entry"])
	}

	p := rows["Plain Tool"]
	for k, v := range map[string]string{
		"primary_maturity_tag": "", "secondary_maturity_tags": "", "responsible_pis": "", "edam_topics": "",
		"is_toolbox": "False", "register_as_elixir": "False", "biotools_id": "", "biotools_version": "",
		"biotools_tool_type": "", "biotools_edam_operation_uris": "", "biotools_functions": "[]",
		"biotools_publications": "[]", "biotools_documentation": "[]", "biotools_download": "[]", "biotools_links": "[]",
		"biotools_last_synced_at": "", "service_categories": "Web service",
	} {
		if p[k] != v {
			t.Errorf("plain %s = %q, want %q", k, p[k], v)
		}
	}

	// no internal IPs unless a superuser asks for them
	for _, token := range []string{f.e.reviewer, f.e.manager, f.e.super} {
		body := string(f.export(t, "format=csv", token).Body)
		if strings.Contains(body, "192.0.2.10") || strings.Contains(body, "submission_ip") {
			t.Error("an IP address is in a default export")
		}
	}
	header, rows = csvRows(t, f.export(t, "format=csv&include_ip=1", f.e.super).Body)
	if header[len(header)-1] != "submission_ip" || rows["Linked Tool"]["submission_ip"] != "192.0.2.10" ||
		rows["Plain Tool"]["submission_ip"] != "198.51.100.20" {
		t.Errorf("superuser export with IPs: %v %v", header[len(header)-3:], rows["Linked Tool"]["submission_ip"])
	}

	// the selection alone
	_, rows = csvRows(t, f.export(t, "format=csv&ids="+f.plain.Id, f.e.reviewer).Body)
	if len(rows) != 1 || rows["Plain Tool"] == nil {
		t.Errorf("selected export: %v", rows)
	}
	// the filters
	_, rows = csvRows(t, f.export(t, "format=csv&status=approved", f.e.reviewer).Body)
	if len(rows) != 1 || rows["Linked Tool"] == nil {
		t.Errorf("filtered export: %v", rows)
	}
}

// TestJSONExport is acceptance 37 for JSON.
func TestJSONExport(t *testing.T) {
	f := newExportFixture(t)
	res := f.export(t, "format=json&ids="+f.linked.Id+","+f.plain.Id, f.e.manager)
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if !bytes.HasPrefix(res.Body, []byte("[\n  {\n    \"id\": ")) {
		t.Errorf("not indented by 2: %.40q", res.Body)
	}
	var ordered []json.RawMessage
	res.JSON(t, &ordered)
	if len(ordered) != 2 {
		t.Fatalf("objects: %d", len(ordered))
	}
	for _, raw := range ordered {
		if keys := objectKeys(t, raw); strings.Join(keys, ",") != strings.Join(specJSONKeys, ",") {
			t.Errorf("keys:\n%v\nwant:\n%v", keys, specJSONKeys)
		}
	}
	var objects []map[string]any
	res.JSON(t, &objects)
	byName := map[string]map[string]any{}
	for _, o := range objects {
		byName[o["service_name"].(string)] = o
	}
	l := byName["Linked Tool"]
	if l["primary_maturity_tag"] != "emerging" || !equalJSON(l["secondary_maturity_tags"], []any{"unstable"}) {
		t.Errorf("maturity must be raw slugs: %v %v", l["primary_maturity_tag"], l["secondary_maturity_tags"])
	}
	if !equalJSON(l["submitter"], map[string]any{"first_name": "Grace", "last_name": "Hopper", "affiliation": "Bielefeld University"}) {
		t.Errorf("submitter: %v", l["submitter"])
	}
	if !equalJSON(l["edam_topics"], []any{
		map[string]any{"label": "Proteomics", "uri": "http://edamontology.org/topic_0121"},
		map[string]any{"label": "Machine learning", "uri": "http://edamontology.org/topic_3474"},
	}) {
		t.Errorf("edam_topics: %v", l["edam_topics"])
	}
	if !equalJSON(l["responsible_pis"], []any{"Josiah Carberry", "Ada Lovelace"}) || !equalJSON(l["licenses"], []any{"Apache-2.0", "MIT"}) ||
		!equalJSON(l["service_categories"], []any{"Database", "Web service"}) || l["is_toolbox"] != true || l["year_established"] != float64(2020) ||
		l["logo_url"] != nil {
		t.Errorf("lists and scalars: %v %v %v %v %v %v", l["responsible_pis"], l["licenses"], l["service_categories"], l["is_toolbox"], l["year_established"], l["logo_url"])
	}
	bt, _ := l["biotools"].(map[string]any)
	for i := range ordered {
		if keys := objectKeys(t, mustJSON(t, ordered, i, "biotools")); strings.Join(keys, ",") != strings.Join(specBiotoolsKeys, ",") {
			t.Errorf("biotools keys of object %d: %v", i, keys)
		}
	}
	if bt["biotools_version"] != "1.0" || !equalJSON(bt["biotools_tool_type"], []any{"Web application", "Command-line tool"}) ||
		!equalJSON(bt["biotools_edam_operation_uris"], []any{"http://edamontology.org/operation_0292", "http://edamontology.org/operation_2421"}) ||
		bt["biotools_last_synced_at"] != "2026-02-01T08:30:00.000000Z" {
		t.Errorf("biotools: %v", bt)
	}
	if fns, _ := bt["biotools_functions"].([]any); len(fns) != 2 {
		t.Errorf("functions: %v", bt["biotools_functions"])
	}
	p := byName["Plain Tool"]
	pbt, _ := p["biotools"].(map[string]any)
	if p["primary_maturity_tag"] != nil || !equalJSON(p["secondary_maturity_tags"], []any{}) || !equalJSON(p["responsible_pis"], []any{}) ||
		pbt["biotools_id"] != "" || !equalJSON(pbt["biotools_functions"], []any{}) || pbt["biotools_last_synced_at"] != nil {
		t.Errorf("plain: %v / %v", p, pbt)
	}
	if strings.Contains(string(res.Body), "192.0.2.10") {
		t.Error("an IP address is in a manager's export")
	}
	res = f.e.do(t, http.MethodGet, "/api/registry/admin/export?format=json&include_ip=1", nil, f.e.manager)
	if res.Status != 403 || strings.Contains(string(res.Body), "192.0.2.10") {
		t.Errorf("a manager asked for IPs: %d %s", res.Status, res.Body)
	}
	res = f.e.do(t, http.MethodGet, "/api/registry/admin/export?format=json&include_ip=1&ids="+f.linked.Id, nil, f.e.super)
	var withIP []map[string]any
	res.JSON(t, &withIP)
	if len(withIP) != 1 || withIP[0]["submission_ip"] != "192.0.2.10" {
		t.Errorf("superuser JSON with IPs: %v", withIP)
	}
	res = f.e.do(t, http.MethodGet, "/api/registry/admin/export?format=xml", nil, f.e.super)
	if res.Status != 400 {
		t.Errorf("format=xml: %d", res.Status)
	}
}

// objectKeys returns the keys of a JSON object in document order.
func objectKeys(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", raw)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// mustJSON returns member key of object i.
func mustJSON(t *testing.T, objects []json.RawMessage, i int, key string) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(objects[i], &m); err != nil {
		t.Fatal(err)
	}
	return m[key]
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
