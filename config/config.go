// Package config loads the registry's settings from built-in defaults, an
// optional site.toml file, REGISTRY_* environment variables and --set flags
// (later layers win) into typed structs.
//
// Example usage:
//
//	cfg, err := config.Load(config.Sources{Path: "site.toml", Environ: os.Environ()})
//	if err != nil {
//		// the message names the offending key and where it came from
//	}
//
// Every key is documented, with its default, in site.example.toml at the
// root of the repository; docs/configuration.md explains the layering.
package config

import "time"

// Config is the complete registry configuration.
type Config struct {
	// Maintenance switches the public site into maintenance mode.
	// Defaults to false.
	Maintenance bool `koanf:"maintenance"`

	Site       Site       `koanf:"site"`
	Contact    Contact    `koanf:"contact"`
	Links      Links      `koanf:"links"`
	Features   Features   `koanf:"features"`
	Admin      Admin      `koanf:"admin"`
	Security   Security   `koanf:"security"`
	Captcha    Captcha    `koanf:"captcha"`
	RateLimit  RateLimit  `koanf:"ratelimit"`
	SMTP       SMTP       `koanf:"smtp"`
	Email      Email      `koanf:"email"`
	EDAM       EDAM       `koanf:"edam"`
	BioTools   BioTools   `koanf:"biotools"`
	Licenses   Licenses   `koanf:"licenses"`
	Submission Submission `koanf:"submission"`
	Uploads    Uploads    `koanf:"uploads"`
	API        API        `koanf:"api"`
	Backups    Backups    `koanf:"backups"`
	Catalogue  Catalogue  `koanf:"catalogue"`
	Logs       Logs       `koanf:"logs"`
}

// Logs configures the request log kept in auxiliary.db (dashboard → Logs).
type Logs struct {
	// SuccessfulReads also logs GET and HEAD requests that succeeded. Off,
	// the log keeps every write and every failed request, and reads (the
	// bulk of the traffic: pages, API lists, the EDAM typeahead) cost about
	// a fifth less. Defaults to false.
	SuccessfulReads bool `koanf:"successful_reads"`
}

// Site describes the public deployment.
type Site struct {
	// URL is the public base URL used in emails and absolute links.
	// Defaults to "http://127.0.0.1:8090".
	URL string `koanf:"url"`
	// Name is shown in page titles, emails and the dashboard.
	// Defaults to "de.NBI Service Registry".
	Name string `koanf:"name"`
}

// Contact is the coordination office shown to submitters.
type Contact struct {
	// Email is the office's public address. Defaults to "servicecoordination@denbi.de".
	Email string `koanf:"email"`
	// Organisation is the network's name. Defaults to "German Network for Bioinformatics Infrastructure".
	Organisation string `koanf:"organisation"`
	// Office is the postal name of the administration office. Defaults to "".
	Office string `koanf:"office"`
}

// Links are external pages linked from the site and emails.
type Links struct {
	// Website defaults to "https://www.denbi.de".
	Website string `koanf:"website"`
	// PrivacyPolicy defaults to "https://www.denbi.de/privacy-policy".
	PrivacyPolicy string `koanf:"privacy_policy"`
	// Imprint defaults to "https://www.denbi.de/imprint".
	Imprint string `koanf:"imprint"`
	// DataProtection defaults to "https://www.denbi.de/privacy-policy".
	DataProtection string `koanf:"data_protection"`
	// UserGuide defaults to "" (no link shown).
	UserGuide string `koanf:"user_guide"`
}

// Features switches optional capabilities on and off.
type Features struct {
	// Catalogue enables the public catalogue pages and feeds. Defaults to true.
	Catalogue bool `koanf:"catalogue"`
	// BiotoolsPrefill enables the bio.tools prefill on the registration form. Defaults to true.
	BiotoolsPrefill bool `koanf:"biotools_prefill"`
}

// Admin configures the dashboard entry point.
type Admin struct {
	// URLPrefix makes /<prefix>/ lead to the dashboard. Defaults to "admin-denbi".
	URLPrefix string `koanf:"url_prefix"`
}

// Security holds transport and proxy settings.
type Security struct {
	// HTTPS turns on HSTS and redirects plain http:// requests to https://.
	// Defaults to false.
	HTTPS bool `koanf:"https"`
	// HSTSSeconds is the HSTS max-age. Defaults to 31536000 (one year).
	HSTSSeconds int `koanf:"hsts_seconds"`
	// TrustedProxyHeaders lists the headers that carry the client IP when the
	// registry runs behind a reverse proxy, e.g. ["X-Real-IP", "X-Forwarded-For"].
	// Defaults to none (the TCP peer address is the client).
	TrustedProxyHeaders []string `koanf:"trusted_proxy_headers"`
	// UseLeftmostIP takes the left-most X-Forwarded-For entry instead of the
	// right-most one. Defaults to false.
	UseLeftmostIP bool `koanf:"use_leftmost_ip"`
}

