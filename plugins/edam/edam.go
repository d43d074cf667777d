// Package edam keeps a local copy of the EDAM ontology (topics, operations,
// data, identifiers and formats) that services are annotated with: it
// parses the upstream OWL release (or its CSV/TSV export), syncs it into the
// edam_terms collection in place, runs the monthly edam_sync cron job, adds
// the "edam sync" and "edam status" commands, and serves /api/v1/edam/ with
// a fast in-memory search for the registration form's typeahead.
//
// Example usage:
//
//	edam.MustRegister(app, app.RootCmd, edam.Config{
//		SourceURL: "https://edamontology.org/EDAM_stable.owl",
//		Schedule:  "@monthly",
//	})
package edam

import (
	"context"
	"errors"
	"fmt"
	snap "github.com/denbi/service-registry/internal/snapshot"
	"net/http"
	"sync"
	"time"

	"github.com/denbi/service-registry/internal/jobruns"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

// DefaultSourceURL is the upstream stable release.
const DefaultSourceURL = "https://edamontology.org/EDAM_stable.owl"

// CronJobID is the id of the scheduled sync (visible in the dashboard,
// runnable with POST /api/crons/edam_sync).
const CronJobID = "edam_sync"

// ScheduleOff as Config.Schedule registers no cron job, e.g. for
// installations without internet access that sync by hand.
const ScheduleOff = "off"

// HTTPClient is what the plugin needs from an HTTP client; tests pass fakes.
type HTTPClient interface {
	Do(req *http.Request) (*http.Response, error)
}

// Config defines the options of the EDAM plugin.
type Config struct {
	// SourceURL is the release to sync from: an http(s) URL or a local file
	// path, in OWL (RDF/XML) or BioPortal CSV/TSV format.
	// Defaults to DefaultSourceURL.
	SourceURL string

	// Schedule is the cron expression of the edam_sync job, or "off".
	// Defaults to "@monthly".
	Schedule string

	// SkipSyncOnEmpty turns off the background sync that "serve" starts
	// when the edam_terms table is empty. Defaults to false (the first
	// start syncs), which is what a fresh installation needs.
	SkipSyncOnEmpty bool

	// SiteURL is the public address of this installation, named in the
	// User-Agent of downloads. Defaults to
	// "https://github.com/denbi/service-registry".
	SiteURL string

	// HTTPClient downloads releases. Defaults to a client with a
	// 120 second timeout.
	HTTPClient HTTPClient

	// MaxDownloadBytes bounds the size of a release. Defaults to 64 MiB
	// (EDAM 1.25 is 3.2 MB).
	MaxDownloadBytes int64

	// Context bounds background syncs; it is cancelled together with the
	// app's termination. Defaults to context.Background().
	Context context.Context
}

// plugin is the registered instance; its methods are the hooks, routes,
// commands and the cron job.
type plugin struct {
	app    core.App
	config Config
	ctx    context.Context
	cancel context.CancelFunc

	// syncMu lets one sync run at a time in this process.
	syncMu sync.Mutex

	// index is the search index, rebuilt when edam_terms changes.
	index *snap.Snapshot[*termIndex]

	// background is the sync started by serve on an empty table.
	background sync.WaitGroup
}

// MustRegister is Register that panics on error.
func MustRegister(app core.App, rootCmd *cobra.Command, config Config) {
	if err := Register(app, rootCmd, config); err != nil {
		panic(err)
	}
}

// Register adds the EDAM plugin to app: routes and the first-start sync on
// serve, the edam_sync cron job, index upkeep hooks and, when rootCmd is
// not nil, the "edam" command.
func Register(app core.App, rootCmd *cobra.Command, config Config) error {
	_, err := register(app, rootCmd, config)
	return err
}

// register is Register returning the plugin, for tests.
func register(app core.App, rootCmd *cobra.Command, config Config) (*plugin, error) {
	p := newPlugin(app, config)

	if p.config.Schedule != ScheduleOff {
		if err := app.Cron().Add(CronJobID, p.config.Schedule, p.runScheduledSync); err != nil {
			return nil, fmt.Errorf("edam: the schedule %q is not a valid cron expression: %w", p.config.Schedule, err)
		}
	}

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		p.bindRoutes(se)
		p.startSyncIfEmpty()
		return se.Next()
	})
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		p.cancel()
		return e.Next()
	})

	if rootCmd != nil {
		rootCmd.AddCommand(p.command())
	}
	return p, nil
}

