package hooks

import "github.com/denbi/service-registry/internal/statuses"

// Submission statuses (see internal/statuses).
const (
	StatusDraft       = statuses.Draft
	StatusSubmitted   = statuses.Submitted
	StatusUnderReview = statuses.UnderReview
	StatusApproved    = statuses.Approved
	StatusRejected    = statuses.Rejected
	StatusDeprecated  = statuses.Deprecated
)

// secondaryMaturityTags are the tags allowed in secondary_maturity_tags.
var secondaryMaturityTags = map[string]bool{"unstable": true}

// fieldLabels are the human names of the submission fields, used in
// validation messages, change logs and emails.
var fieldLabels = map[string]string{
	"submitter_first_name":    "Submitter First Name",
	"submitter_last_name":     "Submitter Last Name",
	"submitter_affiliation":   "Submitter Affiliation",
	"status":                  "Status",
	"date_of_entry":           "Date of Entry",
	"service_name":            "Service Name",
	"service_description":     "Service Description",
	"year_established":        "Year Established",
	"is_toolbox":              "Is Toolbox",
	"toolbox_name":            "Toolbox Name",
	"user_knowledge_required": "User Knowledge Required",
	"publications_pmids":      "Publications (PMIDs/DOIs)",
	"logo":                    "Service Logo",
	"associated_partner_note": "Associated Partner Note",
	"host_institute":          "Host Institute",
	"service_center":          "Service Centre",
	"public_contact_email":    "Public Contact (Email or URL)",
	"internal_contact_name":   "Internal Contact Name",
	"internal_contact_email":  "Internal Contact Email",
	"website_url":             "Website URL",
	"terms_of_use_url":        "Terms of Use URL",
	"license_note":            "License Note",
	"github_url":              "GitHub URL",
	"biotools_url":            "bio.tools URL",
	"fairsharing_url":         "FAIRsharing URL",
	"other_registry_url":      "Other Registry URL",
	"kpi_monitoring":          "KPI Monitoring",
	"kpi_start_year":          "KPI Start Year",
	"keywords_uncited":        "Keywords (uncited)",
	"keywords_seo":            "Keywords (SEO)",
	"survey_participation":    "Survey Participation",
	"register_as_elixir":      "Register as ELIXIR",
	"comments":                "Comments",
	"primary_maturity_tag":    "Primary Maturity Tag",
	"secondary_maturity_tags": "Secondary Maturity Tags",
	"service_categories":      "Service Categories",
	"responsible_pis":         "Responsible PIs",
	"edam_topics":             "EDAM Topics",
	"edam_operations":         "EDAM Operations",
	"licenses":                "Licenses",
	"data_protection_consent": "Data Protection Consent",
}

// writeOnlyFields may be written by key holders but are never returned to them.
var writeOnlyFields = []string{"internal_contact_name", "internal_contact_email", "data_protection_consent"}

// serverManagedFields are set by the registry; clients' values are ignored.
var serverManagedFields = []string{"status", "primary_maturity_tag", "secondary_maturity_tags"}

// httpsPrefixes are the required beginnings of the registry links.
var httpsPrefixes = map[string]string{
	"website_url":        "",
	"terms_of_use_url":   "",
	"github_url":         "https://github.com/",
	"biotools_url":       "https://bio.tools/",
	"fairsharing_url":    "https://fairsharing.org/",
	"other_registry_url": "",
}