// Captcha configures the ALTCHA proof-of-work challenge.
type Captcha struct {
	// HMACKey signs challenges. Defaults to a random key per process (a
	// warning is logged); set it so challenges survive restarts.
	HMACKey string `koanf:"hmac_key"`
	// MaxNumber is the proof-of-work difficulty. Defaults to 100000.
	MaxNumber int64 `koanf:"max_number"`
	// Expires is how long a challenge stays valid. Defaults to 10m.
	Expires time.Duration `koanf:"expires"`
}

// RateLimit configures PocketBase's rate limiter with the registry's rules.
type RateLimit struct {
	// Enabled turns rate limiting on. Defaults to true.
	Enabled bool `koanf:"enabled"`
	// ExcludedIPs are client IPs or CIDRs that are never limited. Defaults to none.
	ExcludedIPs []string `koanf:"excluded_ips"`
	// CreatesPerHour limits anonymous registrations per client IP. Defaults to 10.
	CreatesPerHour int `koanf:"creates_per_hour"`
	// CaptchaPerHour limits challenge requests per client IP. Defaults to 60.
	CaptchaPerHour int `koanf:"captcha_per_hour"`
	// PrefillPerHour limits bio.tools prefill lookups per client IP. Defaults to 60.
	PrefillPerHour int `koanf:"prefill_per_hour"`
	// RecoveryPerHour limits key recovery requests and link redemptions per
	// client IP. Defaults to 10.
	RecoveryPerHour int `koanf:"recovery_per_hour"`
	// APIPerMinute limits other API requests per client IP. Defaults to 300.
	APIPerMinute int `koanf:"api_per_minute"`
}

// SMTP configures outgoing mail. Mail is off while Host is empty.
type SMTP struct {
	// Host is the SMTP server. Defaults to "" (mail stays queued in the outbox).
	Host string `koanf:"host"`
	// Port defaults to 587.
	Port int `koanf:"port"`
	// Username defaults to "".
	Username string `koanf:"username"`
	// Password defaults to "". Set it through the environment or a _FILE variable.
	Password string `koanf:"password"`
	// TLS uses implicit TLS (port 465); false means STARTTLS when offered. Defaults to false.
	TLS bool `koanf:"tls"`
}

// Email configures notification senders and recipients.
type Email struct {
	// FromAddress is the sender. Defaults to "no-reply@denbi.de".
	FromAddress string `koanf:"from_address"`
	// FromName is the sender's display name. Defaults to "de.NBI Service Registry".
	FromName string `koanf:"from_name"`
	// AdminAddresses receive the office's notifications. Defaults to the contact email.
	AdminAddresses []string `koanf:"admin_addresses"`
	// NotifyCC are copied on the office's notifications. Defaults to none.
	NotifyCC []string `koanf:"notify_cc"`
	// NotifyOverride sends every notification only to this address (staging).
	// Defaults to "" (off).
	NotifyOverride string `koanf:"notify_override"`
	// TemplatesDir holds replacements for the built-in email templates (same
	// file names). Defaults to "" (built-in texts).
	TemplatesDir string `koanf:"templates_dir"`
	// MaxAttempts is how often a message is tried before it is marked
	// failed. Defaults to 8.
	MaxAttempts int `koanf:"max_attempts"`
	// DeliverImmediately sends new messages right after they are queued
	// instead of waiting for the next run of the minutely job. Defaults to
	// true.
	DeliverImmediately bool `koanf:"deliver_immediately"`
}

// EDAM configures the ontology sync.
type EDAM struct {
	// SourceURL is the OWL (or CSV/TSV) release, as URL or file path.
	// Defaults to "https://edamontology.org/EDAM_stable.owl".
	SourceURL string `koanf:"source_url"`
	// Schedule is the cron expression of the edam_sync job; "off" disables
	// it. Defaults to "@monthly".
	Schedule string `koanf:"schedule"`
	// SyncOnStart fills an empty term table in the background when the
	// server starts. Defaults to true.
	SyncOnStart bool `koanf:"sync_on_start"`
}

// BioTools configures the bio.tools client and sync.
type BioTools struct {
	// APIURL is the bio.tools API base. Defaults to "https://bio.tools/api".
	APIURL string `koanf:"api_url"`
	// Schedule is the cron expression of the biotools_sync job. Defaults to "@daily".
	Schedule string `koanf:"schedule"`
	// Timeout bounds one request to bio.tools. Defaults to 15s.
	Timeout time.Duration `koanf:"timeout"`
}

// Licenses configures the SPDX license list sync.
type Licenses struct {
	// SourceURL is the SPDX licenses.json, as URL or file path. Defaults to
	// "https://raw.githubusercontent.com/spdx/license-list-data/main/json/licenses.json".
	SourceURL string `koanf:"source_url"`
	// Schedule is the cron expression of the licenses_sync job. Defaults to "@monthly".
	Schedule string `koanf:"schedule"`
	// SyncOnStart fills an empty license table in the background when the
	// server starts. Defaults to true.
	SyncOnStart bool `koanf:"sync_on_start"`
}

