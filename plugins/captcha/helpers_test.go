package captcha_test

import (
	"encoding/base64"
	"encoding/json"
	"sync"
	"testing"
	"time"

	altcha "github.com/altcha-org/altcha-lib-go"
	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/plugins/captcha"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// testKey is the HMAC key of most tests; it must never show up in a response.
const testKey = "test-hmac-key-0123456789-abcdefghijklmnopqrstuvwxyz"

// clock is a settable clock for Config.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// setup returns an app wired like the registry (hooks and migrations) with
// the captcha protecting submissions, its Captcha and its clock. Options
// change the captcha configuration; the default difficulty is lowered so
// that tests solve quickly (the end-to-end test uses the real default).
func setup(t testing.TB, options ...func(*captcha.Config)) (*tests.TestApp, *captcha.Captcha, *clock) {
	t.Helper()
	app := apptest.NewCore(t)
	clk := newClock()
	cfg := captcha.Config{HMACKey: testKey, MaxNumber: 1000, Collections: []string{"submissions"}, Now: clk.Now}
	for _, option := range options {
		option(&cfg)
	}
	c, err := captcha.Register(app, cfg)
	if err != nil {
		t.Fatalf("registering the captcha: %v", err)
	}
	return app, c, clk
}

// widgetPayload is what the widget encodes: the challenge fields, the
// number it found and fields the server ignores.
type widgetPayload struct {
	altcha.Payload
	Took int64 `json:"took"`
}

// solve finds the secret number of a challenge with the library's solver.
func solve(t testing.TB, ch altcha.Challenge) altcha.Payload {
	t.Helper()
	sol, err := altcha.SolveChallenge(ch.Challenge, ch.Salt, altcha.Algorithm(ch.Algorithm), int(ch.MaxNumber), 0, nil)
	if err != nil || sol == nil {
		t.Fatalf("solving %+v: %v (solution %v)", ch, err, sol)
	}
	return altcha.Payload{Algorithm: ch.Algorithm, Challenge: ch.Challenge, Number: int64(sol.Number), Salt: ch.Salt, Signature: ch.Signature}
}

// encode builds the payload string exactly as the widget does:
// btoa(JSON.stringify({...})), i.e. padded standard base64.
func encode(t testing.TB, p altcha.Payload) string {
	t.Helper()
	raw, err := json.Marshal(widgetPayload{Payload: p, Took: 42})
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(raw)
}

// solved issues a challenge with c and returns its solution, encoded.
func solved(t testing.TB, c *captcha.Captcha) (string, altcha.Payload) {
	t.Helper()
	ch, err := c.NewChallenge()
	if err != nil {
		t.Fatal(err)
	}
	p := solve(t, ch)
	return encode(t, p), p
}

// count returns the number of rows of a collection.
func count(t testing.TB, app core.App, collection string) int {
	t.Helper()
	n, err := app.CountRecords(collection, dbx.NewExp("1=1"))
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}
