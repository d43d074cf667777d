package adminui

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"github.com/denbi/service-registry/internal/refnames"
	"github.com/denbi/service-registry/internal/statuses"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/denbi/service-registry/plugins/logos"
	"github.com/pocketbase/pocketbase/core"
)

// CSVColumns are the columns of the CSV export, in the Django registry's
// order (reference §12.2).
var CSVColumns = []string{
	"id", "status", "primary_maturity_tag", "secondary_maturity_tags", "date_of_entry",
	"service_name", "service_description", "year_established",
	"submitter_first_name", "submitter_last_name", "submitter_affiliation",
	"host_institute", "service_center", "public_contact_email", "internal_contact_name", "internal_contact_email",
	"service_categories", "responsible_pis", "edam_topics", "edam_operations",
	"is_toolbox", "toolbox_name", "user_knowledge_required", "publications_pmids",
	"website_url", "terms_of_use_url", "licenses", "license_note",
	"github_url", "biotools_url", "fairsharing_url", "other_registry_url",
	"kpi_monitoring", "kpi_start_year", "associated_partner_note", "keywords_uncited", "keywords_seo",
	"register_as_elixir", "survey_participation", "comments", "logo_url",
	"biotools_id", "biotools_name", "biotools_description", "biotools_homepage", "biotools_version",
	"biotools_license", "biotools_maturity", "biotools_cost", "biotools_tool_type", "biotools_operating_system",
	"biotools_edam_topic_uris", "biotools_edam_operation_uris", "biotools_functions",
	"biotools_publications", "biotools_documentation", "biotools_download", "biotools_links",
	"biotools_last_synced_at", "submitted_at", "updated_at",
}

// IPColumn is added at the end of both exports when a superuser asks for
// it with include_ip=1; nobody else may.
const IPColumn = "submission_ip"

// handleExport serves GET /api/registry/admin/export?format=csv|json with
// either ids=… (the selected rows) or the queue's filters.
func (p *plugin) handleExport(e *core.RequestEvent) error {
	q := e.Request.URL.Query()
	format := q.Get("format")
	if format != "csv" && format != "json" {
		return e.BadRequestError("Choose format=csv or format=json.", nil)
	}
	includeIP := q.Get("include_ip") == "1" || q.Get("include_ip") == "true"
	if includeIP && !Can(callerOf(e).Role, PermIP) {
		return denied(e, callerOf(e), PermIP)
	}
	f, err := parseQueueFilter(q)
	if err != nil {
		return filterResponse(e, err)
	}
	subs, err := p.findAll(e.App, f)
	if err != nil {
		return filterResponse(e, err)
	}
	rows, err := p.exportRows(e.App, subs, includeIP)
	if err != nil {
		return err
	}

	var body []byte
	var contentType string
	switch format {
	case "csv":
		body, err = encodeCSV(rows, includeIP)
		contentType = "text/csv; charset=utf-8"
	default:
		objects := make([]orderedObject, len(rows))
		for i, r := range rows {
			objects[i] = r.json
		}
		body, err = json.MarshalIndent(objects, "", "  ")
		contentType = "application/json"
	}
	if err != nil {
		return err
	}
	e.App.Logger().Info("Submissions exported", "format", format, "rows", len(rows), "withIP", includeIP, "by", callerOf(e).actor())
	e.Response.Header().Set("Content-Disposition", `attachment; filename="submissions.`+format+`"`)
	return e.Blob(http.StatusOK, contentType, body)
}

// findAll returns every submission of the selection, up to the export
// limit, in the queue's order.
func (p *plugin) findAll(app core.App, f queueFilter) ([]*core.Record, error) {
	const pageSize = 500
	var out []*core.Record
	for page := 1; ; page++ {
		records, total, err := p.find(app, f, page, pageSize)
		if err != nil {
			return nil, err
		}
		if total > p.config.ExportLimit {
			return nil, badFilter("q", "%d services match; an export holds at most %d: narrow the selection.", total, p.config.ExportLimit)
		}
		out = append(out, records...)
		if len(records) < pageSize || len(out) >= total {
			return out, nil
		}
	}
}

// exportRow is one submission in both shapes.
type exportRow struct {
	csv  []string
	json orderedObject
}

