package catalogue

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// GA4GHBase is where the GA4GH Service Registry API is served.
const GA4GHBase = "/ga4gh/service-registry/v1"

// serviceType is the GA4GH type of a service. The registered services are
// bioinformatics services of any kind, not implementations of a GA4GH API,
// so they share one type in the registry's own group.
type serviceType struct {
	Group    string `json:"group"`
	Artifact string `json:"artifact"`
	Version  string `json:"version"`
}

type organization struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// ga4ghService is the GA4GH service-info object (ExternalService: with url).
type ga4ghService struct {
	ID               string       `json:"id"`
	Name             string       `json:"name"`
	Type             serviceType  `json:"type"`
	Description      string       `json:"description,omitempty"`
	Organization     organization `json:"organization"`
	ContactURL       string       `json:"contactUrl,omitempty"`
	DocumentationURL string       `json:"documentationUrl,omitempty"`
	CreatedAt        string       `json:"createdAt,omitempty"`
	UpdatedAt        string       `json:"updatedAt,omitempty"`
	Environment      string       `json:"environment,omitempty"`
	Version          string       `json:"version"`
	URL              string       `json:"url,omitempty"`
}

// ga4ghError is the error object of the Service Registry specification.
type ga4ghError struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty"`
}

// bindGA4GH adds the Service Registry routes.
func (p *plugin) bindGA4GH(se *core.ServeEvent) {
	se.Router.GET(GA4GHBase+"/services", p.handleGA4GHServices)
	se.Router.GET(GA4GHBase+"/services/types", p.handleGA4GHTypes)
	se.Router.GET(GA4GHBase+"/services/{id}", p.handleGA4GHService)
	se.Router.GET(GA4GHBase+"/service-info", p.handleGA4GHInfo)
}

// namespace is the reverse domain name of the site, the group of the
// service types and the id of the registry (e.g. "de.denbi.registry" for
// https://registry.denbi.de). Addresses without a domain name (an IP,
// localhost) give "local.service-registry".
func (p *plugin) namespace() string {
	u, err := url.Parse(p.siteURL())
	host := ""
	if err == nil {
		host = u.Hostname()
	}
	if host == "" || net.ParseIP(host) != nil || !strings.Contains(host, ".") {
		return "local.service-registry"
	}
	labels := strings.Split(strings.ToLower(host), ".")
	slices.Reverse(labels)
	return strings.Join(labels, ".")
}

// serviceType is the type every catalogue entry has.
func (p *plugin) serviceType() serviceType {
	return serviceType{Group: p.namespace(), Artifact: "bioinformatics-service", Version: "1.0.0"}
}

// ga4ghOf describes one approved service. The version is the date of the
// entry's last change: the registry does not know the service's own
// release, and the specification allows dates.
func (p *plugin) ga4ghOf(s *service) ga4ghService {
	site := p.siteURL()
	org := organization{Name: p.config.SiteName, URL: site}
	if c := s.Centre; c != nil {
		org.Name = c.FullName
		if isWebURL(c.Website) {
			org.URL = c.Website
		}
	}
	out := ga4ghService{
		ID: s.ID, Name: s.Name, Type: p.serviceType(), Description: s.Description, Organization: org,
		DocumentationURL: site + s.Path, Environment: "prod", URL: s.WebsiteURL,
		Version: s.Updated.UTC().Format("2006-01-02"),
	}
	if !s.Created.IsZero() {
		out.CreatedAt = s.Created.UTC().Format(time.RFC3339)
	}
	if !s.Updated.IsZero() {
		out.UpdatedAt = s.Updated.UTC().Format(time.RFC3339)
	}
	for _, c := range contactLinks(s.PublicContact) {
		if c.Href != "" {
			out.ContactURL = c.Href
			break
		}
	}
	return out
}

// handleGA4GHServices lists every approved service, by name.
func (p *plugin) handleGA4GHServices(e *core.RequestEvent) error {
	idx, err := p.currentIndex()
	if err != nil {
		return p.ga4ghFail(e, http.StatusInternalServerError, "The catalogue could not be loaded.", err)
	}
	if err := p.encodeDocs(idx); err != nil {
		return p.ga4ghFail(e, http.StatusInternalServerError, "The service list could not be encoded.", err)
	}
	return e.Blob(http.StatusOK, "application/json; charset=utf-8", idx.ga4ghAll)
}

// handleGA4GHService describes one approved service.
func (p *plugin) handleGA4GHService(e *core.RequestEvent) error {
	idx, err := p.currentIndex()
	if err != nil {
		return p.ga4ghFail(e, http.StatusInternalServerError, "The catalogue could not be loaded.", err)
	}
	s := idx.byID[e.Request.PathValue("id")]
	if s == nil {
		return p.ga4ghFail(e, http.StatusNotFound, "No approved service has this id.", nil)
	}
	return e.JSON(http.StatusOK, p.ga4ghOf(s))
}

// handleGA4GHTypes lists the types of the services (one, see serviceType).
func (p *plugin) handleGA4GHTypes(e *core.RequestEvent) error {
	return e.JSON(http.StatusOK, []serviceType{p.serviceType()})
}

// handleGA4GHInfo describes the registry itself.
func (p *plugin) handleGA4GHInfo(e *core.RequestEvent) error {
	idx, err := p.currentIndex()
	if err != nil {
		return p.ga4ghFail(e, http.StatusInternalServerError, "The catalogue could not be loaded.", err)
	}
	site := p.siteURL()
	info := ga4ghService{
		ID:               p.namespace(),
		Name:             p.config.SiteName,
		Type:             serviceType{Group: "org.ga4gh", Artifact: "service-registry", Version: "1.0.0"},
		Description:      p.config.MetaDescription,
		Organization:     organization{Name: p.config.SiteName, URL: site},
		DocumentationURL: site + basePath,
		Environment:      "prod",
		Version:          "1.0.0",
	}
	if p.config.ContactEmail != "" {
		info.ContactURL = "mailto:" + p.config.ContactEmail
	}
	if latest := idx.latestUpdate(); !latest.IsZero() {
		info.UpdatedAt = latest.UTC().Format(time.RFC3339)
	}
	return e.JSON(http.StatusOK, info)
}

// ga4ghFail answers with the specification's error object.
func (p *plugin) ga4ghFail(e *core.RequestEvent, status int, detail string, cause error) error {
	if cause != nil {
		e.App.Logger().Error("GA4GH service registry request failed", "path", e.Request.URL.Path, "error", cause.Error())
	}
	return e.JSON(status, ga4ghError{Status: status, Title: http.StatusText(status), Detail: detail})
}

// latestUpdate is the newest change of any service, zero without services.
func (idx *index) latestUpdate() time.Time {
	if len(idx.byUpdated) == 0 {
		return time.Time{}
	}
	return idx.services[idx.byUpdated[0]].Updated
}

// encodeDocs encodes the documents made from the whole index (the GA4GH
// list and the feed) once per index.
func (p *plugin) encodeDocs(idx *index) error {
	idx.docsOnce.Do(func() {
		list := make([]ga4ghService, len(idx.services))
		for i, s := range idx.services {
			list[i] = p.ga4ghOf(s)
		}
		if idx.ga4ghAll, idx.docsErr = json.Marshal(list); idx.docsErr != nil {
			return
		}
		idx.atom, idx.docsErr = p.atomFeed(idx)
	})
	return idx.docsErr
}
