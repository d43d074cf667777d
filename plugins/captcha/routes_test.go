package captcha_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/denbi/service-registry/config"
	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/denbi/service-registry/plugins/captcha"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

var (
	hex64      = regexp.MustCompile(`^[0-9a-f]{64}$`)
	saltFormat = regexp.MustCompile(`^[0-9a-f]{24}\?expires=([0-9]+)&$`)
)

func TestChallengeRoute(t *testing.T) {
	app, _, clk := setup(t, func(cfg *captcha.Config) { cfg.MaxNumber = 0 }) // the default difficulty
	srv := testapp.Server(t, app)

	res := testapp.Do(t, srv, http.MethodGet, "/captcha/", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	if got := res.Header.Get("Cache-Control"); got != "no-store, no-cache, must-revalidate" {
		t.Errorf("Cache-Control %q", got)
	}
	if got := res.Header.Get("Content-Type"); !strings.HasPrefix(got, "application/json") {
		t.Errorf("Content-Type %q", got)
	}
	if strings.Contains(string(res.Body), testKey) {
		t.Fatal("the HMAC key is in the body")
	}

	body := res.Map(t)
	if len(body) != 5 {
		t.Errorf("want exactly algorithm, challenge, maxNumber, salt, signature; got %v", body)
	}
	if body["algorithm"] != "SHA-256" {
		t.Errorf("algorithm %v", body["algorithm"])
	}
	if body["maxNumber"] != float64(captcha.DefaultMaxNumber) {
		t.Errorf("maxNumber %v, want %d", body["maxNumber"], captcha.DefaultMaxNumber)
	}
	challenge, _ := body["challenge"].(string)
	signature, _ := body["signature"].(string)
	salt, _ := body["salt"].(string)
	if !hex64.MatchString(challenge) || !hex64.MatchString(signature) {
		t.Errorf("challenge %q and signature %q must be SHA-256 hex", challenge, signature)
	}
	m := saltFormat.FindStringSubmatch(salt)
	if m == nil {
		t.Fatalf("salt %q: want 24 hex characters, ?expires=<unix>&", salt)
	}
	if want := strconv.FormatInt(clk.Now().Add(captcha.DefaultExpires).Unix(), 10); m[1] != want {
		t.Errorf("expires=%s, want now+10m = %s", m[1], want)
	}
	// the signature is the key's HMAC of the challenge (so the key signs,
	// and only its signature leaves the server)
	mac := hmac.New(sha256.New, []byte(testKey))
	mac.Write([]byte(challenge))
	if want := hex.EncodeToString(mac.Sum(nil)); signature != want {
		t.Errorf("signature %s is not HMAC-SHA256(key, challenge) %s", signature, want)
	}

	again := testapp.Do(t, srv, http.MethodGet, "/captcha/", nil).Map(t)
	if again["salt"] == body["salt"] || again["challenge"] == body["challenge"] {
		t.Error("two requests got the same challenge")
	}
}

func TestChallengeRouteOnlyAnswersGet(t *testing.T) {
	app, _, _ := setup(t)
	srv := testapp.Server(t, app)
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		for _, path := range []string{"/captcha/", "/captcha"} {
			res := testapp.Do(t, srv, method, path, `{"algorithm":"SHA-256"}`)
			if res.Status != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: status %d, want 405", method, path, res.Status)
				continue
			}
			if got := res.Header.Get("Allow"); got != "GET, HEAD" {
				t.Errorf("%s %s: Allow %q", method, path, got)
			}
			body := res.Map(t)
			if body["status"] != float64(405) || !strings.Contains(body["message"].(string), "GET /captcha/") {
				t.Errorf("%s %s: body %s", method, path, res.Body)
			}
			if res.Header.Get("X-Request-ID") == "" {
				t.Errorf("%s %s: the 405 bypassed the middleware chain", method, path)
			}
		}
	}

	head := testapp.Do(t, srv, http.MethodHead, "/captcha/", nil)
	if head.Status != http.StatusOK || head.Header.Get("Cache-Control") != "no-store, no-cache, must-revalidate" {
		t.Errorf("HEAD: status %d, Cache-Control %q", head.Status, head.Header.Get("Cache-Control"))
	}
}