// Submission configures the registration lifecycle.
type Submission struct {
	// NoResetFields may change on an approved entry without sending it back to review.
	// Defaults to the list in site.example.toml.
	NoResetFields []string `koanf:"no_reset_fields"`
	// DraftTTLDays is how long the browser keeps an unsent form draft. Defaults to 7.
	DraftTTLDays int `koanf:"draft_ttl_days"`
}

// Uploads configures file uploads.
type Uploads struct {
	// LogoMaxBytes is the largest accepted logo. Defaults to 10485760 (10 MiB).
	LogoMaxBytes int64 `koanf:"logo_max_bytes"`
}

// Backups schedules PocketBase's automatic backups.
type Backups struct {
	// Cron is when to back up, e.g. "0 3 * * *". Defaults to "" (leave the
	// schedule to the dashboard's Settings → Backups).
	Cron string `koanf:"cron"`
	// MaxKeep is how many automatic backups to keep. Defaults to 7.
	MaxKeep int `koanf:"max_keep"`
}

// API describes the published API.
type API struct {
	// Title of the OpenAPI document. Defaults to "de.NBI Service Registry API".
	Title string `koanf:"title"`
	// Version of the API contract (not of the binary). Defaults to "1.0.0".
	Version string `koanf:"version"`
	// LicenseName of the API. Defaults to "MIT".
	LicenseName string `koanf:"license_name"`
	// PageSize of /api/v1 lists. Defaults to 20.
	PageSize int `koanf:"page_size"`
}

// Catalogue configures the public catalogue.
type Catalogue struct {
	// PerPage is the number of services per page. Defaults to 12.
	PerPage int `koanf:"per_page"`
	// MetaDescription is the catalogue's description for search engines.
	MetaDescription string `koanf:"meta_description"`
}

// DefaultNoResetFields are the fields an approved submission may change
// without going back to review.
var DefaultNoResetFields = []string{
	"logo", "github_url", "biotools_url", "fairsharing_url", "other_registry_url",
	"edam_topics", "edam_operations", "keywords_uncited", "keywords_seo",
	"publications_pmids", "public_contact_email", "internal_contact_name",
	"internal_contact_email", "website_url", "terms_of_use_url", "kpi_monitoring",
	"kpi_start_year", "comments",
}

// Default returns the built-in configuration.
func Default() Config {
	return Config{
		Site: Site{URL: "http://127.0.0.1:8090", Name: "de.NBI Service Registry"},
		Contact: Contact{
			Email:        "servicecoordination@denbi.de",
			Organisation: "German Network for Bioinformatics Infrastructure",
		},
		Links: Links{
			Website:        "https://www.denbi.de",
			PrivacyPolicy:  "https://www.denbi.de/privacy-policy",
			Imprint:        "https://www.denbi.de/imprint",
			DataProtection: "https://www.denbi.de/privacy-policy",
		},
		Features: Features{Catalogue: true, BiotoolsPrefill: true},
		Admin:    Admin{URLPrefix: "admin-denbi"},
		Security: Security{HSTSSeconds: 31536000},
		Captcha:  Captcha{MaxNumber: 100000, Expires: 10 * time.Minute},
		RateLimit: RateLimit{
			Enabled:         true,
			CreatesPerHour:  10,
			CaptchaPerHour:  60,
			PrefillPerHour:  60,
			RecoveryPerHour: 10,
			APIPerMinute:    300,
		},
		SMTP:  SMTP{Port: 587},
		Email: Email{FromAddress: "no-reply@denbi.de", FromName: "de.NBI Service Registry", MaxAttempts: 8, DeliverImmediately: true},
		EDAM:  EDAM{SourceURL: "https://edamontology.org/EDAM_stable.owl", Schedule: "@monthly", SyncOnStart: true},
		BioTools: BioTools{
			APIURL:   "https://bio.tools/api",
			Schedule: "@daily",
			Timeout:  15 * time.Second,
		},
		Licenses: Licenses{
			SourceURL:   "https://raw.githubusercontent.com/spdx/license-list-data/main/json/licenses.json",
			Schedule:    "@monthly",
			SyncOnStart: true,
		},
		Submission: Submission{
			NoResetFields: append([]string(nil), DefaultNoResetFields...),
			DraftTTLDays:  7,
		},
		Uploads: Uploads{LogoMaxBytes: 10 << 20},
		Backups: Backups{MaxKeep: 7},
		API: API{
			Title:       "de.NBI Service Registry API",
			Version:     "1.0.0",
			LicenseName: "MIT",
			PageSize:    20,
		},
		Catalogue: Catalogue{
			PerPage:         12,
			MetaDescription: "Browse the approved de.NBI & ELIXIR-DE bioinformatics services.",
		},
	}
}

// AdminRecipients returns who receives the office's notifications: the
// configured admin addresses, or the contact email when none are set.
func (c *Config) AdminRecipients() []string {
	if len(c.Email.AdminAddresses) > 0 {
		return c.Email.AdminAddresses
	}
	if c.Contact.Email != "" {
		return []string{c.Contact.Email}
	}
	return nil
}