// exportRows renders the submissions, loading everything they refer to
// with one query per collection.
func (p *plugin) exportRows(app core.App, subs []*core.Record, includeIP bool) ([]exportRow, error) {
	rel, err := loadRelated(app, subs)
	if err != nil {
		return nil, err
	}
	out := make([]exportRow, 0, len(subs))
	for _, s := range subs {
		out = append(out, p.exportRow(s, rel, includeIP))
	}
	return out, nil
}

func (p *plugin) exportRow(s *core.Record, rel *related, includeIP bool) exportRow {
	str := s.GetString
	primary := str("primary_maturity_tag")
	secondary := nonNil(secondaryTagsOf(s))
	var secondaryLabels []string
	for _, t := range secondary {
		secondaryLabels = append(secondaryLabels, statuses.TagLabel(t))
	}
	dateOfEntry := ""
	if d := s.GetDateTime("date_of_entry"); !d.IsZero() {
		dateOfEntry = d.Time().UTC().Format("2006-01-02")
	}
	centre := strings.Join(rel.names(s, "service_center", refnames.DisplayName), ", ")
	categories := sortedNames(rel.records(s, "service_categories"), func(r *core.Record) string { return r.GetString("name") })
	pis := rel.records(s, "responsible_pis")
	slices.SortFunc(pis, func(a, b *core.Record) int {
		return strings.Compare(a.GetString("last_name")+"\x00"+a.GetString("first_name"), b.GetString("last_name")+"\x00"+b.GetString("first_name"))
	})
	piNames := []string{}
	for _, r := range pis {
		piNames = append(piNames, piName(r))
	}
	topics, operations := edamTerms(rel.records(s, "edam_topics")), edamTerms(rel.records(s, "edam_operations"))
	licenses := rel.records(s, "licenses")
	slices.SortFunc(licenses, func(a, b *core.Record) int { return strings.Compare(a.GetString("name"), b.GetString("name")) })
	licenseIDs := []string{}
	for _, r := range licenses {
		licenseIDs = append(licenseIDs, r.GetString("license_id"))
	}
	logoURL := logos.LogoURL(p.config.SiteURL, s, "logo")
	bt := biotoolsExport(rel.biotoolsOf(s))

	row := exportRow{}
	row.csv = []string{
		s.Id, str("status"), labelOrEmpty(primary), strings.Join(secondaryLabels, "; "), dateOfEntry,
		str("service_name"), str("service_description"), strconv.Itoa(s.GetInt("year_established")),
		str("submitter_first_name"), str("submitter_last_name"), str("submitter_affiliation"),
		str("host_institute"), centre, str("public_contact_email"), str("internal_contact_name"), str("internal_contact_email"),
		strings.Join(categories, "; "), strings.Join(piNames, "; "), edamCSV(topics), edamCSV(operations),
		pyBool(s.GetBool("is_toolbox")), str("toolbox_name"), str("user_knowledge_required"), str("publications_pmids"),
		str("website_url"), str("terms_of_use_url"), strings.Join(licenseIDs, "; "), str("license_note"),
		str("github_url"), str("biotools_url"), str("fairsharing_url"), str("other_registry_url"),
		str("kpi_monitoring"), str("kpi_start_year"), str("associated_partner_note"), str("keywords_uncited"), str("keywords_seo"),
		pyBool(s.GetBool("register_as_elixir")), pyBool(s.GetBool("survey_participation")), str("comments"), logoURL,
	}
	row.csv = append(row.csv, bt.csv()...)
	row.csv = append(row.csv, isoTime(s.GetDateTime("created")), isoTime(s.GetDateTime("updated")))

	var primaryJSON, logoJSON any
	if primary != "" {
		primaryJSON = primary
	}
	if logoURL != "" {
		logoJSON = logoURL
	}
	row.json = orderedObject{
		{"id", s.Id}, {"status", str("status")},
		{"primary_maturity_tag", primaryJSON}, {"secondary_maturity_tags", secondary},
		{"date_of_entry", dateOfEntry}, {"service_name", str("service_name")},
		{"service_description", str("service_description")}, {"year_established", s.GetInt("year_established")},
		{"submitter", orderedObject{
			{"first_name", str("submitter_first_name")}, {"last_name", str("submitter_last_name")},
			{"affiliation", str("submitter_affiliation")},
		}},
		{"host_institute", str("host_institute")}, {"service_center", centre},
		{"public_contact_email", str("public_contact_email")}, {"internal_contact_name", str("internal_contact_name")},
		{"internal_contact_email", str("internal_contact_email")},
		{"service_categories", nonNil(categories)}, {"responsible_pis", piNames},
		{"edam_topics", topics}, {"edam_operations", operations},
		{"is_toolbox", s.GetBool("is_toolbox")}, {"toolbox_name", str("toolbox_name")},
		{"user_knowledge_required", str("user_knowledge_required")}, {"publications_pmids", str("publications_pmids")},
		{"website_url", str("website_url")}, {"terms_of_use_url", str("terms_of_use_url")},
		{"licenses", licenseIDs}, {"license_note", str("license_note")},
		{"github_url", str("github_url")}, {"biotools_url", str("biotools_url")},
		{"fairsharing_url", str("fairsharing_url")}, {"other_registry_url", str("other_registry_url")},
		{"kpi_monitoring", str("kpi_monitoring")}, {"kpi_start_year", str("kpi_start_year")},
		{"associated_partner_note", str("associated_partner_note")},
		{"keywords_uncited", str("keywords_uncited")}, {"keywords_seo", str("keywords_seo")},
		{"register_as_elixir", s.GetBool("register_as_elixir")}, {"survey_participation", s.GetBool("survey_participation")},
		{"comments", str("comments")}, {"logo_url", logoJSON},
		{"biotools", bt.json()},
		{"submitted_at", isoTime(s.GetDateTime("created"))}, {"updated_at", isoTime(s.GetDateTime("updated"))},
	}
	if includeIP {
		row.csv = append(row.csv, str("submission_ip"))
		row.json = append(row.json, kv{IPColumn, str("submission_ip")})
	}
	return row
}