func TestChallengeRouteWithoutSlashRedirects(t *testing.T) {
	app, _, _ := setup(t)
	srv := testapp.Server(t, app)
	res := testapp.Do(t, srv, http.MethodGet, "/captcha?lang=de", nil)
	if res.Status != http.StatusMovedPermanently || res.Header.Get("Location") != "/captcha/?lang=de" {
		t.Fatalf("status %d, Location %q", res.Status, res.Header.Get("Location"))
	}
	if res.Header.Get("X-Request-ID") == "" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatal("the redirect must pass through the middleware chain")
	}
}

func TestChallengeRouteIsRateLimited(t *testing.T) {
	// The limit itself is hooks/settings.go's rule "/captcha/"; this only
	// guards the route path it depends on.
	app := apptest.NewCore(t, func(cfg *config.Config) {
		cfg.RateLimit.Enabled = true
		cfg.RateLimit.CaptchaPerHour = 2
	})
	if _, err := captcha.Register(app, captcha.Config{HMACKey: testKey}); err != nil {
		t.Fatal(err)
	}
	srv := testapp.Server(t, app)
	for i := 1; i <= 2; i++ {
		if res := testapp.Do(t, srv, http.MethodGet, "/captcha/", nil); res.Status != http.StatusOK {
			t.Fatalf("request %d: status %d", i, res.Status)
		}
	}
	if res := testapp.Do(t, srv, http.MethodGet, "/captcha/", nil); res.Status != http.StatusTooManyRequests {
		t.Fatalf("third request: status %d, want 429", res.Status)
	}
}

func TestServeFailsWhenAProtectedCollectionIsMissing(t *testing.T) {
	app := testapp.NewBare(t)
	if _, err := captcha.Register(app, captcha.Config{HMACKey: testKey, Collections: []string{"submisions"}}); err != nil {
		t.Fatal(err)
	}
	router, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	err = app.OnServe().Trigger(&core.ServeEvent{App: app, Router: router}, func(*core.ServeEvent) error { return nil })
	if err == nil || !strings.Contains(err.Error(), `"submisions"`) {
		t.Fatalf("want an error naming the missing collection, got %v", err)
	}
}

func TestChallengesCarryTheConfiguredDifficulty(t *testing.T) {
	_, c, clk := setup(t, func(cfg *captcha.Config) { cfg.MaxNumber = 5000; cfg.Expires = 3 * time.Minute })
	ch, err := c.NewChallenge()
	if err != nil {
		t.Fatal(err)
	}
	if ch.MaxNumber != 5000 {
		t.Errorf("maxNumber %d", ch.MaxNumber)
	}
	if !strings.Contains(ch.Salt, "?expires="+strconv.FormatInt(clk.Now().Add(3*time.Minute).Unix(), 10)+"&") {
		t.Errorf("salt %q lacks the configured expiry", ch.Salt)
	}
}

func TestVendoredWidgetIsServedForTheStrictCSP(t *testing.T) {
	// The widget is the strict-CSP build of altcha 2.3.0 (dist_external):
	// no <style> injected at run time (style-src 'self' forbids it), the
	// worker loaded from this origin. Browsers refuse module scripts and
	// stylesheets with a wrong MIME type under nosniff.
	app, _, _ := setup(t)
	srv := testapp.Server(t, app)
	for path, mime := range map[string]string{
		"/vendor/altcha/altcha.js":   "text/javascript",
		"/vendor/altcha/worker.js":   "text/javascript",
		"/vendor/altcha/altcha.css":  "text/css",
		"/vendor/altcha/LICENSE.txt": "text/plain",
	} {
		res := testapp.Do(t, srv, http.MethodGet, path, nil)
		if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), mime) {
			t.Errorf("%s: status %d, Content-Type %q, want %s", path, res.Status, res.Header.Get("Content-Type"), mime)
		}
		if path == "/vendor/altcha/altcha.js" {
			if strings.Contains(string(res.Body), `createElement("style")`) {
				t.Errorf("%s injects a <style> element, which the page CSP blocks", path)
			}
			if !strings.Contains(string(res.Body), `"./worker.js", import.meta.url`) {
				t.Errorf("%s does not load its worker from beside itself", path)
			}
		}
	}
}
