// Package apptest builds test apps wired like the registry binary: every
// migration, the hooks and (with New) all plugins, from a test
// configuration. Tests of packages that the wiring itself imports use
// internal/testapp's NewBare instead, or live in an external test package.
package apptest

import (
	"testing"

	"github.com/denbi/service-registry/config"
	"github.com/denbi/service-registry/hooks"
	"github.com/denbi/service-registry/internal/setup"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/spf13/cobra"
)

// Config returns the configuration tests start from: the defaults, with rate
// limiting off so tests may repeat requests, and nothing fetched from the
// internet (no start-up syncs, bio.tools on an address where nothing listens).
func Config() *config.Config {
	cfg := config.Default()
	cfg.RateLimit.Enabled = false
	cfg.EDAM.SyncOnStart = false
	cfg.Licenses.SyncOnStart = false
	cfg.BioTools.APIURL = "http://127.0.0.1:1/api"
	// tests deliver the outbox by running its job, at the moment they choose
	cfg.Email.DeliverImmediately = false
	return &cfg
}

// New returns a fresh app in a temporary directory with every migration
// applied and the whole registry wired as in the binary (internal/setup). Options adjust the configuration
// before the hooks see it. The app is cleaned up when the test ends.
func New(t testing.TB, options ...func(*config.Config)) *tests.TestApp {
	t.Helper()
	app, _ := NewWithCommands(t, options...)
	return app
}

// NewWithCommands is New that also returns the root command holding every
// command the wiring registered ("edam status", "crons", ...).
func NewWithCommands(t testing.TB, options ...func(*config.Config)) (*tests.TestApp, *cobra.Command) {
	t.Helper()
	cfg := Config()
	for _, option := range options {
		option(cfg)
	}
	app := testapp.NewBare(t)
	root := &cobra.Command{Use: "registry"}
	if err := setup.Register(app, root, cfg); err != nil {
		t.Fatalf("wiring the registry: %v", err)
	}
	return app, root
}

// NewCore returns a migrated app with the registry's hooks but none of its
// plugins, for tests that register one plugin with a configuration of
// their own (a test clock, a fake upstream).
func NewCore(t testing.TB, options ...func(*config.Config)) *tests.TestApp {
	t.Helper()
	cfg := Config()
	for _, option := range options {
		option(cfg)
	}
	app := testapp.NewBare(t)
	if err := hooks.Register(app, cfg, hooks.Deps{}); err != nil {
		t.Fatalf("registering hooks: %v", err)
	}
	return app
}

// Factory adapts New for tests.ApiScenario.TestAppFactory.
func Factory(options ...func(*config.Config)) func(testing.TB) *tests.TestApp {
	return func(t testing.TB) *tests.TestApp { return New(t, options...) }
}
