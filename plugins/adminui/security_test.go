package adminui_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/denbi/service-registry/config"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/denbi/service-registry/plugins/adminui"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

func login(t *testing.T, e *env, collection, identity, password, ip string) *testapp.Response {
	t.Helper()
	return testapp.Do(t, e.srv, http.MethodPost, "/api/collections/"+collection+"/auth-with-password",
		map[string]any{"identity": identity, "password": password}, "X-Real-IP: "+ip)
}

// TestMFAFollowsSMTP: with SMTP configured, superusers and staff need an
// emailed code after their password; without, the password is enough (and
// a second factor switched on before is switched off again).
func TestMFAFollowsSMTP(t *testing.T) {
	e := newEnv(t, envOptions{config: func(c *adminui.Config) { c.SMTPConfigured = true }})
	for _, name := range []string{core.CollectionNameSuperusers, adminui.StaffCollection} {
		c, err := e.app.FindCollectionByNameOrId(name)
		if err != nil {
			t.Fatal(err)
		}
		if !c.OTP.Enabled || !c.MFA.Enabled {
			t.Errorf("%s: OTP %v, MFA %v", name, c.OTP.Enabled, c.MFA.Enabled)
		}
	}
	res := login(t, e, core.CollectionNameSuperusers, superEmail, "a-long-test-password", "203.0.113.1")
	if res.Status != http.StatusUnauthorized || !strings.Contains(string(res.Body), "mfaId") {
		t.Errorf("superuser password login with MFA: %d %s", res.Status, res.Body)
	}
	res = login(t, e, adminui.StaffCollection, reviewerEmail, staffPassword, "203.0.113.1")
	if res.Status != http.StatusUnauthorized || !strings.Contains(string(res.Body), "mfaId") {
		t.Errorf("staff password login with MFA: %d %s", res.Status, res.Body)
	}
}

func TestMFAOffWithoutSMTP(t *testing.T) {
	// switched on before (say, SMTP was configured at the last start)
	e := newEnv(t, envOptions{before: func(app *tests.TestApp) {
		for _, name := range []string{core.CollectionNameSuperusers, adminui.StaffCollection} {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				t.Fatal(err)
			}
			c.OTP.Enabled, c.MFA.Enabled = true, true
			if err := app.Save(c); err != nil {
				t.Fatal(err)
			}
		}
	}})
	for _, name := range []string{core.CollectionNameSuperusers, adminui.StaffCollection} {
		c, _ := e.app.FindCollectionByNameOrId(name)
		if c.OTP.Enabled || c.MFA.Enabled {
			t.Errorf("%s: OTP %v, MFA %v without SMTP", name, c.OTP.Enabled, c.MFA.Enabled)
		}
	}
	res := login(t, e, adminui.StaffCollection, reviewerEmail, staffPassword, "203.0.113.1")
	if res.Status != 200 || !strings.Contains(string(res.Body), `"token"`) {
		t.Fatalf("staff login: %d %s", res.Status, res.Body)
	}
	res = login(t, e, adminui.StaffCollection, "gone@example.org", staffPassword, "203.0.113.1")
	if res.Status != 403 || !strings.Contains(string(res.Body), "collection requirements") {
		t.Errorf("a deactivated member logged in: %d %s", res.Status, res.Body)
	}
}

// TestLoginLockout: five failed passwords lock the account (from any
// address) and the address (for any account) for the cool-off.
// trustRealIP makes PocketBase take the client address from X-Real-IP, so
// a test can send from several addresses.
var trustRealIP = envOptions{cfg: []func(*config.Config){func(c *config.Config) {
	c.Security.TrustedProxyHeaders = []string{"X-Real-IP"}
}}}

func TestLoginLockout(t *testing.T) {
	e := newEnv(t, trustRealIP)
	for i := 0; i < adminui.DefaultLoginFailureLimit; i++ {
		// each attempt from another address: the account is what counts
		ip := "198.51.100." + string(rune('1'+i))
		if res := login(t, e, adminui.StaffCollection, "Reviewer@Example.org", "wrong password!", ip); res.Status != 400 {
			t.Fatalf("attempt %d: %d %s", i, res.Status, res.Body)
		}
	}
	res := login(t, e, adminui.StaffCollection, reviewerEmail, staffPassword, "203.0.113.9")
	if res.Status != http.StatusTooManyRequests || !strings.Contains(string(res.Body), "Try again in 30 minute(s).") {
		t.Fatalf("locked account, right password: %d %s", res.Status, res.Body)
	}
	// another account from a fresh address is not affected
	if res := login(t, e, adminui.StaffCollection, managerEmail, staffPassword, "203.0.113.9"); res.Status != 200 {
		t.Errorf("manager: %d %s", res.Status, res.Body)
	}
	e.clock.Advance(29 * time.Minute)
	if res := login(t, e, adminui.StaffCollection, reviewerEmail, staffPassword, "203.0.113.9"); res.Status != http.StatusTooManyRequests ||
		!strings.Contains(string(res.Body), "1 minute(s)") {
		t.Errorf("after 29 minutes: %d %s", res.Status, res.Body)
	}
	e.clock.Advance(time.Minute)
	if res := login(t, e, adminui.StaffCollection, reviewerEmail, staffPassword, "203.0.113.9"); res.Status != 200 {
		t.Errorf("after the cool-off: %d %s", res.Status, res.Body)
	}

	// one address trying many superuser accounts
	for i := 0; i < adminui.DefaultLoginFailureLimit; i++ {
		login(t, e, core.CollectionNameSuperusers, "nobody"+string(rune('a'+i))+"@example.org", "guess guess guess", "192.0.2.200")
	}
	if res := login(t, e, core.CollectionNameSuperusers, superEmail, "a-long-test-password", "192.0.2.200"); res.Status != http.StatusTooManyRequests {
		t.Errorf("locked address: %d %s", res.Status, res.Body)
	}
	if res := login(t, e, core.CollectionNameSuperusers, superEmail, "a-long-test-password", "192.0.2.201"); res.Status != 200 {
		t.Errorf("superuser from another address: %d %s", res.Status, res.Body)
	}
}

func TestLoginLockoutCanBeTurnedOff(t *testing.T) {
	e := newEnv(t, trustRealIP, envOptions{config: func(c *adminui.Config) { c.LoginFailureLimit = -1 }})
	for i := 0; i < 10; i++ {
		login(t, e, adminui.StaffCollection, reviewerEmail, "wrong password!", "198.51.100.1")
	}
	if res := login(t, e, adminui.StaffCollection, reviewerEmail, staffPassword, "198.51.100.1"); res.Status != 200 {
		t.Errorf("%d %s", res.Status, res.Body)
	}
}
