package adminui

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"
)

// loginCollections are the collections whose logins the plugin protects.
var loginCollections = []string{core.CollectionNameSuperusers, StaffCollection}

// applyMFA makes email OTP the second factor of superusers and staff when
// SMTP is configured, and turns it off otherwise: without a mail server
// nobody could receive a code and every login would fail. The setting is
// applied at each start, so the configuration stays its one source.
func (p *plugin) applyMFA(app core.App) error {
	on := p.config.SMTPConfigured
	for _, name := range loginCollections {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			continue // staff is missing until its migration ran
		}
		if c.OTP.Enabled == on && c.MFA.Enabled == on {
			continue
		}
		c.OTP.Enabled = on
		c.MFA.Enabled = on
		if err := app.Save(c); err != nil {
			return fmt.Errorf("adminui: switching MFA for %s: %w", name, err)
		}
		if on {
			app.Logger().Info("Logins of this collection now need an emailed one-time code", "collection", name)
		} else {
			app.Logger().Warn("No SMTP server is configured: logins of this collection use the password alone", "collection", name)
		}
	}
	return nil
}

// bindLoginLimits locks an account, and separately a client IP, after
// LoginFailureLimit failed password logins within LoginCooloff — the
// Django registry's django-axes rule. PocketBase's rate limiter counts
// requests per IP only; this also protects an account attacked from many
// addresses.
func (p *plugin) bindLoginLimits() {
	if p.config.LoginFailureLimit < 0 {
		return
	}
	p.app.OnRecordAuthWithPasswordRequest(loginCollections...).Bind(&hook.Handler[*core.RecordAuthWithPasswordRequestEvent]{
		Id: "adminuiLoginLimit",
		Func: func(e *core.RecordAuthWithPasswordRequestEvent) error {
			keys := []string{
				e.Collection.Name + "\x00id\x00" + strings.ToLower(strings.TrimSpace(e.Identity)),
				e.Collection.Name + "\x00ip\x00" + e.RealIP(),
			}
			if wait := p.logins.locked(keys...); wait > 0 {
				e.App.Logger().Warn("Login refused: too many failed attempts", "collection", e.Collection.Name, "ip", e.RealIP())
				minutes := int(math.Ceil(wait.Minutes()))
				return e.Error(http.StatusTooManyRequests,
					fmt.Sprintf("Too many failed logins. Try again in %d minute(s).", minutes), nil)
			}
			err := e.Next()
			if isFailedLogin(err) {
				p.logins.fail(keys...)
				e.App.Logger().Warn("Failed login", "collection", e.Collection.Name, "ip", e.RealIP())
			}
			return err
		},
	})
}

// isFailedLogin tells a wrong identity or password (400) from success,
// including the 401 that asks for the second factor.
func isFailedLogin(err error) bool {
	var apiErr *router.ApiError
	return err != nil && errors.As(err, &apiErr) && apiErr.Status == http.StatusBadRequest
}

// loginLimiter remembers failed logins in memory. A restart forgets them,
// which only shortens a lockout.
type loginLimiter struct {
	limit   int
	cooloff time.Duration
	now     func() time.Time

	mu       sync.Mutex
	failures map[string][]time.Time
}

func newLoginLimiter(limit int, cooloff time.Duration, now func() time.Time) *loginLimiter {
	return &loginLimiter{limit: limit, cooloff: cooloff, now: now, failures: map[string][]time.Time{}}
}

// locked returns how long the longest-locked key stays locked (0: free).
func (l *loginLimiter) locked(keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var wait time.Duration
	for _, k := range keys {
		recent := l.prune(k, now)
		if len(recent) >= l.limit {
			// free again once the oldest counted failure has aged out
			if w := recent[len(recent)-l.limit].Add(l.cooloff).Sub(now); w > wait {
				wait = w
			}
		}
	}
	return wait
}

// fail records a failed attempt for every key.
func (l *loginLimiter) fail(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, k := range keys {
		l.failures[k] = append(l.prune(k, now), now)
	}
	if len(l.failures) > 10000 {
		for k := range l.failures {
			if len(l.prune(k, now)) == 0 {
				delete(l.failures, k)
			}
		}
	}
}

// prune drops the failures of key older than the cool-off and returns the
// rest; the caller holds mu.
func (l *loginLimiter) prune(key string, now time.Time) []time.Time {
	list := l.failures[key]
	i := 0
	for i < len(list) && now.Sub(list[i]) >= l.cooloff {
		i++
	}
	list = list[i:]
	if len(list) == 0 {
		delete(l.failures, key)
		return nil
	}
	l.failures[key] = list
	return list
}
