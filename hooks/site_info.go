package hooks

import (
	"github.com/denbi/service-registry/internal/statuses"
	"maps"
	"net/http"
	"slices"

	"github.com/pocketbase/pocketbase/core"
)

// SiteInfoPath serves the public settings the web pages need.
const SiteInfoPath = "/api/registry/site"

// SiteInfo is the body of GET SiteInfoPath. Everything in it is public:
// it is shown on the pages anyway. Nothing secret (keys, SMTP, the
// captcha's signing key) and nothing only the office needs may go here.
type SiteInfo struct {
	Name       string             `json:"name"`
	URL        string             `json:"url"`
	Contact    SiteInfoContact    `json:"contact"`
	Links      SiteInfoLinks      `json:"links"`
	Features   SiteInfoFeatures   `json:"features"`
	Submission SiteInfoSubmission `json:"submission"`
	Captcha    SiteInfoCaptcha    `json:"captcha"`
	Uploads    SiteInfoUploads    `json:"uploads"`
	// Statuses are the display names of the submission statuses.
	Statuses map[string]string `json:"statuses"`
}

// SiteInfoContact is the coordination office as shown to submitters.
type SiteInfoContact struct {
	Email        string `json:"email"`
	Organisation string `json:"organisation"`
	Office       string `json:"office"`
}

// SiteInfoLinks are the external pages the site links to; empty ones are
// not shown.
type SiteInfoLinks struct {
	Website        string `json:"website"`
	PrivacyPolicy  string `json:"privacy_policy"`
	Imprint        string `json:"imprint"`
	DataProtection string `json:"data_protection"`
	UserGuide      string `json:"user_guide"`
}

// SiteInfoFeatures are the optional parts of the site that are switched on.
type SiteInfoFeatures struct {
	Catalogue       bool `json:"catalogue"`
	BiotoolsPrefill bool `json:"biotools_prefill"`
}

// SiteInfoSubmission are the form's rules that the pages explain.
type SiteInfoSubmission struct {
	// DraftTTLDays is how long the browser keeps an unsent draft.
	DraftTTLDays int `json:"draft_ttl_days"`
	// NoResetFields may change on an approved entry without sending it
	// back to review (the validated [submission] no_reset_fields), sorted.
	NoResetFields []string `json:"no_reset_fields"`
}

// SiteInfoCaptcha says whether registrations and web edits need a solved
// proof-of-work challenge.
type SiteInfoCaptcha struct {
	Enabled bool `json:"enabled"`
	// ChallengeURL is where the widget fetches its challenge.
	ChallengeURL string `json:"challenge_url"`
}

// SiteInfoUploads are the limits the logo field explains.
type SiteInfoUploads struct {
	LogoMaxBytes int64 `json:"logo_max_bytes"`
}

// siteInfo collects the public settings from the configuration.
func (r *registry) siteInfo() SiteInfo {
	exempt := make([]string, 0, len(r.exempt))
	for field := range r.exempt {
		exempt = append(exempt, field)
	}
	slices.Sort(exempt)
	labels := maps.Clone(statuses.Labels)
	cfg := r.cfg
	info := SiteInfo{
		Name: cfg.Site.Name,
		URL:  cfg.Site.URL,
		Contact: SiteInfoContact{
			Email:        cfg.Contact.Email,
			Organisation: cfg.Contact.Organisation,
			Office:       cfg.Contact.Office,
		},
		Links: SiteInfoLinks{
			Website:        cfg.Links.Website,
			PrivacyPolicy:  cfg.Links.PrivacyPolicy,
			Imprint:        cfg.Links.Imprint,
			DataProtection: cfg.Links.DataProtection,
			UserGuide:      cfg.Links.UserGuide,
		},
		Features: SiteInfoFeatures{
			Catalogue:       cfg.Features.Catalogue,
			BiotoolsPrefill: cfg.Features.BiotoolsPrefill,
		},
		Submission: SiteInfoSubmission{DraftTTLDays: cfg.Submission.DraftTTLDays, NoResetFields: exempt},
		Uploads:    SiteInfoUploads{LogoMaxBytes: cfg.Uploads.LogoMaxBytes},
		Statuses:   labels,
	}
	if r.deps.Captcha != nil {
		info.Captcha = SiteInfoCaptcha{Enabled: true, ChallengeURL: "/captcha/"}
	}
	return info
}

// bindSiteInfo serves GET /api/registry/site: the contact address, links,
// switched-on features and form rules the static pages show. It is read on
// every page load, so it is computed once; the configuration does not
// change while the server runs.
func (r *registry) bindSiteInfo(se *core.ServeEvent) {
	info := r.siteInfo()
	se.Router.GET(SiteInfoPath, func(e *core.RequestEvent) error {
		// short caching: pages load it on every visit, operators expect a
		// restart with a new configuration to show within minutes
		e.Response.Header().Set("Cache-Control", "public, max-age=300")
		return e.JSON(http.StatusOK, info)
	})
}
