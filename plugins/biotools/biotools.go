// Package biotools connects the registry to bio.tools: an HTTP client and
// parser for tool records, a structured copy of each linked tool in the
// "biotools_records" collection kept in sync (in the background when a
// submission's bio.tools link is set or changed, and daily by the
// "biotools_sync" cron job), the form's prefill route
// GET /biotools/prefill/?id=..., the compatibility routes /api/v1/biotools/
// and the "registry biotools sync" command.
//
// Example usage:
//
//	biotools.MustRegister(app, app.RootCmd, biotools.Config{
//		APIURL:   cfg.BioTools.APIURL,
//		Schedule: cfg.BioTools.Schedule,
//		Timeout:  cfg.BioTools.Timeout,
//		SiteURL:  cfg.Site.URL,
//	})
package biotools

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

// CronJobID is the id of the daily sync in the dashboard's cron list.
const CronJobID = "biotools_sync"

// Collection and field names the plugin works with.
const (
	RecordsCollection     = "biotools_records"
	SubmissionsCollection = "submissions"
	submissionLinkField   = "biotools_url"
)

// Defaults of Config.
const (
	DefaultAPIURL            = "https://bio.tools/api"
	DefaultSchedule          = "@daily"
	DefaultTimeout           = 15 * time.Second
	DefaultConcurrency       = 4
	DefaultRequestsPerSecond = 5
	DefaultMaxAttempts       = 3
	DefaultRetryBackoff      = time.Second
	DefaultPrefillTimeout    = 8 * time.Second
)

// queueSize bounds the save-triggered sync queue. A save that finds it full
// only logs: the daily sync picks the submission up.
const queueSize = 1024

// HTTPClient is the part of *http.Client the plugin uses.
type HTTPClient interface {
	Do(req *http.Request) (*http.Response, error)
}

// Config configures the bio.tools plugin.
type Config struct {
	// APIURL is the bio.tools API base; the client requests
	// {APIURL}/tool/{id}/?format=json. Defaults to "https://bio.tools/api".
	APIURL string

	// Schedule is the cron expression of the biotools_sync job.
	// Defaults to "@daily".
	Schedule string

	// Timeout bounds one request to bio.tools, reading the body included.
	// Defaults to 15s.
	Timeout time.Duration

	// Concurrency is the number of submissions synced at the same time, by
	// the daily job and by the background worker. Defaults to 4.
	Concurrency int

	// RequestsPerSecond is the most requests per second sent to bio.tools,
	// across the whole process. Defaults to 5.
	RequestsPerSecond float64

	// SiteURL is the registry's public URL, named in the User-Agent so that
	// bio.tools knows who is calling. Defaults to "" (no URL in the
	// User-Agent).
	SiteURL string

	// HTTPClient sends the requests. Defaults to an *http.Client with
	// Timeout as its timeout.
	HTTPClient HTTPClient

	// Now returns the current time, for last_synced_at. Defaults to time.Now.
	Now func() time.Time

	// MaxAttempts is how often a sync tries a request that failed with a
	// 5xx status or a timeout. Defaults to 3.
	MaxAttempts int

	// RetryBackoff is the wait before the first retry; it doubles for each
	// further retry. Defaults to 1s.
	RetryBackoff time.Duration

	// PrefillTimeout bounds the prefill route's lookup, which a person waits
	// for (one attempt, no retries). Defaults to 8s.
	PrefillTimeout time.Duration

	// PrefillDisabled makes /biotools/prefill/ answer 404 (for
	// features.biotools_prefill = false). Defaults to false.
	PrefillDisabled bool
}

// setDefaults fills in zero fields.
func (c *Config) setDefaults() {
	if c.APIURL == "" {
		c.APIURL = DefaultAPIURL
	}
	c.APIURL = strings.TrimRight(c.APIURL, "/")
	if c.Schedule == "" {
		c.Schedule = DefaultSchedule
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Concurrency <= 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.RequestsPerSecond <= 0 {
		c.RequestsPerSecond = DefaultRequestsPerSecond
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: c.Timeout}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.RetryBackoff <= 0 {
		c.RetryBackoff = DefaultRetryBackoff
	}
	if c.PrefillTimeout <= 0 {
		c.PrefillTimeout = DefaultPrefillTimeout
	}
}

// userAgent names the registry (and its URL, when known) to bio.tools.
func (c *Config) userAgent() string {
	ua := "de.NBI-Service-Registry/1.0 (biotools_sync"
	if c.SiteURL != "" {
		ua += "; +" + c.SiteURL
	}
	return ua + ")"
}

// MustRegister is Register that panics on error.
func MustRegister(app core.App, rootCmd *cobra.Command, config Config) *Plugin {
	p, err := Register(app, rootCmd, config)
	if err != nil {
		panic(err)
	}
	return p
}

// Register binds the plugin to app: the submission model hooks, the
// background worker (started now, stopped on termination), the
// biotools_sync cron job, the routes and, when rootCmd is not nil, the
// "biotools" command.
func Register(app core.App, rootCmd *cobra.Command, config Config) (*Plugin, error) {
	config.setDefaults()
	p := &Plugin{
		app:     app,
		config:  config,
		client:  newClient(config),
		queue:   make(chan string, queueSize),
		pending: map[string]bool{},
		running: map[string]bool{},
		again:   map[string]bool{},
	}
	p.idle = sync.NewCond(&p.mu)
	p.ctx, p.cancel = context.WithCancel(context.Background())

	if err := app.Cron().Add(CronJobID, config.Schedule, p.runScheduled); err != nil {
		return nil, fmt.Errorf("biotools: invalid schedule %q (biotools.schedule): %w", config.Schedule, err)
	}
	p.bindModelHooks()
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		p.bindRoutes(se)
		p.bindStatusRoute(se)
		return se.Next()
	})
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		p.stop()
		return e.Next()
	})
	if rootCmd != nil {
		rootCmd.AddCommand(p.command())
	}
	p.startWorkers()
	return p, nil
}

// Plugin is a registered bio.tools plugin. Its exported methods let other
// code (and tests) sync on demand and wait for background syncs.
type Plugin struct {
	app    core.App
	config Config
	client *Client

	ctx    context.Context // ends on termination
	cancel context.CancelFunc

	// save-triggered sync queue: pending ids are queued, running ones are
	// being synced, again marks running ids saved once more meanwhile.
	queue       chan string
	mu          sync.Mutex
	idle        *sync.Cond // broadcast when outstanding drops to 0
	pending     map[string]bool
	running     map[string]bool
	again       map[string]bool
	outstanding int
	stopped     bool
	workers     sync.WaitGroup

	syncingAll sync.Mutex // one daily sync at a time
}

// Client returns the plugin's bio.tools client.
func (p *Plugin) Client() *Client { return p.client }