// newPlugin fills the defaults of config into a new plugin.
func newPlugin(app core.App, config Config) *plugin {
	p := &plugin{app: app, config: config}
	p.index = snap.New(app, snap.Options[*termIndex]{
		Name:   "EDAM search index",
		Tables: []string{Collection},
		Stamp:  func() (string, error) { return tableStamp(app) },
		Build:  func() (*termIndex, error) { return buildIndex(app) },
	})
	if p.config.SourceURL == "" {
		p.config.SourceURL = DefaultSourceURL
	}
	if p.config.Schedule == "" {
		p.config.Schedule = "@monthly"
	}
	if p.config.SiteURL == "" {
		p.config.SiteURL = "https://github.com/denbi/service-registry"
	}
	if p.config.HTTPClient == nil {
		p.config.HTTPClient = &http.Client{Timeout: 120 * time.Second}
	}
	if p.config.MaxDownloadBytes <= 0 {
		p.config.MaxDownloadBytes = 64 << 20
	}
	if p.config.Context == nil {
		p.config.Context = context.Background()
	}
	p.ctx, p.cancel = context.WithCancel(p.config.Context)
	return p
}

// errSyncRunning is returned when a sync is asked for while one runs.
var errSyncRunning = errors.New("an EDAM sync is already running")

// syncOptions are the knobs of one sync.
type syncOptions struct {
	source   string // defaults to Config.SourceURL
	dryRun   bool
	progress func(format string, args ...any)
}

// sync downloads, parses and applies a release, then refreshes the index.
func (p *plugin) sync(ctx context.Context, opts syncOptions) (*Report, error) {
	if !p.syncMu.TryLock() {
		return nil, errSyncRunning
	}
	defer p.syncMu.Unlock()

	say := opts.progress
	if say == nil {
		say = func(string, ...any) {}
	}
	source := opts.source
	if source == "" {
		source = p.config.SourceURL
	}

	say("Reading EDAM from %s …", source)
	start := time.Now()
	o, size, err := p.load(ctx, source)
	if err != nil {
		return nil, err
	}
	version := o.Version
	if version == "" {
		version = "unknown version"
	}
	say("Read %s and parsed %d terms (EDAM %s) in %s.", byteSize(size), len(o.Terms), version,
		time.Since(start).Round(time.Millisecond))

	apply := ApplyOptions{DryRun: opts.dryRun}
	if !opts.dryRun {
		apply.Progress = func(done, total int) {
			say("  written %d of %d …", done, total)
		}
	}
	rep, err := Apply(ctx, p.app, o, apply)
	if err != nil {
		return nil, err
	}
	rep.Source = source
	rep.Duration = time.Since(start)
	if !opts.dryRun && rep.Writes() > 0 {
		p.index.Refresh()
	}
	return rep, nil
}

// runScheduledSync is the edam_sync cron job.
func (p *plugin) runScheduledSync() {
	p.syncAndLog("cron")
}

// syncAndLog runs a sync from the configured source and logs the outcome.
func (p *plugin) syncAndLog(trigger string) {
	_ = jobruns.Run(p.app, CronJobID, trigger, func() (string, error) {
		rep, err := p.sync(p.ctx, syncOptions{})
		if err != nil {
			p.app.Logger().Error("EDAM sync failed", "trigger", trigger, "source", p.config.SourceURL, "error", err.Error())
			return "", err
		}
		p.app.Logger().Info("EDAM sync finished", "trigger", trigger, "source", rep.Source, "version", rep.Version,
			"added", rep.Added, "updated", rep.Updated, "obsoleted", rep.Obsoleted, "unchanged", rep.Unchanged,
			"duration", rep.Duration.String())
		return "EDAM " + rep.Version + ": " + rep.String(), nil
	})
}

// startSyncIfEmpty syncs in the background when no term is stored yet, so
// a fresh installation fills its form pickers without an operator step.
// The server does not wait: until the sync ends the lists are empty, and a
// failure is only logged.
func (p *plugin) startSyncIfEmpty() {
	if p.config.SkipSyncOnEmpty {
		return
	}
	n, err := p.app.CountRecords(Collection)
	if err != nil {
		p.app.Logger().Warn("EDAM: could not count the stored terms; no initial sync", "error", err.Error())
		return
	}
	if n > 0 {
		return
	}
	p.app.Logger().Info("EDAM: no terms stored yet, syncing in the background", "source", p.config.SourceURL)
	p.background.Add(1)
	go func() {
		defer p.background.Done()
		p.syncAndLog("first start")
	}()
}

// byteSize formats a byte count for people.
func byteSize(n int64) string {
	if n >= 1e6 {
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1f kB", float64(n)/1e3)
}
