package hooks

import (
	"github.com/denbi/service-registry/internal/refnames"
	"strconv"
	"time"

	"github.com/denbi/service-registry/plugins/edam"
	"github.com/denbi/service-registry/plugins/logos"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// v1Submission is a submission as the compatibility API shows it: the Django
// registry's field names, in its order, with related objects nested.
// Write-only and internal fields are absent by construction.
type v1Submission struct {
	ID                    string           `json:"id"`
	Status                string           `json:"status"`
	SubmittedAt           string           `json:"submitted_at"`
	UpdatedAt             string           `json:"updated_at"`
	DateOfEntry           string           `json:"date_of_entry"`
	SubmitterFirstName    string           `json:"submitter_first_name"`
	SubmitterLastName     string           `json:"submitter_last_name"`
	SubmitterAffiliation  string           `json:"submitter_affiliation"`
	RegisterAsElixir      bool             `json:"register_as_elixir"`
	ServiceName           string           `json:"service_name"`
	ServiceDescription    string           `json:"service_description"`
	YearEstablished       int              `json:"year_established"`
	ServiceCategories     []v1Category     `json:"service_categories"`
	IsToolbox             bool             `json:"is_toolbox"`
	ToolboxName           string           `json:"toolbox_name"`
	UserKnowledgeRequired string           `json:"user_knowledge_required"`
	PublicationsPMIDs     string           `json:"publications_pmids"`
	EDAMTopics            []map[string]any `json:"edam_topics"`
	EDAMOperations        []map[string]any `json:"edam_operations"`
	ResponsiblePIs        []v1PIRef        `json:"responsible_pis"`
	AssociatedPartnerNote string           `json:"associated_partner_note"`
	HostInstitute         string           `json:"host_institute"`
	ServiceCenter         *v1CenterRef     `json:"service_center"`
	PublicContactEmail    string           `json:"public_contact_email"`
	WebsiteURL            string           `json:"website_url"`
	TermsOfUseURL         string           `json:"terms_of_use_url"`
	Licenses              []string         `json:"licenses"`
	LicenseNote           string           `json:"license_note"`
	GithubURL             string           `json:"github_url"`
	BiotoolsURL           string           `json:"biotools_url"`
	FairsharingURL        string           `json:"fairsharing_url"`
	OtherRegistryURL      string           `json:"other_registry_url"`
	KPIMonitoring         string           `json:"kpi_monitoring"`
	KPIStartYear          string           `json:"kpi_start_year"`
	LogoURL               *string          `json:"logo_url"`
	KeywordsUncited       string           `json:"keywords_uncited"`
	KeywordsSEO           string           `json:"keywords_seo"`
	SurveyParticipation   bool             `json:"survey_participation"`
	Comments              string           `json:"comments"`
	BiotoolsRecord        any              `json:"biotoolsrecord"`
	PrimaryMaturityTag    *string          `json:"primary_maturity_tag"`
	SecondaryMaturityTags []string         `json:"secondary_maturity_tags"`
	Links                 v1Links          `json:"links"`
	APIKey                string           `json:"api_key,omitempty"`
	APIKeyWarning         string           `json:"api_key_warning,omitempty"`
}

// v1Category is a nested service category.
type v1Category struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

// v1PIRef is a nested PI (never with the PI's email).
type v1PIRef struct {
	ID          string `json:"id"`
	LastName    string `json:"last_name"`
	FirstName   string `json:"first_name"`
	DisplayName string `json:"display_name"`
	Institute   string `json:"institute"`
	ORCID       string `json:"orcid"`
}

// v1CenterRef is the nested service centre.
type v1CenterRef struct {
	ID        string `json:"id"`
	ShortName string `json:"short_name"`
	FullName  string `json:"full_name"`
	Website   string `json:"website"`
}

// v1Links points to related resources.
type v1Links struct {
	Self           string `json:"self"`
	Schema         string `json:"schema"`
	Docs           string `json:"docs"`
	BiotoolsRecord string `json:"biotoolsrecord,omitempty"`
}

// v1Related holds the records that a page of submissions refers to, loaded
// with one query per collection however long the page is.
type v1Related struct {
	byCollection map[string]map[string]*core.Record
	biotools     map[string]*core.Record // by submission id
}

// displayColumns are the columns of related records that representations
// and emails show (toV1, displayName, edam.TermJSON): only these are read.
var displayColumns = map[string][]string{
	"categories":      {"id", "name"},
	"pis":             {"id", "last_name", "first_name", "institute", "orcid", "is_associated_partner"},
	"service_centers": {"id", "short_name", "full_name", "website"},
	"edam_terms":      {"id", "uri", "accession", "branch", "label"},
	"licenses":        {"id", "license_id"},
}

// toAny converts ids for dbx.In.
func toAny(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// loadRelated fetches everything the submissions refer to.
func loadRelated(app core.App, submissions []*core.Record) (*v1Related, error) {
	ids := map[string]map[string]bool{}
	for _, s := range submissions {
		for field, collection := range refnames.Relations {
			if ids[collection] == nil {
				ids[collection] = map[string]bool{}
			}
			for _, id := range s.GetStringSlice(field) {
				ids[collection][id] = true
			}
		}
	}
	rel := &v1Related{byCollection: map[string]map[string]*core.Record{}, biotools: map[string]*core.Record{}}
	for collection, set := range ids {
		rel.byCollection[collection] = map[string]*core.Record{}
		if len(set) == 0 {
			continue
		}
		list := make([]string, 0, len(set))
		for id := range set {
			list = append(list, id)
		}
		var records []*core.Record
		query := app.RecordQuery(collection).AndWhere(dbx.In(collection+".id", toAny(list)...))
		if columns, ok := displayColumns[collection]; ok {
			query.Select(columns...) // long texts such as EDAM definitions are never shown
		}
		if err := query.All(&records); err != nil {
			return nil, err
		}
		for _, r := range records {
			rel.byCollection[collection][r.Id] = r
		}
	}

	if len(submissions) > 0 {
		subIDs := make([]any, len(submissions))
		for i, s := range submissions {
			subIDs[i] = s.Id
		}
		records, err := app.FindAllRecords("biotools_records", dbx.In("submission", subIDs...))
		if err != nil {
			return nil, err
		}
		for _, r := range records {
			rel.biotools[r.GetString("submission")] = r
		}
	}
	return rel, nil
}

func (rel *v1Related) records(collection string, ids []string) []*core.Record {
	out := make([]*core.Record, 0, len(ids))
	for _, id := range ids {
		if r, ok := rel.byCollection[collection][id]; ok {
			out = append(out, r)
		}
	}
	return out
}

// v1Timestamp formats a date the way the Django API did (ISO 8601, UTC).
func v1Timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z07:00")
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// toV1 builds the representation of one submission.
func (r *registry) toV1(app core.App, s *core.Record, rel *v1Related, detail bool) v1Submission {
	out := v1Submission{
		ID:                    s.Id,
		Status:                s.GetString("status"),
		SubmittedAt:           v1Timestamp(s.GetDateTime("created").Time()),
		UpdatedAt:             v1Timestamp(s.GetDateTime("updated").Time()),
		SubmitterFirstName:    s.GetString("submitter_first_name"),
		SubmitterLastName:     s.GetString("submitter_last_name"),
		SubmitterAffiliation:  s.GetString("submitter_affiliation"),
		RegisterAsElixir:      s.GetBool("register_as_elixir"),
		ServiceName:           s.GetString("service_name"),
		ServiceDescription:    s.GetString("service_description"),
		YearEstablished:       s.GetInt("year_established"),
		IsToolbox:             s.GetBool("is_toolbox"),
		ToolboxName:           s.GetString("toolbox_name"),
		UserKnowledgeRequired: s.GetString("user_knowledge_required"),
		PublicationsPMIDs:     s.GetString("publications_pmids"),
		AssociatedPartnerNote: s.GetString("associated_partner_note"),
		HostInstitute:         s.GetString("host_institute"),
		PublicContactEmail:    s.GetString("public_contact_email"),
		WebsiteURL:            s.GetString("website_url"),
		TermsOfUseURL:         s.GetString("terms_of_use_url"),
		LicenseNote:           s.GetString("license_note"),
		GithubURL:             s.GetString("github_url"),
		BiotoolsURL:           s.GetString("biotools_url"),
		FairsharingURL:        s.GetString("fairsharing_url"),
		OtherRegistryURL:      s.GetString("other_registry_url"),
		KPIMonitoring:         s.GetString("kpi_monitoring"),
		KPIStartYear:          s.GetString("kpi_start_year"),
		KeywordsUncited:       s.GetString("keywords_uncited"),
		KeywordsSEO:           s.GetString("keywords_seo"),
		SurveyParticipation:   s.GetBool("survey_participation"),
		Comments:              s.GetString("comments"),
		Links: v1Links{
			Self:   r.absoluteURL("/api/v1/submissions/" + s.Id + "/"),
			Schema: r.absoluteURL("/api/schema/"),
			Docs:   r.absoluteURL("/api/docs/"),
		},
	}
	if d := s.GetDateTime("date_of_entry"); !d.IsZero() {
		out.DateOfEntry = d.Time().UTC().Format("2006-01-02")
	}
	for _, c := range rel.records("categories", s.GetStringSlice("service_categories")) {
		out.ServiceCategories = append(out.ServiceCategories, v1Category{ID: atoi(c.Id), Name: c.GetString("name")})
	}
	for _, t := range rel.records("edam_terms", s.GetStringSlice("edam_topics")) {
		out.EDAMTopics = append(out.EDAMTopics, edam.TermJSON(t))
	}
	for _, t := range rel.records("edam_terms", s.GetStringSlice("edam_operations")) {
		out.EDAMOperations = append(out.EDAMOperations, edam.TermJSON(t))
	}
	for _, p := range rel.records("pis", s.GetStringSlice("responsible_pis")) {
		out.ResponsiblePIs = append(out.ResponsiblePIs, v1PIRef{
			ID: p.Id, LastName: p.GetString("last_name"), FirstName: p.GetString("first_name"),
			DisplayName: refnames.DisplayName(p), Institute: p.GetString("institute"), ORCID: p.GetString("orcid"),
		})
	}
	if centres := rel.records("service_centers", s.GetStringSlice("service_center")); len(centres) > 0 {
		c := centres[0]
		out.ServiceCenter = &v1CenterRef{ID: c.Id, ShortName: c.GetString("short_name"), FullName: c.GetString("full_name"), Website: c.GetString("website")}
	}
	for _, l := range rel.records("licenses", s.GetStringSlice("licenses")) {
		out.Licenses = append(out.Licenses, l.GetString("license_id"))
	}
	if url := logos.LogoURL(r.cfg.Site.URL, s, "logo"); url != "" {
		out.LogoURL = &url
	}
	if tag := s.GetString("primary_maturity_tag"); tag != "" {
		out.PrimaryMaturityTag = &tag
	}
	_ = s.UnmarshalJSONField("secondary_maturity_tags", &out.SecondaryMaturityTags)
	if bt, ok := rel.biotools[s.Id]; ok {
		out.BiotoolsRecord = biotoolsJSON(app, bt, detail)
		out.Links.BiotoolsRecord = r.absoluteURL("/api/v1/biotools/" + bt.GetString("biotools_id") + "/")
	}
	return out
}
