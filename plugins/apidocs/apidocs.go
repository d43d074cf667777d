// Package apidocs publishes the registry's API contract: an OpenAPI 3.1
// document at /api/schema/ (YAML, or JSON with ?format=json) and two
// readers for it, Swagger UI at /api/docs/ and ReDoc at /api/redoc/, both
// served from the registry itself (pb_public/site/vendor) with no request to
// another origin.
//
// The document is written by hand (openapi.yaml, embedded) and kept honest
// by the test suite: internal/testapp validates every API response of the
// tests against it (see docs/openapi.md).
//
// Example usage:
//
//	apidocs.MustRegister(app, apidocs.Config{
//		Title:        cfg.API.Title,
//		Version:      cfg.API.Version,
//		LicenseName:  cfg.API.LicenseName,
//		ContactName:  cfg.Contact.Organisation,
//		ContactEmail: cfg.Contact.Email,
//		ServerURL:    cfg.Site.URL,
//	})
package apidocs

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
)

// Paths of the plugin's pages. Clients and the /api/v1 representation
// ("links.schema", "links.docs") point at them.
const (
	SchemaPath = "/api/schema/"
	DocsPath   = "/api/docs/"
	RedocPath  = "/api/redoc/"
)

// Config configures the published document.
type Config struct {
	// Title is info.title of the document and the pages' title.
	// Defaults to "de.NBI Service Registry API".
	Title string

	// Version is info.version: the version of the API contract, not of the
	// binary. Defaults to "1.0.0".
	Version string

	// LicenseName is info.license.name. Defaults to "MIT".
	LicenseName string

	// ContactName is info.contact.name, who answers questions about the
	// API. Defaults to "de.NBI Service Coordination".
	ContactName string

	// ContactEmail is info.contact.email. Defaults to none.
	ContactEmail string

	// ServerURL is the public base URL of the registry (site.url): the
	// document's server and info.contact.url. Defaults to "/", the origin
	// the document was fetched from.
	ServerURL string
}

// withDefaults returns cfg with the documented defaults filled in.
func (cfg Config) withDefaults() Config {
	if cfg.Title == "" {
		cfg.Title = "de.NBI Service Registry API"
	}
	if cfg.Version == "" {
		cfg.Version = "1.0.0"
	}
	if cfg.LicenseName == "" {
		cfg.LicenseName = "MIT"
	}
	if cfg.ContactName == "" {
		cfg.ContactName = "de.NBI Service Coordination"
	}
	if cfg.ServerURL == "" {
		cfg.ServerURL = "/"
	}
	return cfg
}

// plugin serves the document and the two documentation pages.
type plugin struct {
	config Config
	doc    *Document
	pages  *pages
}

// MustRegister is Register that panics on error.
func MustRegister(app core.App, config Config) {
	if err := Register(app, config); err != nil {
		panic(err)
	}
}

// Register renders the document with the configured values once and adds
// the routes /api/schema/, /api/docs/ and /api/redoc/ when the app serves.
// It fails when the embedded document or the pages cannot be rendered.
func Register(app core.App, config Config) error {
	p := &plugin{config: config.withDefaults()}
	doc, err := Render(p.config)
	if err != nil {
		return fmt.Errorf("apidocs: %w", err)
	}
	p.doc = doc
	if p.pages, err = newPages(p.config.Title); err != nil {
		return fmt.Errorf("apidocs: %w", err)
	}
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		p.bindRoutes(se)
		return se.Next()
	})
	return nil
}
