package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
)

var urlPrefixPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$`)

// reservedPrefixes are first path segments the registry serves itself.
var reservedPrefixes = map[string]bool{
	"api": true, "_": true, "health": true, "register": true, "update": true,
	"catalogue": true, "captcha": true, "biotools": true, "static": true, "ga4gh": true,
}

// Validate checks values that have the right type but cannot work, and
// names each offending key.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s (%s): %s", key, EnvName(key), fmt.Sprintf(format, args...)))
	}

	checkHTTPURL := func(key, value string, allowEmpty bool) {
		if value == "" && allowEmpty {
			return
		}
		u, err := url.Parse(value)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad(key, "expected an absolute http:// or https:// URL, got %q", value)
		}
	}
	checkSource := func(key, value string) {
		if value == "" {
			bad(key, "must not be empty: give a URL or a file path")
			return
		}
		if strings.Contains(value, "://") {
			checkHTTPURL(key, value, false)
		}
	}
	checkEmail := func(key, value string, allowEmpty bool) {
		if value == "" && allowEmpty {
			return
		}
		if addr, err := mail.ParseAddress(value); err != nil || addr.Address != value {
			bad(key, "expected a plain email address such as office@example.org, got %q", value)
		}
	}
	positive := func(key string, n int64) {
		if n <= 0 {
			bad(key, "must be greater than zero, got %d", n)
		}
	}

	checkHTTPURL("site.url", c.Site.URL, false)
	if strings.TrimSpace(c.Site.Name) == "" {
		bad("site.name", "must not be empty")
	}
	checkEmail("contact.email", c.Contact.Email, false)
	checkHTTPURL("links.website", c.Links.Website, true)
	checkHTTPURL("links.privacy_policy", c.Links.PrivacyPolicy, true)
	checkHTTPURL("links.imprint", c.Links.Imprint, true)
	checkHTTPURL("links.data_protection", c.Links.DataProtection, true)
	checkHTTPURL("links.user_guide", c.Links.UserGuide, true)

	if !urlPrefixPattern.MatchString(c.Admin.URLPrefix) {
		bad("admin.url_prefix", "expected letters, digits, '-' or '_' (e.g. admin-denbi), got %q", c.Admin.URLPrefix)
	} else if reservedPrefixes[strings.ToLower(c.Admin.URLPrefix)] {
		bad("admin.url_prefix", "%q is already used by the registry; pick another prefix", c.Admin.URLPrefix)
	}

	if c.Security.HSTSSeconds < 0 {
		bad("security.hsts_seconds", "must not be negative, got %d", c.Security.HSTSSeconds)
	}
	for _, h := range c.Security.TrustedProxyHeaders {
		if strings.TrimSpace(h) == "" || strings.ContainsAny(h, " :\t") {
			bad("security.trusted_proxy_headers", "%q is not a header name", h)
		}
	}

	if c.Captcha.MaxNumber < 1000 || c.Captcha.MaxNumber > 10_000_000 {
		bad("captcha.max_number", "expected a difficulty between 1000 and 10000000, got %d", c.Captcha.MaxNumber)
	}
	if c.Captcha.Expires < 60e9 {
		bad("captcha.expires", "expected at least 1m so people can finish the form, got %s", c.Captcha.Expires)
	}
	if c.Captcha.HMACKey != "" && len(c.Captcha.HMACKey) < 32 {
		bad("captcha.hmac_key", "must be at least 32 characters long (it signs the challenges)")
	}

	for _, ip := range c.RateLimit.ExcludedIPs {
		if net.ParseIP(ip) == nil {
			if _, _, err := net.ParseCIDR(ip); err != nil {
				bad("ratelimit.excluded_ips", "%q is neither an IP address nor a CIDR range", ip)
			}
		}
	}
	positive("ratelimit.creates_per_hour", int64(c.RateLimit.CreatesPerHour))
	positive("ratelimit.captcha_per_hour", int64(c.RateLimit.CaptchaPerHour))
	positive("ratelimit.prefill_per_hour", int64(c.RateLimit.PrefillPerHour))
	positive("ratelimit.recovery_per_hour", int64(c.RateLimit.RecoveryPerHour))
	positive("ratelimit.api_per_minute", int64(c.RateLimit.APIPerMinute))

	if c.SMTP.Port < 1 || c.SMTP.Port > 65535 {
		bad("smtp.port", "expected a port between 1 and 65535, got %d", c.SMTP.Port)
	}
	if c.SMTP.Host != "" && strings.ContainsAny(c.SMTP.Host, "/ ") {
		bad("smtp.host", "expected a host name without scheme or path, got %q", c.SMTP.Host)
	}

	checkEmail("email.from_address", c.Email.FromAddress, false)
	for _, a := range c.Email.AdminAddresses {
		checkEmail("email.admin_addresses", a, false)
	}
	for _, a := range c.Email.NotifyCC {
		checkEmail("email.notify_cc", a, false)
	}
	checkEmail("email.notify_override", c.Email.NotifyOverride, true)
	if c.Email.MaxAttempts < 1 || c.Email.MaxAttempts > 100 {
		bad("email.max_attempts", "expected 1 to 100, got %d", c.Email.MaxAttempts)
	}

	checkSource("edam.source_url", c.EDAM.SourceURL)
	checkHTTPURL("biotools.api_url", c.BioTools.APIURL, false)
	if c.BioTools.Timeout <= 0 {
		bad("biotools.timeout", "must be greater than zero")
	}
	checkSource("licenses.source_url", c.Licenses.SourceURL)
	for key, schedule := range map[string]string{
		"edam.schedule": c.EDAM.Schedule, "biotools.schedule": c.BioTools.Schedule, "licenses.schedule": c.Licenses.Schedule,
	} {
		if strings.TrimSpace(schedule) == "" {
			bad(key, "must be a cron expression such as \"@monthly\" or \"0 3 * * *\"")
		}
	}

	positive("submission.draft_ttl_days", int64(c.Submission.DraftTTLDays))
	positive("uploads.logo_max_bytes", c.Uploads.LogoMaxBytes)
	if c.API.PageSize < 1 || c.API.PageSize > 100 {
		bad("api.page_size", "expected 1 to 100, got %d", c.API.PageSize)
	}
	if strings.TrimSpace(c.API.Version) == "" {
		bad("api.version", "must not be empty")
	}
	positive("catalogue.per_page", int64(c.Catalogue.PerPage))
	if c.Backups.MaxKeep < 0 {
		bad("backups.max_keep", "must not be negative, got %d", c.Backups.MaxKeep)
	}

	return errors.Join(errs...)
}
