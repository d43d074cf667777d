package hooks

import (
	"github.com/pocketbase/pocketbase/core"
)

// bindSettings applies the configuration to PocketBase's stored settings
// (application name and URL, sender, rate limits, trusted proxy headers,
// backup schedule when configured)
// after every load of those settings. They are changed in memory only: the
// configuration stays the one source of truth and secrets never reach the
// database.
func (r *registry) bindSettings() {
	if r.app.IsBootstrapped() {
		r.applySettings(r.app.Settings())
	}
	r.app.OnBootstrap().BindFunc(func(e *core.BootstrapEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		r.applySettings(e.App.Settings())
		return nil
	})
	r.app.OnSettingsReload().BindFunc(func(e *core.SettingsReloadEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		r.applySettings(e.App.Settings())
		return nil
	})
}

// applySettings copies the configuration into PocketBase's settings.
func (r *registry) applySettings(s *core.Settings) {
	s.Meta.AppName = r.cfg.Site.Name
	s.Meta.AppURL = r.cfg.Site.URL
	s.Meta.SenderAddress = r.cfg.Email.FromAddress
	s.Meta.SenderName = r.cfg.Email.FromName

	s.TrustedProxy.Headers = append([]string(nil), r.cfg.Security.TrustedProxyHeaders...)
	s.TrustedProxy.UseLeftmostIP = r.cfg.Security.UseLeftmostIP

	if r.cfg.Backups.Cron != "" {
		s.Backups.Cron = r.cfg.Backups.Cron
		s.Backups.CronMaxKeep = r.cfg.Backups.MaxKeep
	}

	s.RateLimits.Enabled = r.cfg.RateLimit.Enabled
	s.RateLimits.ExcludedIPs = append([]string(nil), r.cfg.RateLimit.ExcludedIPs...)
	s.RateLimits.Rules = r.rateLimitRules()
}

// rateLimitRules are PocketBase's default rules plus the registry's own.
// PocketBase uses the first rule whose label matches (exact labels before
// path prefixes), per client IP.
func (r *registry) rateLimitRules() []core.RateLimitRule {
	rl := r.cfg.RateLimit
	return []core.RateLimitRule{
		{Label: "submissions:create", MaxRequests: rl.CreatesPerHour, Duration: 3600, Audience: core.RateLimitRuleAudienceGuest},
		{Label: "POST /api/v1/submissions/", MaxRequests: rl.CreatesPerHour, Duration: 3600},
		{Label: "/captcha/", MaxRequests: rl.CaptchaPerHour, Duration: 3600},
		{Label: "/biotools/prefill/", MaxRequests: rl.PrefillPerHour, Duration: 3600},
		{Label: "/api/registry/keys/", MaxRequests: rl.RecoveryPerHour, Duration: 3600},
		{Label: "POST /api/collections/submission_keys/auth-with-key", MaxRequests: 20, Duration: 3600},
		// office logins: password guessing and code requests
		{Label: "_superusers:auth", MaxRequests: 20, Duration: 900},
		{Label: "staff:auth", MaxRequests: 20, Duration: 900},
		{Label: "_superusers:requestOTP", MaxRequests: 5, Duration: 900},
		{Label: "staff:requestOTP", MaxRequests: 5, Duration: 900},
		{Label: "*:auth", MaxRequests: 2, Duration: 3},
		{Label: "*:create", MaxRequests: 20, Duration: 5},
		{Label: "/api/batch", MaxRequests: 3, Duration: 1},
		{Label: "/api/", MaxRequests: rl.APIPerMinute, Duration: 60},
	}
}
