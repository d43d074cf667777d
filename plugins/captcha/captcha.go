// Package captcha protects anonymous record creates with an ALTCHA
// proof-of-work challenge: no cookies, no third party, nothing about the
// visitor is stored.
//
// GET /captcha/ hands out a signed challenge; the browser widget (or an API
// client) searches the secret number and sends the solution back in the
// "altcha" body field or the X-Altcha header. A solution is accepted once:
// its signature is recorded in the captcha_spent collection until the
// challenge expires, so a replay fails even after a restart.
//
// Example usage:
//
//	captcha.MustRegister(app, captcha.Config{
//		HMACKey:     cfg.Captcha.HMACKey,
//		MaxNumber:   cfg.Captcha.MaxNumber,
//		Expires:     cfg.Captcha.Expires,
//		Collections: []string{"submissions"},
//	})
package captcha

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	altcha "github.com/altcha-org/altcha-lib-go"
	"github.com/pocketbase/pocketbase/core"
)

const (
	// SpentCollection holds the signatures of accepted solutions until
	// their challenge expires.
	SpentCollection = "captcha_spent"

	// PruneJobID is the cron job that deletes expired rows of SpentCollection.
	PruneJobID = "captcha_spent_prune"

	// ChallengePath serves challenges. The rate limit rule of the same
	// label (hooks/settings.go) depends on this exact path.
	ChallengePath = "/captcha/"

	// BodyField and Header carry the solution on a create request.
	BodyField = "altcha"
	Header    = "X-Altcha"

	// MinKeyLength is the shortest HMAC key accepted, in bytes.
	MinKeyLength = 32

	// DefaultMaxNumber is the default difficulty: a browser needs a
	// fraction of a second, a bot sending thousands of forms needs hours.
	DefaultMaxNumber int64 = 100_000

	// DefaultExpires is how long a challenge stays valid by default, long
	// enough to fill in the form after the widget has solved it.
	DefaultExpires = 10 * time.Minute

	algorithm = altcha.SHA256
)

// Config configures the captcha plugin.
type Config struct {
	// HMACKey signs the challenges; at least MinKeyLength bytes. Defaults to
	// a random key per process (a warning is logged at serve), which means
	// challenges issued before a restart stop verifying.
	HMACKey string

	// MaxNumber is the proof-of-work difficulty: the secret number is drawn
	// from [0, MaxNumber]. Defaults to DefaultMaxNumber (100000).
	MaxNumber int64

	// Expires is how long a challenge stays valid. Defaults to DefaultExpires (10m).
	Expires time.Duration

	// Collections lists the collections whose anonymous record creates
	// (no superuser, no key) need a solved challenge. Defaults to none:
	// the challenge route is still served, nothing is enforced.
	Collections []string

	// Now is the clock for issuing and expiring challenges and for pruning.
	// Defaults to time.Now; tests inject their own.
	Now func() time.Time
}

// Captcha issues and verifies challenges. Create it with Register.
type Captcha struct {
	cfg Config

	// randomKey is true when no key was configured and one was generated.
	randomKey bool
}

// MustRegister is Register that panics on error.
func MustRegister(app core.App, cfg Config) *Captcha {
	c, err := Register(app, cfg)
	if err != nil {
		panic(err)
	}
	return c
}

// Register fills in the defaults of cfg and binds to app the challenge
// route, the create hook for cfg.Collections and the hourly prune job.
// The returned Captcha verifies solutions elsewhere too (the web edit flow).
func Register(app core.App, cfg Config) (*Captcha, error) {
	c, err := newCaptcha(cfg)
	if err != nil {
		return nil, err
	}

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if err := c.checkCollections(se.App); err != nil {
			return err
		}
		if c.randomKey {
			// Logged here rather than in Register so that it reaches the
			// app's log (and the dashboard), not only stderr.
			se.App.Logger().Warn("No captcha HMAC key configured: using a random key for this process; "+
				"challenges stop verifying after a restart. Set captcha.hmac_key (REGISTRY_CAPTCHA__HMAC_KEY).",
				"min_length", MinKeyLength)
		}
		c.bindRoutes(se)
		return se.Next()
	})

	c.bindCreateHook(app)

	if err := app.Cron().Add(PruneJobID, "@hourly", func() { c.runPrune(app) }); err != nil {
		return nil, fmt.Errorf("captcha: adding the %s job: %w", PruneJobID, err)
	}
	return c, nil
}

// newCaptcha validates cfg and fills in its defaults.
func newCaptcha(cfg Config) (*Captcha, error) {
	c := &Captcha{cfg: cfg}
	if c.cfg.MaxNumber < 0 {
		return nil, fmt.Errorf("captcha: MaxNumber must not be negative, got %d", c.cfg.MaxNumber)
	}
	if c.cfg.MaxNumber == 0 {
		c.cfg.MaxNumber = DefaultMaxNumber
	}
	if c.cfg.Expires < 0 {
		return nil, fmt.Errorf("captcha: Expires must not be negative, got %s", c.cfg.Expires)
	}
	if c.cfg.Expires == 0 {
		c.cfg.Expires = DefaultExpires
	}
	if c.cfg.Now == nil {
		c.cfg.Now = time.Now
	}
	c.cfg.Collections = append([]string(nil), c.cfg.Collections...)

	switch {
	case c.cfg.HMACKey == "":
		key, err := randomKey()
		if err != nil {
			return nil, err
		}
		c.cfg.HMACKey, c.randomKey = key, true
	case len(c.cfg.HMACKey) < MinKeyLength:
		// The library signs happily with any key, even an empty one.
		return nil, fmt.Errorf("captcha: the HMAC key must be at least %d characters long, got %d", MinKeyLength, len(c.cfg.HMACKey))
	}
	return c, nil
}

// randomKey returns 32 random bytes as 64 hex characters.
func randomKey() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("captcha: generating a random HMAC key: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// NewChallenge issues a signed challenge that expires after Config.Expires.
// The HMAC key never leaves the server: only its signature does.
func (c *Captcha) NewChallenge() (altcha.Challenge, error) {
	expires := c.cfg.Now().Add(c.cfg.Expires)
	ch, err := altcha.CreateChallenge(altcha.ChallengeOptions{
		Algorithm: algorithm,
		MaxNumber: c.cfg.MaxNumber,
		HMACKey:   c.cfg.HMACKey,
		Expires:   &expires,
	})
	if err != nil {
		return altcha.Challenge{}, fmt.Errorf("captcha: creating a challenge: %w", err)
	}
	return ch, nil
}

// checkCollections fails the start when a protected collection or the
// spent collection is missing: a typo must not leave creates unprotected.
func (c *Captcha) checkCollections(app core.App) error {
	for _, name := range append([]string{SpentCollection}, c.cfg.Collections...) {
		if _, err := app.FindCachedCollectionByNameOrId(name); err != nil {
			return fmt.Errorf("captcha: collection %q not found (are the migrations applied?): %w", name, err)
		}
	}
	return nil
}
