// Package licenses keeps the registry's copy of the SPDX license list in the
// "licenses" collection: a sync from licenses.json (URL or file) that
// updates rows in place and marks ids the list no longer has as deprecated,
// the monthly "licenses_sync" cron job, a first sync in the background when
// "serve" finds the collection empty, and "registry licenses sync".
//
// Example usage:
//
//	licenses.MustRegister(app, app.RootCmd, licenses.Config{
//		SourceURL: cfg.Licenses.SourceURL,
//		Schedule:  cfg.Licenses.Schedule,
//	})
package licenses

import (
	"context"
	"fmt"
	"github.com/denbi/service-registry/internal/jobruns"
	"net/http"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

// CronJobID is the id of the scheduled sync in the dashboard's cron list.
const CronJobID = "licenses_sync"

// Defaults of Config.
const (
	DefaultSourceURL = "https://raw.githubusercontent.com/spdx/license-list-data/main/json/licenses.json"
	DefaultSchedule  = "@monthly"
	DefaultUserAgent = "de.NBI-Service-Registry/1.0 (licenses_sync; +https://github.com/deNBI/service-registry)"
	// DefaultTimeout bounds one download of the list.
	DefaultTimeout = 60 * time.Second
)

// syncTimeout bounds a whole background sync (download, parse, write).
const syncTimeout = 5 * time.Minute

// HTTPClient is the part of *http.Client the plugin uses.
type HTTPClient interface {
	Do(req *http.Request) (*http.Response, error)
}

// Config configures the licenses plugin.
type Config struct {
	// SourceURL is the SPDX licenses.json to sync from: an http(s) URL or a
	// file path. Defaults to DefaultSourceURL (the SPDX repository's main
	// branch).
	SourceURL string

	// Schedule is the cron expression of the licenses_sync job.
	// Defaults to "@monthly".
	Schedule string

	// SyncOnEmpty starts a sync in the background when "serve" finds the
	// licenses collection empty, so a new installation has a list without
	// an operator step. Defaults to true (nil); tests set it to false.
	SyncOnEmpty *bool

	// HTTPClient downloads the list. Defaults to an *http.Client with a
	// 60 second timeout.
	HTTPClient HTTPClient

	// UserAgent is sent with downloads. Defaults to DefaultUserAgent.
	UserAgent string
}

// MustRegister is Register that panics on error.
func MustRegister(app core.App, rootCmd *cobra.Command, config Config) {
	if err := Register(app, rootCmd, config); err != nil {
		panic(err)
	}
}

// Register adds the licenses_sync cron job, the sync-on-empty start hook
// and, when rootCmd is not nil, the "licenses" command to app.
func Register(app core.App, rootCmd *cobra.Command, config Config) error {
	p := &plugin{app: app, config: config}
	if p.config.SourceURL == "" {
		p.config.SourceURL = DefaultSourceURL
	}
	if p.config.Schedule == "" {
		p.config.Schedule = DefaultSchedule
	}
	if p.config.SyncOnEmpty == nil {
		yes := true
		p.config.SyncOnEmpty = &yes
	}
	if p.config.HTTPClient == nil {
		p.config.HTTPClient = &http.Client{Timeout: DefaultTimeout}
	}
	if p.config.UserAgent == "" {
		p.config.UserAgent = DefaultUserAgent
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())

	if err := app.Cron().Add(CronJobID, p.config.Schedule, p.runScheduled); err != nil {
		return fmt.Errorf("licenses: invalid schedule %q (licenses.schedule): %w", p.config.Schedule, err)
	}
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if *p.config.SyncOnEmpty {
			p.syncIfEmpty()
		}
		return se.Next()
	})
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		p.stop()
		return e.Next()
	})
	if rootCmd != nil {
		rootCmd.AddCommand(p.command())
	}
	return nil
}

