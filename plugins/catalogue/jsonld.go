package catalogue

import (
	"encoding/json"
	"html/template"
	"strings"
	"time"
)

// bioschemasProfile is the Bioschemas profile the service pages follow.
const bioschemasProfile = "https://bioschemas.org/profiles/ComputationalTool/1.0-RELEASE"

// definedTerm is an EDAM term in schema.org form.
type definedTerm struct {
	Type           string `json:"@type"`
	ID             string `json:"@id"`
	Name           string `json:"name"`
	TermCode       string `json:"termCode"`
	URL            string `json:"url"`
	InDefinedTerms string `json:"inDefinedTermSet"`
}

// thing is a schema.org node with a type, a name and optional link.
type thing struct {
	Type          string `json:"@type"`
	ID            string `json:"@id,omitempty"`
	Name          string `json:"name"`
	AlternateName string `json:"alternateName,omitempty"`
	URL           string `json:"url,omitempty"`
}

// softwareApplication is the JSON-LD of a service page: schema.org
// SoftwareApplication as the Bioschemas ComputationalTool profile describes
// it. EDAM topics are the applicationSubCategory and what the service is
// about, EDAM operations its featureList.
type softwareApplication struct {
	Context                string         `json:"@context"`
	Type                   string         `json:"@type"`
	ID                     string         `json:"@id"`
	ConformsTo             map[string]any `json:"http://purl.org/dc/terms/conformsTo"`
	Name                   string         `json:"name"`
	Description            string         `json:"description"`
	URL                    string         `json:"url"`
	MainEntityOfPage       string         `json:"mainEntityOfPage"`
	Identifier             string         `json:"identifier"`
	SameAs                 []string       `json:"sameAs,omitempty"`
	Image                  string         `json:"image,omitempty"`
	ApplicationCategory    []string       `json:"applicationCategory,omitempty"`
	ApplicationSubCategory []definedTerm  `json:"applicationSubCategory,omitempty"`
	About                  []definedTerm  `json:"about,omitempty"`
	FeatureList            []definedTerm  `json:"featureList,omitempty"`
	Keywords               string         `json:"keywords,omitempty"`
	License                []string       `json:"license,omitempty"`
	Citation               []string       `json:"citation,omitempty"`
	DateCreated            string         `json:"dateCreated,omitempty"`
	DateModified           string         `json:"dateModified,omitempty"`
	Provider               *thing         `json:"provider,omitempty"`
	Maintainer             []thing        `json:"maintainer,omitempty"`
	TermsOfService         string         `json:"termsOfService,omitempty"`
	IsPartOf               thing          `json:"isPartOf"`
}

// edamTerms converts terms to schema.org DefinedTerms.
func edamTerms(terms []term) []definedTerm {
	out := make([]definedTerm, 0, len(terms))
	for _, t := range terms {
		uri := t.URI
		if uri == "" {
			uri = "http://edamontology.org/" + t.Accession
		}
		out = append(out, definedTerm{Type: "DefinedTerm", ID: uri, Name: t.Label, TermCode: t.Accession,
			URL: uri, InDefinedTerms: "http://edamontology.org"})
	}
	return out
}

// jsonLD returns the structured data of a service page, safe to place in
// a <script type="application/ld+json"> element: encoding/json writes <, >
// and & as \u escapes, so no value can close the element.
func jsonLD(s *service, siteURL, siteName string) (template.JS, error) {
	page := siteURL + s.Path
	doc := softwareApplication{
		Context:          "https://schema.org",
		Type:             "SoftwareApplication",
		ID:               page,
		ConformsTo:       map[string]any{"@id": bioschemasProfile, "@type": "CreativeWork"},
		Name:             s.Name,
		Description:      s.Description,
		URL:              s.WebsiteURL,
		MainEntityOfPage: page,
		Identifier:       page,
		TermsOfService:   s.TermsURL,
		IsPartOf:         thing{Type: "DataCatalog", Name: siteName, URL: siteURL + basePath},
	}
	for _, u := range []string{s.BioToolsURL, s.GitHubURL, s.FAIRsharingURL, s.OtherRegistryURL} {
		if isWebURL(u) {
			doc.SameAs = append(doc.SameAs, u)
		}
	}
	if s.LogoPath != "" {
		doc.Image = siteURL + s.LogoPath
	}
	for _, c := range s.Categories {
		doc.ApplicationCategory = append(doc.ApplicationCategory, c.Name)
	}
	doc.ApplicationSubCategory = edamTerms(s.Topics)
	doc.About = doc.ApplicationSubCategory
	doc.FeatureList = edamTerms(s.Operations)
	keywords := s.Keywords()
	for _, t := range s.Topics {
		keywords = append(keywords, t.Label)
	}
	doc.Keywords = strings.Join(keywords, ", ")
	for _, l := range s.Licenses {
		if l.ReferenceURL != "" {
			doc.License = append(doc.License, l.ReferenceURL)
		} else {
			doc.License = append(doc.License, "https://spdx.org/licenses/"+l.LicenseID+".html")
		}
	}
	for _, pub := range publicationLinks(s.Publications) {
		if pub.Href != "" {
			doc.Citation = append(doc.Citation, pub.Href)
		}
	}
	if !s.Created.IsZero() {
		doc.DateCreated = s.Created.UTC().Format(time.RFC3339)
	}
	if !s.Updated.IsZero() {
		doc.DateModified = s.Updated.UTC().Format(time.RFC3339)
	}
	if c := s.Centre; c != nil {
		doc.Provider = &thing{Type: "Organization", Name: c.FullName, AlternateName: c.ShortName, URL: c.Website}
	}
	for _, p := range s.PIs {
		if p.IsAssociatedPartner {
			continue
		}
		doc.Maintainer = append(doc.Maintainer, thing{Type: "Person", ID: p.ORCIDURL(), Name: p.Name()})
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return "", err
	}
	return template.JS(raw), nil
}
