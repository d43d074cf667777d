package testapp

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/denbi/service-registry/internal/apikeys"
	"github.com/pocketbase/pocketbase/core"
)

// Reference holds the ids of the reference rows Seed creates.
type Reference struct {
	Categories []string
	Center     string
	PIs        []string
	PartnerPI  string
}

// Seed creates two categories, a service centre, two PIs and the generic
// "associated partner" PI.
func Seed(t testing.TB, app core.App) Reference {
	t.Helper()
	var ref Reference
	for _, name := range []string{"Database", "Web service"} {
		ref.Categories = append(ref.Categories, Create(t, app, "categories", map[string]any{"name": name, "active": true}).Id)
	}
	ref.Center = Create(t, app, "service_centers", map[string]any{
		"short_name": "BiGi", "full_name": "Bielefeld-Gießen Center for Microbial Bioinformatics", "active": true,
	}).Id
	ref.PIs = append(ref.PIs,
		Create(t, app, "pis", map[string]any{"last_name": "Carberry", "first_name": "Josiah", "institute": "Brown University",
			"orcid": "0000-0002-1825-0097", "email": "josiah@example.org", "active": true}).Id,
		Create(t, app, "pis", map[string]any{"last_name": "Lovelace", "first_name": "Ada", "institute": "Bielefeld University", "active": true}).Id,
	)
	ref.PartnerPI = Create(t, app, "pis", map[string]any{"last_name": "Associated partner", "first_name": "[please state below]",
		"active": true, "is_associated_partner": true}).Id
	return ref
}

// Create saves a new record and fails the test on error.
func Create(t testing.TB, app core.App, collection string, data map[string]any) *core.Record {
	t.Helper()
	c, err := app.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		t.Fatal(err)
	}
	record := core.NewRecord(c)
	record.Load(data)
	if err := app.Save(record); err != nil {
		t.Fatalf("creating %s %v: %v", collection, data, err)
	}
	return record
}

// SubmissionData returns a complete, valid submission body (collection API
// field names) using the reference rows; overrides replace single fields.
func SubmissionData(ref Reference, overrides map[string]any) map[string]any {
	data := map[string]any{
		"date_of_entry":           time.Now().UTC().Format("2006-01-02"),
		"submitter_first_name":    "Grace",
		"submitter_last_name":     "Hopper",
		"submitter_affiliation":   "Bielefeld University",
		"register_as_elixir":      false,
		"service_name":            "Proteome Explorer",
		"service_description":     strings.Repeat("A web service that maps peptides to proteins. ", 3),
		"year_established":        2020,
		"service_categories":      []string{ref.Categories[0]},
		"is_toolbox":              false,
		"publications_pmids":      "12345678, 10.1000/xyz123",
		"responsible_pis":         []string{ref.PIs[0]},
		"host_institute":          "Bielefeld University",
		"service_center":          ref.Center,
		"public_contact_email":    "help@example.org",
		"internal_contact_name":   "Grace Hopper, Bielefeld University",
		"internal_contact_email":  "grace.internal@example.org",
		"website_url":             "https://proteome.example.org",
		"terms_of_use_url":        "https://proteome.example.org/terms",
		"license_note":            "Not applicable",
		"kpi_monitoring":          "yes",
		"kpi_start_year":          "2021",
		"survey_participation":    true,
		"data_protection_consent": true,
		"status":                  "submitted",
	}
	for k, v := range overrides {
		data[k] = v
	}
	return data
}

// CreateSubmission saves a valid submission and returns it with a fresh
// key of the given scope.
func CreateSubmission(t testing.TB, app core.App, ref Reference, scope string, overrides map[string]any) (*core.Record, string) {
	t.Helper()
	record := Create(t, app, "submissions", SubmissionData(ref, overrides))
	_, key, err := apikeys.IssueSubmissionKey(app, record.Id, "Initial key", scope, "submitter")
	if err != nil {
		t.Fatal(err)
	}
	return record, key
}

// AdminKey creates an admin key of the given scope and returns its plaintext.
func AdminKey(t testing.TB, app core.App, scope string) string {
	t.Helper()
	_, key, err := apikeys.IssueAdminKey(app, fmt.Sprintf("test %s key", scope), scope, "test")
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// Superuser creates a superuser and returns an auth token for it.
func Superuser(t testing.TB, app core.App, email string) string {
	t.Helper()
	c, err := app.FindCachedCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		t.Fatal(err)
	}
	su := core.NewRecord(c)
	su.SetEmail(email)
	su.SetPassword("a-long-test-password")
	if err := app.Save(su); err != nil {
		t.Fatal(err)
	}
	token, err := su.NewAuthToken()
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// V1SubmissionData returns a complete, valid /api/v1 create body (the Django
// registry's wire names); overrides replace single fields.
func V1SubmissionData(ref Reference, overrides map[string]any) map[string]any {
	data := map[string]any{
		"date_of_entry":           time.Now().UTC().Format("2006-01-02"),
		"submitter_first_name":    "Grace",
		"submitter_last_name":     "Hopper",
		"submitter_affiliation":   "Bielefeld University",
		"register_as_elixir":      false,
		"service_name":            "Proteome Explorer",
		"service_description":     strings.Repeat("A web service that maps peptides to proteins. ", 3),
		"year_established":        2020,
		"service_category_ids":    []any{json.Number(ref.Categories[0])},
		"is_toolbox":              false,
		"publications_pmids":      "12345678, 10.1000/xyz123",
		"responsible_pi_ids":      []string{ref.PIs[0]},
		"host_institute":          "Bielefeld University",
		"service_center_id":       ref.Center,
		"public_contact_email":    "help@example.org",
		"internal_contact_name":   "Grace Hopper, Bielefeld University",
		"internal_contact_email":  "grace.internal@example.org",
		"website_url":             "https://proteome.example.org",
		"terms_of_use_url":        "https://proteome.example.org/terms",
		"license_note":            "Not applicable",
		"kpi_monitoring":          "yes",
		"kpi_start_year":          "2021",
		"survey_participation":    true,
		"data_protection_consent": true,
	}
	for k, v := range overrides {
		data[k] = v
	}
	return data
}
