package apidocs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/denbi/service-registry/plugins/apidocs"
	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// load parses a rendered document with kin-openapi, as API clients would.
func load(t *testing.T, doc *apidocs.Document) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	spec, err := loader.LoadFromData(doc.JSON)
	if err != nil {
		t.Fatalf("loading the JSON document: %v", err)
	}
	return spec
}

func render(t *testing.T, cfg apidocs.Config) *apidocs.Document {
	t.Helper()
	doc, err := apidocs.Render(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestDocumentIsValidOpenAPI31(t *testing.T) {
	t.Parallel()
	doc := render(t, apidocs.Config{ServerURL: "https://registry.example.org"})
	for name, data := range map[string][]byte{"JSON": doc.JSON, "YAML": doc.YAML} {
		loader := openapi3.NewLoader()
		spec, err := loader.LoadFromData(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if spec.OpenAPI != "3.1.0" {
			t.Errorf("%s: openapi = %q, want 3.1.0", name, spec.OpenAPI)
		}
		if err := spec.Validate(context.Background()); err != nil {
			t.Errorf("%s is not valid OpenAPI: %v", name, err)
		}
	}
}

func TestSecuritySchemesAreTheAuthorizationHeader(t *testing.T) {
	t.Parallel()
	spec := load(t, render(t, apidocs.Config{}))
	for _, name := range []string{"ApiKey", "AdminKey"} {
		ref := spec.Components.SecuritySchemes[name]
		if ref == nil || ref.Value == nil {
			t.Fatalf("security scheme %s missing", name)
		}
		s := ref.Value
		if s.Type != "apiKey" || s.In != "header" || s.Name != "Authorization" {
			t.Errorf("%s = {type %q, in %q, name %q}, want apiKey in the Authorization header", name, s.Type, s.In, s.Name)
		}
		if !strings.Contains(s.Description, name+" <key>") {
			t.Errorf("%s: the description must show the header value %q: %q", name, name+" <key>", s.Description)
		}
	}
	if len(spec.Components.SecuritySchemes) != 2 {
		t.Errorf("security schemes: %v, want exactly ApiKey and AdminKey", keys(spec.Components.SecuritySchemes))
	}
}

func TestWriteOnlyAndHiddenFields(t *testing.T) {
	t.Parallel()
	doc := render(t, apidocs.Config{})
	for _, form := range [][]byte{doc.YAML, doc.JSON} {
		for _, never := range []string{"submission_ip", "user_agent_hash", "last_change_summary", "key_hash"} {
			if bytes.Contains(form, []byte(never)) {
				t.Errorf("the document mentions %s, which the API never shows", never)
			}
		}
		if !bytes.Contains(form, []byte("ApiKey")) {
			t.Error("the document does not mention ApiKey")
		}
	}

	schemas := load(t, doc).Components.Schemas
	writeOnly := []string{"internal_contact_name", "internal_contact_email", "data_protection_consent", "logo",
		"service_category_ids", "edam_topic_ids", "edam_operation_ids", "responsible_pi_ids", "service_center_id"}
	for _, schema := range []string{"SubmissionCreate", "SubmissionUpdate"} {
		props := schemas[schema].Value.Properties
		for _, field := range writeOnly {
			if p := props[field]; p == nil || !p.Value.WriteOnly {
				t.Errorf("%s.%s must be a writeOnly property", schema, field)
			}
		}
	}
	for _, field := range []string{"internal_contact_name", "internal_contact_email", "data_protection_consent", "altcha"} {
		if p := schemas["SubmissionRecordCreate"].Value.Properties[field]; p == nil || !p.Value.WriteOnly {
			t.Errorf("SubmissionRecordCreate.%s must be a writeOnly property", field)
		}
	}
	// read shapes list no write-only field and allow no others
	for _, schema := range []string{"Submission", "SubmissionListItem", "SubmissionCreated", "SubmissionRecord", "SubmissionRecordCreated"} {
		s := schemas[schema].Value
		for _, field := range writeOnly[:3] {
			if s.Properties[field] != nil {
				t.Errorf("%s lists the write-only field %s", schema, field)
			}
		}
		if s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has {
			t.Errorf("%s must forbid undocumented fields (additionalProperties: false)", schema)
		}
	}
	if schemas["PIRef"].Value.Properties["email"] != nil {
		t.Error("PIs nested in a submission must not carry an email")
	}
}

// TestSubmissionFieldOrder checks the JSON keeps the field order of the
// Django representation (§2.12.1), which readers show as written.
func TestSubmissionFieldOrder(t *testing.T) {
	t.Parallel()
	doc := render(t, apidocs.Config{})
	want := []string{"id", "status", "submitted_at", "updated_at", "date_of_entry", "submitter_first_name",
		"submitter_last_name", "submitter_affiliation", "register_as_elixir", "service_name", "service_description",
		"year_established", "service_categories", "is_toolbox", "toolbox_name", "user_knowledge_required",
		"publications_pmids", "edam_topics", "edam_operations", "responsible_pis", "associated_partner_note",
		"host_institute", "service_center", "public_contact_email", "website_url", "terms_of_use_url", "licenses",
		"license_note", "github_url", "biotools_url", "fairsharing_url", "other_registry_url", "kpi_monitoring",
		"kpi_start_year", "logo_url", "keywords_uncited", "keywords_seo", "survey_participation", "comments",
		"biotoolsrecord", "primary_maturity_tag", "secondary_maturity_tags", "links"}
	for _, schema := range []string{"Submission", "SubmissionListItem"} {
		got := propertyOrder(t, doc.JSON, schema)
		if !slices.Equal(got, want) {
			t.Errorf("%s properties in the JSON:\n got %v\nwant %v", schema, got, want)
		}
	}
	created := propertyOrder(t, doc.JSON, "SubmissionCreated")
	if !slices.Equal(created, append(want, "api_key", "api_key_warning")) {
		t.Errorf("SubmissionCreated properties: %v", created)
	}
}

// propertyOrder reads the property names of a component schema in the
// order the JSON lists them.
func propertyOrder(t *testing.T, doc []byte, schema string) []string {
	t.Helper()
	var root struct {
		Components struct {
			Schemas map[string]struct {
				Properties json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &root); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(root.Components.Schemas[schema].Properties))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("%s has no properties object", schema)
	}
	var names []string
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, key.(string))
		var value json.RawMessage // skipped whole, nested objects included
		if err := dec.Decode(&value); err != nil {
			t.Fatal(err)
		}
	}
	return names
}

func TestConfigurationIsFilledIn(t *testing.T) {
	t.Parallel()
	doc := render(t, apidocs.Config{
		Title: "Test Registry API", Version: "2.0", LicenseName: "Apache-2.0",
		ContactName: "The Office", ContactEmail: "office@example.org", ServerURL: "https://registry.example.org/",
	})
	spec := load(t, doc)
	info := spec.Info
	if info.Title != "Test Registry API" || info.Version != "2.0" || info.License.Name != "Apache-2.0" {
		t.Errorf("info = %q %q %q", info.Title, info.Version, info.License.Name)
	}
	if info.Contact.Name != "The Office" || info.Contact.Email != "office@example.org" || info.Contact.URL != "https://registry.example.org/" {
		t.Errorf("contact = %+v", info.Contact)
	}
	if len(spec.Servers) != 1 || spec.Servers[0].URL != "https://registry.example.org" {
		t.Errorf("servers = %+v, want the site URL without its slash", spec.Servers)
	}
	// a version that looks like a number stays a string in both forms
	if !bytes.Contains(doc.YAML, []byte(`version: "2.0"`)) || !bytes.Contains(doc.JSON, []byte(`"version": "2.0"`)) {
		t.Error("version 2.0 must be written as a string")
	}

	defaults := load(t, render(t, apidocs.Config{}))
	if defaults.Info.Title != "de.NBI Service Registry API" || defaults.Info.Version != "1.0.0" || defaults.Info.License.Name != "MIT" {
		t.Errorf("defaults: %+v", defaults.Info)
	}
	if defaults.Info.Contact.Email != "" || defaults.Info.Contact.URL != "" {
		t.Errorf("without configuration the contact has no email or URL: %+v", defaults.Info.Contact)
	}
	if defaults.Servers[0].URL != "/" {
		t.Errorf("default server = %q, want / (the origin the document came from)", defaults.Servers[0].URL)
	}
}

// TestYAMLAndJSONAgree checks the two forms carry the same content, and the
// YAML needs nothing beyond plain maps and lists (no anchors, aliases or
// merge keys, which some OpenAPI tools read wrongly).
func TestYAMLAndJSONAgree(t *testing.T) {
	t.Parallel()
	doc := render(t, apidocs.Config{ServerURL: "https://registry.example.org"})
	var fromYAML any
	if err := yaml.Unmarshal(doc.YAML, &fromYAML); err != nil {
		t.Fatal(err)
	}
	viaJSON, err := json.Marshal(fromYAML)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if err := json.Unmarshal(viaJSON, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(doc.JSON, &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("the YAML and the JSON form differ")
	}

	var root yaml.Node
	if err := yaml.Unmarshal(doc.YAML, &root); err != nil {
		t.Fatal(err)
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Anchor != "" || n.Kind == yaml.AliasNode || n.Tag == "!!merge" {
			t.Fatalf("line %d: the served YAML uses an anchor, alias or merge key", n.Line)
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&root)
	if bytes.Contains(doc.YAML, []byte("# ")) && bytes.Contains(doc.YAML, []byte("Maintainers:")) {
		t.Error("the maintainers' comments must not be served")
	}
}

// TestCoverage names the operations the document must describe.
func TestCoverage(t *testing.T) {
	t.Parallel()
	spec := load(t, render(t, apidocs.Config{}))
	want := map[string][]string{
		"/api/v1/":                                  {"GET"},
		"/api/v1/submissions/":                      {"GET", "POST"},
		"/api/v1/submissions/{id}/":                 {"GET", "PATCH", "PUT", "DELETE"},
		"/api/v1/categories/":                       {"GET", "POST"},
		"/api/v1/categories/{id}/":                  {"GET", "PATCH", "PUT", "DELETE"},
		"/api/v1/service-centers/":                  {"GET", "POST"},
		"/api/v1/service-centers/{id}/":             {"GET", "PATCH", "PUT", "DELETE"},
		"/api/v1/pis/":                              {"GET", "POST"},
		"/api/v1/pis/{id}/":                         {"GET", "PATCH", "PUT", "DELETE"},
		"/api/v1/edam/":                             {"GET"},
		"/api/v1/edam/{accession}/":                 {"GET"},
		"/api/v1/biotools/":                         {"GET"},
		"/api/v1/biotools/{biotools_id}/":           {"GET"},
		"/biotools/prefill/":                        {"GET"},
		"/captcha/":                                 {"GET"},
		"/health/live/":                             {"GET"},
		"/health/ready/":                            {"GET"},
		"/api/schema/":                              {"GET"},
		"/api/registry/submissions/{id}/deprecate":  {"POST"},
		"/api/collections/submissions/records":      {"GET", "POST"},
		"/api/collections/submissions/records/{id}": {"GET", "PATCH"},
		"/api/collections/edam_terms/records":       {"GET"},
		"/api/collections/edam_terms/records/{id}":  {"GET"},
	}
	ids := map[string]bool{}
	for path, methods := range want {
		item := spec.Paths.Value(path)
		if item == nil {
			t.Errorf("%s is not documented", path)
			continue
		}
		for _, m := range methods {
			op := item.GetOperation(m)
			if op == nil {
				t.Errorf("%s %s is not documented", m, path)
				continue
			}
			if op.OperationID == "" || ids[op.OperationID] {
				t.Errorf("%s %s: operationId %q missing or not unique", m, path, op.OperationID)
			}
			ids[op.OperationID] = true
		}
	}
	// every answer carries the request id
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			for status, res := range op.Responses.Map() {
				if res.Value.Headers["X-Request-ID"] == nil {
					t.Errorf("%s %s → %s does not document X-Request-ID", method, path, status)
				}
			}
		}
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
