// Package setup wires the whole registry onto a PocketBase app: plugins,
// hooks and commands, from one configuration. The binary and the tests use
// it alike, so tests exercise exactly what runs in production.
//
// Example usage:
//
//	app := pocketbase.NewWithConfig(pocketbase.Config{DefaultDataDir: "pb_data"})
//	if err := setup.Register(app, app.RootCmd, cfg); err != nil { ... }
//	app.Start()
package setup

import (
	"github.com/denbi/service-registry/cli"
	"github.com/denbi/service-registry/config"
	"github.com/denbi/service-registry/hooks"
	"github.com/denbi/service-registry/plugins/adminui"
	"github.com/denbi/service-registry/plugins/apidocs"
	"github.com/denbi/service-registry/plugins/biotools"
	"github.com/denbi/service-registry/plugins/captcha"
	"github.com/denbi/service-registry/plugins/catalogue"
	"github.com/denbi/service-registry/plugins/djangoimport"
	"github.com/denbi/service-registry/plugins/edam"
	"github.com/denbi/service-registry/plugins/licenses"
	"github.com/denbi/service-registry/plugins/logos"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

// Register binds every capability of the registry to app and adds the
// operator commands to root.
func Register(app core.App, root *cobra.Command, cfg *config.Config) error {
	captchas, err := captcha.Register(app, captcha.Config{
		HMACKey:     cfg.Captcha.HMACKey,
		MaxNumber:   cfg.Captcha.MaxNumber,
		Expires:     cfg.Captcha.Expires,
		Collections: []string{"submissions"},
	})
	if err != nil {
		return err
	}
	if err := logos.Register(app, logos.Config{
		MaxBytes: cfg.Uploads.LogoMaxBytes,
		SiteURL:  cfg.Site.URL,
	}); err != nil {
		return err
	}
	if err := edam.Register(app, root, edam.Config{
		SourceURL:       cfg.EDAM.SourceURL,
		Schedule:        cfg.EDAM.Schedule,
		SkipSyncOnEmpty: !cfg.EDAM.SyncOnStart,
		SiteURL:         cfg.Site.URL,
	}); err != nil {
		return err
	}
	syncLicenses := cfg.Licenses.SyncOnStart
	if err := licenses.Register(app, root, licenses.Config{
		SourceURL:   cfg.Licenses.SourceURL,
		Schedule:    cfg.Licenses.Schedule,
		SyncOnEmpty: &syncLicenses,
	}); err != nil {
		return err
	}
	if _, err := biotools.Register(app, root, biotools.Config{
		APIURL:          cfg.BioTools.APIURL,
		Schedule:        cfg.BioTools.Schedule,
		Timeout:         cfg.BioTools.Timeout,
		SiteURL:         cfg.Site.URL,
		PrefillDisabled: !cfg.Features.BiotoolsPrefill,
	}); err != nil {
		return err
	}
	if err := apidocs.Register(app, apidocs.Config{
		Title:        cfg.API.Title,
		Version:      cfg.API.Version,
		LicenseName:  cfg.API.LicenseName,
		ContactName:  cfg.Contact.Organisation,
		ContactEmail: cfg.Contact.Email,
		ServerURL:    cfg.Site.URL,
	}); err != nil {
		return err
	}
	if err := catalogue.Register(app, catalogue.Config{
		Enabled:         cfg.Features.Catalogue,
		SiteName:        cfg.Site.Name,
		SiteURL:         cfg.Site.URL,
		PerPage:         cfg.Catalogue.PerPage,
		MetaDescription: cfg.Catalogue.MetaDescription,
		ContactEmail:    cfg.Contact.Email,
	}); err != nil {
		return err
	}
	if err := adminui.Register(app, adminui.Config{
		SiteURL:        cfg.Site.URL,
		SMTPConfigured: cfg.SMTP.Host != "",
	}); err != nil {
		return err
	}
	if err := hooks.Register(app, cfg, hooks.Deps{Captcha: captchas}); err != nil {
		return err
	}
	cli.Register(app, root)
	if err := djangoimport.Register(app, root); err != nil {
		return err
	}
	return nil
}
