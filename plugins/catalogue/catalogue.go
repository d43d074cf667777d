// Package catalogue publishes the approved services: a server-rendered,
// searchable catalogue at /catalogue/ (works without JavaScript, readable by
// search engines, every state a shareable URL), one page per service with
// Bioschemas JSON-LD at /catalogue/<id>/, an Atom feed of new and updated
// entries at /catalogue/feed.atom, and the GA4GH Service Registry API at
// /ga4gh/service-registry/v1/.
//
// The data comes from the catalogue_services view collection (migration
// 1764000400_catalogue.go): approved submissions, public fields only. The
// same view is readable without a key through PocketBase's collection API
// (/api/collections/catalogue_services/records). The pages search an
// in-memory index of it that is rebuilt after every change.
//
// Example usage:
//
//	catalogue.MustRegister(app, catalogue.Config{
//		Enabled:         cfg.Features.Catalogue,
//		SiteName:        cfg.Site.Name,
//		SiteURL:         cfg.Site.URL,
//		PerPage:         cfg.Catalogue.PerPage,
//		MetaDescription: cfg.Catalogue.MetaDescription,
//		ContactEmail:    cfg.Contact.Email,
//	})
package catalogue

import (
	"bytes"
	"fmt"
	"github.com/denbi/service-registry/internal/snapshot"
	"strings"
	"sync"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// Collection is the view collection the catalogue reads.
const Collection = "catalogue_services"

// Config defines the options of the catalogue plugin.
type Config struct {
	// Enabled turns the catalogue on ([features] catalogue). When false,
	// no catalogue or GA4GH route is registered (the site answers 404) and
	// the collection API of the view answers 404 too. Defaults to false.
	Enabled bool

	// SiteName is shown in page titles, the feed and /service-info.
	// Defaults to "de.NBI Service Registry".
	SiteName string

	// SiteURL is the public base URL of absolute links (canonical URLs,
	// JSON-LD, the feed, GA4GH, logo URLs). Defaults to the application URL
	// in PocketBase's settings.
	SiteURL string

	// PerPage is the number of services on one catalogue page.
	// Defaults to 12; values below 1 mean the default.
	PerPage int

	// MetaDescription describes the catalogue to search engines and feed
	// readers. Defaults to "Browse the approved bioinformatics services of
	// the de.NBI and ELIXIR-DE network."
	MetaDescription string

	// ContactEmail is the registry's public contact, named in the feed and
	// in /service-info. Defaults to "" (not named).
	ContactEmail string
}

// Defaults of Config.
const (
	DefaultSiteName        = "de.NBI Service Registry"
	DefaultPerPage         = 12
	DefaultMetaDescription = "Browse the approved bioinformatics services of the de.NBI and ELIXIR-DE network."
)

// plugin is the registered instance: its methods are the routes and hooks.
type plugin struct {
	app    core.App
	config Config
	pages  *pages
	// buffers are reused for rendering pages
	buffers sync.Pool

	// index is the searchable copy of the view, rebuilt when a table it
	// reads changes.
	index *snapshot.Snapshot[*index]
}

// MustRegister is Register that panics on error.
func MustRegister(app core.App, config Config) {
	if err := Register(app, config); err != nil {
		panic(err)
	}
}

// Register adds the catalogue to app. With config.Enabled false it only
// closes the view's collection API, so a switched-off catalogue publishes
// nothing.
func Register(app core.App, config Config) error {
	_, err := register(app, config)
	return err
}

// register is Register returning the plugin, for tests.
func register(app core.App, config Config) (*plugin, error) {
	p := &plugin{app: app, config: config}
	p.buffers.New = func() any { return bytes.NewBuffer(make([]byte, 0, 64<<10)) }
	if p.config.SiteName == "" {
		p.config.SiteName = DefaultSiteName
	}
	if p.config.PerPage < 1 {
		p.config.PerPage = DefaultPerPage
	}
	if p.config.MetaDescription == "" {
		p.config.MetaDescription = DefaultMetaDescription
	}
	p.config.SiteURL = strings.TrimRight(p.config.SiteURL, "/")

	if !p.config.Enabled {
		p.bindClosedAPI()
		return p, nil
	}

	pages, err := newPages()
	if err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	p.pages = pages
	p.index = snapshot.New(app, snapshot.Options[*index]{
		Name:   "catalogue index",
		Tables: stampTables,
		Stamp:  func() (string, error) { return tableStamp(app) },
		Build:  func() (*index, error) { return buildIndex(app) },
	})
	p.bindLogoURL()
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Id: "catalogueRoutes",
		Func: func(se *core.ServeEvent) error {
			p.bindRoutes(se)
			return se.Next()
		},
	})
	return p, nil
}

// siteURL is the configured base URL or, when none is set, PocketBase's
// application URL.
func (p *plugin) siteURL() string {
	if p.config.SiteURL != "" {
		return p.config.SiteURL
	}
	return strings.TrimRight(p.app.Settings().Meta.AppURL, "/")
}

// bindClosedAPI answers 404 to list and view requests of the view while
// the catalogue is switched off.
func (p *plugin) bindClosedAPI() {
	p.app.OnRecordsListRequest(Collection).BindFunc(func(e *core.RecordsListRequestEvent) error {
		return e.NotFoundError("", nil)
	})
	p.app.OnRecordViewRequest(Collection).BindFunc(func(e *core.RecordRequestEvent) error {
		return e.NotFoundError("", nil)
	})
}

// bindLogoURL makes the logo path of the view an absolute URL in
// collection API responses, like logo_url of submissions.
func (p *plugin) bindLogoURL() {
	p.app.OnRecordEnrich(Collection).BindFunc(func(e *core.RecordEnrichEvent) error {
		if path := e.Record.GetString("logo_url"); strings.HasPrefix(path, "/") {
			e.Record.Set("logo_url", p.siteURL()+path)
		}
		return e.Next()
	})
}