// encodeCSV writes the header and rows.
func encodeCSV(rows []exportRow, includeIP bool) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := CSVColumns
	if includeIP {
		header = append(slices.Clone(CSVColumns), IPColumn)
	}
	if err := w.Write(header); err != nil {
		return nil, err
	}
	for _, r := range rows {
		if err := w.Write(r.csv); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// edamTerm is an EDAM term in the JSON export.
type edamTerm struct {
	Label string `json:"label"`
	URI   string `json:"uri"`
}

// edamTerms lists terms in the ontology's order.
func edamTerms(records []*core.Record) []edamTerm {
	slices.SortFunc(records, func(a, b *core.Record) int {
		if d := a.GetInt("sort_order") - b.GetInt("sort_order"); d != 0 {
			return d
		}
		return strings.Compare(a.GetString("accession"), b.GetString("accession"))
	})
	out := []edamTerm{}
	for _, r := range records {
		out = append(out, edamTerm{Label: r.GetString("label"), URI: r.GetString("uri")})
	}
	return out
}

// edamCSV writes terms as "Label (uri); …".
func edamCSV(terms []edamTerm) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = t.Label + " (" + t.URI + ")"
	}
	return strings.Join(parts, "; ")
}

// biotoolsColumns is the bio.tools part of an export row.
type biotoolsColumns struct {
	record     *core.Record
	toolType   []string
	os         []string
	topics     []string
	operations []string
	functions  []exportFunction
	lists      map[string][]any
	synced     string
}

// exportFunction is a bio.tools function as the exports write it.
type exportFunction struct {
	Operations any    `json:"operations"`
	Inputs     any    `json:"inputs"`
	Outputs    any    `json:"outputs"`
	Cmd        string `json:"cmd"`
	Note       string `json:"note"`
}