// plugin is the registered instance. Background syncs (cron, first start)
// run under ctx and are waited for on termination, so none writes to a
// closed database.
type plugin struct {
	app    core.App
	config Config

	syncing sync.Mutex // one sync at a time per process

	ctx     context.Context
	cancel  context.CancelFunc
	bgMu    sync.Mutex // guards stopped and wg.Add
	stopped bool
	wg      sync.WaitGroup
}

// sync loads source, parses it and applies it. The source is parsed
// completely before anything is written, so a broken download never
// touches the collection.
func (p *plugin) sync(ctx context.Context, source string, opts ApplyOptions, progress func(format string, args ...any)) (Report, error) {
	if progress == nil {
		progress = func(string, ...any) {}
	}
	p.syncing.Lock()
	defer p.syncing.Unlock()

	progress("Reading the SPDX license list from %s ...", source)
	data, err := p.load(ctx, source)
	if err != nil {
		return Report{}, err
	}
	list, err := Parse(data)
	if err != nil {
		return Report{}, fmt.Errorf("parsing the SPDX license list from %s: %w", source, err)
	}
	progress("Parsed %d licenses (SPDX %s), %d entries skipped.", len(list.Licenses), orUnknown(list.Version), len(list.Skipped))
	for _, reason := range list.Skipped {
		progress("  skipped %s", reason)
	}
	return Apply(p.app, list, opts)
}

// runScheduled is the licenses_sync cron job.
func (p *plugin) runScheduled() {
	p.track(func(ctx context.Context) {
		p.syncAndLog(ctx, "cron")
	})
}

// syncIfEmpty starts a sync in the background when the collection is empty.
func (p *plugin) syncIfEmpty() {
	count, err := p.app.CountRecords(CollectionName)
	if err != nil || count > 0 {
		return
	}
	p.app.Logger().Info("The licenses collection is empty: syncing the SPDX license list in the background",
		"source", p.config.SourceURL)
	p.goTracked(func(ctx context.Context) {
		p.syncAndLog(ctx, "first start")
	})
}

// syncAndLog runs one sync from the configured source and logs the outcome.
func (p *plugin) syncAndLog(ctx context.Context, trigger string) {
	ctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	started := time.Now()
	_ = jobruns.Run(p.app, CronJobID, trigger, func() (string, error) {
		report, err := p.sync(ctx, p.config.SourceURL, ApplyOptions{}, nil)
		if err != nil {
			p.app.Logger().Error("SPDX license sync failed", "trigger", trigger, "source", p.config.SourceURL, "error", err.Error())
			return "", err
		}
		p.app.Logger().Info("SPDX license sync finished", "trigger", trigger, "source", p.config.SourceURL,
			"version", report.Version, "total", report.Total, "added", report.Added, "updated", report.Updated,
			"deprecated", report.Deprecated, "unchanged", report.Unchanged, "skipped", len(report.Skipped),
			"duration", time.Since(started).String())
		return report.String(), nil
	})
}

// track runs fn now, in the caller's goroutine, unless the plugin stopped.
func (p *plugin) track(fn func(ctx context.Context)) {
	if !p.begin() {
		return
	}
	defer p.wg.Done()
	fn(p.ctx)
}

// goTracked runs fn in a new goroutine unless the plugin stopped.
func (p *plugin) goTracked(fn func(ctx context.Context)) {
	if !p.begin() {
		return
	}
	go func() {
		defer p.wg.Done()
		fn(p.ctx)
	}()
}

// begin registers one background run; false once the plugin stopped.
func (p *plugin) begin() bool {
	p.bgMu.Lock()
	defer p.bgMu.Unlock()
	if p.stopped {
		return false
	}
	p.wg.Add(1)
	return true
}

// stop cancels background syncs and waits for them to return.
func (p *plugin) stop() {
	p.bgMu.Lock()
	p.stopped = true
	p.cancel()
	p.bgMu.Unlock()
	p.wg.Wait()
}
