package hooks_test

import (
	"net/http"
	"testing"

	"github.com/denbi/service-registry/config"
)

func TestAnonymousRegistrationsAreRateLimited(t *testing.T) {
	w := newV1World(t, func(c *config.Config) {
		c.RateLimit.Enabled = true
		c.RateLimit.CreatesPerHour = 3
	})
	for i := 0; i < 3; i++ {
		if res := w.post(t, nil); res.Status != http.StatusCreated {
			t.Fatalf("request %d: %d %s", i+1, res.Status, res.Body)
		}
	}
	res := w.post(t, nil)
	if res.Status != http.StatusTooManyRequests {
		t.Fatalf("4th registration within the hour: %d %s", res.Status, res.Body)
	}
	if got := res.Header.Get("Retry-After"); got != "3600" {
		t.Fatalf("Retry-After = %q, want the rule's window 3600", got)
	}
	if errorFields(t, res)["detail"] == nil {
		t.Fatalf("429 must use the v1 envelope: %s", res.Body)
	}
	if n, _ := w.app.CountRecords("submissions"); n != 3 {
		t.Fatalf("the refused request must not be saved: %d submissions", n)
	}

	excluded := newV1World(t, func(c *config.Config) {
		c.RateLimit.Enabled = true
		c.RateLimit.CreatesPerHour = 1
		c.RateLimit.ExcludedIPs = []string{"192.0.2.0/24"}
	})
	for i := 0; i < 3; i++ {
		if res := excluded.post(t, nil); res.Status != http.StatusCreated {
			t.Fatalf("excluded IPs are never limited: %d", res.Status)
		}
	}
}