// biotoolsExport reads a bio.tools record (nil: empty columns).
func biotoolsExport(r *core.Record) biotoolsColumns {
	bt := biotoolsColumns{record: r, toolType: []string{}, os: []string{}, topics: []string{}, operations: []string{},
		functions: []exportFunction{}, lists: map[string][]any{}}
	for _, field := range []string{"publications", "documentation", "download", "links"} {
		bt.lists[field] = []any{}
	}
	if r == nil {
		return bt
	}
	bt.toolType = jsonStrings(r, "tool_type")
	bt.os = jsonStrings(r, "operating_system")
	bt.topics = jsonStrings(r, "edam_topic_uris")
	var functions []map[string]any
	_ = r.UnmarshalJSONField("functions", &functions)
	for _, f := range functions {
		bt.functions = append(bt.functions, exportFunction{
			Operations: orEmptyList(f["operations"]), Inputs: orEmptyList(f["inputs"]), Outputs: orEmptyList(f["outputs"]),
			Cmd: stringOf(f["cmd"]), Note: stringOf(f["note"]),
		})
		// the operation URIs of all functions, each once
		ops, _ := f["operations"].([]any)
		for _, op := range ops {
			m, _ := op.(map[string]any)
			if uri := stringOf(m["uri"]); uri != "" && !slices.Contains(bt.operations, uri) {
				bt.operations = append(bt.operations, uri)
			}
		}
	}
	for field := range bt.lists {
		var list []any
		if err := r.UnmarshalJSONField(field, &list); err == nil && list != nil {
			bt.lists[field] = list
		}
	}
	if t := r.GetDateTime("last_synced_at"); !t.IsZero() {
		bt.synced = isoTime(t)
	}
	return bt
}

func (bt biotoolsColumns) str(field string) string {
	if bt.record == nil {
		return ""
	}
	return bt.record.GetString(field)
}

// csv returns the bio.tools columns of the CSV export.
func (bt biotoolsColumns) csv() []string {
	return []string{
		bt.str("biotools_id"), bt.str("name"), bt.str("description"), bt.str("homepage"), bt.str("version"),
		bt.str("license"), bt.str("maturity"), bt.str("cost"),
		strings.Join(bt.toolType, "; "), strings.Join(bt.os, "; "),
		strings.Join(bt.topics, "; "), strings.Join(bt.operations, "; "),
		compactJSON(bt.functions), compactJSON(bt.lists["publications"]), compactJSON(bt.lists["documentation"]),
		compactJSON(bt.lists["download"]), compactJSON(bt.lists["links"]), bt.synced,
	}
}

// json returns the nested "biotools" object of the JSON export.
func (bt biotoolsColumns) json() orderedObject {
	var synced any
	if bt.synced != "" {
		synced = bt.synced
	}
	return orderedObject{
		{"biotools_id", bt.str("biotools_id")}, {"biotools_name", bt.str("name")},
		{"biotools_description", bt.str("description")}, {"biotools_homepage", bt.str("homepage")},
		{"biotools_version", bt.str("version")}, {"biotools_license", bt.str("license")},
		{"biotools_maturity", bt.str("maturity")}, {"biotools_cost", bt.str("cost")},
		{"biotools_tool_type", bt.toolType}, {"biotools_operating_system", bt.os},
		{"biotools_edam_topic_uris", bt.topics}, {"biotools_edam_operation_uris", bt.operations},
		{"biotools_functions", bt.functions}, {"biotools_publications", bt.lists["publications"]},
		{"biotools_documentation", bt.lists["documentation"]}, {"biotools_download", bt.lists["download"]},
		{"biotools_links", bt.lists["links"]}, {"biotools_last_synced_at", synced},
	}
}

// kv is one member of an orderedObject.
type kv struct {
	Key   string
	Value any
}

// orderedObject is a JSON object that keeps its members' order, so the
// export reads like the Django registry's.
type orderedObject []kv

// MarshalJSON writes the members in order.
func (o orderedObject) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		key, err := json.Marshal(m.Key)
		if err != nil {
			return nil, err
		}
		value, err := json.Marshal(m.Value)
		if err != nil {
			return nil, err
		}
		buf.Write(key)
		buf.WriteByte(':')
		buf.Write(value)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// jsonStrings returns the strings of a JSON list field.
func jsonStrings(r *core.Record, field string) []string {
	var items []any
	_ = r.UnmarshalJSONField(field, &items)
	out := []string{}
	for _, item := range items {
		if s, ok := item.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func compactJSON(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return "[]"
	}
	return string(raw)
}

func orEmptyList(v any) any {
	if v == nil {
		return []any{}
	}
	return v
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}

// sortedNames returns the names of records, sorted.
func sortedNames(records []*core.Record, name func(*core.Record) string) []string {
	out := []string{}
	for _, r := range records {
		out = append(out, name(r))
	}
	slices.Sort(out)
	return out
}

// labelOrEmpty is a primary tag's label, "" for none.
func labelOrEmpty(tag string) string {
	if tag == "" {
		return ""
	}
	return statuses.TagLabel(tag)
}

// pyBool writes booleans as the Django export did.
func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}
