// Package adminui is the coordination office's workplace: a "Registry" page
// in the PocketBase dashboard (a UI extension served at
// /_/extensions/registry/) with the review queue, status actions that email
// the submitter, maturity tags, API key management, CSV/JSON exports and the
// sync status of EDAM, SPDX and bio.tools; the same page for office staff
// who are not superusers at /review/; the JSON routes both pages use under
// /api/registry/admin/; and the login protections of both (email OTP as a
// second factor once SMTP is configured, a lockout after repeated failed
// passwords).
//
// Every change goes through app.SaveWithContext with the actor
// "admin:<email>", so the model hooks write the change log, send the emails
// and apply the lifecycle rules exactly as for edits in the dashboard.
//
// Example usage:
//
//	adminui.MustRegister(app, adminui.Config{
//		SiteURL:        "https://registry.example.org",
//		SMTPConfigured: cfg.SMTP.Host != "",
//	})
package adminui

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// ExtensionName is the dashboard extension's name: its files are served at
// /_/extensions/registry/.
const ExtensionName = "registry"

// ReviewPath is the page of office staff who are not superusers.
const ReviewPath = "/review/"

// APIPrefix starts every route of this plugin.
const APIPrefix = "/api/registry/admin"

// StaffCollection holds the office staff who are not superusers
// (migration 1764000510_staff.go).
const StaffCollection = "staff"

// Defaults of Config.
const (
	DefaultSiteURL           = "http://127.0.0.1:8090"
	DefaultLoginFailureLimit = 5
	DefaultLoginCooloff      = 30 * time.Minute
	DefaultExportLimit       = 10000
)

//go:embed ui
var uiFiles embed.FS

// Config configures the plugin.
type Config struct {
	// SiteURL is the public base URL; exports give logo_url below it.
	// Defaults to DefaultSiteURL.
	SiteURL string

	// SMTPConfigured turns on email OTP as a second factor (MFA) for
	// superusers and staff at every start. Without SMTP nobody could
	// receive the codes, so it is switched off again. Defaults to false.
	SMTPConfigured bool

	// LoginFailureLimit is how many failed password logins lock an account,
	// and separately a client IP, for LoginCooloff. Defaults to 5 (the
	// Django registry's django-axes setting); a negative value turns the
	// lockout off.
	LoginFailureLimit int

	// LoginCooloff is how long failed logins are remembered. Defaults to 30
	// minutes.
	LoginCooloff time.Duration

	// ExportLimit bounds the rows of one export. Defaults to 10000.
	ExportLimit int

	// Now is the clock of the login lockout. Defaults to time.Now.
	Now func() time.Time
}

// plugin is the registered instance.
type plugin struct {
	app    core.App
	config Config
	ui     fs.FS

	logins *loginLimiter
}

// MustRegister is Register that panics on error.
func MustRegister(app core.App, config Config) {
	if err := Register(app, config); err != nil {
		panic(err)
	}
}

// Register adds the Registry page, the staff page, their routes and the
// login protections to app.
func Register(app core.App, config Config) error {
	if config.SiteURL == "" {
		config.SiteURL = DefaultSiteURL
	}
	config.SiteURL = strings.TrimRight(config.SiteURL, "/")
	if config.LoginFailureLimit == 0 {
		config.LoginFailureLimit = DefaultLoginFailureLimit
	}
	if config.LoginCooloff <= 0 {
		config.LoginCooloff = DefaultLoginCooloff
	}
	if config.ExportLimit <= 0 {
		config.ExportLimit = DefaultExportLimit
	}
	if config.Now == nil {
		config.Now = time.Now
	}
	ui, err := fs.Sub(uiFiles, "ui")
	if err != nil {
		return fmt.Errorf("adminui: embedded files: %w", err)
	}

	p := &plugin{
		app:    app,
		config: config,
		ui:     ui,
		logins: newLoginLimiter(config.LoginFailureLimit, config.LoginCooloff, config.Now),
	}
	p.bindLoginLimits()

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		// collections exist from here on: serve applied the migrations
		if err := p.applyMFA(se.App); err != nil {
			return err
		}
		se.UIExtensions = append(se.UIExtensions, core.UIExtension{Name: ExtensionName, FS: p.ui})
		p.bindExtensionCaching(se)
		p.bindReviewPage(se)
		p.bindRoutes(se)
		return se.Next()
	})
	return nil
}
