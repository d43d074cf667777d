package adminui

import (
	"github.com/denbi/service-registry/internal/statuses"
	"strings"

	"github.com/pocketbase/pocketbase/core"
)

// Submission statuses (see internal/statuses).
const (
	StatusDraft       = statuses.Draft
	StatusSubmitted   = statuses.Submitted
	StatusUnderReview = statuses.UnderReview
	StatusApproved    = statuses.Approved
	StatusRejected    = statuses.Rejected
	StatusDeprecated  = statuses.Deprecated
)

// section is a group of submission fields on the detail view, in the
// order of the registration form.
type section struct {
	Title  string
	Fields []string
}

// sections are the detail view's field groups (the Django registry's
// fieldsets A to G).
var sections = []section{
	{"A — General", []string{"date_of_entry", "submitter_first_name", "submitter_last_name", "submitter_affiliation", "register_as_elixir"}},
	{"B — Service Master Data", []string{"service_name", "service_description", "year_established", "service_categories",
		"is_toolbox", "toolbox_name", "user_knowledge_required", "publications_pmids", "edam_topics", "edam_operations", "logo"}},
	{"C — Responsibilities", []string{"responsible_pis", "associated_partner_note", "host_institute", "service_center",
		"public_contact_email", "internal_contact_name", "internal_contact_email"}},
	{"D — Websites & Links", []string{"website_url", "terms_of_use_url", "licenses", "license_note", "github_url",
		"biotools_url", "fairsharing_url", "other_registry_url"}},
	{"E — KPIs", []string{"kpi_monitoring", "kpi_start_year"}},
	{"F — Discoverability & Outreach", []string{"keywords_uncited", "keywords_seo", "survey_participation", "comments"}},
	{"G — Consent", []string{"data_protection_consent"}},
}

// fieldLabel is the human name of a submission field; the same names as
// the change log and the emails (hooks/submission_fields.go, which plugins
// do not import).
func fieldLabel(field string) string {
	switch field {
	case "submitter_first_name":
		return "Submitter First Name"
	case "submitter_last_name":
		return "Submitter Last Name"
	case "submitter_affiliation":
		return "Submitter Affiliation"
	case "status":
		return "Status"
	case "date_of_entry":
		return "Date of Entry"
	case "service_name":
		return "Service Name"
	case "service_description":
		return "Service Description"
	case "year_established":
		return "Year Established"
	case "is_toolbox":
		return "Is Toolbox"
	case "toolbox_name":
		return "Toolbox Name"
	case "user_knowledge_required":
		return "User Knowledge Required"
	case "publications_pmids":
		return "Publications (PMIDs/DOIs)"
	case "logo":
		return "Service Logo"
	case "associated_partner_note":
		return "Associated Partner Note"
	case "host_institute":
		return "Host Institute"
	case "service_center":
		return "Service Centre"
	case "public_contact_email":
		return "Public Contact (Email or URL)"
	case "internal_contact_name":
		return "Internal Contact Name"
	case "internal_contact_email":
		return "Internal Contact Email"
	case "website_url":
		return "Website URL"
	case "terms_of_use_url":
		return "Terms of Use URL"
	case "license_note":
		return "License Note"
	case "github_url":
		return "GitHub URL"
	case "biotools_url":
		return "bio.tools URL"
	case "fairsharing_url":
		return "FAIRsharing URL"
	case "other_registry_url":
		return "Other Registry URL"
	case "kpi_monitoring":
		return "KPI Monitoring"
	case "kpi_start_year":
		return "KPI Start Year"
	case "keywords_uncited":
		return "Keywords (uncited)"
	case "keywords_seo":
		return "Keywords (SEO)"
	case "survey_participation":
		return "Survey Participation"
	case "register_as_elixir":
		return "Register as ELIXIR"
	case "comments":
		return "Comments"
	case "primary_maturity_tag":
		return "Primary Maturity Tag"
	case "secondary_maturity_tags":
		return "Secondary Maturity Tags"
	case "service_categories":
		return "Service Categories"
	case "responsible_pis":
		return "Responsible PIs"
	case "edam_topics":
		return "EDAM Topics"
	case "edam_operations":
		return "EDAM Operations"
	case "licenses":
		return "Licenses"
	case "data_protection_consent":
		return "Data Protection Consent"
	}
	return field
}

// piName is a PI as the exports write it: "First Last".
func piName(r *core.Record) string {
	return strings.TrimSpace(r.GetString("first_name") + " " + r.GetString("last_name"))
}

// submitterDisplay is the queue's "Last, First — Affiliation".
func submitterDisplay(s *core.Record) string {
	name := strings.TrimSpace(s.GetString("submitter_last_name"))
	if first := strings.TrimSpace(s.GetString("submitter_first_name")); first != "" {
		if name != "" {
			name += ", "
		}
		name += first
	}
	if aff := strings.TrimSpace(s.GetString("submitter_affiliation")); aff != "" {
		if name != "" {
			return name + " — " + aff
		}
		return aff
	}
	return name
}

// maturityDisplay is "Primary (Secondary, …)" or "" without tags.
func maturityDisplay(s *core.Record) string {
	primary := s.GetString("primary_maturity_tag")
	secondary := secondaryTagsOf(s)
	var labels []string
	for _, t := range secondary {
		labels = append(labels, statuses.TagLabel(t))
	}
	out := ""
	if primary != "" {
		out = statuses.TagLabel(primary)
	}
	if len(labels) > 0 {
		if out != "" {
			out += " "
		}
		out += "(" + strings.Join(labels, ", ") + ")"
	}
	return out
}

// secondaryTagsOf returns the secondary maturity tags (nil for none or a
// legacy null).
func secondaryTagsOf(s *core.Record) []string {
	var tags []string
	_ = s.UnmarshalJSONField("secondary_maturity_tags", &tags)
	return tags
}

// yesNo is how booleans read in the detail view and the change log.
func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}
